"""Python operators on Tensors, installed on `flowgraph.graph.Tensor` when imported.

As in TF1 graph mode: ``a + b`` adds a node named "add" (``fg.add`` names it "Add"), and
likewise "sub", "mul", "truediv", "floordiv", "mod", "pow", "matmul", "and", "or", "xor";
unary ``-`` gives "Neg", ``abs()`` "Abs", ``~`` "LogicalNot", comparisons "Less", ...
A Python operand takes the tensor's dtype (``x + 1`` on float32 x adds a float32 1).
``==`` and ``!=`` stay identity comparisons (tensors are dict keys); use ``fg.equal``.
"""

from __future__ import annotations

from typing import Any, Callable

from flowgraph.graph import Tensor
from flowgraph.ops.compare import greater, greater_equal, less, less_equal
from flowgraph.ops.constant import convert_to_tensor
from flowgraph.ops.division import div, floordiv, floormod, truediv
from flowgraph.ops.elementwise import op_scope
from flowgraph.ops.logic import logical_and, logical_not, logical_or, logical_xor
from flowgraph.ops.math import add, multiply, pow, subtract
from flowgraph.ops.unary import abs, negative

__all__: list = []


def _is_tensor_like(value: Any) -> bool:
    return isinstance(value, Tensor) or hasattr(value, "__fg_tensor__")


def _matmul(x: Any, y: Any, name: Any = None) -> Tensor:
    from flowgraph.ops.linalg import matmul  # written in another module; imported lazily
    return matmul(x, y, name=name)


def _require_bool(symbol: str, *values: Any) -> None:
    for value in values:
        if _is_tensor_like(value):
            dtype = convert_to_tensor(value).dtype
            if not dtype.is_bool:
                raise TypeError(f"The operator {symbol} is logical in flowgraph and needs bool "
                                f"tensors, got one of dtype {dtype.name}. Compare first "
                                "(e.g. `x > 0`), or use fg.cast(x, fg.bool).")


def _logical(func: Callable, symbol: str) -> Callable:
    def checked(x: Any, y: Any, name: Any = None) -> Tensor:
        _require_bool(symbol, x, y)
        return func(x, y, name=name)
    return checked


def _convert_other(tensor: Tensor, other: Any, const_name: str, reflected: str) -> Any:
    """`other` as an operand next to `tensor`: tensors as they are, other values converted
    to tensor's dtype; NotImplemented when that fails but `other` defines `reflected`."""
    if _is_tensor_like(other):
        return other
    try:
        return convert_to_tensor(other, dtype=tensor.dtype, name=const_name)
    except (TypeError, ValueError):
        if hasattr(type(other), reflected):
            return NotImplemented
        raise


def _binary_operator(func: Callable, stem: str, symbol: str) -> tuple:
    """The (forward, reflected) methods of one binary operator, as TF1's binary_op_wrapper:
    the node is named after the operator (`stem`: "add", "add_1", ...), a non-tensor
    operand is converted to the tensor's dtype, and NotImplemented lets an operand that
    knows the operator handle it."""

    def forward(self: Tensor, other: Any) -> Any:
        with op_scope(None, stem, [self, other]) as scope:
            other = _convert_other(self, other, "y", f"__r{stem}__")
            if other is NotImplemented:
                return NotImplemented
            return func(self, other, name=scope)

    def reflected(self: Tensor, other: Any) -> Any:
        with op_scope(None, stem, [other, self]) as scope:
            other = _convert_other(self, other, "x", f"__{stem}__")
            if other is NotImplemented:
                return NotImplemented
            return func(other, self, name=scope)

    forward.__name__ = f"__{stem}__"
    reflected.__name__ = f"__r{stem}__"
    forward.__doc__ = f"x {symbol} y (node {stem!r})."
    reflected.__doc__ = f"y {symbol} x, for a non-tensor y on the left (node {stem!r})."
    return forward, reflected


_BINARY = [
    # (method stem, also the node name; function; symbol)
    ("add", add, "+"),
    ("sub", subtract, "-"),
    ("mul", multiply, "*"),
    ("truediv", truediv, "/"),
    ("div", div, "/"),  # the Python 2 spelling, kept as TF1 keeps it
    ("floordiv", floordiv, "//"),
    ("mod", floormod, "%"),
    ("pow", pow, "**"),
    ("matmul", _matmul, "@"),
    ("and", _logical(logical_and, "&"), "&"),
    ("or", _logical(logical_or, "|"), "|"),
    ("xor", _logical(logical_xor, "^"), "^"),
]


def _neg(self: Tensor) -> Tensor:
    """-x (node "Neg")."""
    return negative(self)


def _abs(self: Tensor) -> Tensor:
    """abs(x) (node "Abs")."""
    return abs(self)


def _invert(self: Tensor) -> Tensor:
    """~x on a bool tensor: logical NOT (node "LogicalNot")."""
    _require_bool("~", self)
    return logical_not(self)


def _getitem(self: Tensor, key: Any) -> Tensor:
    """x[key]: numpy-style indexing and slicing (node "strided_slice")."""
    from flowgraph.ops.slicing import getitem  # written in another module; imported lazily
    return getitem(self, key)


def install(cls: type = Tensor) -> None:
    """Installs the operators on `cls` (the Tensor class; also usable for tensor-like
    wrappers whose `__fg_tensor__` returns a Tensor)."""
    for stem, func, symbol in _BINARY:
        forward, reflected = _binary_operator(func, stem, symbol)
        setattr(cls, f"__{stem}__", forward)
        setattr(cls, f"__r{stem}__", reflected)
    cls.__neg__ = _neg
    cls.__abs__ = _abs
    cls.__invert__ = _invert
    cls.__getitem__ = _getitem
    for stem, func in (("lt", less), ("le", less_equal), ("gt", greater),
                       ("ge", greater_equal)):
        setattr(cls, f"__{stem}__", _comparison(func))


def _comparison(func: Callable) -> Callable:
    def compare(self: Tensor, other: Any) -> Tensor:
        return func(self, other)
    compare.__doc__ = func.__doc__
    return compare


install()
