"""tf.ConditionalAccumulator / tf.SparseConditionalAccumulator (values checked against TF
1.x's: hand-computed and reproduced with tensorflow.compat.v1)."""

import threading
import time

import numpy as np
import pytest

import flowgraph as fg


def test_dense_mean_names_and_reset():
    with fg.Graph().as_default():
        acc = fg.ConditionalAccumulator(fg.float32, shape=[2])
        assert acc.name == "conditional_accumulator" and acc.dtype == fg.float32
        a1 = acc.apply_grad([1.0, 2.0])
        a2 = acc.apply_grad([3.0, 5.0], local_step=0)
        take = acc.take_grad(2)
        num = acc.num_accumulated()
        assert a1.name == "AccumulatorApplyGradient" and a1.type == "AccumulatorApplyGradient"
        assert take.op.type == "AccumulatorTakeGradient" and take.shape.as_list() == [2]
        assert num.name == "conditional_accumulator_NumAccumulated:0" and num.dtype == fg.int32
        with fg.Session() as s:
            s.run(a1)
            s.run(a2)
            assert s.run(num) == 2
            np.testing.assert_allclose(s.run(take), [2.0, 3.5])  # TF: [2. 3.5]
            assert s.run(num) == 0


def test_stale_gradients_dropped_and_set_global_step():
    with fg.Graph().as_default():
        acc = fg.ConditionalAccumulator(fg.float64, shape=[])
        step = fg.placeholder(fg.int64, [])
        apply = acc.apply_grad(fg.constant(4.0, fg.float64), local_step=step)
        take = acc.take_grad(1)
        with fg.Session() as s:
            s.run(apply, {step: 0})
            assert s.run(take) == 4.0          # the take advances the global step to 1
            s.run(apply, {step: 0})            # stale: dropped
            assert s.run(acc.num_accumulated()) == 0
            s.run(apply, {step: 1})
            assert s.run(acc.num_accumulated()) == 1
            s.run(acc.set_global_step(5))
            s.run(apply, {step: 4})            # stale again
            assert s.run(acc.num_accumulated()) == 1


def test_sum_reduction():
    with fg.Graph().as_default():
        acc = fg.ConditionalAccumulator(fg.float32, shape=[2], reduction_type="SUM")
        with fg.Session() as s:
            s.run(acc.apply_grad([1.0, 2.0]))
            s.run(acc.apply_grad([3.0, 5.0]))
            s.run(acc.apply_grad([-1.0, 0.5]))
            np.testing.assert_allclose(s.run(acc.take_grad(3)), [3.0, 7.5])


def test_take_blocks_until_enough_gradients():
    with fg.Graph().as_default():
        acc = fg.ConditionalAccumulator(fg.float32, shape=[1])
        apply = acc.apply_grad(fg.placeholder_with_default([1.0], [1]))
        take = acc.take_grad(3)
        with fg.Session() as s:
            result = []
            thread = threading.Thread(target=lambda: result.append(s.run(take)))
            thread.start()
            for _ in range(2):
                s.run(apply)
            time.sleep(0.2)
            assert not result              # still waiting for the third gradient
            s.run(apply)
            thread.join(timeout=10)
            np.testing.assert_allclose(result[0], [1.0])


def test_take_respects_operation_timeout():
    with fg.Graph().as_default():
        acc = fg.ConditionalAccumulator(fg.float32, shape=[1])
        take = acc.take_grad(1)
        config = fg.ConfigProto(operation_timeout_in_ms=200)
        with fg.Session(config=config) as s:
            start = time.monotonic()
            with pytest.raises(fg.errors.DeadlineExceededError):
                s.run(take)
            assert time.monotonic() - start < 5


def test_errors():
    with fg.Graph().as_default():
        with pytest.raises(ValueError, match="MEAN"):
            fg.ConditionalAccumulator(fg.float32, reduction_type="X")
        with pytest.raises(TypeError, match="float"):
            fg.ConditionalAccumulator(fg.int32)
        acc = fg.ConditionalAccumulator(fg.float32, shape=[2])
        with pytest.raises(ValueError, match="incompatible"):
            acc.apply_grad([1.0, 2.0, 3.0])
        free = fg.ConditionalAccumulator(fg.float32)
        grad = fg.placeholder(fg.float32)
        with fg.Session() as s:
            with pytest.raises(fg.errors.InvalidArgumentError, match="num_required"):
                s.run(acc.take_grad(0))
            s.run(free.apply_grad(grad), {grad: [1.0, 2.0]})
            with pytest.raises(fg.errors.InvalidArgumentError, match="Shape mismatch"):
                s.run(free.apply_grad(grad), {grad: [1.0, 2.0, 3.0]})


def test_sparse_mean_per_row():
    with fg.Graph().as_default():
        acc = fg.SparseConditionalAccumulator(fg.float32, shape=[4, 2])
        assert acc.name == "sparse_conditional_accumulator"
        s1 = acc.apply_grad([1, 3], [[1.0, 1.0], [2.0, 2.0]])
        s2 = acc.apply_grad([0, 1], [[4.0, 4.0], [6.0, 6.0]], grad_shape=[4, 2])
        indices, values, shape = acc.take_grad(2)
        assert indices.dtype == fg.int64 and shape.dtype == fg.int64
        with fg.Session() as s:
            s.run(s1)
            s.run(s2)
            i, v, sh = s.run([indices, values, shape])
        # TF 1.x: indices [0 1 3], values [[4 4] [3.5 3.5] [2 2]], shape [4 2]
        np.testing.assert_array_equal(i, [0, 1, 3])
        np.testing.assert_allclose(v, [[4.0, 4.0], [3.5, 3.5], [2.0, 2.0]])
        np.testing.assert_array_equal(sh, [4, 2])


def test_sparse_indexed_slices_sum():
    with fg.Graph().as_default():
        acc = fg.SparseConditionalAccumulator(fg.float64, shape=[None, 1],
                                              reduction_type="SUM")
        grad = fg.IndexedSlices(fg.constant([[1.0], [2.0]], fg.float64),
                                fg.constant([2, 0], fg.int64), fg.constant([3, 1], fg.int64))
        apply = acc.apply_indexed_slices_grad(grad)
        out = acc.take_indexed_slices_grad(2)
        assert isinstance(out, fg.IndexedSlices)
        with fg.Session() as s:
            s.run(apply)
            s.run(apply)
            value = s.run(out)
        np.testing.assert_array_equal(value.indices, [0, 2])
        np.testing.assert_allclose(value.values, [[4.0], [2.0]])
        with pytest.raises(ValueError, match="incompatible"):
            acc.apply_grad([0], [[1.0, 2.0]])
