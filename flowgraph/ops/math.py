"""Elementwise arithmetic ops: add, subtract, multiply, ... (one registered class each)."""

from __future__ import annotations

from typing import Any, Optional

import numpy as np

from flowgraph.graph import Tensor
from flowgraph.ops.elementwise import BinaryOp, binary_inputs
from flowgraph.ops.registry import apply_op, register

__all__ = ["add"]


@register
class Add(BinaryOp):
    """x + y, elementwise with broadcasting (strings concatenate)."""

    allowed = "fiuS"

    def kernel(self, x, y):
        if x.dtype == object:
            return np.char.add(x.astype(bytes), y.astype(bytes)).astype(object)
        return np.add(x, y)

    def fast_kernel(self, op):
        return None if op.inputs[0].dtype.is_string else np.add

    def grad(self, op, dz):
        return [dz, dz]


def add(x: Any, y: Any, name: Optional[str] = None) -> Tensor:
    """x + y elementwise, with numpy broadcasting."""
    x, y = binary_inputs(x, y)
    return apply_op(Add(), [x, y], name=name)
