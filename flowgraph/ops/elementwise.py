"""Shared shape and dtype rules of elementwise ops (numpy broadcasting)."""

from __future__ import annotations

import contextlib
from typing import Any, ClassVar, Iterator, Optional, Sequence

import numpy as np

from flowgraph import dtypes
from flowgraph.graph import Tensor
from flowgraph.indexed_slices import IndexedSlices
from flowgraph.ops.constant import convert_to_tensor
from flowgraph.ops.registry import Op, apply_op, graph_of
from flowgraph.shapes import broadcast_shapes

# TF1 returns inf / nan quietly (log(0), 1/0, sqrt(-1)); numpy would warn.
QUIET = {"divide": "ignore", "invalid": "ignore", "over": "ignore"}


def binary_inputs(x: Any, y: Any) -> tuple:
    """Converts the operands of a binary op: a Python value takes the other operand's dtype
    (``x + 1`` on a float32 x adds a float32 1), as TF1's operators do."""
    if isinstance(x, Tensor) or hasattr(x, "__fg_tensor__"):
        x = convert_to_tensor(x)
        y = convert_to_tensor(y, dtype=x.dtype) if not _is_tensor_like(y) else \
            convert_to_tensor(y)
    elif _is_tensor_like(y):
        y = convert_to_tensor(y)
        x = convert_to_tensor(x, dtype=y.dtype)
    else:
        x = convert_to_tensor(x)
        y = convert_to_tensor(y, dtype=x.dtype)
    return x, y


def _is_tensor_like(value: Any) -> bool:
    return isinstance(value, Tensor) or hasattr(value, "__fg_tensor__")


def broadcast_infer(op: Any, out_dtype: Optional[dtypes.DType] = None) -> list:
    """(dtype, shape) of a binary elementwise node: equal input dtypes, broadcast shapes."""
    x, y = op.inputs
    if x.dtype != y.dtype:
        raise TypeError(f"{op.type} needs both inputs of one dtype, got {x.dtype.name} and "
                        f"{y.dtype.name}; use fg.cast on one of them.")
    shape = broadcast_shapes(x.shape, y.shape)
    if shape is None:
        raise ValueError(f"Dimensions must be equal or 1 to broadcast: shapes {x.shape} and "
                         f"{y.shape} cannot be broadcast together for {op.type}.")
    return [(out_dtype or x.dtype, shape)]


def check_dtype(op: Any, tensor: Tensor, allowed: str, what: str = "input") -> None:
    """Raises TypeError unless tensor's dtype kind is in `allowed` ('f' float, 'i' signed
    int, 'u' unsigned, 'b' bool, 'S' string)."""
    kind = "S" if tensor.dtype.is_string else tensor.dtype.np.kind
    if kind not in allowed:
        names = {"f": "floating", "i": "integer", "u": "unsigned integer", "b": "bool",
                 "S": "string", "c": "complex"}
        wanted = " or ".join(names[k] for k in allowed)
        raise TypeError(f"{op.type} {what} {tensor.name} has dtype {tensor.dtype.name}; "
                        f"expected a {wanted} dtype.")


class UnaryOp(Op):
    """An elementwise op of one input; `allowed` lists the dtype kinds it accepts."""

    allowed = "fiu"

    def infer(self, op):
        x = op.inputs[0]
        check_dtype(op, x, self.allowed)
        return [(x.dtype, x.shape)]


class BinaryOp(Op):
    """An elementwise op of two inputs of one dtype, with numpy broadcasting."""

    allowed = "fiu"
    # Gradient rules return broadcast-shaped gradients; `gradients` sums them back.
    broadcasting = True

    def infer(self, op):
        check_dtype(op, op.inputs[0], self.allowed, "first input")
        return broadcast_infer(op)


class UnaryGradOp(Op):
    """The fused gradient of a one-input op from its output y and the incoming gradient dy
    (TF1's TanhGrad, SigmoidGrad, SqrtGrad, ...): inputs (y, dy) of one dtype and shape."""

    allowed = "f"

    def infer(self, op):
        y, dy = op.inputs
        check_dtype(op, y, self.allowed, "y")
        if y.dtype != dy.dtype:
            raise TypeError(f"{op.type} needs y and dy of one dtype, got {y.dtype.name} and "
                            f"{dy.dtype.name}.")
        if not y.shape.is_compatible_with(dy.shape):
            raise ValueError(f"{op.type} needs y and dy of one shape, got {y.shape} and "
                             f"{dy.shape}.")
        return [(y.dtype, y.shape.merge_with(dy.shape))]


class ComparisonOp(Op):
    """An elementwise comparison: two inputs of one dtype, a bool output."""

    differentiable = False
    allowed = "fiubS"

    def infer(self, op):
        check_dtype(op, op.inputs[0], self.allowed, "first input")
        return broadcast_infer(op, dtypes.bool_)


class UfuncUnary(UnaryOp):
    """A unary op whose kernel is one numpy ufunc (`ufunc`), run as it is by the executor.

    `quiet` marks ufuncs that numpy warns about on domain errors (log(0), sqrt(-1)); the
    reference kernel silences those warnings, as TF1 returns inf / nan without a word.
    """

    ufunc: ClassVar[Any] = None
    quiet: ClassVar[bool] = False

    def kernel(self, x):
        if self.quiet:
            with np.errstate(**QUIET):
                return self.ufunc(x)
        return self.ufunc(x)

    def fast_kernel(self, op):
        return self.ufunc


class UfuncBinary(BinaryOp):
    """A binary broadcasting op whose kernel is one numpy ufunc (`ufunc`)."""

    ufunc: ClassVar[Any] = None
    quiet: ClassVar[bool] = False

    def kernel(self, x, y):
        if self.quiet:
            with np.errstate(**QUIET):
                return self.ufunc(x, y)
        return self.ufunc(x, y)

    def fast_kernel(self, op):
        return self.ufunc


class UfuncComparison(ComparisonOp):
    """A comparison whose kernel is one numpy ufunc returning bool."""

    ufunc: ClassVar[Any] = None

    def kernel(self, x, y):
        return self.ufunc(x, y)

    def fast_kernel(self, op):
        return self.ufunc


# --------------------------------------------------------------------------- gradient helpers
def same_shape_grad(op: Any, grad: Any) -> Any:
    """`grad` as it may flow unchanged to the inputs of a broadcasting node: a sparse
    IndexedSlices gradient stays sparse only when every input statically has the output's
    shape (slices cannot be summed back over broadcast dimensions)."""
    if not isinstance(grad, IndexedSlices):
        return grad
    out = op.outputs[0].shape
    if out.is_fully_defined() and all(t.shape == out for t in op.inputs):
        return grad
    return convert_to_tensor(grad)


def map_slices(fn: Any, grad: Any) -> Any:
    """fn(grad) for a dense gradient; for IndexedSlices, fn applied to the values only (an
    elementwise fn with fn(0) = 0 keeps a sparse gradient sparse)."""
    if isinstance(grad, IndexedSlices):
        return IndexedSlices(fn(grad.values), grad.indices, grad.dense_shape)
    return fn(grad)


@contextlib.contextmanager
def op_scope(name: Optional[str], default: str, values: Sequence[Any] = ()) -> Iterator[str]:
    """TF1's ``with ops.name_scope(name, default, values) as scope``: enters the graph of
    `values` and a unique name scope; an op created with ``name=scope`` is named exactly
    after the scope (``add``, ``add_1``), the helper nodes inside it ``add/...``."""
    graph = graph_of(*values)
    with graph.as_default(), graph.name_scope(name if name is not None else default) as scope:
        yield scope


def unary_op(op_def: Op, x: Any, name: Optional[str] = None) -> Tensor:
    """Adds the one-input node `op_def` on `x` (converted to a Tensor)."""
    return apply_op(op_def, [convert_to_tensor(x)], name=name)


def binary_op(op_def: Op, x: Any, y: Any, name: Optional[str] = None) -> Tensor:
    """Adds the two-input node `op_def`; a Python operand takes the other one's dtype."""
    x, y = binary_inputs(x, y)
    return apply_op(op_def, [x, y], name=name)


def scoped_binary_op(op_def: Op, x: Any, y: Any, name: Optional[str], default: str) -> Tensor:
    """binary_op inside ``op_scope(name, default)``, as TF1's Python wrappers that open a
    name scope (``tf.pow`` -> ``Pow``, ``a + b`` -> ``add``)."""
    with op_scope(name, default, [x, y]) as scope:
        return binary_op(op_def, x, y, name=scope)
