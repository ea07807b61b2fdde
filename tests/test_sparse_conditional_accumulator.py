"""fg.sparse.SparseConditionalAccumulator (TF 1.15's tf.sparse name): values hand-computed,
names and defaults as TF 1.15 reports them."""

import inspect

import numpy as np
import pytest

import flowgraph as fg


def test_signature_and_names_match_tf():
    params = inspect.signature(fg.sparse.SparseConditionalAccumulator.__init__).parameters
    assert list(params) == ["self", "dtype", "shape", "shared_name", "name", "reduction_type"]
    assert params["name"].default == "sparse_conditional_accumulator"
    assert params["reduction_type"].default == "MEAN"
    acc = fg.sparse.SparseConditionalAccumulator(fg.float32, shape=[3, 2])
    assert acc.accumulator_ref.op.type == "SparseConditionalAccumulator"
    assert acc.name == "sparse_conditional_accumulator"
    second = fg.sparse.SparseConditionalAccumulator(fg.float32, shape=[3, 2])
    assert second.name == "sparse_conditional_accumulator_1"


def _apply_two(acc):
    first = acc.apply_grad([0, 2], [[1.0, 2.0], [3.0, 4.0]], [3, 2])
    second = acc.apply_indexed_slices_grad(fg.IndexedSlices(
        fg.constant([[5.0, 6.0]]), fg.constant([2], fg.int64), fg.constant([3, 2], fg.int64)))
    return first, second


def test_mean_per_row_and_num_accumulated():
    acc = fg.sparse.SparseConditionalAccumulator(fg.float32, shape=[3, 2])
    first, second = _apply_two(acc)
    taken = acc.take_indexed_slices_grad(2)
    count = acc.num_accumulated()
    assert taken.indices.dtype == fg.int64
    with fg.Session() as sess:
        sess.run([first, second])
        assert sess.run(count) == 2
        result = sess.run(taken)
        assert sess.run(count) == 0
    np.testing.assert_array_equal(result.indices, [0, 2])
    # row 2 was in both gradients: (3 + 5) / 2, (4 + 6) / 2; row 0 only in the first
    np.testing.assert_allclose(result.values, [[1.0, 2.0], [4.0, 5.0]])
    np.testing.assert_array_equal(result.dense_shape, [3, 2])


def test_sum_reduction_and_take_grad_tuple():
    acc = fg.sparse.SparseConditionalAccumulator(fg.float32, shape=[3, 2],
                                                 reduction_type="SUM")
    first, second = _apply_two(acc)
    indices, values, shape = acc.take_grad(2)
    with fg.Session() as sess:
        sess.run([first, second])
        got = sess.run([indices, values, shape])
    np.testing.assert_array_equal(got[0], [0, 2])
    np.testing.assert_allclose(got[1], [[1.0, 2.0], [8.0, 10.0]])
    np.testing.assert_array_equal(got[2], [3, 2])


def test_stale_gradients_are_dropped_after_set_global_step():
    acc = fg.sparse.SparseConditionalAccumulator(fg.float64, shape=[2, 1])
    set_step = acc.set_global_step(5)
    stale = acc.apply_grad([0], [[10.0]], local_step=3)
    fresh = acc.apply_grad([1], [[7.0]], local_step=5)
    count = acc.num_accumulated()
    with fg.Session() as sess:
        sess.run(set_step)
        sess.run(stale)
        assert sess.run(count) == 0
        sess.run(fresh)
        assert sess.run(count) == 1


def test_bad_reduction_type_is_rejected():
    with pytest.raises(ValueError, match="reduction_type"):
        fg.sparse.SparseConditionalAccumulator(fg.float32, shape=[3, 2], reduction_type="MAX")
