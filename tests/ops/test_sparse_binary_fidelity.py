"""TF1 fidelity of sparse_add's threshold, sparse_concat's shape check and
sparse_maximum / sparse_minimum (expected values worked out by hand from TF1's kernels)."""

import numpy as np
import pytest

import flowgraph as tf
from flowgraph import errors


def _a():
    return tf.SparseTensor(indices=[[0, 0], [0, 2], [1, 0], [2, 3]], values=[3., 1., 2., 4.],
                           dense_shape=[3, 4])


def _b():
    return tf.SparseTensor(indices=[[0, 0], [1, 1], [2, 3]], values=[10., -2., 5.],
                           dense_shape=[3, 4])


def _run(fetch):
    with tf.Session() as sess:
        return sess.run(fetch)


def test_sparse_add_thresh_only_drops_sums_of_both_operands():
    # TF1's SparseAdd copies an entry present in one operand whatever its magnitude; only
    # sums at shared indices ([0,0]: 13, [2,3]: 9) are compared with thresh.
    with tf.Graph().as_default():
        out = _run(tf.sparse_add(_a(), _b(), thresh=2.5))
    np.testing.assert_array_equal(out.indices, [[0, 0], [0, 2], [1, 0], [1, 1], [2, 3]])
    np.testing.assert_array_equal(out.values, [13., 1., 2., -2., 9.])


def test_sparse_add_thresh_drops_small_shared_sum():
    with tf.Graph().as_default():
        a = tf.SparseTensor([[0, 1], [1, 0]], [1., 5.], [2, 2])
        b = tf.SparseTensor([[0, 1], [1, 1]], [-0.5, 0.1], [2, 2])
        out = _run(tf.sparse_add(a, b, threshold=1.0))
    # [0,1]: 1 - 0.5 = 0.5 < 1 dropped; [1,0] and [1,1] come from one operand only.
    np.testing.assert_array_equal(out.indices, [[1, 0], [1, 1]])
    np.testing.assert_allclose(out.values, [5., 0.1])


def test_sparse_concat_mismatched_other_dims_fails_at_run_time():
    with tf.Graph().as_default():
        other = tf.SparseTensor([[0, 0]], [1.], [2, 3])
        joined = tf.sparse_concat(1, [_a(), other])
        with pytest.raises(errors.InvalidArgumentError, match="expand_nonconcat_dim"):
            _run(joined)


def test_sparse_concat_expand_nonconcat_dim_takes_largest():
    with tf.Graph().as_default():
        other = tf.SparseTensor([[0, 0]], [1.], [2, 3])
        out = _run(tf.sparse_concat(1, [_a(), other], expand_nonconcat_dim=True))
    np.testing.assert_array_equal(out.dense_shape, [3, 7])
    np.testing.assert_array_equal(out.indices, [[0, 0], [0, 2], [0, 4], [1, 0], [2, 3]])
    np.testing.assert_array_equal(out.values, [3., 1., 1., 2., 4.])


def test_sparse_concat_matching_shapes_still_work():
    with tf.Graph().as_default():
        out = _run(tf.sparse_concat(0, [_a(), _b()]))
    np.testing.assert_array_equal(out.dense_shape, [6, 4])
    np.testing.assert_array_equal(out.values, [3., 1., 2., 4., 10., -2., 5.])


def test_sparse_maximum_and_minimum_use_implicit_zeros():
    with tf.Graph().as_default():
        mx = tf.sparse_maximum(_a(), _b())
        mn = tf.sparse_minimum(_a(), _b())
        got_max, got_min = _run([mx, mn])
    union = [[0, 0], [0, 2], [1, 0], [1, 1], [2, 3]]
    np.testing.assert_array_equal(got_max.indices, union)
    np.testing.assert_array_equal(got_min.indices, union)
    # dense a = {00:3, 02:1, 10:2, 23:4}, b = {00:10, 11:-2, 23:5}
    np.testing.assert_array_equal(got_max.values, [10., 1., 2., 0., 5.])
    np.testing.assert_array_equal(got_min.values, [3., 0., 0., -2., 4.])
    np.testing.assert_array_equal(got_max.dense_shape, [3, 4])
    assert mx.dtype == tf.float32


def test_sparse_maximum_rejects_mixed_dtypes():
    with tf.Graph().as_default():
        ints = tf.SparseTensor([[0, 0]], [1], [3, 4])
        with pytest.raises(TypeError, match="dtype"):
            tf.sparse_maximum(_a(), ints)
