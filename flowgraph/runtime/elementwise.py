"""How single ops run inside fused kernels: into a given output buffer, and as numexpr.

A `Form` computes one elementwise op from the chain's current value ``src`` (one of the op's
inputs) and the fused kernel's inputs ``ins``, writing into ``out`` (which may be ``src``
itself). Each form does exactly the numpy calls the op's own kernel does, in the same order
and dtypes, so fused and unfused results are equal. Ops without a form are not fused.
"""

from __future__ import annotations

from typing import Any, Callable, Optional

import numpy as np

from flowgraph.ops import relu_kernel
from flowgraph.runtime.ir import Node

FLOAT_KINDS = "f"


class Form:
    """One member of a fused chain: ``apply(src, ins, out)``; ``sides``: the indices (in the
    op's inputs) of its other inputs, in order; ``numexpr(src, sides)`` builds its numexpr
    expression from those of its inputs (None: numexpr cannot express it exactly)."""

    __slots__ = ("build", "sides", "numexpr", "mixes_rows")

    def __init__(self, build: Callable, sides: tuple, numexpr: Optional[Callable],
                 mixes_rows: bool = False) -> None:
        self.build = build  # build(side_positions_in_ins) -> apply(src, ins, out)
        self.sides = sides
        self.numexpr = numexpr
        # True for a matmul link: its result rows need whole operands, so a chain with one
        # runs on whole arrays only (never split into row ranges), and the link never
        # writes over its own operand.
        self.mixes_rows = mixes_rows


def ufunc_of(node: Node) -> Any:
    """The numpy ufunc the node's fast kernel is, or None."""
    op_def = node.op_def
    fast = getattr(op_def, "fast_kernel", None)
    if fast is None:
        return None
    try:
        fn = fast(node.op)
    except Exception:  # a kernel chooser that cannot decide: not fused
        return None
    return fn if isinstance(fn, np.ufunc) and fn.nout == 1 else None


def form_of(node: Node, main: int) -> Optional[Form]:
    """The form of `node` with the chain value at input `main`, or None if it has none."""
    if node.op_def is None or len(node.outputs) != 1:
        return None
    out = node.outputs[0]
    src = node.inputs[main]
    if out.dtype.np.kind not in FLOAT_KINDS or src.dtype != out.dtype:
        return None
    kind = node.op_def.type_name
    special = _SPECIAL.get(kind)
    if special is not None:
        return special(node, main)
    uf = ufunc_of(node)
    if uf is None or uf.nin != len(node.inputs):
        return None
    if uf.nin == 1:
        return Form(lambda sides: _unary(uf), (), _numexpr_unary(uf))
    side = 1 - main
    # np.matmul is a generalized ufunc: a chain link whose rows mix (a chain of matmuls
    # and activations then runs as one step).
    return Form(lambda sides: _binary(uf, main, sides[0]), (side,), _numexpr_binary(uf, main),
                mixes_rows=uf.signature is not None)


def _unary(uf: Any) -> Callable:
    def apply(src, ins, out):
        uf(src, out=out)
    return apply


def _binary(uf: Any, main: int, k: int) -> Callable:
    if main == 0:
        def apply(src, ins, out):
            uf(src, ins[k], out=out)
    else:
        def apply(src, ins, out):
            uf(ins[k], src, out=out)
    return apply


# --------------------------------------------------------------------------- special ops
def _relu(node: Node, main: int) -> Form:
    def build(sides):
        def apply(src, ins, out):  # Relu's kernel
            relu_kernel.relu(src, out=out)
        return apply
    return Form(build, (), None)


def _sigmoid(node: Node, main: int) -> Form:
    def build(sides):
        def apply(src, ins, out):  # as flowgraph.ops.trig._sigmoid, step by step
            np.negative(src, out=out)
            np.exp(out, out=out)
            np.add(out, 1, out=out)
            np.reciprocal(out, out=out)
        return apply
    return Form(build, (), None)


def _relu_grad(node: Node, main: int) -> Optional[Form]:
    if main != 0:  # ReluGrad(dy, y): the chain value must be dy
        return None

    def build(sides):
        k = sides[0]

        def apply(src, ins, out):  # ReluGrad's kernel: np.multiply(dy, y > 0, dtype=...)
            np.multiply(src, ins[k] > 0, out=out, dtype=src.dtype)
        return apply
    return Form(build, (1,), None)


def _tanh_grad(node: Node, main: int) -> Optional[Form]:
    if main != 0:  # TanhGrad(y, dy): the chain value must be y
        return None

    def build(sides):
        k = sides[0]

        def apply(src, ins, out):  # TanhGrad's kernel: dy * (1 - y * y)
            one = src.dtype.type(1)
            np.multiply(src, src, out=out)
            np.subtract(one, out, out=out)
            np.multiply(ins[k], out, out=out)
        return apply
    return Form(build, (1,), None)


_SPECIAL = {"Relu": _relu, "Sigmoid": _sigmoid, "ReluGrad": _relu_grad,
            "TanhGrad": _tanh_grad}


# --------------------------------------------------------------------------- numexpr
# ufunc -> numexpr function name (one argument) or operator (two arguments). numexpr
# computes float32 in float32, and these are the same IEEE operations or libm functions.
_NE_FUNCTIONS = {np.tanh: "tanh", np.exp: "exp", np.log: "log", np.sqrt: "sqrt",
                 np.sin: "sin", np.cos: "cos", np.tan: "tan", np.arcsin: "arcsin",
                 np.arccos: "arccos", np.arctan: "arctan", np.sinh: "sinh",
                 np.cosh: "cosh", np.absolute: "abs", np.log1p: "log1p", np.expm1: "expm1"}
_NE_OPERATORS = {np.add: "__add__", np.subtract: "__sub__", np.multiply: "__mul__",
                 np.divide: "__truediv__"}


def _numexpr_unary(uf: Any) -> Optional[Callable]:
    if uf is np.negative:
        return lambda src, sides: -src
    if uf is np.square:
        return lambda src, sides: src * src
    name = _NE_FUNCTIONS.get(uf)
    if name is None:
        return None

    def build(src, sides):
        from numexpr.expressions import functions
        return functions[name](src)
    return build


def _numexpr_binary(uf: Any, main: int) -> Optional[Callable]:
    method = _NE_OPERATORS.get(uf)
    if method is None:
        return None
    if main == 0:
        return lambda src, sides: getattr(src, method)(sides[0])
    return lambda src, sides: getattr(sides[0], method)(src)
