"""Cases for Slice, StridedSlice (explicit masks and numpy-style ``tensor[key]``) and
StridedSliceGrad. Expected values are literals or numpy indexing of the same array."""

import numpy as np

import flowgraph as fg
from flowgraph.ops.array_grad import StridedSliceGrad
from flowgraph.ops.registry import apply_op
from tests.ops.harness import OpCase

A = np.arange(12, dtype=np.float32).reshape(3, 4)
X3 = np.arange(24, dtype=np.int32).reshape(2, 3, 4)
V = np.array([10, 20, 30, 40, 50], dtype=np.int64)
S = np.array([b"a", b"b", b"c"], dtype=object)


def _item(key):
    return lambda x: x[key]


def _slice_grad(shape, begin, end, strides, **masks):
    def build(dy):
        vectors = [fg.constant(np.int32(v)) for v in (shape, begin, end, strides)]
        return apply_op(StridedSliceGrad(**masks), vectors + [dy])
    return build


def _written(shape, key, dy):
    """Zeros of `shape` with dy written at numpy's x[key]."""
    out = np.zeros(shape, dtype=dy.dtype)
    out[key] = dy
    return out


F3 = np.arange(24, dtype=np.float64).reshape(2, 3, 4) / 8 - 1


# (name, key, array): each case checks x[key] against numpy's indexing of the same array.
_KEYS = [
    ("int", 1, A),
    ("neg-int", -1, A),
    ("two-ints", (2, -3), A),
    ("slice", slice(1, 3), A),
    ("open-slices", (slice(None), slice(1, None)), A),
    ("step", (slice(None, None, 2), slice(3, 0, -2)), A),
    ("neg-step", slice(None, None, -1), V),
    ("neg-step-bounds", slice(-2, -5, -1), V),
    ("neg-step-clamped", slice(10, -10, -2), V),
    ("past-end", slice(2, 100), V),
    ("empty-range", slice(3, 1), V),
    ("newaxis", (None, slice(None), None), A),
    ("ellipsis-int", (Ellipsis, 1), X3),
    ("int-ellipsis", (1, Ellipsis), X3),
    ("ellipsis-middle", (0, Ellipsis, slice(None, None, -1)), X3),
    ("ellipsis-newaxis", (Ellipsis, None, 2), X3),
    ("newaxis-ellipsis-newaxis", (None, Ellipsis, None), X3),
    ("mixed", (slice(None, None, -1), None, 1, slice(1, 3)), X3),
    ("all-ints", (1, 2, 3), X3),
    ("empty-tuple", (), A),
    ("strings", slice(None, None, -2), S),
]

CASES = [OpCase("StridedSlice", _item(key), [array], expected=lambda x, key=key: x[key],
                name=f"getitem-{name}") for name, key, array in _KEYS]

CASES += [
    # Slice
    OpCase("Slice", lambda x: fg.slice(x, [1, 0], [2, 3]), [A], expected=A[1:3, 0:3],
           name="static"),
    OpCase("Slice", lambda x: fg.slice(x, [1, 1], [-1, -1]), [A],
           expected=np.float32([[5, 6, 7], [9, 10, 11]]), name="minus-one"),
    OpCase("Slice", lambda x, b, s: fg.slice(x, b, s), [X3, np.int32([0, 2, 1]),
                                                       np.int32([2, 1, -1])],
           expected=X3[0:2, 2:3, 1:], name="tensors"),
    OpCase("Slice", lambda x: fg.slice(x, [3], [0]), [V], expected=np.zeros(0, np.int64),
           name="empty"),
    # StridedSlice with explicit masks
    OpCase("StridedSlice", lambda x: fg.strided_slice(x, [0, 1], [2, 3], [1, 1]), [A],
           expected=A[0:2, 1:3], name="plain"),
    OpCase("StridedSlice", lambda x: fg.strided_slice(x, [5, 1], [0, 0], [1, -1],
                                                      begin_mask=1, end_mask=2),
           [A], expected=A[:0, 1::-1], name="begin-end-masks"),
    OpCase("StridedSlice", lambda x: fg.strided_slice(x, [0, -1], [0, 0], [1, 1],
                                                      begin_mask=1, end_mask=1,
                                                      shrink_axis_mask=2),
           [A], expected=A[:, -1], name="shrink"),
    OpCase("StridedSlice", lambda x: fg.strided_slice(x, [0, 1], [0, 2], [1, 1],
                                                      ellipsis_mask=1),
           [X3], expected=X3[..., 1:2], name="ellipsis-mask"),
    OpCase("StridedSlice", lambda x: fg.strided_slice(x, [0, 0, 1], [0, 0, 2], [1, 1, 1],
                                                      new_axis_mask=2, begin_mask=1,
                                                      end_mask=1),
           [A], expected=A[:, None, 1:2], name="new-axis-mask"),
    OpCase("StridedSlice", lambda x: fg.strided_slice(x, [1], [2], [1],
                                                      shrink_axis_mask=1, new_axis_mask=1),
           [A], expected=A[None], name="new-axis-wins-over-shrink"),
    OpCase("StridedSlice", lambda x: fg.strided_slice(x, [1, 2], [3, 0]), [A],
           expected=A[1:3, 2:0], name="default-strides"),
    OpCase("StridedSlice", lambda x, b, e, s: fg.strided_slice(x, b, e, s, end_mask=2),
           [A, np.int32([2, 3]), np.int32([0, 0]), np.int32([-1, -2])],
           expected=A[2:0:-1, 3::-2], name="tensor-bounds"),
    OpCase("StridedSlice", lambda x, i: x[i, 1:], [A, np.int32(2)],
           expected=np.float32([9, 10, 11]), name="getitem-tensor-index"),
    OpCase("StridedSlice", lambda x, i: x[:, i], [A, np.int64(-1)],
           expected=np.float32([3, 7, 11]), name="getitem-neg-tensor-index"),
    OpCase("StridedSlice", lambda x, i, j: x[i:j, ::-1], [A, np.int32(1), np.int32(3)],
           expected=A[1:3, ::-1], name="getitem-tensor-bounds"),
    OpCase("StridedSlice", lambda x: fg.reshape(x, fg.shape(x)[::-1]), [A],
           expected=A.reshape(4, 3), name="shape-reversed"),
    # Gradient-focused cases on floats, with bounds known only at run time.
    OpCase("Slice", lambda x, b, s: fg.slice(x, b, s), [F3, np.int32([1, 0, 1]),
                                                       np.int32([1, -1, 2])],
           expected=F3[1:2, :, 1:3], name="tensors-float"),
    OpCase("Slice", lambda x, b: fg.slice(x, b, [2, 2]), [A, np.int64([1, 2])],
           expected=A[1:3, 2:4], name="begin-tensor-int64"),
    OpCase("StridedSlice", lambda x, b, e, s: fg.strided_slice(x, b, e, s, shrink_axis_mask=1,
                                                              end_mask=4),
           [F3, np.int32([1, 2, 3]), np.int32([2, 0, 0]), np.int32([1, -1, -2])],
           expected=F3[1, 2:0:-1, 3::-2], name="shrink-tensor-bounds-float"),
    OpCase("StridedSlice", lambda x: x[..., None, ::2], [F3], expected=F3[..., None, ::2],
           name="getitem-ellipsis-newaxis-step-float"),
    # StridedSliceGrad (the gradient of StridedSlice)
    OpCase("StridedSliceGrad", _slice_grad([3, 4], [0, 1], [3, 4], [2, 2]),
           [np.float32([[1, 2], [3, 4]])],
           expected=np.float32([[0, 1, 0, 2], [0, 0, 0, 0], [0, 3, 0, 4]]), name="steps"),
    OpCase("StridedSliceGrad", _slice_grad([3, 4], [1, 0, 0], [2, 0, 0], [1, 1, -1],
                                           shrink_axis_mask=1, new_axis_mask=2,
                                           begin_mask=4, end_mask=4),
           [np.float64([[1, 2, 3, 4]])],
           expected=lambda dy: _written((3, 4), (1, None, slice(None, None, -1)), dy),
           name="shrink-newaxis-reverse"),
    OpCase("StridedSliceGrad", _slice_grad([2, 3, 4], [0, 1], [0, 3], [1, 1],
                                           ellipsis_mask=1),
           [np.arange(12, dtype=np.float32).reshape(2, 3, 2)],
           expected=lambda dy: _written((2, 3, 4), (Ellipsis, slice(1, 3)), dy),
           name="ellipsis"),
    OpCase("StridedSliceGrad", _slice_grad([4], [3], [3], [1]), [np.zeros(0, np.float32)],
           expected=np.zeros(4, np.float32), name="empty"),
]
