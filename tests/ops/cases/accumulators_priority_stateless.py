"""Cases for accumulator_ops.py, priority_queue.py and stateless_random_more.py: each
accumulator case builds an accumulator, applies gradients and takes their mean within one
run through control dependencies (literal expectations); the stateless samplers are checked
for range and determinism."""

import numpy as np

import flowgraph as fg
from tests.ops.harness import OpCase

SEED = np.array([4, 9], np.int32)


def _dense(g):
    acc = fg.ConditionalAccumulator(fg.float32, shape=[2])
    first = acc.apply_grad(g)
    with fg.control_dependencies([first]):
        second = acc.apply_grad(g * 3.0, local_step=2)
    with fg.control_dependencies([second]):
        count = acc.num_accumulated()
    with fg.control_dependencies([count]):
        mean = acc.take_grad(2)
    with fg.control_dependencies([mean]):
        set_step = acc.set_global_step(7)
    with fg.control_dependencies([set_step]):
        stale = acc.apply_grad(g, local_step=3)
    with fg.control_dependencies([stale]):
        after = acc.num_accumulated()
    return [count, mean, after]


def _sparse(values):
    acc = fg.SparseConditionalAccumulator(fg.float32, shape=[3, 2])
    first = acc.apply_grad([2, 0], values)
    with fg.control_dependencies([first]):
        second = acc.apply_grad([0], values[:1] * 3.0, grad_shape=[3, 2])
    with fg.control_dependencies([second]):
        indices, mean, shape = acc.take_grad(2)
    return [indices, mean, shape]


def _priority(values):
    q = fg.PriorityQueue(5, [fg.float32], shapes=[[]])
    put = q.enqueue_many([[4, -1, 2], values])
    with fg.control_dependencies([put]):
        priorities, taken = q.dequeue_many(3)
    return [priorities, taken]


def _check_dense(outputs, inputs):
    count, mean, after = outputs
    assert count == 2 and after == 0
    np.testing.assert_allclose(mean, inputs[0] * 2.0)


def _check_gamma(outputs, inputs):
    (outputs,) = outputs
    assert outputs.shape == (40, 2) and outputs.dtype == np.float32 and (outputs > 0).all()


def _check_counts(limit):
    def check(outputs, inputs):
        (outputs,) = outputs
        assert outputs.shape == (40, 2) and outputs.dtype == np.int32
        assert (outputs >= 0).all() and (outputs <= limit).all()
    return check


_G = np.array([1.0, -2.0], np.float32)
_ROWS = np.array([[1.0, 2.0], [3.0, 4.0]], np.float32)
_SPARSE_EXPECTED = [np.int64([0, 2]), np.float32([[3.0, 5.0], [1.0, 2.0]]), np.int64([3, 2])]

CASES = [
    OpCase(op_type, _dense, [_G], check=_check_dense, grad=False)
    for op_type in ("ConditionalAccumulator", "AccumulatorApplyGradient",
                    "AccumulatorTakeGradient", "AccumulatorNumAccumulated",
                    "AccumulatorSetGlobalStep")
] + [
    OpCase(op_type, _sparse, [_ROWS], expected=_SPARSE_EXPECTED, grad=False)
    for op_type in ("SparseConditionalAccumulator", "SparseAccumulatorApplyGradient",
                    "SparseAccumulatorTakeGradient")
] + [
    OpCase("PriorityQueueHandle", _priority, [np.float32([0.5, 1.5, 2.5])],
           expected=[np.int64([-1, 2, 4]), np.float32([1.5, 2.5, 0.5])], grad=False),
    OpCase("StatelessRandomGammaV2",
           lambda s, a: fg.random.stateless_gamma([40, 2], seed=s, alpha=a),
           [SEED, np.float32([0.5, 4.0])], check=_check_gamma, grad=False),
    OpCase("StatelessRandomPoisson",
           lambda s, lam: fg.random.stateless_poisson([40, 2], seed=s, lam=lam),
           [SEED, np.float32([0.0, 0.0])], expected=np.zeros((40, 2), np.int32), grad=False),
    OpCase("StatelessRandomBinomial",
           lambda s, c: fg.random.stateless_binomial([40, 2], seed=s, counts=c, probs=0.5),
           [SEED, np.float32([3.0, 8.0])], check=_check_counts(8), grad=False),
]
