"""Norm clipping: None entries, IndexedSlices, non-finite norms, gradients through them."""

import numpy as np
import pytest

import flowgraph as fg


def run(*fetches, feed=None):
    with fg.Session() as sess:
        return sess.run(list(fetches), feed)


@pytest.fixture
def graph():
    g = fg.Graph()
    with g.as_default():
        yield g


def test_clip_by_norm_values(graph):
    t = fg.constant([[3.0, 4.0], [0.0, 0.0]])
    clipped, rows, zero = run(fg.clip_by_norm(t, 2.5), fg.clip_by_norm(t, 2.5, axes=[1]),
                              fg.clip_by_norm(fg.zeros([3]), 1.0))
    np.testing.assert_allclose(clipped, [[1.5, 2.0], [0.0, 0.0]], rtol=1e-6)
    np.testing.assert_allclose(rows, [[1.5, 2.0], [0.0, 0.0]], rtol=1e-6)
    np.testing.assert_array_equal(zero, [0.0, 0.0, 0.0])
    assert fg.clip_by_norm(t, 1.0, name="c").name == "c:0"


def test_clip_by_norm_of_indexed_slices(graph):
    s = fg.IndexedSlices(fg.constant([[6.0, 8.0]]), fg.constant([1]), fg.constant([3, 2]))
    c = fg.clip_by_norm(s, 5.0)
    assert isinstance(c, fg.IndexedSlices) and c.indices is s.indices
    np.testing.assert_allclose(run(c.values)[0], [[3.0, 4.0]], rtol=1e-6)


def test_global_norm_and_clip_by_global_norm(graph):
    a = fg.constant([3.0, 4.0])
    s = fg.IndexedSlices(fg.constant([[12.0]]), fg.constant([0]), fg.constant([2, 1]))
    norm = fg.global_norm([a, None, s])
    clipped, used = fg.clip_by_global_norm([a, None, s], 6.5)
    assert clipped[1] is None and isinstance(clipped[2], fg.IndexedSlices)
    got_norm, got_a, got_s, got_used = run(norm, clipped[0], clipped[2].values, used)
    assert got_norm == pytest.approx(13.0)
    assert got_used == pytest.approx(13.0)
    np.testing.assert_allclose(got_a, [1.5, 2.0], rtol=1e-6)
    np.testing.assert_allclose(got_s, [[6.0]], rtol=1e-6)
    inside, _ = fg.clip_by_global_norm([a], 100.0)
    np.testing.assert_allclose(run(inside[0])[0], [3.0, 4.0], rtol=1e-6)


def test_clip_by_global_norm_with_use_norm_and_infinite_norm(graph):
    a = fg.constant([1.0, 1.0])
    clipped, norm = fg.clip_by_global_norm([a], 1.0, use_norm=fg.constant(4.0))
    np.testing.assert_allclose(run(clipped[0])[0], [0.25, 0.25])
    inf = fg.constant([np.inf, 1.0])
    nan_clipped, _ = fg.clip_by_global_norm([inf, a], 1.0)
    assert np.isnan(run(nan_clipped[1])[0]).all()


def test_clip_lists_must_be_sequences(graph):
    with pytest.raises(TypeError, match="t_list should be a sequence"):
        fg.global_norm(fg.constant([1.0]))
    with pytest.raises(TypeError, match="t_list should be a sequence"):
        fg.clip_by_global_norm((t for t in [fg.constant(1.0)]), 1.0)


def test_clip_by_average_norm(graph):
    t = fg.constant([[1.0, 2.0], [2.0, 4.0]])  # norm 5, 4 elements: average norm 1.25
    np.testing.assert_allclose(run(fg.clip_by_average_norm(t, 1.0))[0],
                               [[0.8, 1.6], [1.6, 3.2]], rtol=1e-6)
    np.testing.assert_allclose(run(fg.clip_by_average_norm(t, 2.0))[0],
                               [[1.0, 2.0], [2.0, 4.0]], rtol=1e-6)


def test_gradients_flow_through_clip_by_global_norm(graph):
    x = fg.placeholder(fg.float64, [2])
    (clipped,), _ = fg.clip_by_global_norm([x], 1.0)
    (g,) = fg.gradients(fg.reduce_sum(clipped * fg.constant([1.0, 0.0], fg.float64)), [x])
    value = np.array([3.0, 4.0])
    got = run(g, feed={x: value})[0]
    # d/dx of x0 / |x| = (|x|^2 - x0^2) / |x|^3, -x0 x1 / |x|^3
    np.testing.assert_allclose(got, [16 / 125, -12 / 125], rtol=1e-9)


def test_optimizer_with_clipped_gradients(graph):
    w = fg.Variable([3.0, 4.0], name="w")
    loss = fg.reduce_sum(w * w) / 2.0  # gradient w, norm 5
    opt = fg.train.GradientDescentOptimizer(1.0)
    grads, variables = zip(*opt.compute_gradients(loss))
    clipped, _ = fg.clip_by_global_norm(list(grads), 1.0)
    train = opt.apply_gradients(zip(clipped, variables))
    with fg.Session() as sess:
        sess.run(fg.global_variables_initializer())
        sess.run(train)
        np.testing.assert_allclose(sess.run(w), [3.0 - 0.6, 4.0 - 0.8], rtol=1e-6)
