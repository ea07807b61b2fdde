"""fg.vectorized_map: map_fn semantics with the output structure taken from fn; values
checked against numpy loops, gradients against hand-derived ones."""

import numpy as np
import pytest

import flowgraph as fg

X = np.arange(6.0, dtype=np.float32).reshape(3, 2)


def test_values_structures_and_dtypes():
    with fg.Graph().as_default():
        x = fg.constant(X)
        y = fg.vectorized_map(lambda r: fg.reduce_sum(r * r), x)
        z = fg.vectorized_map(lambda r: (r[0], {"a": fg.cast(r[1], fg.int32)}), x)
        pair = fg.vectorized_map(lambda e: e[0] * fg.cast(e[1], fg.float32),
                                 (x, fg.constant([1, 2, 3])))
        assert y.shape.as_list() == [3] and y.dtype == fg.float32
        assert z[1]["a"].dtype == fg.int32
        with fg.Session() as sess:
            got_y, got_z, got_pair = sess.run([y, z, pair])
    np.testing.assert_allclose(got_y, (X * X).sum(axis=1))
    np.testing.assert_allclose(got_z[0], X[:, 0])
    np.testing.assert_array_equal(got_z[1]["a"], X[:, 1].astype(np.int32))
    np.testing.assert_allclose(got_pair, X * np.array([[1.0], [2.0], [3.0]]))


def test_unknown_batch_size_and_loop_invariant_output():
    with fg.Graph().as_default():
        x = fg.placeholder(fg.float32, [None, 2])
        c = fg.constant([10.0, 20.0])
        y = fg.vectorized_map(lambda r: (fg.matmul(r[None], [[1.0], [1.0]])[0], c), x)
        assert y[0].shape.as_list() == [None, 1]
        with fg.Session() as sess:
            a, b = sess.run(y, {x: X[:2]})
    np.testing.assert_allclose(a, X[:2].sum(axis=1, keepdims=True))
    np.testing.assert_allclose(b, [[10.0, 20.0], [10.0, 20.0]])


def test_fn_traced_once_variables_created_once():
    calls = []

    def fn(r):
        calls.append(1)
        v = fg.get_variable("scale", shape=[2], initializer=fg.constant_initializer([2.0, 3.0]))
        return r * v

    with fg.Graph().as_default():
        y = fg.vectorized_map(fn, fg.constant(X))
        assert len(calls) == 1
        assert [v.name for v in fg.global_variables()] == ["scale:0"]
        with fg.Session() as sess:
            sess.run(fg.global_variables_initializer())
            np.testing.assert_allclose(sess.run(y), X * [2.0, 3.0])


def test_gradients_through_captures_and_cond():
    with fg.Graph().as_default():
        x = fg.constant(X)
        w = fg.Variable([1.0, 2.0])
        y = fg.vectorized_map(lambda r: fg.reduce_sum(r * w), x)
        c = fg.vectorized_map(
            lambda r: fg.cond(r[0] > 1.0, lambda: r * 2.0, lambda: r - 1.0), x)
        gx, gw = fg.gradients(fg.reduce_sum(y) + fg.reduce_sum(c), [x, w])
        with fg.Session() as sess:
            sess.run(fg.global_variables_initializer())
            got_c, got_gx, got_gw = sess.run([c, gx, gw])
    big = X[:, :1] > 1.0
    np.testing.assert_allclose(got_c, np.where(big, X * 2.0, X - 1.0))
    # d/dx: w from y, plus 2 or 1 from the chosen branch of c.
    np.testing.assert_allclose(got_gx, np.array([1.0, 2.0]) + np.where(big, 2.0, 1.0))
    np.testing.assert_allclose(got_gw, X.sum(axis=0))


def test_errors():
    with fg.Graph().as_default():
        with pytest.raises(TypeError, match="fn must be callable"):
            fg.vectorized_map(3, fg.constant(X))
        with pytest.raises(ValueError, match="rank >= 1"):
            fg.vectorized_map(lambda r: r, fg.constant(1.0))
        with pytest.raises(ValueError, match="non-empty"):
            fg.vectorized_map(lambda r: r, [])
        with pytest.raises(ValueError, match="must return"):
            fg.vectorized_map(lambda r: None, fg.constant(X))
