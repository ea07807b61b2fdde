"""TF1 behaviour of the random ops: seeds, reproducibility, names, shapes and errors."""

import numpy as np
import pytest

import flowgraph as fg
from flowgraph.ops import random as random_ops
from flowgraph.ops import random_sampling


def _build(seed=None, graph_seed=None):
    graph = fg.Graph()
    with graph.as_default():
        if graph_seed is not None:
            fg.set_random_seed(graph_seed)
        tensors = [fg.random_normal([5], seed=seed), fg.random_uniform([5], seed=seed),
                   fg.truncated_normal([5], seed=seed),
                   fg.random_uniform([5], maxval=1000, dtype=fg.int64, seed=seed),
                   fg.random_shuffle(np.arange(10), seed=seed),
                   fg.multinomial([[0.0, 0.0, 0.0, 0.0]], 10, seed=seed)]
    return graph, tensors


def _run(graph, tensors, times=1):
    with fg.Session(graph=graph) as sess:
        return [sess.run(tensors) for _ in range(times)]


def _same(a, b):
    return all(np.array_equal(x, y) for x, y in zip(a, b))


def test_op_seed_replays_in_a_new_session_and_differs_between_runs():
    graph, tensors = _build(seed=42)
    first, second = _run(graph, tensors, times=2)
    again, = _run(graph, tensors)
    assert _same(first, again)
    # Successive runs in one Session draw new values (for every op).
    for a, b in zip(first, second):
        assert not np.array_equal(a, b)


def test_graph_seed_alone_reproduces_across_graphs_built_the_same_way():
    g1, t1 = _build(graph_seed=7)
    g2, t2 = _build(graph_seed=7)
    assert _same(_run(g1, t1)[0], _run(g2, t2)[0])
    g3, t3 = _build(graph_seed=8)
    assert not np.array_equal(_run(g1, t1)[0][0], _run(g3, t3)[0][0])


def test_graph_seed_gives_ops_different_op_seeds():
    graph = fg.Graph()
    with graph.as_default():
        fg.set_random_seed(1)
        a = fg.random_normal([4])
        b = fg.random_normal([4])
    assert a.op.op_def.seed2 != b.op.op_def.seed2
    with fg.Session(graph=graph) as sess:
        va, vb = sess.run([a, b])
    assert not np.array_equal(va, vb)


def test_same_op_seed_in_one_graph_gives_same_values():
    # As TF1: the (graph seed, op seed) pair determines the sequence.
    a = fg.random_normal([6], seed=3)
    b = fg.random_normal([6], seed=3)
    with fg.Session() as sess:
        va, vb = sess.run([a, b])
    np.testing.assert_array_equal(va, vb)


def test_seed_attributes_follow_tf1_get_seed():
    x = fg.random_normal([2], seed=5)
    assert (x.op.op_def.seed, x.op.op_def.seed2) == (random_ops.DEFAULT_GRAPH_SEED, 5)
    assert random_ops.DEFAULT_GRAPH_SEED == 87654321
    y = fg.random_uniform([2])
    assert (y.op.op_def.seed, y.op.op_def.seed2) == (None, None)
    fg.set_random_seed(11)
    n_before = len(fg.get_default_graph())
    z = fg.random_normal([2])
    # Op seed = the number of nodes when the seed is drawn (TF1's graph._last_id): here
    # after the op's shape constant was made.
    assert (z.op.op_def.seed, z.op.op_def.seed2) == (11, n_before + 1)
    w = fg.random_normal([2], seed=2**31 + 4)
    assert w.op.op_def.seed2 == (2**31 + 4) % (2**31 - 1)


def test_get_seed_avoids_zero_pair():
    graph = fg.Graph()
    graph.seed = 0
    assert random_ops.get_seed(0, graph) == (0, 2**31 - 1)
    assert random_ops.get_seed(None, fg.Graph()) == (None, None)
    assert random_ops.get_seed(9, fg.Graph()) == (87654321, 9)


def test_unseeded_ops_differ_between_sessions():
    x = fg.random_normal([20])
    with fg.Session() as s1:
        a = s1.run(x)
    with fg.Session() as s2:
        b = s2.run(x)
    assert not np.array_equal(a, b)


def test_names_and_static_shapes_follow_tf1():
    x = fg.random_normal([2, 3], mean=1.0)
    assert x.name == "random_normal:0"
    names = {op.name for op in fg.get_default_graph().get_operations()}
    assert {"random_normal/shape", "random_normal/mean", "random_normal/stddev"} <= names
    assert x.shape.as_list() == [2, 3] and x.dtype == fg.float32
    with fg.name_scope("layer"):
        y = fg.truncated_normal([4], name="init")
    assert y.op.name == "layer/init" and y.op.type == "TruncatedNormal"
    u = fg.random_uniform([1], maxval=3, dtype=fg.int32)
    assert u.op.type == "RandomUniformInt" and u.name == "random_uniform:0"
    assert u.dtype == fg.int32
    m = fg.multinomial([[0.0, 1.0]], 3)
    assert m.op.name == "multinomial/Multinomial" and m.dtype == fg.int64
    assert m.shape.as_list() == [1, 3]
    assert fg.random_shuffle([1, 2]).op.name == "RandomShuffle"


def test_shape_may_be_a_tensor():
    shape = fg.placeholder(fg.int32, [2])
    x = fg.random_uniform(shape, seed=1)
    assert x.shape.as_list() == [None, None]
    with fg.Session() as sess:
        assert sess.run(x, {shape: [3, 5]}).shape == (3, 5)
    unknown = fg.random_normal(fg.placeholder(fg.int64), seed=1)
    assert unknown.shape.ndims is None


def test_tensor_parameters_broadcast():
    mean = fg.constant([0.0, 100.0])
    x = fg.random_normal([5000, 2], mean=mean, stddev=fg.constant(0.1), seed=1)
    assert x.shape.as_list() == [5000, 2]
    with fg.Session() as sess:
        value = sess.run(x)
    # Column means within 5 standard errors (0.1 / sqrt(5000)) of 0 and 100.
    np.testing.assert_allclose(value.mean(axis=0), [0.0, 100.0], atol=5 * 0.1 / 5000**0.5)


def test_random_uniform_int_needs_maxval_and_valid_dtype():
    with pytest.raises(ValueError, match="Must specify maxval"):
        fg.random_uniform([3], dtype=fg.int32)
    with pytest.raises(ValueError, match="Invalid dtype"):
        fg.random_uniform([3], maxval=2, dtype=fg.uint8)
    with pytest.raises(TypeError, match="float"):
        fg.random_normal([3], dtype=fg.int32)


def test_random_uniform_int_empty_range_fails_at_run_time():
    low = fg.placeholder(fg.int32, [])
    x = fg.random_uniform([4], minval=low, maxval=5, dtype=fg.int32)
    with fg.Session() as sess:
        assert np.all(sess.run(x, {low: 4}) == 4)  # the only value in [4, 5)
        with pytest.raises(fg.errors.InvalidArgumentError, match="Need minval < maxval"):
            sess.run(x, {low: 5})


def test_bad_shapes_are_build_errors():
    with pytest.raises(ValueError, match=">= 0"):
        fg.random_normal([2, -1])
    with pytest.raises(ValueError, match="1-D"):
        fg.random_normal(5)
    with pytest.raises(ValueError, match="fully defined"):
        fg.random_normal([None, 3])
    with pytest.raises(TypeError, match="int32 or int64"):
        fg.random_normal(fg.placeholder(fg.float32, [2]))
    with pytest.raises(ValueError, match="2-D"):
        fg.multinomial([0.0, 1.0], 2)


def test_negative_fed_shape_fails_at_run_time():
    shape = fg.placeholder(fg.int32, [1])
    x = fg.random_normal(shape)
    with fg.Session() as sess:
        with pytest.raises(fg.errors.InvalidArgumentError, match=">= 0"):
            sess.run(x, {shape: [-3]})


def test_shuffle_permutes_rows_as_wholes():
    rows = np.arange(30).reshape(10, 3)
    x = fg.random_shuffle(rows, seed=4)
    with fg.Session() as sess:
        value = sess.run(x)
    assert value.shape == (10, 3)
    np.testing.assert_array_equal(value[:, 1] - value[:, 0], np.ones(10))
    np.testing.assert_array_equal(np.sort(value[:, 0]), rows[:, 0])


def test_categorical_alias_and_num_samples_tensor():
    n = fg.placeholder(fg.int32, [])
    x = random_sampling.categorical([[0.0, -np.inf], [-np.inf, 0.0]], n, dtype=fg.int32,
                                    seed=1)
    assert x.op.name == "categorical/Multinomial" and x.dtype == fg.int32
    assert x.shape.as_list() == [2, None]
    with fg.Session() as sess:
        value = sess.run(x, {n: 6})
    np.testing.assert_array_equal(value, [[0] * 6, [1] * 6])


def test_float16_values_stay_in_range():
    x = fg.random_uniform([10000], dtype=fg.float16, seed=1)
    with fg.Session() as sess:
        value = sess.run(x)
    assert value.dtype == np.float16 and value.min() >= 0 and value.max() < 1
