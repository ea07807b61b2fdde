"""fg.test.compute_gradient / compute_gradient_error: TF1's gradient_checker semantics,
checked against hand-computed Jacobians."""

import numpy as np
import pytest

import flowgraph as fg


def test_square_gives_two_x_on_the_diagonal():
    x = fg.placeholder(fg.float64, [3])
    y = x * x
    x0 = np.array([0.5, -1.0, 2.0])
    with fg.Session():
        theoretical, numerical = fg.test.compute_gradient(x, [3], y, [3], x_init_value=x0)
    expected = np.diag([1.0, -2.0, 4.0])  # d(x_i^2)/dx_j = 2 x_i on the diagonal
    assert theoretical.shape == (3, 3) and numerical.shape == (3, 3)
    np.testing.assert_allclose(theoretical, expected, atol=1e-12)
    np.testing.assert_allclose(numerical, expected, atol=1e-8)


def test_jacobian_rows_are_x_and_columns_are_y():
    # y = x @ W with x [1, 2] and W [2, 3]: dy_j / dx_i = W[i, j], so J == W.
    w = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    x = fg.placeholder(fg.float64, [1, 2])
    y = fg.matmul(x, fg.constant(w))
    with fg.Session():
        theoretical, numerical = fg.test.compute_gradient(x, [1, 2], y, [1, 3])
    assert theoretical.shape == (2, 3)
    np.testing.assert_allclose(theoretical, w, atol=1e-12)
    np.testing.assert_allclose(numerical, w, atol=1e-8)


def test_list_of_xs_gives_one_pair_each():
    a = fg.placeholder(fg.float64, [2])
    b = fg.placeholder(fg.float64, [2])
    y = a * b
    av, bv = np.array([1.0, 2.0]), np.array([3.0, -4.0])
    with fg.Session():
        pairs = fg.test.compute_gradient([a, b], [[2], [2]], y, [2], x_init_value=[av, bv])
        error = fg.test.compute_gradient_error([a, b], [[2], [2]], y, [2],
                                               x_init_value=[av, bv])
    assert isinstance(pairs, list) and len(pairs) == 2
    np.testing.assert_allclose(pairs[0][0], np.diag(bv), atol=1e-12)  # d(ab)/da = b
    np.testing.assert_allclose(pairs[1][0], np.diag(av), atol=1e-12)  # d(ab)/db = a
    np.testing.assert_allclose(pairs[1][1], np.diag(av), atol=1e-8)
    assert error < 1e-8


def test_default_init_is_numpy_global_uniform_and_jacobian_dtype_follows_x():
    x = fg.placeholder(fg.float32, [2, 2])
    y = fg.reduce_sum(x * x)
    np.random.seed(7)
    expected_x = np.random.random_sample((2, 2)).astype(np.float32)
    np.random.seed(7)
    with fg.Session():
        theoretical, numerical = fg.test.compute_gradient(x, [2, 2], y, [])
    assert theoretical.dtype == np.float32 and numerical.dtype == np.float32
    assert theoretical.shape == (4, 1)
    np.testing.assert_allclose(theoretical[:, 0], 2 * expected_x.reshape(-1), rtol=1e-6)
    np.testing.assert_allclose(numerical[:, 0], 2 * expected_x.reshape(-1), atol=2e-2)


def test_a_wrong_gradient_is_caught():
    @fg.custom_gradient
    def square_with_wrong_grad(x):
        def grad(dy):
            return dy * 3.0  # the true gradient is 2x
        return x * x, grad

    x = fg.placeholder(fg.float64, [2])
    y = square_with_wrong_grad(x)
    with fg.Session():
        error = fg.test.compute_gradient_error(x, [2], y, [2],
                                               x_init_value=np.array([1.0, 2.0]))
    # Largest |3 - 2x| over x = 1, 2: |3 - 2| = 1 and |3 - 4| = 1.
    assert error == pytest.approx(1.0, abs=1e-6)


def test_variables_with_init_targets_and_extra_feed_dict():
    v = fg.Variable([1.0, 2.0], dtype=fg.float64)
    scale = fg.placeholder(fg.float64, [])
    y = v * scale
    with fg.Session():
        theoretical, numerical = fg.test.compute_gradient(
            v, [2], y, [2], x_init_value=np.array([1.0, 2.0]),
            init_targets=[fg.global_variables_initializer()], extra_feed_dict={scale: 5.0})
    np.testing.assert_allclose(theoretical, 5.0 * np.eye(2), atol=1e-12)
    np.testing.assert_allclose(numerical, 5.0 * np.eye(2), atol=1e-8)


def test_unconnected_x_gives_a_zero_jacobian():
    x = fg.placeholder(fg.float64, [2])
    z = fg.placeholder(fg.float64, [2])
    y = z * 2.0
    with fg.Session():
        theoretical, numerical = fg.test.compute_gradient(
            x, [2], y, [2], extra_feed_dict={z: np.ones(2)})
    assert not theoretical.any() and not numerical.any()


def test_errors_teach():
    x = fg.placeholder(fg.float64, [2])
    y = x * 2.0
    with pytest.raises(ValueError, match="default session"):
        fg.test.compute_gradient(x, [2], y, [2])
    with fg.Session():
        with pytest.raises(ValueError, match="x_shape"):
            fg.test.compute_gradient(x, [2], y, [2], x_init_value=np.ones(3))
        i = fg.placeholder(fg.int32, [2])
        with pytest.raises(TypeError, match="int32"):
            fg.test.compute_gradient(i, [2], fg.cast(i, fg.float32), [2])
