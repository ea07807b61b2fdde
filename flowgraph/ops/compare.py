"""Elementwise comparisons with broadcasting; each returns a bool tensor.

`equal` and `not_equal` also compare bools and strings; the orderings need numbers.
"""

from __future__ import annotations

from typing import Any, Optional

import numpy as np

from flowgraph.graph import Tensor
from flowgraph.ops.elementwise import UfuncComparison, binary_op
from flowgraph.ops.registry import register

__all__ = ["equal", "not_equal", "less", "less_equal", "greater", "greater_equal"]


def _equal(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    return np.asarray(np.equal(x, y), dtype=bool)


def _not_equal(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    return np.asarray(np.not_equal(x, y), dtype=bool)


@register
class Equal(UfuncComparison):
    """x == y elementwise with broadcasting (numbers, bools or strings)."""

    allowed = "fiubS"
    ufunc = np.equal

    def fast_kernel(self, op):
        # numpy compares object (string) arrays into object results: force bool there.
        return _equal if op.inputs[0].dtype.is_string else np.equal

    def kernel(self, x, y):
        return _equal(x, y)


@register
class NotEqual(UfuncComparison):
    """x != y elementwise with broadcasting (numbers, bools or strings)."""

    allowed = "fiubS"
    ufunc = np.not_equal

    def fast_kernel(self, op):
        return _not_equal if op.inputs[0].dtype.is_string else np.not_equal

    def kernel(self, x, y):
        return _not_equal(x, y)


@register
class Less(UfuncComparison):
    """x < y elementwise with broadcasting."""

    allowed = "fiu"
    ufunc = np.less


@register
class LessEqual(UfuncComparison):
    """x <= y elementwise with broadcasting."""

    allowed = "fiu"
    ufunc = np.less_equal


@register
class Greater(UfuncComparison):
    """x > y elementwise with broadcasting."""

    allowed = "fiu"
    ufunc = np.greater


@register
class GreaterEqual(UfuncComparison):
    """x >= y elementwise with broadcasting."""

    allowed = "fiu"
    ufunc = np.greater_equal


# --------------------------------------------------------------------------- builders
def equal(x: Any, y: Any, name: Optional[str] = None) -> Tensor:
    """The truth value of x == y elementwise, with broadcasting (node "Equal")."""
    return binary_op(Equal(), x, y, name)


def not_equal(x: Any, y: Any, name: Optional[str] = None) -> Tensor:
    """The truth value of x != y elementwise, with broadcasting (node "NotEqual")."""
    return binary_op(NotEqual(), x, y, name)


def less(x: Any, y: Any, name: Optional[str] = None) -> Tensor:
    """The truth value of x < y elementwise, with broadcasting (node "Less")."""
    return binary_op(Less(), x, y, name)


def less_equal(x: Any, y: Any, name: Optional[str] = None) -> Tensor:
    """The truth value of x <= y elementwise, with broadcasting (node "LessEqual")."""
    return binary_op(LessEqual(), x, y, name)


def greater(x: Any, y: Any, name: Optional[str] = None) -> Tensor:
    """The truth value of x > y elementwise, with broadcasting (node "Greater")."""
    return binary_op(Greater(), x, y, name)


def greater_equal(x: Any, y: Any, name: Optional[str] = None) -> Tensor:
    """The truth value of x >= y elementwise, with broadcasting (node "GreaterEqual")."""
    return binary_op(GreaterEqual(), x, y, name)
