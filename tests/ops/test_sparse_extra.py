"""Sparse eye / expand_dims / mask / reset_shape / merge and the sparse serialization round
trip; expected values are hand-written (they equal TF 2.21 compat.v1's for the same inputs)."""

import pytest

import flowgraph as fg
from flowgraph.ops.sparse_extra import (
    sparse_expand_dims,
    sparse_eye,
    sparse_mask,
    sparse_merge,
    sparse_reduce_sum_sparse,
    sparse_reset_shape,
)
from flowgraph.ops.sparse_serialize import (
    deserialize_many_sparse,
    serialize_many_sparse,
    serialize_sparse,
)


def _st():
    return fg.SparseTensor([[0, 0], [0, 2], [1, 1], [2, 3]], [1.0, 2.0, 3.0, 4.0], [3, 4])


def _run(sp):
    with fg.Session() as sess:
        r = sess.run(sp)
    return r.indices.tolist(), r.values.tolist(), r.dense_shape.tolist()


def test_eye_values_dtype_and_static_shapes():
    eye = sparse_eye(3, 4)
    assert eye.indices.shape.as_list() == [3, 2] and eye.values.dtype == fg.float32
    assert _run(eye) == ([[0, 0], [1, 1], [2, 2]], [1.0, 1.0, 1.0], [3, 4])
    eye = sparse_eye(2, dtype=fg.int32)
    assert _run(eye) == ([[0, 0], [1, 1]], [1, 1], [2, 2])


@pytest.mark.parametrize("axis, indices, shape", [
    (0, [[0, 0, 0], [0, 0, 2], [0, 1, 1], [0, 2, 3]], [1, 3, 4]),
    (1, [[0, 0, 0], [0, 0, 2], [1, 0, 1], [2, 0, 3]], [3, 1, 4]),
    (-1, [[0, 0, 0], [0, 2, 0], [1, 1, 0], [2, 3, 0]], [3, 4, 1]),
])
def test_expand_dims(axis, indices, shape):
    out = sparse_expand_dims(_st(), axis)
    assert out.indices.shape.as_list() == [4, 3] and out.dense_shape.shape.as_list() == [3]
    assert _run(out) == (indices, [1.0, 2.0, 3.0, 4.0], shape)


def test_expand_dims_bad_axis_fails_when_building():
    with pytest.raises(ValueError, match="outside"):
        sparse_expand_dims(_st(), 3)


def test_mask_drops_the_given_slices():
    a = fg.IndexedSlices(fg.constant([[1., 2], [3, 4], [5, 6]]), fg.constant([4, 7, 9]),
                         fg.constant([12, 2]))
    out = sparse_mask(a, [7])
    assert isinstance(out, fg.IndexedSlices)
    assert out.values.shape.as_list() == [None, 2]
    with fg.Session() as sess:
        v, i = sess.run([out.values, out.indices])
    assert v.tolist() == [[1.0, 2.0], [5.0, 6.0]] and i.tolist() == [4, 9]


def test_reset_shape():
    assert _run(sparse_reset_shape(_st(), [5, 6]))[2] == [5, 6]
    tight = sparse_reset_shape(fg.SparseTensor([[0, 0], [2, 1]], [1, 2], [5, 5]))
    assert _run(tight) == ([[0, 0], [2, 1]], [1, 2], [3, 2])
    with pytest.raises(ValueError, match="smaller"):
        sparse_reset_shape(_st(), [2, 6])
    shape = fg.placeholder(fg.int64, [2])
    grown = sparse_reset_shape(_st(), shape)
    with fg.Session() as sess, pytest.raises(fg.errors.InvalidArgumentError):
        sess.run(grown.dense_shape, {shape: [3, 3]})


def test_merge_sorts_unless_told_not_to():
    ids = fg.SparseTensor([[0, 0], [0, 1]], fg.constant([3, 1], fg.int64), [1, 2])
    vals = fg.SparseTensor([[0, 0], [0, 1]], [1.0, 2.0], [1, 2])
    assert _run(sparse_merge(ids, vals, 4)) == ([[0, 1], [0, 3]], [2.0, 1.0], [1, 4])
    assert _run(sparse_merge(ids, vals, 4, already_sorted=True)) == (
        [[0, 3], [0, 1]], [1.0, 2.0], [1, 4])


def test_reduce_sum_sparse_bad_axis_fails_when_run():
    with fg.Session() as sess, pytest.raises(fg.errors.InvalidArgumentError):
        sess.run(sparse_reduce_sum_sparse(_st(), 2).values)


def test_serialize_round_trip_and_dtype_mismatch():
    st = fg.SparseTensor([[0, 1, 0], [2, 0, 1]], [7, 8], [3, 2, 2])
    many = serialize_many_sparse(st)
    assert many.shape.as_list() == [None, 3] and serialize_sparse(st).shape.as_list() == [3]
    back = deserialize_many_sparse(many, fg.int32, rank=2)
    assert back.indices.shape.as_list() == [None, 3]
    assert back.dense_shape.shape.as_list() == [3]
    assert _run(back) == ([[0, 1, 0], [2, 0, 1]], [7, 8], [3, 2, 2])
    with fg.Session() as sess, pytest.raises(fg.errors.InvalidArgumentError, match="int64"):
        sess.run(deserialize_many_sparse(many, fg.int64).values)
    with pytest.raises(TypeError, match="out_type"):
        serialize_sparse(st, out_type=fg.int32)
