"""Tests for approx_topk.py (tf.math.approx_max_k / approx_min_k, tf.nn.*) and sobol.py
(tf.math.sobol_sample). References: literal outputs of a real TensorFlow 2.21 run
(tf.compat.v1) and numpy sorts written here."""

import numpy as np
import pytest

import flowgraph as tf

# The first 37 points of TF's 10-dimensional Sobol sequence, times 64 (every point is a
# multiple of 1/64): rows 0-31 are tf.math.sobol_sample(10, 32), rows 5-36
# tf.math.sobol_sample(10, 32, skip=5, dtype=tf.float64).
SOBOL_10_37 = (
    np.array(
        [
            [32, 32, 32, 32, 32, 32, 32, 32, 32, 32],
            [48, 16, 16, 16, 48, 48, 16, 48, 48, 48],
            [16, 48, 48, 48, 16, 16, 48, 16, 16, 16],
            [24, 24, 40, 56, 24, 8, 24, 56, 56, 40],
            [56, 56, 8, 24, 56, 40, 56, 24, 24, 8],
            [40, 8, 56, 40, 40, 56, 8, 8, 8, 24],
            [8, 40, 24, 8, 8, 24, 40, 40, 40, 56],
            [12, 20, 60, 28, 36, 20, 28, 60, 60, 20],
            [44, 52, 28, 60, 4, 52, 60, 28, 28, 52],
            [60, 4, 44, 12, 20, 36, 12, 12, 12, 36],
            [28, 36, 12, 44, 52, 4, 44, 44, 44, 4],
            [20, 12, 20, 36, 60, 28, 4, 4, 4, 60],
            [52, 44, 52, 4, 28, 60, 36, 36, 36, 28],
            [36, 28, 4, 52, 12, 44, 20, 52, 52, 12],
            [4, 60, 36, 20, 44, 12, 52, 20, 20, 44],
            [6, 30, 30, 42, 18, 62, 34, 54, 30, 10],
            [38, 62, 62, 10, 50, 30, 2, 22, 62, 42],
            [54, 14, 14, 58, 34, 14, 50, 6, 46, 58],
            [22, 46, 46, 26, 2, 46, 18, 38, 14, 26],
            [30, 6, 54, 18, 10, 54, 58, 14, 38, 34],
            [62, 38, 22, 50, 42, 22, 26, 46, 6, 2],
            [46, 22, 38, 2, 58, 6, 42, 62, 22, 18],
            [14, 54, 6, 34, 26, 38, 10, 30, 54, 50],
            [10, 10, 34, 54, 54, 42, 62, 10, 34, 30],
            [42, 42, 2, 22, 22, 10, 30, 42, 2, 62],
            [58, 26, 50, 38, 6, 26, 46, 58, 18, 46],
            [26, 58, 18, 6, 38, 58, 14, 26, 50, 14],
            [18, 18, 10, 14, 46, 34, 38, 50, 26, 54],
            [50, 50, 42, 46, 14, 2, 6, 18, 58, 22],
            [34, 2, 26, 30, 30, 18, 54, 2, 42, 6],
            [2, 34, 58, 62, 62, 50, 22, 34, 10, 38],
            [3, 17, 45, 35, 9, 59, 51, 43, 63, 3],
            [35, 49, 13, 3, 41, 27, 19, 11, 31, 35],
            [51, 1, 61, 51, 57, 11, 35, 27, 15, 51],
            [19, 33, 29, 19, 25, 43, 3, 59, 47, 19],
            [27, 9, 5, 27, 17, 51, 43, 19, 7, 43],
            [59, 41, 37, 59, 49, 19, 11, 51, 39, 11],
        ]
    )
    / 64.0
)


def _run(fetches, feed=None):
    with tf.Session() as sess:
        return sess.run(fetches, feed)


@pytest.mark.parametrize(
    "kwargs, skip, np_dtype",
    [({}, 0, np.float32), ({"skip": 5, "dtype": tf.float64}, 5, np.float64)],
    ids=["float32", "skip5_float64"],
)
def test_sobol_matches_tf(kwargs, skip, np_dtype):
    with tf.Graph().as_default():
        s = tf.math.sobol_sample(10, 32, **kwargs)
        assert s.dtype == tf.as_dtype(np_dtype) and s.shape.as_list() == [32, 10]
        assert s.op.type == "SobolSample" and s.op.name == "sobol/SobolSample"
        out = _run(s)
    assert out.dtype == np_dtype
    np.testing.assert_array_equal(out, SOBOL_10_37[skip : skip + 32].astype(np_dtype))


def test_sobol_fed_arguments_and_prefixes():
    with tf.Graph().as_default():
        d = tf.placeholder(tf.int32, [])
        n = tf.placeholder(tf.int32, [])
        k = tf.placeholder(tf.int32, [])
        s = tf.math.sobol_sample(d, n, k)
        assert s.shape.as_list() == [None, None]
        out = _run(s, {d: 4, n: 7, k: 3})
    np.testing.assert_array_equal(out, SOBOL_10_37[3:10, :4].astype(np.float32))


def test_sobol_bad_arguments():
    with tf.Graph().as_default():
        with pytest.raises(ValueError, match="dim must be in"):
            tf.math.sobol_sample(0, 4)
        with pytest.raises(ValueError, match="skip must be >= 0"):
            tf.math.sobol_sample(2, 4, skip=-1)
        with pytest.raises(TypeError, match="float32 or float64"):
            tf.math.sobol_sample(2, 4, dtype=tf.int32)
        n = tf.placeholder(tf.int32, [])
        s = tf.math.sobol_sample(2, n)
        with pytest.raises(tf.errors.InvalidArgumentError, match="num_results must be >= 1"):
            _run(s, {n: 0})


X = np.array([[3.0, 1.0, 4.0, 1.0, 5.0], [9.0, 2.0, 6.0, 5.0, 3.0]], np.float32)


def test_approx_max_k_matches_tf():
    # TF: values [[5, 4], [9, 6]], indices [[4, 2], [0, 2]], and the gradient of
    # sum(values * [[1, 2], [3, 4]]) is [[0, 0, 2, 0, 1], [3, 0, 4, 0, 0]].
    with tf.Graph().as_default():
        x = tf.constant(X)
        v, i = tf.math.approx_max_k(x, 2)
        assert i.dtype == tf.int32 and v.shape.as_list() == [2, 2]
        (g,) = tf.gradients(tf.reduce_sum(v * [[1.0, 2.0], [3.0, 4.0]]), x)
        vv, ii, gg = _run([v, i, g])
    np.testing.assert_array_equal(vv, [[5.0, 4.0], [9.0, 6.0]])
    np.testing.assert_array_equal(ii, [[4, 2], [0, 2]])
    np.testing.assert_array_equal(gg, [[0, 0, 2, 0, 1], [3, 0, 4, 0, 0]])


def test_approx_min_k_other_dimension_against_numpy():
    rng = np.random.RandomState(3)
    data = rng.permutation(60).reshape(3, 4, 5).astype(np.float64)
    with tf.Graph().as_default():
        v, i = tf.nn.approx_min_k(tf.constant(data), 2, reduction_dimension=1)
        w, j = tf.math.approx_max_k(data, 3, reduction_dimension=0)
        assert v.shape.as_list() == [3, 2, 5] and w.shape.as_list() == [3, 4, 5]
        vv, ii, ww, jj = _run([v, i, w, j])
    order = np.argsort(data, axis=1, kind="stable")[:, :2, :]
    np.testing.assert_array_equal(ii, order)
    np.testing.assert_array_equal(vv, np.take_along_axis(data, order, axis=1))
    order = np.argsort(-data, axis=0, kind="stable")
    np.testing.assert_array_equal(jj, order)
    np.testing.assert_array_equal(ww, np.take_along_axis(data, order, axis=0))


def test_approx_min_k_gradient():
    with tf.Graph().as_default():
        x = tf.constant(np.array([4.0, -1.0, 7.0, 0.5]))
        v, _ = tf.math.approx_min_k(x, 2)
        (g,) = tf.gradients(tf.reduce_sum(v * [10.0, 1.0]), x)
        vv, gg = _run([v, g])
    np.testing.assert_array_equal(vv, [-1.0, 0.5])
    np.testing.assert_array_equal(gg, [0.0, 10.0, 0.0, 1.0])


def test_approx_top_k_bad_arguments():
    with tf.Graph().as_default():
        x = tf.constant(X)
        with pytest.raises(ValueError, match="exceeds"):
            tf.math.approx_max_k(x, 6)
        with pytest.raises(ValueError, match="out of range"):
            tf.math.approx_max_k(x, 1, reduction_dimension=2)
        with pytest.raises(ValueError, match="recall_target"):
            tf.math.approx_max_k(x, 1, recall_target=1.5)
        with pytest.raises(TypeError, match="Python int"):
            tf.math.approx_max_k(x, 1.5)
        with pytest.raises(TypeError, match="unsigned"):
            tf.math.approx_min_k(tf.constant(X.astype(np.uint8)), 1)
