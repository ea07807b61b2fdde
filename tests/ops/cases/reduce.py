"""Cases for reductions (Sum, Mean, Max, Min, Prod, Any, All, ReduceLogSumExp, CountNonzero),
their gradient ops (SumGrad, MeanGrad) and ArgMax / ArgMin. Expected values are
hand-computed literals or numpy."""

import numpy as np

import flowgraph as fg
from flowgraph.ops.reduce_grad import MeanGrad, SumGrad
from flowgraph.ops.registry import apply_op
from tests.ops.harness import OpCase

X = np.array([[1.0, -2.0, 3.0], [4.0, 5.0, -6.0]], dtype=np.float32)
X3 = np.arange(24, dtype=np.float64).reshape(2, 3, 4) - 10.0
INTS = np.array([[1, 2, 7], [-7, 2, -4]], dtype=np.int32)
B = np.array([[True, False, True], [False, False, True]])
EMPTY = np.zeros((0, 3), dtype=np.float32)
LN2 = float(np.log(2.0))
INF = np.inf
# Distinct values (no ties, no zeros): away from the kinks of max / min in gradient checks.
D3 = np.array([[[0.5, -1.25, 2.0, 0.75], [1.5, -0.5, 3.0, -2.0], [0.25, 1.75, -1.5, 2.5]],
               [[-0.75, 1.25, 0.3, -1.0], [2.25, 0.6, -0.4, 1.1], [-2.5, 0.9, 1.3, -0.2]]])


def _sum_grad(dy, shape, **attrs):
    return apply_op(SumGrad(**attrs), [dy, shape])


def _mean_grad(dy, shape, **attrs):
    return apply_op(MeanGrad(**attrs), [dy, shape])

CASES = [
    # Sum
    OpCase("Sum", lambda x: fg.reduce_sum(x), [X], expected=np.float32(5.0), name="all"),
    OpCase("Sum", lambda x: fg.reduce_sum(x, 0), [X],
           expected=np.float32([5.0, 3.0, -3.0]), name="axis0"),
    OpCase("Sum", lambda x: fg.reduce_sum(x, -1, keepdims=True), [X],
           expected=np.float32([[2.0], [3.0]]), name="neg-keepdims"),
    OpCase("Sum", lambda x: fg.reduce_sum(x, [0, 1], keepdims=True), [X],
           expected=np.float32([[5.0]]), name="two-axes-keepdims"),
    OpCase("Sum", lambda x: fg.reduce_sum(x, []), [X], expected=X, name="empty-axis-list"),
    OpCase("Sum", lambda x: fg.reduce_sum(x, [0, 2]), [X3],
           expected=lambda x: x.sum(axis=(0, 2)), name="rank3-two-axes"),
    OpCase("Sum", lambda x: fg.reduce_sum(x, axis=1), [INTS],
           expected=np.int32([10, -9]), name="int32"),
    OpCase("Sum", lambda x: fg.reduce_sum(x, 0), [EMPTY],
           expected=np.float32([0.0, 0.0, 0.0]), name="empty-input"),
    OpCase("Sum", lambda x: fg.reduce_sum(x), [np.float64(2.5)], expected=np.float64(2.5),
           name="scalar"),
    OpCase("Sum", lambda x: fg.reduce_sum(x, reduction_indices=[1], keep_dims=True),
           [np.int64([[1, 2], [3, 4]])], expected=np.int64([[3], [7]]), name="v1-aliases"),
    # Mean
    OpCase("Mean", lambda x: fg.reduce_mean(x, 1), [X],
           expected=np.float32([2.0 / 3.0, 1.0]), name="float"),
    OpCase("Mean", lambda x: fg.reduce_mean(x, keepdims=True), [X],
           expected=np.float32([[5.0 / 6.0]]), name="all-keepdims"),
    # ints: sums 10 and -9 over 3: 10/3 -> 3, -9/3 -> -3; columns: -6/2 -> -3, 3/2 -> 1
    OpCase("Mean", lambda x: fg.reduce_mean(x, -1), [INTS], expected=np.int32([3, -3]),
           name="int-rows"),
    OpCase("Mean", lambda x: fg.reduce_mean(x, 0), [INTS], expected=np.int32([-3, 2, 1]),
           name="int-cols"),
    OpCase("Mean", lambda x: fg.reduce_mean(x, 0), [np.int64([[-1], [-2]])],
           expected=np.int64([-1]), name="int64-negative-half"),
    OpCase("Mean", lambda x: fg.reduce_mean(x, [1, 2]), [X3],
           expected=lambda x: x.mean(axis=(1, 2)), name="float64-two-axes"),
    OpCase("Mean", lambda x: fg.reduce_mean(x, 0), [EMPTY],
           expected=np.float32([np.nan] * 3), name="empty-is-nan"),
    # Max / Min
    OpCase("Max", lambda x: fg.reduce_max(x, 0), [X], expected=np.float32([4.0, 5.0, 3.0]),
           name="axis0"),
    OpCase("Max", lambda x: fg.reduce_max(x), [INTS], expected=np.int32(7), name="int-all"),
    OpCase("Max", lambda x: fg.reduce_max(x, [-1, 0], keepdims=True), [X3],
           expected=np.float64([[[5.0], [9.0], [13.0]]]), name="rank3"),
    OpCase("Max", lambda x: fg.reduce_max(x, 0), [EMPTY], expected=np.float32([-INF] * 3),
           name="empty-is-minus-inf"),
    OpCase("Max", lambda x: fg.reduce_max(x, 1), [np.zeros((2, 0), np.int32)],
           expected=np.int32([-2**31, -2**31]), name="empty-int-is-lowest"),
    OpCase("Min", lambda x: fg.reduce_min(x, 1), [X], expected=np.float32([-2.0, -6.0]),
           name="axis1"),
    OpCase("Min", lambda x: fg.reduce_min(x, -2, keepdims=True), [np.uint8([[3, 9], [5, 1]])],
           expected=np.uint8([[3, 1]]), name="uint8"),
    OpCase("Min", lambda x: fg.reduce_min(x, 0), [EMPTY], expected=np.float32([INF] * 3),
           name="empty"),
    # Prod
    OpCase("Prod", lambda x: fg.reduce_prod(x, 1), [INTS], expected=np.int32([14, 56]),
           name="int"),
    OpCase("Prod", lambda x: fg.reduce_prod(x, keepdims=True), [X],
           expected=np.float32([[720.0]]), name="all-keepdims"),
    OpCase("Prod", lambda x: fg.reduce_prod(x, 0), [EMPTY], expected=np.float32([1.0] * 3),
           name="empty-is-one"),
    # Any / All
    OpCase("Any", lambda x: fg.reduce_any(x, 1), [B], expected=np.array([True, True]),
           name="axis1"),
    OpCase("Any", lambda x: fg.reduce_any(x, 0, keepdims=True), [B],
           expected=np.array([[True, False, True]]), name="axis0-keepdims"),
    OpCase("Any", lambda x: fg.reduce_any(x), [np.zeros((0,), bool)], expected=np.False_,
           name="empty"),
    OpCase("All", lambda x: fg.reduce_all(x, 0), [B], expected=np.array([False, False, True]),
           name="axis0"),
    OpCase("All", lambda x: fg.reduce_all(x), [B], expected=np.False_, name="all"),
    OpCase("All", lambda x: fg.reduce_all(x, -1), [np.ones((2, 0), bool)],
           expected=np.array([True, True]), name="empty"),
    # ReduceLogSumExp: log(e^0 + e^0) = ln 2; rows of -inf stay -inf; no overflow at 1000
    OpCase("ReduceLogSumExp", lambda x: fg.reduce_logsumexp(x, 1),
           [np.float32([[0.0, 0.0], [1000.0, 1000.0], [-INF, -INF], [-1000.0, -1000.0]])],
           expected=np.float32([LN2, 1000.0 + LN2, -INF, -1000.0 + LN2]), name="stable",
           grad_inputs=[np.float32([[0.0, 0.5], [3.0, 2.0], [-1.0, -2.5], [-4.0, 1.0]])]),
    OpCase("ReduceLogSumExp", lambda x: fg.reduce_logsumexp(x, 0, keepdims=True),
           [np.float64([[0.0, INF], [-INF, 2.0], [0.0, 1.0]])],
           expected=np.float64([[LN2, INF]]), name="inf-keepdims",
           grad_inputs=[np.float64([[0.0, 1.5], [-1.0, 2.0], [0.5, 1.0]])]),
    OpCase("ReduceLogSumExp", lambda x: fg.reduce_logsumexp(x),
           [np.float64([[1.0, 2.0], [3.0, 4.0]])],
           expected=np.log(np.exp(1.0) + np.exp(2.0) + np.exp(3.0) + np.exp(4.0)),
           rtol=1e-12, name="all"),
    OpCase("ReduceLogSumExp", lambda x: fg.reduce_logsumexp(x, -1), [np.zeros((2, 0))],
           expected=np.float64([-INF, -INF]), name="empty"),
    OpCase("ReduceLogSumExp", lambda x: fg.reduce_logsumexp(x, [0, 2]), [D3],
           expected=lambda x: np.log(np.exp(x).sum(axis=(0, 2))), rtol=1e-12,
           name="two-axes"),
    # More gradient-checked reductions: several axes, negative axes, keepdims, unknown rank
    OpCase("Sum", lambda x: fg.reduce_sum(x, [-1, 0]), [D3],
           expected=lambda x: x.sum(axis=(0, 2)), rtol=1e-12, name="grad-two-axes"),
    OpCase("Mean", lambda x: fg.reduce_mean(x), [D3], expected=lambda x: x.mean(),
           rtol=1e-12, name="grad-all"),
    OpCase("Mean", lambda x: fg.reduce_mean(x, [0, 2], keepdims=True), [D3],
           expected=lambda x: x.mean(axis=(0, 2), keepdims=True), rtol=1e-12,
           name="grad-keepdims"),
    OpCase("Max", lambda x: fg.reduce_max(x, [-1, 0]), [D3],
           expected=np.float64([2.0, 3.0, 2.5]), name="grad-two-axes"),
    OpCase("Max", lambda x: fg.reduce_max(x), [D3], expected=np.float64(3.0), name="grad-all"),
    OpCase("Min", lambda x: fg.reduce_min(x, 1, keepdims=True), [D3],
           expected=np.float64([[[0.25, -1.25, -1.5, -2.0]], [[-2.5, 0.6, -0.4, -1.0]]]),
           name="grad-keepdims"),
    # Prod: 2 * -3 * 0.5 = -3, 4 * 0.25 * -1 = -1
    OpCase("Prod", lambda x: fg.reduce_prod(x, -1), [np.float64([[2.0, -3.0, 0.5],
                                                                [4.0, 0.25, -1.0]])],
           expected=np.float64([-3.0, -1.0]), name="grad-last-axis"),
    OpCase("Prod", lambda x: fg.reduce_prod(x, [0, 2]), [D3],
           expected=lambda x: np.prod(x, axis=(0, 2)), rtol=1e-12, name="grad-two-axes"),
    OpCase("Prod", lambda x: fg.reduce_prod(x, [2, 0, 1], keepdims=True), [D3[:, :2, :2]],
           expected=lambda x: np.prod(x, keepdims=True), rtol=1e-12, name="grad-three-axes"),
    # zeros: the gradient is the product of the others, with no division by x
    OpCase("Prod", lambda x: fg.reduce_prod(x, 1), [np.float64([[0.0, 2.0, 3.0],
                                                               [0.0, 0.0, 5.0]])],
           expected=np.float64([0.0, 0.0]), name="zeros"),
    # composites of Mean: variance and standard deviation
    OpCase("Mean", lambda x: fg.math.reduce_variance(x, -1), [D3],
           expected=lambda x: x.var(axis=-1), rtol=1e-12, name="variance"),
    OpCase("Mean", lambda x: fg.math.reduce_std(x, [0, 1], keepdims=True), [D3],
           expected=lambda x: x.std(axis=(0, 1), keepdims=True), rtol=1e-12, name="std"),
    # SumGrad / MeanGrad: dy expanded back to the reduced input's shape
    OpCase("SumGrad", lambda dy, s: _sum_grad(dy, s, axis=(1,)),
           [np.float32([[1.0, 2.0], [3.0, 4.0]]), np.int32([2, 3, 2])],
           expected=np.float32([[[1, 2]] * 3, [[3, 4]] * 3])),
    OpCase("SumGrad", lambda dy, s: _sum_grad(dy, s, keepdims=True),
           [np.float64([[2.5]]), np.int32([2, 3])], expected=np.full((2, 3), 2.5),
           name="all-keepdims"),
    OpCase("SumGrad", lambda dy: _sum_grad(dy, fg.constant(np.int32([3, 2])), axis=(-2,)),
           [np.float64([1.0, -1.0])], expected=np.float64([[1, -1]] * 3),
           name="constant-shape"),
    OpCase("MeanGrad", lambda dy, s: _mean_grad(dy, s, axis=(0, 2)),
           [np.float32([6.0, 12.0]), np.int32([2, 2, 3])],
           expected=np.float32([[[1] * 3, [2] * 3]] * 2)),
    OpCase("MeanGrad", lambda dy, s: _mean_grad(dy, s), [np.float16(8.0), np.int32([4, 2])],
           expected=np.ones((4, 2), np.float16), name="float16"),
    # CountNonzero
    OpCase("CountNonzero", lambda x: fg.count_nonzero(x, 1), [np.int32([[0, 1, 2], [0, 0, 3]])],
           expected=np.int64([2, 1]), name="int"),
    OpCase("CountNonzero", lambda x: fg.count_nonzero(x, keepdims=True, dtype=fg.int32),
           [np.float32([[0.0, -0.5], [0.0, 2.0]])], expected=np.int32([[2]]), name="dtype"),
    OpCase("CountNonzero", lambda x: fg.count_nonzero(x, 0), [B],
           expected=np.int64([1, 0, 2]), name="bool"),
    OpCase("CountNonzero", lambda x: fg.count_nonzero(x),
           [np.array([b"", b"a", b"bc"], dtype=object)], expected=np.int64(2), name="strings"),
    # ArgMax / ArgMin: ties give the first index
    OpCase("ArgMax", lambda x: fg.argmax(x, 1), [np.float32([[1, 3, 3], [5, 0, 5]])],
           expected=np.int64([1, 0]), name="ties"),
    OpCase("ArgMax", lambda x: fg.argmax(x), [INTS], expected=np.int64([0, 0, 0]),
           name="axis-none-is-0"),
    OpCase("ArgMax", lambda x: fg.argmax(x, -2, output_type=fg.int32), [X3],
           expected=np.full((2, 4), 2, np.int32), name="neg-axis-int32"),
    OpCase("ArgMin", lambda x: fg.argmin(x, 1), [INTS], expected=np.int64([0, 0]), name="axis1"),
    OpCase("ArgMin", lambda x: fg.argmin(x, dimension=0), [np.float32([[2, 1], [2, 0]])],
           expected=np.int64([0, 1]), name="dimension-ties"),
]
