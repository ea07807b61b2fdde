"""Ops on single numbers run numpy's scalar math through Python operators
(flowgraph.runtime.scalar_kernels): same values and types as the ufuncs."""

import warnings

import numpy as np
import pytest

import flowgraph as fg

CASES = [  # (flowgraph function, numpy reference, dtype, a, b)
    (fg.add, np.add, np.int32, 7, -3),
    (fg.subtract, np.subtract, np.int64, 7, 12),
    (fg.multiply, np.multiply, np.float32, 1.5, -2.25),
    (fg.add, np.add, np.float64, 0.1, 0.2),
    (fg.less, np.less, np.int32, 3, 4),
    (fg.less_equal, np.less_equal, np.float32, 2.0, 2.0),
    (fg.greater, np.greater, np.int64, 3, 4),
    (fg.greater_equal, np.greater_equal, np.float64, 5.0, 4.5),
    (fg.equal, np.equal, np.int32, 4, 4),
    (fg.not_equal, np.not_equal, np.bool_, True, False),
    (fg.logical_and, np.logical_and, np.bool_, True, False),
    (fg.logical_or, np.logical_or, np.bool_, False, True),
    (fg.equal, np.equal, np.bool_, True, True),
]


def _plans(sess):
    return list(sess._plans.values())


def _kernels(sess):
    return [step.kernel_fn for plan in _plans(sess) for step in plan.steps]


@pytest.mark.parametrize("fn, ref, dtype, a, b", CASES)
def test_scalar_op_matches_the_ufunc_in_value_and_type(fn, ref, dtype, a, b):
    dt = fg.as_dtype(dtype)
    graph = fg.Graph()
    with graph.as_default():
        x = fg.placeholder(dt, [], name="x")
        y = fg.placeholder(dt, [], name="y")
        both = fn(x, y)
        with_constant = fn(x, fg.constant(b, dt))
        constant_first = fn(fg.constant(a, dt), y)
    want = ref(dtype(a), dtype(b))
    with fg.Session(graph=graph) as sess:
        got = sess.run([both, with_constant, constant_first], {x: a, y: b})
        # the fast path is taken: no step runs the ufunc itself
        assert ref not in _kernels(sess)
    for value in got:
        assert type(value) is type(want)
        assert value == want


def test_integer_overflow_wraps_silently_as_the_ufunc():
    graph = fg.Graph()
    with graph.as_default():
        x = fg.placeholder(fg.int32, [])
        total = x + fg.constant(2**31 - 1, fg.int32)
        product = x * x
    with fg.Session(graph=graph) as sess, warnings.catch_warnings():
        warnings.simplefilter("error")
        got = sess.run([total, product], {x: 65536})
    assert got[0] == np.int32(-2147418113) and type(got[0]) is np.int32
    assert got[1] == 0  # 2**32 wraps to 0


def test_ops_on_arrays_keep_the_ufunc():
    graph = fg.Graph()
    with graph.as_default():
        x = fg.placeholder(fg.int32, [3])
        y = x + 1
        unknown = fg.placeholder(fg.int32, None)  # may hold an array: not a scalar op
        z = unknown + 1
    with fg.Session(graph=graph) as sess:
        np.testing.assert_array_equal(sess.run(y, {x: [1, 2, 3]}), [2, 3, 4])
        np.testing.assert_array_equal(sess.run(z, {unknown: [[1], [2]]}), [[2], [3]])
        assert _kernels(sess).count(np.add) == 2


def test_while_loop_counters_run_as_numpy_scalars():
    graph = fg.Graph()
    with graph.as_default():
        limit = fg.placeholder(fg.int32, [])
        i, total = fg.while_loop(lambda i, t: i < limit,
                                 lambda i, t: (i + 1, t + fg.cast(i, fg.float32) * 0.5),
                                 [fg.constant(0), fg.constant(0.0)])
    with fg.Session(graph=graph) as sess:
        got_i, got_total = sess.run([i, total], {limit: 10})
        assert sess.run(i, {limit: 0}) == 0
    assert type(got_i) is np.int32 and got_i == 10
    assert type(got_total) is np.float32 and got_total == np.float32(22.5)  # 0.5 * 45
