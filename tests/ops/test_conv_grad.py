"""Second-order gradients through the convolutions (TF1's gradients of Conv2DBackpropInput,
Conv2DBackpropFilter and the depthwise backprops), against hand-derived Jacobians built
from the nested-loop references of cases/conv.py."""

import numpy as np

import flowgraph as fg
from tests.ops.cases.conv import (
    rand,
    ref_conv2d,
    ref_conv2d_backprop_input,
    ref_depthwise,
)


def jacobian(fn, shape):
    """The matrix of the linear map `fn` from arrays of `shape`, one basis vector a column."""
    size = int(np.prod(shape))
    columns = []
    for i in range(size):
        basis = np.zeros(size)
        basis[i] = 1.0
        columns.append(np.ravel(fn(basis.reshape(shape))))
    return np.stack(columns, axis=1)


def test_hessian_of_squared_conv2d_output_is_jt_j():
    # f(x) = 0.5 * |conv(x, w)|^2 is quadratic in x: its Hessian is J^T J, where J is the
    # convolution's matrix. fg.hessians differentiates Conv2DBackpropInput once more.
    w = rand((2, 2, 2, 3), 1)
    x_shape = (1, 3, 3, 2)
    j = jacobian(lambda x: ref_conv2d(x, w, (2, 2), "SAME"), x_shape)
    with fg.Graph().as_default():
        x = fg.placeholder(fg.float64, x_shape)
        y = fg.nn.conv2d(x, w, 2, "SAME")
        (h,) = fg.hessians(0.5 * fg.reduce_sum(y * y), x)
        with fg.Session() as sess:
            got = sess.run(h, {x: rand(x_shape, 2)})
    np.testing.assert_allclose(got.reshape(j.shape[1], -1), j.T @ j, rtol=1e-10, atol=1e-12)


def test_hessian_for_the_filter_goes_through_backprop_filter():
    x = rand((2, 4, 3, 2), 3)
    w_shape = (2, 2, 2, 2)
    j = jacobian(lambda w: ref_conv2d(x, w, (1, 1), "SAME"), w_shape)
    with fg.Graph().as_default():
        w = fg.placeholder(fg.float64, w_shape)
        y = fg.nn.conv2d(x, w, 1, "SAME")
        (h,) = fg.hessians(0.5 * fg.reduce_sum(y * y), w)
        with fg.Session() as sess:
            got = sess.run(h, {w: rand(w_shape, 4)})
    np.testing.assert_allclose(got.reshape(j.shape[1], -1), j.T @ j, rtol=1e-10, atol=1e-12)


def test_mixed_second_derivative_of_input_gradient_for_the_filter():
    # S(w) = sum(v * d/dx [0.5 |conv(x, w)|^2]) = sum(v * J_w^T J_w x): a quadratic in w,
    # so central differences of the numpy reference are exact up to rounding.
    x, v = rand((1, 5, 4, 2), 5), rand((1, 5, 4, 2), 6)
    w0 = rand((3, 2, 2, 2), 7)
    strides, padding = (2, 1), "SAME"

    def s(w):
        y = ref_conv2d(x, w, strides, padding)
        return np.sum(v * ref_conv2d_backprop_input(x.shape, w, y, strides, padding))

    numeric = np.zeros(w0.shape)
    for i in range(w0.size):
        step = np.zeros(w0.size)
        step[i] = 1e-4
        step = step.reshape(w0.shape)
        numeric.reshape(-1)[i] = (s(w0 + step) - s(w0 - step)) / 2e-4
    with fg.Graph().as_default():
        xp = fg.placeholder(fg.float64, x.shape)
        w = fg.placeholder(fg.float64, w0.shape)
        y = fg.nn.conv2d(xp, w, [1, *strides, 1], padding)
        (gx,) = fg.gradients(0.5 * fg.reduce_sum(y * y), xp)
        (gw,) = fg.gradients(fg.reduce_sum(gx * v), w)
        types = {op.type for op in xp.graph.get_operations()}
        with fg.Session() as sess:
            got = sess.run(gw, {xp: x, w: w0})
    assert {"Conv2DBackpropInput", "Conv2DBackpropFilter"} <= types
    np.testing.assert_allclose(got, numeric, rtol=1e-7, atol=1e-9)


def test_hessian_of_squared_depthwise_output_for_the_filter():
    x = rand((1, 4, 4, 2), 8)
    w_shape = (2, 2, 2, 2)
    j = jacobian(lambda w: ref_depthwise(x, w, (2, 2), "SAME"), w_shape)
    with fg.Graph().as_default():
        w = fg.placeholder(fg.float64, w_shape)
        y = fg.nn.depthwise_conv2d(x, w, [1, 2, 2, 1], "SAME")
        (h,) = fg.hessians(0.5 * fg.reduce_sum(y * y), w)
        with fg.Session() as sess:
            got = sess.run(h, {w: rand(w_shape, 9)})
    np.testing.assert_allclose(got.reshape(j.shape[1], -1), j.T @ j, rtol=1e-10, atol=1e-12)


def test_second_derivative_of_conv2d_transpose_for_its_input():
    # conv2d_transpose is linear in its input: d^2/du^2 of 0.5 |t(u)|^2 is T^T T.
    w = rand((3, 3, 2, 3), 10)
    u_shape = (1, 2, 2, 3)
    t_mat = jacobian(lambda u: ref_conv2d_backprop_input((1, 4, 4, 2), w, u, (2, 2), "SAME"),
                     u_shape)
    with fg.Graph().as_default():
        u = fg.placeholder(fg.float64, u_shape)
        t = fg.nn.conv2d_transpose(u, w, [1, 4, 4, 2], [1, 2, 2, 1], "SAME")
        (h,) = fg.hessians(0.5 * fg.reduce_sum(t * t), u)
        with fg.Session() as sess:
            got = sess.run(h, {u: rand(u_shape, 11)})
    np.testing.assert_allclose(got.reshape(t_mat.shape[1], -1), t_mat.T @ t_mat, rtol=1e-10,
                               atol=1e-12)
