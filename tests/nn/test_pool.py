"""TF1 behaviours of the pooling functions of `fg.nn`: argument forms, names, static shapes,
SAME padding semantics, `pool` (MIN / SUM / dilation), the 1-D / 3-D / v2 variants, errors,
the tie rule of the max-pool gradient, and speed on a typical CNN shape."""

import time

import numpy as np
import pytest

import flowgraph as fg
from tests.ops.cases.pool import loop_max_grad, loop_pool


def run(fetches, feed_dict=None):
    with fg.Session() as sess:
        return sess.run(fetches, feed_dict)


X = np.random.default_rng(3).permutation(2 * 5 * 6 * 3).reshape(2, 5, 6, 3).astype(np.float64)


# --------------------------------------------------------------------------- arguments
@pytest.mark.parametrize("ksize, strides", [
    (2, 2), ([2], [2]), ([2, 2], [2, 2]), ([1, 2, 2, 1], [1, 2, 2, 1]),
])
def test_ksize_and_strides_forms(ksize, strides):
    y = fg.nn.max_pool(X, ksize, strides, "SAME")
    assert y.op.op_def.ksize == (1, 2, 2, 1) and y.op.op_def.strides == (1, 2, 2, 1)
    np.testing.assert_array_equal(run(y), loop_pool(X, [2, 2], [2, 2], "SAME", "max"))


def test_nchw_lists_put_the_channel_second():
    y = fg.nn.avg_pool(np.transpose(X, (0, 3, 1, 2)), [2, 3], [1, 2], "VALID",
                       data_format="NCHW")
    assert y.op.op_def.ksize == (1, 1, 2, 3)
    expected = loop_pool(X, [2, 3], [1, 2], "VALID", "avg")
    np.testing.assert_allclose(run(y), np.transpose(expected, (0, 3, 1, 2)))


def test_input_is_an_alias_of_value():
    y = fg.nn.max_pool(None, 2, 2, "VALID", input=X)
    assert y.shape.as_list() == [2, 2, 3, 3]
    with pytest.raises(ValueError, match="both"):
        fg.nn.max_pool(X, 2, 2, "VALID", input=X)


@pytest.mark.parametrize("kwargs, message", [
    (dict(ksize=[2, 2, 2], strides=2), "ksize should be of length 1, 2 or 4 but was 3"),
    (dict(ksize=0, strides=1), "ksize cannot be zero"),
    (dict(ksize=2, strides=[1, 1, 1]), "strides should be of length"),
    (dict(ksize=[2, 2, 2, 1], strides=1), "batch dimension"),
    (dict(ksize=[1, 2, 2, 2], strides=1), "channels"),
])
def test_bad_windows_raise_value_error(kwargs, message):
    with pytest.raises(ValueError, match=message):
        fg.nn.max_pool(X, padding="SAME", **kwargs)


def test_bad_padding_and_format_raise_value_error():
    with pytest.raises(ValueError, match="padding"):
        fg.nn.max_pool(X, 2, 2, "FULL")
    with pytest.raises(ValueError, match="data_format"):
        fg.nn.avg_pool(X, 2, 2, "SAME", data_format="NDHWC")


def test_valid_window_larger_than_input_is_a_build_error():
    with pytest.raises(ValueError, match="Negative dimension size caused by subtracting 3 "
                                         "from 2"):
        fg.nn.max_pool(np.zeros((1, 2, 8, 1)), 3, 1, "VALID")


def test_int_input_to_avg_pool_is_a_type_error():
    with pytest.raises(TypeError, match="floating"):
        fg.nn.avg_pool(np.zeros((1, 4, 4, 1), np.int32), 2, 2, "VALID")


# --------------------------------------------------------------------------- names, shapes
@pytest.mark.parametrize("build, name", [
    (lambda x: fg.nn.max_pool(x, 2, 2, "SAME"), "MaxPool:0"),
    (lambda x: fg.nn.avg_pool(x, 2, 2, "SAME"), "AvgPool:0"),
    (lambda x: fg.nn.max_pool2d(x, 2, 2, "SAME"), "MaxPool2d:0"),
    (lambda x: fg.nn.avg_pool2d(x, 2, 2, "SAME"), "AvgPool:0"),
    (lambda x: fg.nn.pool(x, [2, 2], "MAX", "SAME"), "max_pool:0"),
    (lambda x: fg.nn.pool(x, [2, 2], "AVG", "SAME"), "avg_pool:0"),
    (lambda x: fg.nn.pool(x, [2, 2], "SUM", "SAME"), "sum_pool:0"),
    (lambda x: fg.nn.pool(x, [2, 2], "MIN", "SAME"), "min_pool:0"),
    (lambda x: fg.nn.max_pool(x, 2, 2, "SAME", name="p"), "p:0"),
])
def test_node_names(build, name):
    x = fg.placeholder(fg.float32, [None, 28, 28, 32])
    assert build(x).name == name


def test_static_shapes():
    x = fg.placeholder(fg.float32, [None, 28, 27, 32])
    assert fg.nn.max_pool(x, 2, 2, "SAME").shape.as_list() == [None, 14, 14, 32]
    assert fg.nn.max_pool(x, 3, 2, "VALID").shape.as_list() == [None, 13, 13, 32]
    assert fg.nn.avg_pool(x, [5, 1], [3, 4], "SAME").shape.as_list() == [None, 10, 7, 32]
    y = fg.nn.max_pool(fg.placeholder(fg.float32, [8, None, 9, 3]), 2, 2, "VALID")
    assert y.shape.as_list() == [8, None, 4, 3]
    z = fg.nn.max_pool(fg.placeholder(fg.float32, [2, 3, 28, 28]), 2, 2, "SAME",
                       data_format="NCHW")
    assert z.shape.as_list() == [2, 3, 14, 14]
    assert fg.nn.max_pool(fg.placeholder(fg.float32), 2, 2, "SAME").shape.ndims == 4


def test_run_time_shapes_follow_the_fed_value():
    x = fg.placeholder(fg.float64, [None, None, None, 3])
    y = fg.nn.avg_pool(x, 3, 2, "SAME")
    np.testing.assert_allclose(run(y, {x: X}), loop_pool(X, [3, 3], [2, 2], "SAME", "avg"))


# --------------------------------------------------------------------------- SAME semantics
def test_same_max_pool_ignores_padding():
    # All values negative: a zero-padded max would give 0 on the edges.
    x = -1.0 - np.arange(16.0).reshape(1, 4, 4, 1)
    y = run(fg.nn.max_pool(x, 3, 2, "SAME"))
    np.testing.assert_array_equal(y[0, :, :, 0], [[-1.0, -3.0], [-9.0, -11.0]])


def test_same_avg_pool_divides_by_real_cells():
    y = run(fg.nn.avg_pool(np.ones((1, 5, 5, 2)), 3, 2, "SAME"))
    np.testing.assert_allclose(y, np.ones((1, 3, 3, 2)))
    sums = run(fg.nn.pool(np.ones((1, 5, 5, 1)), [3, 3], "SUM", "SAME", strides=[2, 2]))
    np.testing.assert_array_equal(sums[0, :, :, 0], [[4, 6, 4], [6, 9, 6], [4, 6, 4]])


def test_same_padding_puts_the_extra_cell_after():
    # 4 wide, window 2, stride 1: out 4, pad_total 1, all after: the last window is [3].
    y = run(fg.nn.avg_pool(np.arange(4.0).reshape(1, 1, 4, 1), [1, 2], 1, "SAME"))
    np.testing.assert_allclose(y.reshape(-1), [0.5, 1.5, 2.5, 3.0])


def test_integer_and_float16_max_pool():
    xi = np.array([[-5, 7], [3, -9]], np.int8).reshape(1, 2, 2, 1)
    assert run(fg.nn.max_pool(xi, 2, 2, "SAME")).reshape(-1).tolist() == [7]
    xh = X.astype(np.float16)
    y = run(fg.nn.max_pool(xh, 2, 1, "SAME"))
    assert y.dtype == np.float16
    np.testing.assert_array_equal(y, loop_pool(xh, [2, 2], [1, 1], "SAME", "max"))


# --------------------------------------------------------------------------- pool()
def test_pool_min_and_sum_and_dilation():
    got = run([fg.nn.pool(X, [2, 3], "MIN", "SAME", strides=[2, 2]),
               fg.nn.pool(X, [2, 2], "MAX", "VALID", dilation_rate=[2, 2]),
               fg.nn.pool(X, [2, 2], "AVG", "VALID", dilations=[1, 3])])
    np.testing.assert_array_equal(got[0], loop_pool(X, [2, 3], [2, 2], "SAME", "min"))
    np.testing.assert_array_equal(got[1], loop_pool(X, [2, 2], [1, 1], "VALID", "max",
                                                    [2, 2]))
    np.testing.assert_allclose(got[2], loop_pool(X, [2, 2], [1, 1], "VALID", "avg", [1, 3]))


def test_pool_1d_and_3d_and_nc_formats():
    x1 = X[:, 0]
    y1 = fg.nn.pool(x1, [3], "MAX", "SAME", strides=[2])
    assert y1.shape.as_list() == [2, 3, 3]
    np.testing.assert_array_equal(run(y1), loop_pool(x1, [3], [2], "SAME", "max"))
    y1c = fg.nn.pool(np.transpose(x1, (0, 2, 1)), [3], "AVG", "SAME", data_format="NCW")
    np.testing.assert_allclose(run(y1c), np.transpose(
        loop_pool(x1, [3], [1], "SAME", "avg"), (0, 2, 1)))
    x3 = X.reshape(2, 5, 3, 2, 3)
    np.testing.assert_array_equal(run(fg.nn.pool(x3, [2, 2, 2], "MAX", "SAME")),
                                  loop_pool(x3, [2, 2, 2], [1, 1, 1], "SAME", "max"))


@pytest.mark.parametrize("kwargs, message", [
    (dict(window_shape=[2, 2], pooling_type="MAX", padding="SAME", dilation_rate=[2, 1]),
     "SAME padding is not implemented for dilation_rate > 1"),
    (dict(window_shape=[2, 2], pooling_type="MAX", padding="VALID", strides=[3, 1]),
     "strides > window_shape not supported"),
    (dict(window_shape=[2, 2], pooling_type="AVG", padding="VALID", strides=[2, 1],
          dilation_rate=[1, 2]), "strides > 1 not supported in conjunction with dilation"),
    (dict(window_shape=[2, 2], pooling_type="MEDIAN", padding="VALID"), "pooling_type"),
    (dict(window_shape=[2], pooling_type="MAX", padding="VALID"), "must have rank 3"),
    (dict(window_shape=[2, 2], pooling_type="MAX", padding="VALID", strides=[1]),
     "len\\(strides\\)=1 but should be 2"),
    (dict(window_shape=[2, 2, 2, 2], pooling_type="MAX", padding="VALID"),
     "1 <= num_spatial_dims <= 3"),
])
def test_pool_errors(kwargs, message):
    with pytest.raises(ValueError, match=message):
        fg.nn.pool(X, **kwargs)


def test_one_d_and_v2_variants():
    x1 = X[:, 0]
    want = loop_pool(x1, [2], [2], "VALID", "max")
    y = fg.nn.max_pool1d(x1, 2, 2, "VALID")
    assert y.name == "MaxPool1d/Squeeze:0"
    np.testing.assert_array_equal(run(y), want)
    np.testing.assert_allclose(run(fg.nn.avg_pool1d(x1, [3], [1], "SAME")),
                               loop_pool(x1, [3], [1], "SAME", "avg"))
    np.testing.assert_array_equal(run(fg.nn.max_pool_v2(x1, 2, 2, "VALID")), want)
    np.testing.assert_allclose(run(fg.nn.avg_pool_v2(X, 2, 2, "SAME")),
                               loop_pool(X, [2, 2], [2, 2], "SAME", "avg"))
    x3 = X.reshape(2, 5, 3, 2, 3)
    np.testing.assert_array_equal(run(fg.nn.max_pool_v2(x3, 2, 1, "VALID")),
                                  loop_pool(x3, [2, 2, 2], [1, 1, 1], "VALID", "max"))
    with pytest.raises(ValueError, match='"NWC" or "NCW"'):
        fg.nn.max_pool1d(x1, 2, 2, "VALID", data_format="NHWC")


def test_global_pooling_is_a_reduction():
    # Documented recipe: a whole-image window equals a mean over the spatial axes.
    got = run([fg.reduce_mean(X, axis=[1, 2]), fg.nn.avg_pool(X, [5, 6], 1, "VALID")])
    np.testing.assert_allclose(got[0], got[1][:, 0, 0, :])


# --------------------------------------------------------------------------- gradients
def test_max_pool_gradient_goes_to_the_first_maximum():
    x = fg.constant(np.array([[5.0, 5.0], [5.0, 1.0]]).reshape(1, 2, 2, 1))
    (g,) = fg.gradients(fg.nn.max_pool(x, 2, 2, "VALID"), x)
    assert run(g).reshape(-1).tolist() == [1.0, 0.0, 0.0, 0.0]


def test_max_pool_gradient_matches_a_loop_on_overlapping_windows():
    x = fg.constant(X)
    y = fg.nn.max_pool(x, 3, 2, "SAME")
    dy = np.random.default_rng(0).normal(size=(2, 3, 3, 3))
    (g,) = fg.gradients(y, x, grad_ys=dy)
    np.testing.assert_allclose(run(g), loop_max_grad(X, dy, [3, 3], [2, 2], "SAME"))


def test_pool_gradients_pass_the_numeric_check():
    x = fg.placeholder(fg.float64, [1, 4, 5, 2])
    for y in (fg.nn.avg_pool(x, 3, 2, "SAME"), fg.nn.pool(x, [2, 2], "MIN", "SAME"),
              fg.nn.pool(x, [2, 3], "SUM", "VALID", dilation_rate=[2, 1])):
        with fg.Session():
            err = fg.test.compute_gradient_error(
                x, [1, 4, 5, 2], y, y.shape.as_list(),
                x_init_value=np.random.default_rng(1).permutation(40) * 0.1)
        assert err < 1e-6


def test_max_pool_on_a_cnn_shape_is_fast():
    # The W5 benchmark's pooling: 64 x 28 x 28 x 32 -> 14 x 14, forward and backward.
    x = fg.placeholder(fg.float32, [64, 28, 28, 32])
    y = fg.nn.max_pool(x, 2, 2, "SAME")
    (g,) = fg.gradients(fg.reduce_sum(y), x)
    value = np.random.default_rng(0).normal(size=(64, 28, 28, 32)).astype(np.float32)
    with fg.Session() as sess:
        sess.run(g, {x: value})
        start = time.perf_counter()
        for _ in range(5):
            sess.run(g, {x: value})
        per_step = (time.perf_counter() - start) / 5
    assert per_step < 0.05, f"max_pool forward + backward took {per_step * 1e3:.1f} ms"
