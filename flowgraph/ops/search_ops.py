"""`fg.searchsorted` (TF's ``tf.searchsorted``): binary search along the innermost
dimension, batched over the leading ones, through the LowerBound / UpperBound ops."""

from __future__ import annotations

from typing import Any, Optional

import numpy as np

from flowgraph import dtypes, errors
from flowgraph.graph import Tensor
from flowgraph.ops.constant import convert_to_tensor
from flowgraph.ops.elementwise import op_scope
from flowgraph.ops.registry import Op, apply_op, register
from flowgraph.ops.shape_ops import reshape, shape

__all__ = ["searchsorted"]


class _Bound(Op):
    """Inputs: `sorted_inputs` [batch, n] (each row sorted ascending) and `values`
    [batch, m]. Output [batch, m] of `out_type`: for each value, the index in its row at
    which it would be inserted (before equal entries for LowerBound, after for
    UpperBound)."""

    # Subclasses declare the attribute `out_type` (int32 or int64).
    differentiable = False
    side = "left"

    def check(self):
        if self.out_type not in (dtypes.int32, dtypes.int64):
            raise TypeError(f"{self.type_name} out_type must be int32 or int64, got "
                            f"{self.out_type.name}")

    def infer(self, op):
        sorted_inputs, values = op.inputs
        if sorted_inputs.dtype != values.dtype:
            raise TypeError(f"{op.type} needs sorted_inputs and values of one dtype, got "
                            f"{sorted_inputs.dtype.name} and {values.dtype.name}")
        for t, what in ((sorted_inputs, "sorted_inputs"), (values, "values")):
            if t.shape.ndims not in (None, 2):
                raise ValueError(f"{op.type} needs a rank-2 {what} [batch, n], got shape "
                                 f"{t.shape}")
        batch = sorted_inputs.shape.with_rank(2)[0] if sorted_inputs.shape.ndims else None
        rows = values.shape.with_rank(2)[0] if values.shape.ndims else None
        if batch is not None and rows is not None and not batch.is_compatible_with(rows):
            raise ValueError(f"{op.type}: sorted_inputs and values must have the same batch "
                             f"(leading) dimensions, got shapes {sorted_inputs.shape} and "
                             f"{values.shape}")
        return [(self.out_type, values.shape if values.shape.ndims else [None, None])]

    def kernel(self, sorted_inputs, values):
        if sorted_inputs.shape[0] != values.shape[0]:
            raise errors.InvalidArgumentError(
                None, None, f"Leading dim_size of both tensors must match: sorted_inputs "
                f"shape {list(sorted_inputs.shape)}, values shape {list(values.shape)}")
        out = np.empty(values.shape, dtype=self.out_type.np)
        for row in range(values.shape[0]):
            out[row] = np.searchsorted(sorted_inputs[row], values[row], side=self.side)
        return out


@register
class LowerBound(_Bound):
    __doc__ = _Bound.__doc__
    out_type: dtypes.DType = dtypes.int32
    side = "left"


@register
class UpperBound(_Bound):
    __doc__ = _Bound.__doc__
    out_type: dtypes.DType = dtypes.int32
    side = "right"


def searchsorted(sorted_sequence: Any, values: Any, side: str = "left",
                 out_type: Any = dtypes.int32, name: Optional[str] = None) -> Tensor:
    """Where each of `values` would go in `sorted_sequence` to keep it sorted, searching
    the innermost dimension (TF's ``tf.searchsorted``).

    Parameters
    ----------
    sorted_sequence : Tensor [..., n]
        Sorted ascending along its last dimension.
    values : Tensor [..., m]
        Same leading dimensions as `sorted_sequence`, same dtype.
    side : "left" or "right"
        "left": the first suitable index (LowerBound); "right": the last (UpperBound).
    out_type : int32 or int64

    Returns
    -------
    Tensor of `out_type`, shaped like `values`.

    >>> fg.searchsorted([[0, 3, 9, 9, 10]], [[2, 4, 9]])            # [[1 2 2]]
    """
    if side not in ("left", "right"):
        raise ValueError(f"side must be either 'right' or 'left'.  Saw: {side}.")
    with op_scope(None, "searchsorted", [sorted_sequence, values]):
        sorted_sequence = convert_to_tensor(sorted_sequence)
        values = convert_to_tensor(values)
        sequence_size = shape(sorted_sequence)[-1]
        values_size = shape(values)[-1]
        sorted_2d = reshape(sorted_sequence, [-1, sequence_size])
        values_2d = reshape(values, [-1, values_size])
    op_def = (UpperBound if side == "right" else LowerBound)(out_type=out_type)
    output = apply_op(op_def, [sorted_2d, values_2d], name=name)
    return reshape(output, shape(values))
