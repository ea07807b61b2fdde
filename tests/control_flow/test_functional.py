"""fg.map_fn, fg.scan, fg.foldl, fg.foldr against numpy."""

import numpy as np
import pytest

import flowgraph as fg
import flowgraph.control_flow as cf
from tests.control_flow.helpers import run

M = np.float32([[1, 2], [3, 4], [5, 6]])


def test_map_fn_values_and_static_shape():
    x = fg.placeholder(fg.float32, [3, 2])
    y = cf.map_fn(lambda row: row * fg.reduce_sum(row), x)
    assert y.shape.as_list() == [3, 2]
    np.testing.assert_allclose(run(y, {x: M}), M * M.sum(1, keepdims=True))


def test_map_fn_unknown_length_nested_elems_and_dtype():
    x = fg.placeholder(fg.float32, [None, 2])
    k = fg.placeholder(fg.int32, [None])
    y = cf.map_fn(lambda e: (fg.cast(e[1], fg.float32) * e[0][0], e[1] > 1), (x, k),
                  dtype=(fg.float32, fg.bool))
    assert y[0].shape.as_list() == [None]
    got = run(y, {x: M, k: [1, 2, 3]})
    np.testing.assert_allclose(got[0], [1.0, 6.0, 15.0])
    np.testing.assert_array_equal(got[1], [False, True, True])


def test_map_fn_errors():
    with pytest.raises(TypeError, match="fn must be callable"):
        cf.map_fn(3, fg.constant([1.0]))
    with pytest.raises(ValueError, match="not a scalar"):
        cf.map_fn(lambda e: e, fg.constant(1.0))
    with pytest.raises(ValueError, match="structure of dtype"):
        cf.map_fn(lambda e: e, fg.constant([1.0, 2.0]), dtype=(fg.float32, fg.float32))


def test_scan_with_and_without_initializer_and_reverse():
    x = fg.constant(M)
    np.testing.assert_allclose(run(cf.scan(lambda a, e: a + e, x)), np.cumsum(M, axis=0))
    y = cf.scan(lambda a, e: a * e, x, initializer=fg.ones([2]))
    np.testing.assert_allclose(run(y), np.cumprod(M, axis=0))
    r = cf.scan(lambda a, e: a + e, x, reverse=True)
    np.testing.assert_allclose(run(r), np.cumsum(M[::-1], axis=0)[::-1])
    ri = cf.scan(lambda a, e: a - e, x, initializer=fg.zeros([2]), reverse=True)
    np.testing.assert_allclose(run(ri), -np.cumsum(M[::-1], axis=0)[::-1])


def test_scan_nested_accumulator():
    x = fg.constant(np.float32([1, 2, 3, 4]))
    fib = cf.scan(lambda a, _: (a[1], a[0] + a[1]), x,
                  initializer=(fg.constant(0.0), fg.constant(1.0)))
    got = run(fib)
    np.testing.assert_allclose(got[0], [1, 1, 2, 3])
    np.testing.assert_allclose(got[1], [1, 2, 3, 5])


def test_folds():
    x = fg.constant(np.float32([1, 2, 3, 4]))
    assert run(cf.foldl(lambda a, e: a * 10.0 + e, x)) == 1234.0
    assert run(cf.foldr(lambda a, e: a * 10.0 + e, x)) == 4321.0
    assert run(cf.foldl(lambda a, e: a - e, x, initializer=fg.constant(100.0))) == 90.0
    assert run(cf.foldr(lambda a, e: a - e, x, initializer=fg.constant(100.0))) == 90.0
    pairs = cf.foldl(lambda a, e: (a[0] + e[0], a[1] * e[1]),
                     (x, fg.constant([2, 3, 4, 5])), initializer=(fg.constant(0.0),
                                                                   fg.constant(1)))
    assert run(pairs) == (10.0, 120)


def test_map_fn_over_a_placeholder_batch_runs_per_row_with_variables():
    w = fg.Variable(np.float32([[1, 0], [0, 2]]), name="w")
    x = fg.placeholder(fg.float32, [None, 2])
    y = cf.map_fn(lambda row: fg.reshape(fg.matmul(fg.reshape(row, [1, 2]), w), [2]), x)
    np.testing.assert_allclose(run(y, {x: M}, init=True), M @ np.float32([[1, 0], [0, 2]]))
