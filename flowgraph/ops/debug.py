"""Debugging ops: `fg.Print` (TF1's `tf.Print`), an identity that prints tensors when run."""

from __future__ import annotations

import sys
from typing import Any, Optional, Sequence

import numpy as np

from flowgraph.graph import Tensor
from flowgraph.ops.constant import convert_to_tensor
from flowgraph.ops.registry import Op, apply_op, register

__all__ = ["Print"]


def _item(v: Any) -> str:
    if isinstance(v, bytes):
        return v.decode(errors="replace")
    if isinstance(v, np.floating):
        return np.format_float_positional(v, trim="-")  # 1, 2.5: as TF1 prints them
    return str(v)


def _summary(value: np.ndarray, summarize: int) -> str:
    """TF1's rendering of one tensor: its first `summarize` values, flattened."""
    flat = np.asarray(value).reshape(-1)
    shown = flat if summarize < 0 else flat[:summarize]
    items = [_item(v) for v in shown]
    more = "..." if len(shown) < len(flat) else ""
    text = " ".join(items) + more
    return f"[{text}]" if np.ndim(value) else text


@register
class PrintOp(Op):
    """Passes its first input through and prints `message` followed by the values of the
    other inputs to standard error, for the first `first_n` runs in each Session (all runs
    when negative), at most `summarize` values per tensor."""

    type_name = "Print"
    message: str = ""
    first_n: int = -1
    summarize: int = 3
    stateful = True
    needs_state = True

    def infer(self, op):
        return [(op.inputs[0].dtype, op.inputs[0].shape)]

    def kernel(self, ctx, value, *data):
        if self.first_n >= 0:
            key = ("Print", ctx.op.name)
            with ctx.state.lock:
                count = ctx.state.resources.get(key, 0)
                ctx.state.resources[key] = count + 1
            if count >= self.first_n:
                return value
        parts = "".join(f"[{_summary(d, self.summarize)}]" if np.ndim(d) == 0 else
                        _summary(d, self.summarize) for d in data)
        print(f"{self.message}{parts}", file=sys.stderr, flush=True)
        return value

    def grad(self, op, dy):
        return [dy] + [None] * (len(op.inputs) - 1)


def Print(input_: Any, data: Sequence[Any], message: Optional[str] = None,  # noqa: N802
          first_n: Optional[int] = None, summarize: Optional[int] = None,
          name: Optional[str] = None) -> Tensor:
    """TF1's `tf.Print`: returns `input_` unchanged; running it prints `message` and the
    values of `data` (a list of tensors) to standard error."""
    tensors = [convert_to_tensor(input_)] + [convert_to_tensor(d) for d in data]
    op = PrintOp(message=message or "", first_n=-1 if first_n is None else int(first_n),
                 summarize=3 if summarize is None else int(summarize))
    return apply_op(op, tensors, name=name)
