"""Data-dependent splitting and merging: TF1's `tf.dynamic_partition`, `tf.dynamic_stitch`
and `tf.unique`."""

from __future__ import annotations

from typing import Any, Optional, Sequence

import numpy as np

from flowgraph import dtypes, errors
from flowgraph.graph import Tensor
from flowgraph.ops.constant import convert_to_tensor
from flowgraph.ops.elementwise import check_dtype
from flowgraph.ops.registry import Op, apply_op, register
from flowgraph.shapes import TensorShape

__all__ = ["dynamic_partition", "dynamic_stitch", "unique"]


def _invalid(message: str) -> errors.InvalidArgumentError:
    return errors.InvalidArgumentError(None, None, message)


@register
class DynamicPartition(Op):
    """Output i holds the slices ``data[j]`` with ``partitions[j] == i``, in order. Inputs:
    data and int32 partitions (whose shape is a prefix of data's)."""

    num_partitions: int = 1

    def check(self):
        if self.num_partitions < 1:
            raise ValueError(f"num_partitions must be at least 1, got {self.num_partitions}")

    def infer(self, op):
        data, partitions = op.inputs
        check_dtype(op, partitions, "i", "partitions")
        if data.shape.ndims is None or partitions.shape.ndims is None:
            return [(data.dtype, TensorShape(None))] * self.num_partitions
        d, p = data.shape.as_list(), partitions.shape.as_list()
        if len(p) > len(d) or any(a is not None and b is not None and a != b
                                  for a, b in zip(d, p)):
            raise ValueError(f"DynamicPartition: partitions shape {partitions.shape} must be "
                             f"a prefix of data shape {data.shape}")
        return [(data.dtype, TensorShape([None] + d[len(p):]))] * self.num_partitions

    def kernel(self, data, partitions):
        if data.shape[:partitions.ndim] != partitions.shape:
            raise _invalid(f"partitions shape {list(partitions.shape)} must be a prefix of "
                           f"data shape {list(data.shape)}")
        flat = partitions.reshape(-1)
        if flat.size and (flat.min() < 0 or flat.max() >= self.num_partitions):
            bad = int(flat[(flat < 0) | (flat >= self.num_partitions)][0])
            raise _invalid(f"partitions contains {bad}, which is not in "
                           f"[0, {self.num_partitions})")
        rows = data.reshape((flat.size,) + data.shape[partitions.ndim:])
        return tuple(rows[flat == i] for i in range(self.num_partitions))

    def grad(self, op, *dys):
        """Stitches the outputs' gradients back to the positions their slices came from."""
        from flowgraph.ops.fill import range as range_op
        from flowgraph.ops.shape_ops import reshape, shape, size
        data, partitions = op.inputs
        positions = reshape(range_op(size(partitions)), shape(partitions))
        parts = dynamic_partition(positions, partitions, self.num_partitions)
        stitched = dynamic_stitch(parts, list(dys))
        return [reshape(stitched, shape(data)), None]


@register
class DynamicStitch(Op):
    """``merged[indices[m][i]] = data[m][i]`` over all m and i (later ones win). Inputs: N
    int32 index tensors, then N data tensors; the output has ``max(index) + 1`` rows."""

    def infer(self, op):
        half = len(op.inputs) // 2
        if len(op.inputs) % 2 or half == 0:
            raise ValueError("DynamicStitch needs as many data tensors as index tensors")
        indices, data = op.inputs[:half], op.inputs[half:]
        for t in indices:
            check_dtype(op, t, "i", "indices")
        if any(d.dtype != data[0].dtype for d in data):
            raise TypeError(f"DynamicStitch: data tensors of different dtypes "
                            f"{[d.dtype.name for d in data]}")
        first, lead = data[0].shape, indices[0].shape
        if first.ndims is None or lead.ndims is None:
            return [(data[0].dtype, TensorShape(None))]
        return [(data[0].dtype, TensorShape([None] + first.as_list()[lead.ndims:]))]

    def kernel(self, *values):
        half = len(values) // 2
        indices, data = values[:half], values[half:]
        if not any(i.size for i in indices):
            tail = data[0].shape[indices[0].ndim:]
            return np.zeros((0,) + tail, data[0].dtype)
        rows = 1 + max(int(i.max()) for i in indices if i.size)
        tail = data[0].shape[indices[0].ndim:]
        out = np.zeros((rows,) + tail, data[0].dtype)
        filled = np.zeros(rows, bool)
        for m, (idx, d) in enumerate(zip(indices, data)):
            if d.shape != idx.shape + tail:
                raise _invalid(f"data[{m}] of shape {list(d.shape)} does not match "
                               f"indices[{m}] of shape {list(idx.shape)} + {list(tail)}")
            if idx.size and idx.min() < 0:
                raise _invalid(f"indices[{m}] contains a negative index {int(idx.min())}")
            out[idx.reshape(-1)] = d.reshape((idx.size,) + tail)
            filled[idx.reshape(-1)] = True
        if not filled.all():
            missing = int(np.flatnonzero(~filled)[0])
            raise _invalid(f"Missing index {missing} in the indices of DynamicStitch: every "
                           f"row up to the largest index must be given")
        return out

    def grad(self, op, dy):
        from flowgraph.ops.gather import gather
        half = len(op.inputs) // 2
        return [None] * half + [gather(dy, i) for i in op.inputs[:half]]


@register
class Unique(Op):
    """The distinct values of a 1-D tensor in order of first appearance, and for each input
    element the index of its value among them."""

    out_idx: str = "int32"
    differentiable = False

    def infer(self, op):
        x = op.inputs[0]
        x.shape.with_rank(1)
        return [(x.dtype, TensorShape([None])), (dtypes.as_dtype(self.out_idx), x.shape)]

    def kernel(self, x):
        if x.ndim != 1:
            raise _invalid(f"unique expects a 1D vector, got shape {list(x.shape)}")
        values, first, inverse = np.unique(x, return_index=True, return_inverse=True)
        order = np.argsort(first, kind="stable")  # first-appearance order, as TF1
        rank = np.empty_like(order)
        rank[order] = np.arange(len(order))
        idx_type = np.dtype(dtypes.as_dtype(self.out_idx).as_numpy_dtype)
        return values[order].astype(x.dtype), rank[inverse.reshape(-1)].astype(idx_type)


def dynamic_partition(data: Any, partitions: Any, num_partitions: int,
                      name: Optional[str] = None) -> list:
    """Splits `data` into `num_partitions` tensors by `partitions` (TF1's
    `tf.dynamic_partition`)."""
    outputs = apply_op(DynamicPartition(num_partitions=int(num_partitions)),
                       [convert_to_tensor(data), convert_to_tensor(partitions)], name=name)
    return list(outputs) if isinstance(outputs, (list, tuple)) else [outputs]


def dynamic_stitch(indices: Sequence[Any], data: Sequence[Any],
                   name: Optional[str] = None) -> Tensor:
    """Interleaves `data` into one tensor by `indices` (TF1's `tf.dynamic_stitch`)."""
    if len(indices) != len(data):
        raise ValueError(f"dynamic_stitch needs as many data tensors ({len(data)}) as index "
                         f"tensors ({len(indices)})")
    tensors = [convert_to_tensor(i) for i in indices] + [convert_to_tensor(d) for d in data]
    return apply_op(DynamicStitch(), tensors, name=name)


def unique(x: Any, out_idx: Any = dtypes.int32, name: Optional[str] = None) -> tuple:
    """``(y, idx)``: the distinct values of 1-D `x` in order of first appearance and the
    index into y of each element (TF1's `tf.unique`)."""
    y, idx = apply_op(Unique(out_idx=dtypes.as_dtype(out_idx).name), [convert_to_tensor(x)],
                      name=name)
    return y, idx
