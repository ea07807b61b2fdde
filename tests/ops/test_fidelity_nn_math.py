"""TF1 behaviours found by a differential sweep of tf.nn / tf.math against real TF1 (graph
mode): NaN handling of argmax/argmin and bincount's output dtype and static length.
Expected values are hand-computed."""

import numpy as np

import flowgraph as fg

NAN = np.nan
ROWS = np.array([[NAN, 1, 2, 0],
                 [1, NAN, 2, 0],
                 [3, 1, NAN, 0],
                 [NAN, NAN, NAN, NAN],
                 [1, 2, 2, NAN],
                 [np.inf, 1, NAN, np.inf],
                 [-np.inf, NAN, -np.inf, 0]], np.float32)


def _run(fetches):
    with fg.Session() as sess:
        return sess.run(fetches)


def test_argmax_argmin_skip_nan_as_tf1():
    # TF's kernel compares with > / <, so NaN never wins; an all-NaN row gives index 0 and
    # ties keep the first index.
    x = fg.constant(ROWS)
    amax, amin = _run([fg.argmax(x, 1), fg.argmin(x, 1)])
    np.testing.assert_array_equal(amax, [2, 2, 0, 0, 1, 0, 3])
    np.testing.assert_array_equal(amin, [3, 3, 3, 0, 0, 1, 0])


def test_argmax_nan_along_axis0_and_float64():
    x = fg.constant(ROWS[:3].T.astype(np.float64))  # columns are the rows above
    np.testing.assert_array_equal(_run(fg.argmax(x, 0)), [2, 2, 0])
    np.testing.assert_array_equal(_run(fg.argmin(x, axis=-2, output_type=fg.int32)),
                                  [3, 3, 3])


def test_argmax_without_nan_unchanged():
    x = fg.constant([[1, 3, 3], [2, 2, 0]], fg.int32)
    np.testing.assert_array_equal(_run(fg.argmax(x, 1)), [1, 0])
    np.testing.assert_array_equal(_run(fg.argmin(x, 0)), [0, 1, 1])


def test_bincount_weights_set_the_dtype():
    arr = fg.constant([1, 1, 3, 0, 5, 3])
    w = fg.constant([0.5, 1.0, 2.0, 3.0, 4.0, 5.0])
    out = fg.math.bincount(arr, w)
    assert out.dtype == fg.float32
    np.testing.assert_allclose(_run(out), [3.0, 1.5, 0.0, 7.0, 0.0, 4.0])
    ints = fg.math.bincount(arr, [1, 2, 3, 4, 5, 6])
    assert ints.dtype == fg.int32
    np.testing.assert_array_equal(_run(ints), [4, 3, 0, 9, 0, 5])


def test_bincount_static_length_from_known_arr():
    arr = fg.constant([1, 1, 3, 0, 5, 3])
    assert fg.math.bincount(arr).shape.as_list() == [6]
    assert fg.math.bincount(arr, minlength=8).shape.as_list() == [8]
    assert fg.math.bincount(arr, maxlength=3).shape.as_list() == [3]
    assert fg.math.bincount(fg.constant([], fg.int32)).shape.as_list() == [0]
    fed = fg.placeholder(fg.int32, [None])
    assert fg.math.bincount(fed).shape.as_list() == [None]
    np.testing.assert_array_equal(_run(fg.math.bincount(arr, maxlength=3)), [1, 2, 0])



def test_histogram_fixed_width_counts_clamp_outliers():
    from flowgraph.ops.histogram import histogram_fixed_width
    values = [-1.0, 0.0, 1.5, 2.0, 5.0, 15.0, 10.0, 9.99]
    # bins of width 2 over [0, 10): -1 -> 0, 15 and 10 -> last bin.
    out = histogram_fixed_width(fg.constant(values), [0.0, 10.0], nbins=5)
    assert out.dtype == fg.int32 and out.shape.as_list() == [5]
    assert out.name == "histogram_fixed_width:0"
    np.testing.assert_array_equal(_run(out), [3, 1, 1, 0, 3])
    wide = histogram_fixed_width(fg.constant(values), [0.0, 10.0], 3, dtype=fg.int64)
    assert wide.dtype == fg.int64
    np.testing.assert_array_equal(_run(wide), [4, 1, 3])
    ints = histogram_fixed_width(fg.constant([1, 5, 7, 20]), [0, 10], 2)
    np.testing.assert_array_equal(_run(ints), [1, 3])


def test_histogram_fixed_width_bins_keeps_shape():
    from flowgraph.ops.histogram import histogram_fixed_width_bins
    values = fg.constant([[-1.0, 0.0, 1.5, 2.0], [5.0, 15.0, 10.0, 9.99]])
    out = histogram_fixed_width_bins(values, [0.0, 10.0], nbins=5)
    assert out.dtype == fg.int32 and out.shape.as_list() == [2, 4]
    np.testing.assert_array_equal(_run(out), [[0, 0, 0, 1], [2, 4, 4, 4]])


def test_sqrt_rsqrt_reciprocal_gradients_are_zero_where_upstream_is_zero():
    # TF1's SqrtGrad / RsqrtGrad / ReciprocalGrad return 0 where dy == 0 instead of
    # 0 * inf = NaN; elsewhere the usual formulas (dy/(2 sqrt x), -dy/(2 x^1.5), -dy/x^2).
    x = fg.constant([0.0, 0.0, 4.0, 4.0])
    dy = fg.constant([0.0, 1.0, 0.0, 2.0])
    got = _run([fg.gradients(f(x), x, grad_ys=dy)[0]
                for f in (fg.sqrt, fg.rsqrt, fg.math.reciprocal)])
    np.testing.assert_array_equal(got[0], [0.0, np.inf, 0.0, 0.5])
    np.testing.assert_array_equal(got[1], [0.0, -np.inf, 0.0, -0.125])
    np.testing.assert_array_equal(got[2], [0.0, -np.inf, 0.0, -0.125])


def test_clip_by_average_norm_of_zeros_has_finite_gradient():
    # clip_by_average_norm(t) = t * c * min(size * rsqrt(sum(t^2)), 1 / c); at t = 0 the
    # rsqrt branch is not selected, so TF1's gradient is exactly the upstream gradient.
    t = fg.constant(np.zeros((2, 3), np.float32))
    w = np.arange(6, dtype=np.float32).reshape(2, 3) - 2.0
    out = fg.clip_by_average_norm(t, 1.0)
    grad = _run(fg.gradients(fg.reduce_sum(out * w), t)[0])
    np.testing.assert_allclose(grad, w)


def test_integer_reduce_mean_sums_wide_as_tf1():
    # TF1's MeanReducer sums 8/16/32-bit integers in (u)int64: no wrap-around, and the
    # quotient truncates toward zero. 250 + 3 + 7 = 260 -> 86 (a uint8 sum would give 1).
    got = _run([fg.reduce_mean(fg.constant(np.array([250, 3, 7], np.uint8))),
                fg.reduce_mean(fg.constant(np.array([2**31 - 1, 2**31 - 1], np.int32))),
                fg.reduce_mean(fg.constant(np.array([100, 100, -3], np.int8))),
                fg.reduce_mean(fg.constant(np.array([-7, -1], np.int32))),
                fg.reduce_mean(fg.constant(np.array([[1, 2], [3, 5]], np.int16)), 0,
                               keepdims=True)])
    assert got[0] == 86 and got[0].dtype == np.uint8
    assert got[1] == 2**31 - 1 and got[1].dtype == np.int32
    assert got[2] == 65 and got[2].dtype == np.int8
    assert got[3] == -4
    np.testing.assert_array_equal(got[4], [[2, 3]])
    assert got[4].dtype == np.int16
