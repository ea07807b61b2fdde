"""Tensor contractions: tensordot and einsum."""

from __future__ import annotations

from typing import Any, Optional, Sequence

import numpy as np

from flowgraph import errors
from flowgraph.graph import Tensor
from flowgraph.ops.constant import convert_to_tensor
from flowgraph.ops.elementwise import binary_inputs
from flowgraph.ops.linalg import MATMUL_DTYPES, check_pair_dtypes
from flowgraph.ops.reduce_axes import make_error, static_axis
from flowgraph.ops.registry import Op, apply_op, register
from flowgraph.shapes import TensorShape, broadcast_shapes

__all__ = ["tensordot", "einsum"]


# --------------------------------------------------------------------------- tensordot
@register
class Tensordot(Op):
    """Sums products of `a` and `b` over `a_axes` / `b_axes` (or, when `num_axes` is set,
    over the last `num_axes` axes of `a` and the first of `b`); as `np.tensordot`."""

    uses_all_cores = True  # numpy's BLAS runs it on every core

    num_axes: Optional[int] = None
    a_axes: tuple = ()
    b_axes: tuple = ()

    def check(self) -> None:
        object.__setattr__(self, "a_axes", tuple(int(a) for a in self.a_axes))
        object.__setattr__(self, "b_axes", tuple(int(b) for b in self.b_axes))
        if self.num_axes is not None and self.num_axes < 0:
            raise ValueError(f"'axes' must be at least 0, got {self.num_axes}.")
        if len(self.a_axes) != len(self.b_axes):
            raise ValueError(f"Different number of contraction axes 'a' and 'b', "
                             f"{len(self.a_axes)} != {len(self.b_axes)}.")

    def infer(self, op):
        a, b = op.inputs
        dtype = check_pair_dtypes(op, a, b, MATMUL_DTYPES)
        if a.shape.ndims is None or b.shape.ndims is None:
            return [(dtype, TensorShape(None))]
        a_axes, b_axes = self._axes(a.shape.ndims, b.shape.ndims, ValueError)
        da, db = a.shape.as_list(), b.shape.as_list()
        for i, j in zip(a_axes, b_axes):
            if da[i] is not None and db[j] is not None and da[i] != db[j]:
                raise ValueError(f"Tensordot contracts axis {i} of a {a.shape} with axis {j} "
                                 f"of b {b.shape}, but their sizes {da[i]} and {db[j]} differ.")
        free = [d for i, d in enumerate(da) if i not in a_axes]
        free += [d for j, d in enumerate(db) if j not in b_axes]
        return [(dtype, TensorShape(free))]

    def _axes(self, rank_a: int, rank_b: int, error: type) -> tuple:
        if self.num_axes is not None:
            n = self.num_axes
            if n > rank_a or n > rank_b:
                raise make_error(error, f"'axes' ({n}) must not be larger than the number of "
                             f"dimensions of a (rank {rank_a}) or b (rank {rank_b}).")
            return tuple(range(rank_a - n, rank_a)), tuple(range(n))
        result = []
        for axes, rank, which in ((self.a_axes, rank_a, "a"), (self.b_axes, rank_b, "b")):
            fixed = []
            for axis in axes:
                if not -rank <= axis < rank:
                    raise make_error(error, f"Tensordot axis {axis} is out of range for {which} "
                                 f"of rank {rank}.")
                if axis % rank in fixed:
                    raise make_error(error, f"Tensordot axes of {which} repeat axis {axis}.")
                fixed.append(axis % rank)
            result.append(tuple(fixed))
        return tuple(result)

    def kernel(self, a, b):
        a_axes, b_axes = self._axes(a.ndim, b.ndim, errors.InvalidArgumentError)
        out = np.tensordot(a, b, axes=(list(a_axes), list(b_axes)))
        return np.asarray(out).astype(a.dtype, copy=False)

    def grad(self, op, dy):
        # Each gradient is a tensordot of dy with the other input over that input's free
        # axes, then a transpose back into the input's axis order.
        from flowgraph.ops.reorder import transpose
        a, b = op.inputs
        dy = convert_to_tensor(dy)  # an IndexedSlices (from a gather) becomes dense
        if a.shape.ndims is None or b.shape.ndims is None:
            raise ValueError(f"The gradient of Tensordot {op.name} needs the ranks of its "
                             f"inputs known when the graph is built, got {a.shape} and "
                             f"{b.shape}; set_shape them.")
        a_axes, b_axes = self._axes(a.shape.ndims, b.shape.ndims, ValueError)
        free_a = [i for i in range(a.shape.ndims) if i not in a_axes]
        free_b = [j for j in range(b.shape.ndims) if j not in b_axes]
        dy_a = tuple(range(len(free_a)))
        dy_b = tuple(range(len(free_a), len(free_a) + len(free_b)))
        # grad_a's axes: a's free axes, then b's contracted axes in b's order.
        grad_a = apply_op(Tensordot(a_axes=dy_b, b_axes=tuple(free_b)), [dy, b],
                          name="Tensordot")
        b_order = sorted(b_axes)
        perm_a = [free_a.index(i) if i in free_a
                  else len(free_a) + b_order.index(b_axes[a_axes.index(i)])
                  for i in range(a.shape.ndims)]
        # grad_b's axes: a's contracted axes in a's order, then b's free axes.
        grad_b = apply_op(Tensordot(a_axes=tuple(free_a), b_axes=dy_a), [a, dy],
                          name="Tensordot")
        a_order = sorted(a_axes)
        perm_b = [len(a_axes) + free_b.index(j) if j in free_b
                  else a_order.index(a_axes[b_axes.index(j)])
                  for j in range(b.shape.ndims)]
        return [_permuted(grad_a, perm_a, transpose), _permuted(grad_b, perm_b, transpose)]


def _permuted(t: Tensor, perm: list, transpose: Any) -> Tensor:
    return t if perm == sorted(perm) else transpose(t, perm)


def tensordot(a: Any, b: Any, axes: Any, name: Optional[str] = None) -> Tensor:
    """Tensor contraction of `a` and `b` over the given axes, as TF1's `tf.tensordot`.

    `axes` is an int N (contract the last N axes of `a` with the first N of `b`; 0 gives
    the outer product), or a pair ``[a_axes, b_axes]`` of ints or equal-length lists. The
    result has the free axes of `a` followed by the free axes of `b`.
    """
    a, b = binary_inputs(a, b)
    if isinstance(axes, Tensor) or hasattr(axes, "__fg_tensor__"):
        axes = static_axis(axes, "tensordot axes")
    if isinstance(axes, (int, np.integer)) and not isinstance(axes, bool):
        op_def = Tensordot(num_axes=int(axes))
    else:
        if isinstance(axes, np.ndarray):
            axes = axes.tolist()
        if not isinstance(axes, (list, tuple)) or len(axes) != 2:
            raise ValueError(f"'axes' must be an integer or have length 2, got {axes!r}.")
        a_axes, b_axes = (static_axis(x, "tensordot axes") for x in axes)
        a_axes = [a_axes] if isinstance(a_axes, int) else a_axes
        b_axes = [b_axes] if isinstance(b_axes, int) else b_axes
        op_def = Tensordot(a_axes=tuple(a_axes), b_axes=tuple(b_axes))
    return apply_op(op_def, [a, b], name=name)


# --------------------------------------------------------------------------- einsum
@register
class Einsum(Op):
    """Einstein summation over its inputs, as `np.einsum(equation, *inputs)`."""

    uses_all_cores = True  # numpy's BLAS runs it on every core

    equation: str

    # '...' axes broadcast: the framework sums each gradient back to its input's shape.
    broadcasting = True

    @classmethod
    def default_name(cls) -> str:
        return "einsum"

    def check(self) -> None:
        _parse_equation(self.equation)

    def infer(self, op):
        inputs = op.inputs
        specs, output = _parse_equation(self.equation)
        if len(specs) != len(inputs):
            raise ValueError(f"einsum equation {self.equation!r} names {len(specs)} inputs, "
                             f"but {len(inputs)} were given.")
        dtype = inputs[0].dtype
        for t in inputs[1:]:
            if t.dtype != dtype:
                raise TypeError(f"einsum needs inputs of one dtype, got {dtype.name} and "
                                f"{t.dtype.name}")
        if dtype not in MATMUL_DTYPES:
            raise TypeError(f"einsum does not support dtype {dtype.name}")
        return [(dtype, _einsum_shape(self.equation, specs, output, inputs))]

    def kernel(self, *values):
        out = np.einsum(self.equation, *values, optimize=len(values) > 2)
        return np.asarray(out).astype(values[0].dtype, copy=False)

    def grad(self, op, dy):
        from flowgraph.ops.contraction_grad import einsum_grads
        return einsum_grads(self.equation, op, convert_to_tensor(dy))


def _parse_equation(equation: str) -> tuple:
    """(input subscripts, output subscripts) of an einsum equation; the implicit output is
    the sorted letters used once ('...' first)."""
    eq = equation.replace(" ", "")
    lhs, arrow, rhs = eq.partition("->")
    specs = lhs.split(",")
    for part in specs + ([rhs] if arrow else []):
        letters = part.replace("...", "")
        if not all(c.isalpha() for c in letters) or part.count("...") > 1:
            raise ValueError(f"Invalid einsum equation {equation!r}: subscripts are letters "
                             f"and at most one '...' per operand, got {part!r}.")
    if arrow:
        return specs, rhs
    counts: dict = {}
    for c in lhs.replace("...", ""):
        if c.isalpha():
            counts[c] = counts.get(c, 0) + 1
    ellipsis = "..." if "..." in lhs else ""
    return specs, ellipsis + "".join(sorted(c for c, n in counts.items() if n == 1))


def _einsum_shape(equation: str, specs: list, output: str, inputs: Sequence[Tensor]) -> Any:
    sizes: dict = {}
    batch: Optional[TensorShape] = TensorShape([])
    for spec, t in zip(specs, inputs):
        if t.shape.ndims is None:
            if "..." in spec:
                batch = None
            continue
        dims = t.shape.as_list()
        head, dots, tail = spec.partition("...")
        n_ell = len(dims) - len(head) - len(tail)
        if n_ell < 0 or (not dots and n_ell != 0):
            raise ValueError(f"einsum operand {spec!r} of equation {equation!r} does not fit "
                             f"input {t.name} of shape {t.shape}.")
        if dots and batch is not None:
            batch = broadcast_shapes(batch, TensorShape(dims[len(head):len(head) + n_ell]))
            if batch is None:
                raise ValueError(f"einsum: the '...' dimensions of the inputs of {equation!r} "
                                 "cannot be broadcast together.")
        for c, d in zip(head + tail, dims[:len(head)] + dims[len(dims) - len(tail):]):
            known = sizes.get(c)
            if d is not None and known is not None and known != d:
                raise ValueError(f"einsum: subscript {c!r} of {equation!r} has sizes {known} "
                                 f"and {d}.")
            if known is None:
                sizes[c] = d
    head, dots, tail = output.partition("...")
    letters = [sizes.get(c) for c in head], [sizes.get(c) for c in tail]
    if dots:
        if batch is None:
            return TensorShape(None)
        return TensorShape(letters[0] + batch.as_list() + letters[1])
    return TensorShape(letters[0] + letters[1])


def einsum(equation: str, *inputs: Any, **kwargs: Any) -> Tensor:
    """Einstein summation, as `tf.einsum`: ``einsum("ij,jk->ik", a, b)`` is `a @ b`.

    Subscripts are letters; '...' stands for broadcast leading axes; without '->' the
    output is the letters that appear once, sorted. The only keyword is `name`.
    """
    name = kwargs.pop("name", None)
    if kwargs:
        raise TypeError(f"einsum() got unexpected keyword arguments {sorted(kwargs)}")
    tensors = [convert_to_tensor(x) for x in inputs]
    if not tensors:
        raise ValueError("einsum needs at least one input tensor")
    return apply_op(Einsum(equation=equation), tensors, name=name)
