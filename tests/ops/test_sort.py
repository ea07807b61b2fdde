"""TF1-specific behaviour of top_k, sort, argsort and in_top_k."""

import numpy as np
import pytest

import flowgraph as fg
from flowgraph.ops.registry import lookup as registry_lookup


def run(fetches, feed_dict=None):
    with fg.Session() as sess:
        return sess.run(fetches, feed_dict=feed_dict)


# --------------------------------------------------------------------------- top_k
def test_top_k_outputs_names_and_shapes():
    x = fg.placeholder(fg.float32, [None, 5])
    values, indices = fg.top_k(x, 2)
    assert values.op is indices.op
    assert values.op.type == "TopKV2" and values.op.name == "TopKV2"
    assert values.dtype == fg.float32 and indices.dtype == fg.int32
    assert values.shape.as_list() == [None, 2] and indices.shape.as_list() == [None, 2]
    assert fg.top_k(x, 3, True, "best")[0].op.name == "best"
    assert fg.top_k(x)[0].shape.as_list() == [None, 1]


def test_top_k_ties_lower_index_first():
    values, indices = run(fg.top_k(fg.constant([1.0, 7.0, 3.0, 7.0, 3.0, 7.0]), k=4))
    np.testing.assert_array_equal(values, [7.0, 7.0, 7.0, 3.0])
    np.testing.assert_array_equal(indices, [1, 3, 5, 2])


def test_top_k_extreme_ints_do_not_overflow():
    x = np.array([-2**63, 2**63 - 1, 0, -2**63], dtype=np.int64)
    values, indices = run(fg.top_k(fg.constant(x), 4))
    np.testing.assert_array_equal(values, [2**63 - 1, 0, -2**63, -2**63])
    np.testing.assert_array_equal(indices, [1, 2, 0, 3])


def test_top_k_k_too_large():
    with pytest.raises(ValueError, match="at least k columns. Had 3, needed 4"):
        fg.top_k(fg.constant([1.0, 2.0, 3.0]), 4)
    with pytest.raises(ValueError, match="k >= 0"):
        fg.top_k(fg.constant([1.0, 2.0, 3.0]), -1)
    x = fg.placeholder(fg.float32, [None])
    k = fg.placeholder(fg.int32, [])
    values, _ = fg.top_k(x, k)
    assert values.shape.as_list() == [None]
    with pytest.raises(fg.errors.InvalidArgumentError, match="Had 2, needed 3"):
        run(values, {x: [1.0, 2.0], k: 3})


def test_top_k_input_errors():
    with pytest.raises(ValueError, match="rank 1"):
        fg.top_k(fg.constant(3.0))
    with pytest.raises(TypeError):
        fg.top_k(fg.constant([True, False]))
    with pytest.raises(TypeError, match="integer scalar"):
        fg.top_k(fg.constant([1.0, 2.0]), fg.constant([1, 1]))


# --------------------------------------------------------------------------- sort / argsort
def test_sort_and_argsort_names_dtypes_shapes():
    x = fg.placeholder(fg.float32, [None, 4])
    s = fg.sort(x)
    a = fg.argsort(x)
    assert s.op.name == "sort" and a.op.name == "argsort"
    assert s.dtype == fg.float32 and a.dtype == fg.int32
    assert s.shape.as_list() == [None, 4] and a.shape.as_list() == [None, 4]
    assert fg.argsort(x, output_type=fg.int64).dtype == fg.int64


def test_sort_values_and_stable_ties():
    x = np.array([[3, 1, 3, 2, 1]], dtype=np.int32)
    got = run([fg.sort(x), fg.sort(x, direction="DESCENDING"), fg.argsort(x),
               fg.argsort(x, direction="DESCENDING")])
    np.testing.assert_array_equal(got[0], [[1, 1, 2, 3, 3]])
    np.testing.assert_array_equal(got[1], [[3, 3, 2, 1, 1]])
    np.testing.assert_array_equal(got[2], [[1, 4, 3, 0, 2]])
    np.testing.assert_array_equal(got[3], [[0, 2, 3, 1, 4]])


def test_sort_errors():
    with pytest.raises(ValueError, match="should be one of"):
        fg.sort([1.0, 2.0], direction="UP")
    with pytest.raises(ValueError, match="should be one of"):
        fg.argsort([1.0, 2.0], direction="ascending")
    with pytest.raises(ValueError, match="constant scalar"):
        fg.sort([1.0, 2.0], axis=fg.placeholder(fg.int32, []))
    with pytest.raises(ValueError, match="Invalid sort dimension 1"):
        fg.sort([1.0, 2.0], axis=1)
    with pytest.raises(ValueError, match="rank >= 1"):
        fg.sort(fg.constant(1.0))


def test_sort_axis_checked_at_run_time_for_unknown_rank():
    x = fg.placeholder(fg.float32)
    with pytest.raises(fg.errors.InvalidArgumentError, match="Invalid sort dimension"):
        run(fg.sort(x, axis=2), {x: [[1.0, 2.0]]})


def test_flags():
    assert not registry_lookup("ArgSort").differentiable
    assert not registry_lookup("InTopKV2").differentiable
    assert registry_lookup("Sort").differentiable
    assert registry_lookup("TopKV2").differentiable


# --------------------------------------------------------------------------- in_top_k
def test_in_top_k():
    predictions = fg.placeholder(fg.float32, [None, 3])
    targets = fg.placeholder(fg.int64, [None])
    y = fg.in_top_k(predictions, targets, 2)
    assert y.op.type == "InTopKV2" and y.dtype == fg.bool
    assert y.shape.as_list() == [None]
    got = run(y, {predictions: [[0.1, 0.5, 0.4], [0.1, 0.5, 0.4], [0.3, 0.3, 0.3]],
                  targets: [0, 2, 1]})
    np.testing.assert_array_equal(got, [False, True, True])


def test_in_top_k_errors():
    with pytest.raises(TypeError, match="int32 or int64"):
        fg.in_top_k(fg.constant([[1.0]]), fg.constant([0.0]), 1)
    with pytest.raises(ValueError, match="rank 2"):
        fg.in_top_k(fg.constant([1.0]), fg.constant([0]), 1)
    with pytest.raises(ValueError, match="batch sizes"):
        fg.in_top_k(fg.constant([[1.0], [2.0]]), fg.constant([0, 0, 0]), 1)


def test_top_k_returns_values_and_indices_by_name():
    result = fg.top_k(fg.constant([1.0, 5.0, 3.0]), k=2)
    with fg.Session() as sess:
        fetched = sess.run(result)
    np.testing.assert_array_equal(fetched.values, [5.0, 3.0])
    np.testing.assert_array_equal(fetched.indices, [1, 2])
