"""The cumulative log-sum-exp along an axis (TF1's `tf.math.cumulative_logsumexp`, node
"CumulativeLogsumexp"), with TF1's options and gradient."""

from __future__ import annotations

from typing import Any, Optional

import numpy as np

from flowgraph.graph import Tensor
from flowgraph.ops.constant import convert_to_tensor
from flowgraph.ops.cumulative import _axis_value, _Cumulative
from flowgraph.ops.elementwise import check_dtype, op_scope
from flowgraph.ops.registry import apply_op, register

# tf.math.cumulative_logsumexp only (not top level in TF1).
__all__: list = []


@register
class CumulativeLogsumexp(_Cumulative):
    """log(cumsum(exp(x))) along `axis`, computed without overflow; exclusive starts from
    -inf (log 0), reverse runs from the end."""

    def infer(self, op):
        check_dtype(op, op.inputs[0], "f")
        return super().infer(op)

    def kernel(self, x):
        with np.errstate(invalid="ignore"):
            return self._run(x, np.logaddexp.accumulate, -np.inf)

    def grad(self, op, dy):
        # TF1's rule: split dy by sign to take logs, then
        # dx = exp(cumulative_logsumexp(log|dy| - out, reversed) + x) for each part.
        from flowgraph.ops.compare import greater, less
        from flowgraph.ops.fill import zeros_like
        from flowgraph.ops.logic import where
        from flowgraph.ops.math import add, subtract
        from flowgraph.ops.unary import exp, log, negative
        x, out = op.inputs[0], op.outputs[0]
        lowest = add(zeros_like(dy), float(np.finfo(dy.dtype.np).min))
        parts = []
        for mask, magnitude in ((greater(dy, 0), dy), (less(dy, 0), negative(dy))):
            log_part = where(mask, log(magnitude), lowest)
            summed = cumulative_logsumexp(subtract(log_part, out), self.axis,
                                          exclusive=self.exclusive, reverse=not self.reverse)
            parts.append(exp(add(summed, x)))
        return [subtract(parts[0], parts[1])]


def cumulative_logsumexp(x: Any, axis: Any = 0, exclusive: bool = False,
                         reverse: bool = False, name: Optional[str] = None) -> Tensor:
    """log(cumsum(exp(x))) along `axis` without overflow (node "CumulativeLogsumexp").

    ``fg.math.cumulative_logsumexp([0.0, 0.0])`` evaluates to ``[0, log 2]``.
    """
    with op_scope(name, "CumulativeLogsumexp", [x]) as scope:
        op_def = CumulativeLogsumexp(axis=_axis_value(axis), exclusive=exclusive,
                                     reverse=reverse)
        return apply_op(op_def, [convert_to_tensor(x)], name=scope)
