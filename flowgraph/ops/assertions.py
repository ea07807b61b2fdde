"""`Assert`: a run-time check, as TF1's `tf.Assert`."""

from __future__ import annotations

from typing import Any, Optional, Sequence

import numpy as np

from flowgraph import errors
from flowgraph.dtypes import bool_
from flowgraph.graph import Operation
from flowgraph.ops.constant import convert_to_tensor
from flowgraph.ops.registry import Op, apply_op, register

__all__ = ["Assert"]


@register
class AssertOp(Op):
    """Raises InvalidArgumentError when the scalar bool `condition` (input 0) is False,
    printing the remaining inputs (up to `summarize` entries each); outputs nothing.
    Other ops wait for it through control dependencies."""

    summarize: int = 3

    type_name = "Assert"
    stateful = True  # run for its effect: never folded or merged away
    differentiable = False

    def infer(self, op):
        condition = op.inputs[0]
        if condition.dtype != bool_ or condition.shape.ndims not in (None, 0):
            raise TypeError(f"Assert {op.name!r} takes a scalar bool condition, got "
                            f"{condition.dtype.name} of shape {condition.shape}")
        return []

    def fast_kernel(self, op):
        def check(condition, *data):
            if not bool(condition):
                shown = " ".join(_show(value, self.summarize) for value in data)
                raise errors.InvalidArgumentError(None, op, f"assertion failed: {shown}")
            return ()
        return check

    def kernel(self, condition, *data):
        return self.fast_kernel(None)(condition, *data)


def _show(value: Any, summarize: int) -> str:
    array = np.asarray(value)
    if array.dtype.kind in "SO" and array.ndim == 0:
        item = array.item()
        text = item.decode("utf-8", "replace") if isinstance(item, bytes) else str(item)
        return f"[{text}]"
    flat = array.reshape(-1)
    shown = flat[:summarize].tolist() if summarize >= 0 else flat.tolist()
    text = " ".join(_item(v) for v in shown)
    if summarize >= 0 and flat.size > summarize:
        text += "..."
    return f"[{text}]"


def _item(value: Any) -> str:
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if isinstance(value, float):
        return format(value, "g")  # TF1 prints 1 and -4.5, not 1.0
    return str(value)


def Assert(condition: Any, data: Sequence[Any], summarize: Optional[int] = None,  # noqa: N802
           name: Optional[str] = None) -> Operation:
    """An op that fails with InvalidArgumentError ("assertion failed: [...]") when
    `condition` is False at run time, showing `data` (strings and tensors).

    >>> check = fg.Assert(fg.reduce_all(x >= 0), ["x must be >= 0:", x])
    >>> with fg.control_dependencies([check]):
    ...     y = fg.sqrt(x)
    """
    condition = convert_to_tensor(condition)
    inputs = [condition] + [convert_to_tensor(d) for d in data]
    summarize = 3 if summarize is None else int(summarize)
    return apply_op(AssertOp(summarize=summarize), inputs, name=name or "Assert")
