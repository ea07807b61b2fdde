"""fg.gradients: paths, summing, unconnected inputs, stop_gradient, errors, second order."""

import numpy as np
import pytest

import flowgraph as fg


def _run(fetches, feeds=None):
    with fg.Session() as sess:
        return sess.run(fetches, feeds)


def test_contributions_from_several_paths_are_summed():
    x = fg.constant(3.0)
    y = x * x + 2.0 * x  # dy/dx = 2x + 2 = 8
    (g,) = fg.gradients(y, [x])
    assert _run(g) == pytest.approx(8.0)


def test_unconnected_input_gets_none_or_zeros():
    x = fg.constant([1.0, 2.0])
    z = fg.constant([5.0, 6.0])
    y = fg.reduce_sum(x * 2.0)
    assert fg.gradients(y, [z]) == [None]
    (zero,) = fg.gradients(y, [z], unconnected_gradients="zero")
    np.testing.assert_array_equal(_run(zero), [0.0, 0.0])


def test_gradient_nodes_live_under_the_gradients_scope():
    x = fg.constant(2.0)
    (g,) = fg.gradients(fg.square(x), [x])
    assert g.name.startswith("gradients/")
    (g2,) = fg.gradients(fg.square(x), [x])
    assert g2.name.startswith("gradients_1/")


def test_grad_ys_weights_the_outputs():
    x = fg.constant([1.0, 2.0])
    (g,) = fg.gradients(x * 3.0, [x], grad_ys=[fg.constant([1.0, 10.0])])
    np.testing.assert_allclose(_run(g), [3.0, 30.0])


def test_stop_gradient_blocks_a_path():
    x = fg.constant(3.0)
    y = x * fg.stop_gradient(x)  # only the first factor is differentiated: d/dx = 3
    (g,) = fg.gradients(y, [x])
    assert _run(g) == pytest.approx(3.0)


def test_stop_gradients_argument_treats_tensors_as_constants():
    x = fg.constant(2.0)
    a = x * x
    y = a * x  # with a held constant: dy/dx = a = 4
    (g,) = fg.gradients(y, [x], stop_gradients=[a])
    assert _run(g) == pytest.approx(4.0)


def test_stop_gradient_before_a_non_differentiable_op_is_allowed():
    x = fg.constant([1.0, 2.0, 3.0])
    y = fg.reduce_sum(fg.random_shuffle(fg.stop_gradient(x)) + x)
    (g,) = fg.gradients(y, [x])
    np.testing.assert_array_equal(_run(g), [1.0, 1.0, 1.0])


def test_gradient_through_non_differentiable_op_names_it_and_suggests_stop_gradient():
    x = fg.constant([1.0, 2.0, 3.0])
    y = fg.reduce_sum(fg.random_shuffle(x) * x)
    with pytest.raises(LookupError) as info:
        fg.gradients(y, [x])
    message = str(info.value)
    assert "RandomShuffle" in message and "stop_gradient" in message
    assert "test_gradients.py" in message


def test_variable_gradient_flows_through_every_read():
    v = fg.Variable(2.0, name="v")
    y = v.value() * 3.0 + v.read_value() * v.read_value()  # 3 + 2v = 7
    (g,) = fg.gradients(y, [v])
    with fg.Session() as sess:
        sess.run(v.initializer)
        assert sess.run(g) == pytest.approx(7.0)


def test_second_order_gradient_of_a_cubic():
    x = fg.placeholder(fg.float64, [])
    y = x * x * x
    (dy,) = fg.gradients(y, [x])
    (d2y,) = fg.gradients(dy, [x])
    first, second = _run([dy, d2y], {x: 2.0})
    assert first == pytest.approx(12.0) and second == pytest.approx(12.0)


def test_hessian_of_a_quadratic_form():
    a = np.array([[2.0, 1.0], [1.0, 3.0]])
    x = fg.placeholder(fg.float64, [2])
    y = 0.5 * fg.reduce_sum(x * fg.reshape(fg.matmul(fg.constant(a), fg.reshape(x, [2, 1])),
                                           [2]))
    (h,) = fg.hessians(y, [x])
    np.testing.assert_allclose(_run(h, {x: [0.3, -0.7]}), a, atol=1e-12)


def test_gather_gives_indexed_slices_that_densify():
    params = fg.constant([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    y = fg.reduce_sum(fg.gather(params, [2, 0, 2]))
    (g,) = fg.gradients(y, [params])
    assert isinstance(g, fg.IndexedSlices)
    np.testing.assert_array_equal(_run(fg.convert_to_tensor(g)),
                                  [[1.0, 1.0], [0.0, 0.0], [2.0, 2.0]])


def test_compute_gradient_error_is_small_for_a_smooth_function():
    x = fg.placeholder(fg.float64, [3])
    y = fg.tanh(x) * x
    with fg.Session():
        error = fg.test.compute_gradient_error(x, [3], y, [3], delta=1e-6)
        theoretical, numerical = fg.test.compute_gradient(x, [3], y, [3], delta=1e-6)
    assert error < 1e-8
    assert theoretical.shape == (3, 3) and numerical.shape == (3, 3)
    # the Jacobian of an elementwise function is diagonal
    assert np.count_nonzero(np.abs(theoretical) > 1e-12) == 3


def test_gradients_of_a_graph_that_is_not_the_default():
    graph = fg.Graph()
    with graph.as_default():
        x = fg.placeholder(fg.float32, [2])
        y = fg.reduce_sum(x * 2.0 + 1.0)
    (g,) = fg.gradients(y, [x])  # outside the block: nodes still go into `graph`
    assert g.graph is graph
    with fg.Session(graph=graph) as sess:
        np.testing.assert_allclose(sess.run(g, {x: [1.0, 2.0]}), [2.0, 2.0])
