"""Shared shape and dtype rules of elementwise ops (numpy broadcasting)."""

from __future__ import annotations

from typing import Any, Optional

from flowgraph import dtypes
from flowgraph.graph import Tensor
from flowgraph.ops.constant import convert_to_tensor
from flowgraph.ops.registry import Op
from flowgraph.shapes import broadcast_shapes


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
                 "S": "string"}
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

    def infer(self, op):
        check_dtype(op, op.inputs[0], self.allowed, "first input")
        return broadcast_infer(op)


class ComparisonOp(Op):
    """An elementwise comparison: two inputs of one dtype, a bool output."""

    differentiable = False
    allowed = "fiubS"

    def infer(self, op):
        check_dtype(op, op.inputs[0], self.allowed, "first input")
        return broadcast_infer(op, dtypes.bool_)
