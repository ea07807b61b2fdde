"""Gradient rules of the elementwise math ops: TF1 conventions, second derivatives, graph
size on the training path, and sparse (IndexedSlices) gradients.

Expected values are derived by hand (or with numpy written here).
"""

import numpy as np
import pytest

import flowgraph as fg
from flowgraph.indexed_slices import IndexedSlicesValue


def _run(fetches, feeds=None):
    with fg.Session() as sess:
        return sess.run(fetches, feeds or {})


def _grad_value(y, x, feed, grad_ys=None):
    (g,) = fg.gradients(y, [x], grad_ys=grad_ys)
    return _run(g, feed)


def _second(f, x_value):
    """The elementwise second derivative of sum(f(x)) at x_value."""
    with fg.Graph().as_default():
        x = fg.placeholder(fg.float64, np.shape(x_value))
        (g,) = fg.gradients(f(x), [x])
        (h,) = fg.gradients(g, [x])
        return _run([g, h], {x: x_value})


X = np.array([-1.5, -0.25, 0.5, 2.0])
POS = np.array([0.25, 1.0, 2.25, 4.0])


# --------------------------------------------------------------------------- second order
@pytest.mark.parametrize("f, first, second", [
    (fg.tanh, lambda x: 1 - np.tanh(x) ** 2,
     lambda x: -2 * np.tanh(x) * (1 - np.tanh(x) ** 2)),
    (fg.sigmoid, lambda x: (s := 1 / (1 + np.exp(-x))) * (1 - s),
     lambda x: (s := 1 / (1 + np.exp(-x))) * (1 - s) * (1 - 2 * s)),
    (fg.sin, np.cos, lambda x: -np.sin(x)),
    (fg.cos, lambda x: -np.sin(x), lambda x: -np.cos(x)),
    (fg.exp, np.exp, np.exp),
    (fg.square, lambda x: 2 * x, lambda x: 2 + 0 * x),
    (lambda x: x ** 3, lambda x: 3 * x ** 2, lambda x: 6 * x),
    (lambda x: x * x * x, lambda x: 3 * x ** 2, lambda x: 6 * x),
    (fg.atan, lambda x: 1 / (1 + x * x), lambda x: -2 * x / (1 + x * x) ** 2),
    (lambda x: x / (x * x + 1), lambda x: (1 - x * x) / (x * x + 1) ** 2,
     lambda x: 2 * x * (x * x - 3) / (x * x + 1) ** 3),
], ids=["tanh", "sigmoid", "sin", "cos", "exp", "square", "pow3", "mul3", "atan", "div"])
def test_second_derivatives(f, first, second):
    g, h = _second(f, X)
    np.testing.assert_allclose(g, first(X), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(h, second(X), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("f, first, second", [
    (fg.sqrt, lambda x: 0.5 / np.sqrt(x), lambda x: -0.25 * x ** -1.5),
    (fg.rsqrt, lambda x: -0.5 * x ** -1.5, lambda x: 0.75 * x ** -2.5),
    (fg.reciprocal, lambda x: -1 / x ** 2, lambda x: 2 / x ** 3),
    (fg.log, lambda x: 1 / x, lambda x: -1 / x ** 2),
    (fg.log1p, lambda x: 1 / (1 + x), lambda x: -1 / (1 + x) ** 2),
    (fg.asin, lambda x: 1 / np.sqrt(1 - x * x), lambda x: x * (1 - x * x) ** -1.5),
], ids=["sqrt", "rsqrt", "reciprocal", "log", "log1p", "asin"])
def test_second_derivatives_positive(f, first, second):
    x = POS / 5  # inside (0, 1), for asin too
    g, h = _second(f, x)
    np.testing.assert_allclose(g, first(x), rtol=1e-12)
    np.testing.assert_allclose(h, second(x), rtol=1e-12)


def test_hessian_of_a_product_and_power():
    with fg.Graph().as_default():
        x = fg.placeholder(fg.float64, [2])
        # f = x0**2 * x1 + x1**3  ->  H = [[2 x1, 2 x0], [2 x0, 6 x1]]
        f = fg.square(x[0]) * x[1] + fg.pow(x[1], 3.0)
        (h,) = fg.hessians(f, x)
        value = _run(h, {x: [1.5, -2.0]})
    np.testing.assert_allclose(value, [[-4.0, 3.0], [3.0, -12.0]], rtol=1e-12)


def test_fused_gradient_ops_differentiate_both_inputs():
    # d/dy [TanhGrad(y, dy)] = -2 y dy and d/d(dy) = 1 - y**2, summed with weights g.
    with fg.Graph().as_default():
        x = fg.placeholder(fg.float64, [3])
        dy = fg.placeholder(fg.float64, [3])
        y = fg.tanh(x)
        (gx,) = fg.gradients(y, [x], grad_ys=dy)
        assert gx.op.type == "TanhGrad"
        d_x, d_dy = fg.gradients(gx, [x, dy])
        xv, dyv = np.array([0.3, -1.2, 2.0]), np.array([1.0, -0.5, 2.0])
        got_x, got_dy = _run([d_x, d_dy], {x: xv, dy: dyv})
    t = np.tanh(xv)
    np.testing.assert_allclose(got_dy, 1 - t * t, rtol=1e-12)
    np.testing.assert_allclose(got_x, -2 * t * dyv * (1 - t * t), rtol=1e-12)


def test_floormod_gradients_and_their_derivatives():
    # x % y = x - floor(x / y) y: gradients (1, -floor(x / y)); the floor is piecewise
    # constant, so differentiating the gradients again raises no error and gives zeros.
    with fg.Graph().as_default():
        x = fg.placeholder(fg.float64, [4])
        y = fg.placeholder(fg.float64, [])
        gx, gy = fg.gradients(fg.floormod(x, y), [x, y])
        second = fg.gradients(gy, [x, y], unconnected_gradients="zero")
        values = _run([gx, gy] + second, {x: X, y: 0.75})
    np.testing.assert_array_equal(values[0], np.ones(4))
    np.testing.assert_array_equal(values[1], -np.sum(np.floor(X / 0.75)))
    np.testing.assert_array_equal(values[2], np.zeros(4))
    assert values[3] == 0.0


def test_cumprod_second_derivative():
    # cumprod([a, b]) = [a, a b]: sum -> a + a b; d/da = 1 + b, d/db = a;
    # the Hessian is [[0, 1], [1, 0]].
    with fg.Graph().as_default():
        x = fg.placeholder(fg.float64, [2])
        (h,) = fg.hessians(fg.cumprod(x), x)
        value = _run(h, {x: [2.0, 3.0]})
    np.testing.assert_allclose(value, [[0.0, 1.0], [1.0, 0.0]], atol=1e-12)


# --------------------------------------------------------------------------- TF1 conventions
def test_maximum_and_minimum_give_ties_to_x():
    with fg.Graph().as_default():
        x = fg.constant([1.0, 2.0, 3.0])
        y = fg.constant([1.0, 5.0, 0.0])
        gmax = fg.gradients(fg.maximum(x, y), [x, y])
        gmin = fg.gradients(fg.minimum(x, y), [x, y])
        (mx, my), (nx, ny) = _run([gmax, gmin])
    np.testing.assert_array_equal(mx, [1.0, 0.0, 1.0])
    np.testing.assert_array_equal(my, [0.0, 1.0, 0.0])
    np.testing.assert_array_equal(nx, [1.0, 1.0, 0.0])
    np.testing.assert_array_equal(ny, [0.0, 0.0, 1.0])


def test_pow_exponent_gradient_is_zero_where_base_is_not_positive():
    with fg.Graph().as_default():
        x = fg.constant([-2.0, 0.0, 3.0])
        y = fg.constant(2.0)
        gx, gy = _run(fg.gradients(fg.pow(x, y), [x, y]))
    np.testing.assert_allclose(gx, [-4.0, 0.0, 6.0])
    np.testing.assert_allclose(gy, 9.0 * np.log(3.0))  # only x = 3 contributes
    assert np.isfinite(gy)


def test_abs_and_sign_at_zero():
    with fg.Graph().as_default():
        x = fg.constant([-2.0, 0.0, 3.0])
        g_abs, g_sign = _run([fg.gradients(fg.abs(x), x)[0], fg.gradients(fg.sign(x), x)[0]])
    np.testing.assert_array_equal(g_abs, [-1.0, 0.0, 1.0])
    np.testing.assert_array_equal(g_sign, [0.0, 0.0, 0.0])


def test_div_no_nan_gradient_is_zero_where_y_is_zero():
    with fg.Graph().as_default():
        x = fg.constant([3.0, 3.0])
        y = fg.constant([2.0, 0.0])
        gx, gy = _run(fg.gradients(fg.div_no_nan(x, y), [x, y]))
    np.testing.assert_allclose(gx, [0.5, 0.0])
    np.testing.assert_allclose(gy, [-0.75, 0.0])


def test_clip_by_value_passes_the_gradient_to_the_crossed_bound():
    with fg.Graph().as_default():
        t = fg.constant([[-3.0, 0.5], [2.0, 9.0]])
        low = fg.constant([-1.0, 0.0])
        high = fg.constant(1.5)
        gt, glow, ghigh = _run(fg.gradients(fg.clip_by_value(t, low, high), [t, low, high]))
    np.testing.assert_array_equal(gt, [[0.0, 1.0], [0.0, 0.0]])
    np.testing.assert_array_equal(glow, [1.0, 0.0])  # summed back to low's shape
    assert ghigh.shape == () and ghigh == 2.0


def test_select_gradients():
    with fg.Graph().as_default():
        c = fg.constant([True, False])
        x = fg.constant([[1.0, 2.0], [3.0, 4.0]])
        y = fg.constant([[5.0, 6.0], [7.0, 8.0]])
        w = fg.constant([[1.0, 2.0], [3.0, 4.0]])
        gx, gy = _run(fg.gradients(fg.where(c, x, y), [x, y], grad_ys=w))
        gc = fg.gradients(fg.where(c, x, y), [c])
    np.testing.assert_array_equal(gx, [[1.0, 2.0], [0.0, 0.0]])
    np.testing.assert_array_equal(gy, [[0.0, 0.0], [3.0, 4.0]])
    assert gc == [None]


def test_select_v2_gradient_sums_broadcast_branches():
    with fg.Graph().as_default():
        c = fg.constant([[True], [False]])
        x = fg.constant([1.0, 2.0, 3.0])
        y = fg.constant(0.0)
        gx, gy = _run(fg.gradients(fg.where_v2(c, x, y), [x, y]))
    np.testing.assert_array_equal(gx, [1.0, 1.0, 1.0])
    assert gy == 3.0


def test_cumsum_gradient_honours_exclusive_and_reverse():
    w = np.array([1.0, 10.0, 100.0])
    expected = {  # d sum(w * cumsum(x)) / dx
        (False, False): [111.0, 110.0, 100.0],
        (True, False): [110.0, 100.0, 0.0],
        (False, True): [1.0, 11.0, 111.0],
        (True, True): [0.0, 1.0, 11.0],
    }
    for (exclusive, reverse), want in expected.items():
        with fg.Graph().as_default():
            x = fg.placeholder(fg.float64, [3])
            y = fg.cumsum(x, exclusive=exclusive, reverse=reverse)
            got = _grad_value(y, x, {x: [1.0, 2.0, 3.0]}, grad_ys=fg.constant(w))
        np.testing.assert_array_equal(got, want, err_msg=f"{exclusive=} {reverse=}")


def test_cast_gradient_between_floats_and_none_through_integers():
    with fg.Graph().as_default():
        x = fg.placeholder(fg.float64, [2])
        g = fg.gradients(fg.cast(x, fg.float32) * 2.0, x)[0]
        assert g.dtype == fg.float64
        np.testing.assert_array_equal(_run(g, {x: [1.0, 2.0]}), [2.0, 2.0])
        through_int = fg.cast(fg.cast(x, fg.int32), fg.float32)
        assert fg.gradients(through_int, x) == [None]


def test_no_gradient_for_integer_inputs_of_truediv():
    with fg.Graph().as_default():
        i = fg.constant([1, 2], fg.int32)
        assert fg.gradients(i / 2, i) == [None]


@pytest.mark.parametrize("build", [
    lambda x: fg.floordiv(x, 2.0),
    lambda x: fg.truncatediv(x, 2.0),
    lambda x: fg.truncatemod(x, 2.0),
    fg.round, fg.floor, fg.ceil,
], ids=["floordiv", "truncatediv", "truncatemod", "round", "floor", "ceil"])
def test_non_differentiable_ops_suggest_stop_gradient(build):
    with fg.Graph().as_default():
        x = fg.placeholder(fg.float32, [2])
        with pytest.raises(LookupError, match="stop_gradient"):
            fg.gradients(build(x) * x, x)
        # Wrapped in stop_gradient, only the other path contributes.
        (g,) = fg.gradients(fg.stop_gradient(build(x)) + x, x)
        np.testing.assert_array_equal(_run(g, {x: [0.5, 3.5]}), [1.0, 1.0])


# --------------------------------------------------------------------------- graph size
def _ops_added(build_grad):
    graph = fg.Graph()
    with graph.as_default():
        x = fg.placeholder(fg.float32, [4, 3])
        y = fg.placeholder(fg.float32, [4, 3])
        dz = fg.placeholder(fg.float32, [4, 3])
        out = build_grad(x, y)
        before = {op.name for op in graph.get_operations()}
        grads = fg.gradients(out, [x, y], grad_ys=dz)
        added = [op for op in graph.get_operations() if op.name not in before]
    return grads, dz, added


def test_add_and_sub_of_equal_shapes_add_at_most_a_negation():
    (gx, gy), dz, added = _ops_added(fg.add)
    assert gx is dz and gy is dz and added == []
    (gx, gy), dz, added = _ops_added(fg.subtract)
    assert gx is dz and [op.type for op in added] == ["Neg"]


def test_mul_gradient_is_two_multiplications():
    _, _, added = _ops_added(fg.multiply)
    assert sorted(op.type for op in added) == ["Mul", "Mul"]


@pytest.mark.parametrize("build, fused", [
    (fg.tanh, "TanhGrad"), (fg.sigmoid, "SigmoidGrad"), (fg.sqrt, "SqrtGrad"),
    (fg.rsqrt, "RsqrtGrad"), (fg.reciprocal, "ReciprocalGrad")])
def test_gradient_is_one_fused_op_of_the_output(build, fused):
    (gx, _), _, added = _ops_added(lambda x, y: build(x) + y)
    assert [op.type for op in added] == [fused]
    assert gx.op.inputs[0].op.type == fused[:-len("Grad")]  # the op's own output


def test_broadcast_gradient_is_summed_once():
    with fg.Graph().as_default():
        x = fg.placeholder(fg.float32, [4, 3])
        b = fg.placeholder(fg.float32, [3])
        gx, gb = fg.gradients(x + b, [x, b])
        assert gx.op.type == "OnesLike" or gx.op.type in ("Const", "Fill")
        assert gb.op.type == "SumToShape" and gb.shape.as_list() == [3]
        value = _run(gb, {x: np.zeros((4, 3)), b: np.zeros(3)})
    np.testing.assert_array_equal(value, [4.0, 4.0, 4.0])


# --------------------------------------------------------------------------- sparse
def _embedding_grad(combine, dense_shape_of_b):
    with fg.Graph().as_default():
        w = fg.placeholder(fg.float64, [4, 2])
        b = fg.placeholder(fg.float64, dense_shape_of_b)
        rows = fg.gather(combine(w, b), [3, 1, 3])
        gw, gb = fg.gradients(rows, [w, b])
        feeds = {w: np.arange(8.0).reshape(4, 2), b: np.ones(dense_shape_of_b)}
        return gw, _run([gw, gb], feeds)


def test_sparse_gradient_stays_sparse_through_same_shape_add_and_neg():
    gw, (gw_value, gb_value) = _embedding_grad(lambda w, b: -(w + b), [4, 2])
    assert isinstance(gw, fg.IndexedSlices)
    assert isinstance(gw_value, IndexedSlicesValue)
    dense = np.zeros((4, 2))
    np.add.at(dense, np.asarray(gw_value.indices), np.asarray(gw_value.values))
    np.testing.assert_array_equal(dense, [[0, 0], [-1, -1], [0, 0], [-2, -2]])


def test_sparse_gradient_is_densified_through_a_broadcasting_add():
    gw, (gw_value, gb_value) = _embedding_grad(lambda w, b: w + b, [2])
    assert isinstance(gw, fg.Tensor)
    np.testing.assert_array_equal(gw_value, [[0, 0], [1, 1], [0, 0], [2, 2]])
    np.testing.assert_array_equal(gb_value, [3.0, 3.0])


def test_cast_keeps_a_sparse_gradient_sparse():
    with fg.Graph().as_default():
        w = fg.placeholder(fg.float64, [3, 2])
        rows = fg.gather(fg.cast(w, fg.float32), [2])
        (gw,) = fg.gradients(rows, [w])
        assert isinstance(gw, fg.IndexedSlices) and gw.dtype == fg.float64
        value = _run(fg.convert_to_tensor(gw), {w: np.ones((3, 2))})
    np.testing.assert_array_equal(value, [[0, 0], [0, 0], [1, 1]])


def test_fused_gradient_op_checks_its_inputs():
    from flowgraph.ops.registry import apply_op
    from flowgraph.ops.trig import TanhGrad
    with fg.Graph().as_default():
        y32 = fg.placeholder(fg.float32, [3])
        with pytest.raises(TypeError, match="one dtype"):
            apply_op(TanhGrad(), [y32, fg.placeholder(fg.float64, [3])])
        with pytest.raises(ValueError, match="one shape"):
            apply_op(TanhGrad(), [y32, fg.placeholder(fg.float32, [4])])
        with pytest.raises(TypeError, match="floating"):
            apply_op(TanhGrad(), [fg.placeholder(fg.int32, [3])] * 2)
