"""The gradient of Einsum, as einsums.

The gradient of operand i of ``einsum("s_1,...,s_n->out", x_1, ..., x_n)`` is
``einsum("out,s_j (j != i)->s_i", dy, x_j ...)``, with three repairs numpy's einsum needs:
a letter repeated in s_i (a diagonal, as in "ii->") gets a fresh letter and an identity
matrix operand joining the two; a letter of s_i found nowhere else (summed away, as j in
"ij->i") gets a ones vector operand; and '...' axes that broadcast are summed back to the
operand's shape.
"""

from __future__ import annotations

import string
from typing import Any, Iterator

import numpy as np

from flowgraph.graph import Tensor
from flowgraph.ops.constant import convert_to_tensor
from flowgraph.ops.registry import apply_op

__all__: list = []


def _tokens(spec: str) -> list:
    """The subscripts of one operand: letters and (at most one) '...'."""
    head, dots, tail = spec.partition("...")
    return list(head) + (["..."] if dots else []) + list(tail)


def einsum_grads(equation: str, op: Any, dy: Tensor) -> list:
    """One gradient per input of the Einsum node `op` (None for non-floating inputs)."""
    from flowgraph.ops.contraction import _parse_equation
    specs, output = _parse_equation(equation)
    used = set(equation)
    fresh = iter(c for c in string.ascii_letters if c not in used)
    grads = []
    for i, (spec, x) in enumerate(zip(specs, op.inputs)):
        if not x.dtype.is_floating:
            grads.append(None)
            continue
        subs = [output] + [s for j, s in enumerate(specs) if j != i]
        operands = [dy] + [t for j, t in enumerate(op.inputs) if j != i]
        grads.append(_operand_grad(_tokens(spec), x, subs, operands, fresh))
    return grads


def _operand_grad(tokens: list, x: Tensor, subs: list, operands: list,
                  fresh: Iterator[str]) -> Tensor:
    from flowgraph.ops.contraction import Einsum
    from flowgraph.ops.gradient_ops import sum_to_shape_of
    target: list = []
    for position, token in enumerate(tokens):
        if token != "..." and token in target:  # a diagonal: x[..., i, i] in "ii"
            letter = next(fresh)
            size = _size(x, tokens, position)
            subs.append(token + letter)
            operands.append(_identity(size, x))
            token = letter
        target.append(token)
    present = set("".join(subs))
    for position, token in enumerate(target):
        if token != "..." and token not in present:  # summed away: broadcast back with ones
            subs.append(token)
            operands.append(_ones(_size(x, tokens, position), x))
    letters = "".join(t for t in target if t != "...")
    has_dots = any("..." in s for s in subs)

    def einsum(out: str, *values: Tensor) -> Tensor:
        return apply_op(Einsum(equation=out), list(values), name="einsum")

    if "..." not in target:
        # Broadcast '...' axes of dy and the other operands that x lacks are summed by the
        # framework (they lead the result).
        out = ("..." if has_dots else "") + letters
        return einsum(",".join(subs) + "->" + out, *operands)
    spec = "".join(target)
    if target[0] == "...":
        return einsum(",".join(subs) + "->" + spec, *operands)
    # '...' in the middle of x's subscripts: move it to the front, sum the broadcast axes
    # there (x's own transpose gives the shape to sum to), and move it back.
    moved = "..." + letters
    grad = einsum(",".join(subs) + "->" + moved, *operands)
    grad = sum_to_shape_of(grad, einsum(f"{spec}->{moved}", x))
    return einsum(f"{moved}->{spec}", grad)


def _size(x: Tensor, tokens: list, position: int) -> Any:
    """The length of x's axis holding subscript `tokens[position]` (an int or a tensor)."""
    index = position if "..." not in tokens[:position] else position - len(tokens)
    if x.shape.ndims is not None:
        value = x.shape.as_list()[index]
        if value is not None:
            return value
    from flowgraph.ops.shape_ops import shape
    return shape(x)[index]


def _identity(size: Any, x: Tensor) -> Tensor:
    if isinstance(size, int):
        return convert_to_tensor(np.eye(size, dtype=x.dtype.np))
    from flowgraph.ops.linalg import eye
    return eye(size, dtype=x.dtype)


def _ones(size: Any, x: Tensor) -> Tensor:
    if isinstance(size, int):
        return convert_to_tensor(np.ones(size, dtype=x.dtype.np))
    from flowgraph.ops.fill import ones
    return ones([size], dtype=x.dtype)
