"""Gradients of tf.sparse.segment_sum / segment_mean / segment_sqrt_n with respect to data
are dense tensors, as TF 1.15's _SparseSegment*Grad give (values from TF, hard-coded)."""

import numpy as np
import pytest

import flowgraph as tf

TF_GRADS = {
    "segment_sum": [[1.0, 2.0, 3.0], [7.0, 8.0, 9.0], [5.0, 7.0, 9.0], [7.0, 8.0, 9.0]],
    "segment_mean": [[0.5, 1.0, 1.5], [3.5, 4.0, 4.5], [4.5, 6.0, 7.5], [3.5, 4.0, 4.5]],
    "segment_sqrt_n": [[0.70710678, 1.41421356, 2.12132034],
                       [4.94974747, 5.65685425, 6.36396103],
                       [4.70710678, 6.41421356, 8.12132034],
                       [4.94974747, 5.65685425, 6.36396103]],
}


@pytest.mark.parametrize("kind", sorted(TF_GRADS))
def test_gradient_is_dense_and_matches_tf(kind):
    with tf.Graph().as_default():
        data = tf.constant(np.arange(12.0).reshape(4, 3))
        y = getattr(tf.sparse, kind)(data, tf.constant([0, 2, 2, 3, 1]),
                                     tf.constant([0, 0, 1, 2, 2]))
        weights = tf.constant(np.arange(9.0).reshape(3, 3) + 1)
        (g,) = tf.gradients(y * weights, [data])
        assert isinstance(g, tf.Tensor)
        assert not isinstance(g, tf.IndexedSlices)
        assert g.shape.as_list() == [4, 3]
        with tf.Session() as sess:
            got = sess.run(g)
    assert isinstance(got, np.ndarray)
    np.testing.assert_allclose(got, TF_GRADS[kind], rtol=1e-7)


def test_tf1_alias_and_num_segments_gradient_is_dense():
    with tf.Graph().as_default():
        data = tf.constant(np.arange(12.0).reshape(4, 3))
        y = tf.sparse_segment_sum(data, [0, 2, 2, 3, 1], [0, 0, 1, 2, 2], num_segments=5)
        (g,) = tf.gradients(y, [data])
        assert not isinstance(g, tf.IndexedSlices)
        with tf.Session() as sess:
            got = sess.run(g)
    # row r's gradient counts how often r appears in indices
    np.testing.assert_allclose(got, np.repeat([[1.0], [1.0], [2.0], [1.0]], 3, axis=1))
