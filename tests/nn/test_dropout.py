"""TF1 behaviours of `fg.nn.dropout`: the keep_prob / rate arguments and their errors, the
1 / keep_prob scaling, keep statistics, noise_shape broadcasting, seeded reproducibility,
gradients and shapes."""

import numpy as np
import pytest

import flowgraph as fg

X = np.arange(1.0, 10001.0).reshape(100, 100).astype(np.float32)


def run(fetches, feed_dict=None):
    with fg.Session() as sess:
        return sess.run(fetches, feed_dict)


# --------------------------------------------------------------------------- scaling, stats
@pytest.mark.parametrize("kwargs, keep", [
    (dict(keep_prob=0.8), 0.8), (dict(rate=0.3), 0.7), (dict(rate=0.9), 0.1),
])
def test_kept_values_are_scaled_and_about_keep_prob_of_them_kept(kwargs, keep):
    y = run(fg.nn.dropout(X, seed=1, **kwargs))
    kept = y != 0
    np.testing.assert_allclose(y[kept], X[kept] / np.float32(keep), rtol=1e-6)
    # 10,000 Bernoulli draws: the kept fraction is within 5 standard deviations.
    assert abs(kept.mean() - keep) < 5 * np.sqrt(keep * (1 - keep) / X.size)


def test_expected_value_is_unchanged():
    ones = np.ones((200, 500), np.float32)
    assert abs(run(fg.nn.dropout(ones, rate=0.5, seed=3)).mean() - 1.0) < 0.02


def test_rate_zero_and_keep_prob_one_return_x_itself():
    x = fg.constant(X)
    assert fg.nn.dropout(x, rate=0.0) is x
    assert fg.nn.dropout(x, keep_prob=1.0) is x
    assert fg.nn.dropout(x, keep_prob=1) is x


def test_keep_prob_as_a_fed_placeholder():
    keep_prob = fg.placeholder(fg.float32, [])
    y = fg.nn.dropout(X, keep_prob, seed=2)
    with fg.Session() as sess:
        half = sess.run(y, {keep_prob: 0.5})
        full = sess.run(y, {keep_prob: 1.0})
    np.testing.assert_array_equal(full, X)
    kept = half != 0
    np.testing.assert_allclose(half[kept], 2 * X[kept])
    assert 0.45 < kept.mean() < 0.55


def test_rate_as_a_tensor_must_be_scalar():
    y = fg.nn.dropout(X, rate=fg.constant(0.25))
    assert 0.7 < (run(y) != 0).mean() < 0.8
    with pytest.raises(ValueError, match="scalar"):
        fg.nn.dropout(X, rate=fg.constant([0.25, 0.5]))


# --------------------------------------------------------------------------- errors
@pytest.mark.parametrize("kwargs, message", [
    (dict(), "You must provide a rate to dropout."),
    (dict(keep_prob=0.5, rate=0.5), "Cannot specify both 'keep_prob' and 'rate'"),
    (dict(rate=1.0), "range \\[0, 1\\), got 1"),
    (dict(rate=-0.1), "range \\[0, 1\\), got -0.1"),
    (dict(keep_prob=0.0), "range \\[0, 1\\), got 1"),
    (dict(keep_prob="half"), "keep_prob must be a floating point number or Tensor"),
])
def test_argument_errors(kwargs, message):
    with pytest.raises(ValueError, match=message):
        fg.nn.dropout(X, **kwargs)


def test_integer_x_is_an_error():
    with pytest.raises(ValueError, match="x has to be a floating point tensor"):
        fg.nn.dropout(np.ones((2, 2), np.int32), rate=0.5)


# --------------------------------------------------------------------------- noise_shape
def test_noise_shape_drops_whole_columns():
    y = run(fg.nn.dropout(X, rate=0.5, noise_shape=[1, 100], seed=4))
    dropped = np.all(y == 0, axis=0)
    kept = np.all(y != 0, axis=0)
    assert np.all(dropped | kept) and dropped.any() and kept.any()
    np.testing.assert_allclose(y[:, kept], 2 * X[:, kept])


def test_noise_shape_none_entries_take_x_dimensions():
    x = fg.placeholder(fg.float32, [None, 100])
    y = fg.nn.dropout(x, rate=0.5, noise_shape=[None, 1], seed=5)
    assert y.shape.as_list() == [None, 100]
    got = run(y, {x: X})
    rows_kept = np.all(got != 0, axis=1)
    assert np.all(rows_kept | np.all(got == 0, axis=1))
    assert 20 < rows_kept.sum() < 80


def test_unknown_shapes_are_preserved():
    x = fg.placeholder(fg.float32, [None, 7])
    y = fg.nn.dropout(x, keep_prob=0.9)
    assert y.shape.as_list() == [None, 7] and y.dtype == fg.float32
    assert run(y, {x: np.ones((3, 7))}).shape == (3, 7)


# --------------------------------------------------------------------------- seeds
def _draw(op_seed, graph_seed=None, runs=1):
    with fg.Graph().as_default() as graph:
        if graph_seed is not None:
            fg.set_random_seed(graph_seed)
        y = fg.nn.dropout(np.ones((20, 20), np.float32), rate=0.5, seed=op_seed)
        with fg.Session(graph=graph) as sess:
            return [sess.run(y) for _ in range(runs)]


def test_seeded_masks_replay_in_a_new_session_and_change_between_runs():
    first = _draw(7, graph_seed=1, runs=2)
    again = _draw(7, graph_seed=1, runs=2)
    np.testing.assert_array_equal(first[0], again[0])
    np.testing.assert_array_equal(first[1], again[1])
    assert not np.array_equal(first[0], first[1])
    assert not np.array_equal(first[0], _draw(8, graph_seed=1)[0])
    np.testing.assert_array_equal(_draw(7)[0], _draw(7)[0])  # op seed alone is enough


# --------------------------------------------------------------------------- gradients, names
def test_gradient_is_the_scaled_mask():
    x = fg.constant(X)
    y = fg.nn.dropout(x, rate=0.25, seed=9)
    (g,) = fg.gradients(fg.reduce_sum(y), x)
    y_value, g_value = run([y, g])
    np.testing.assert_allclose(g_value, np.where(y_value != 0, 1 / 0.75, 0.0), rtol=1e-6)


def test_node_names_are_under_the_dropout_scope():
    y = fg.nn.dropout(fg.constant(X), rate=0.5)
    assert y.name == "dropout:0"
    types = {op.type for op in y.graph.get_operations() if op.name.startswith("dropout/")}
    assert {"RandomUniform", "GreaterEqual", "Cast"} <= types
    assert fg.nn.dropout(fg.constant(X), rate=0.5, name="drop").name == "drop:0"
