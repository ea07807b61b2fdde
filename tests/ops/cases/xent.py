"""Cases for xent.py: SoftmaxCrossEntropyWithLogits (v1 and v2 builders),
SparseSoftmaxCrossEntropyWithLogits and SigmoidCrossEntropyWithLogits.

The softmax losses are checked on both outputs (loss and backprop), so the gradient check
also covers the second-order path through the backprop output. References are plain numpy
formulas written here (naive, for small logits) and hand-computed literals (for +-1000).
"""

import math

import numpy as np

import flowgraph as fg
from tests.ops.harness import OpCase

F32 = np.float32
LOGITS = np.array([[1.0, 2.0, 3.0], [0.5, -1.0, 0.25]], dtype=np.float64)
PROBS = np.array([[0.0, 0.0, 1.0], [0.5, 0.25, 0.25]], dtype=np.float64)
LOGITS3 = np.array([[[1.0, -1.0], [0.5, 2.0]], [[0.0, 0.0], [3.0, -2.0]]], dtype=np.float64)
BIG = np.array([[1000.0, -1000.0, 0.0]] * 3, dtype=F32)
EYE = np.eye(3, dtype=F32)


def _np_log_softmax(x, axis=-1):
    x = np.asarray(x, np.float64)
    return x - np.log(np.sum(np.exp(x), axis=axis, keepdims=True))


def _np_xent(z, x, axis=-1):
    log_p = _np_log_softmax(x, axis)
    total = np.sum(z, axis=axis, keepdims=True)  # the gradient for labels not summing to 1
    return [-np.sum(z * log_p, axis=axis), np.exp(log_p) * total - z]


def _np_sparse(x, labels):
    log_p = _np_log_softmax(x)
    loss = -np.take_along_axis(log_p, labels[..., None].astype(np.int64), -1)[..., 0]
    return [loss, np.exp(log_p) - np.eye(x.shape[-1])[labels]]


def _np_sigmoid_xent(z, x):
    return np.log(1.0 + np.exp(x)) - x * z


def _v2(axis=None):
    def build(z, x):
        loss = fg.nn.softmax_cross_entropy_with_logits_v2(labels=z, logits=x, axis=axis)
        return list(loss.op.outputs)
    return build


def _v1(z, x):
    return list(fg.nn.softmax_cross_entropy_with_logits(labels=z, logits=x).op.outputs)


def _sparse(labels, x):
    loss = fg.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=x)
    return list(loss.op.outputs)


def _sigmoid(z, x):
    return fg.nn.sigmoid_cross_entropy_with_logits(labels=z, logits=x)


CASES = [
    # ------------------------------------------------------------------ dense labels
    OpCase("SoftmaxCrossEntropyWithLogits", _v2(), [PROBS, LOGITS],
           expected=lambda z, x: _np_xent(z, x)),
    OpCase("SoftmaxCrossEntropyWithLogits", _v2(), [PROBS.astype(F32), LOGITS.astype(F32)],
           expected=lambda z, x: _np_xent(z, x), rtol=1e-5, name="float32"),
    OpCase("SoftmaxCrossEntropyWithLogits", _v2(axis=0), [PROBS.T.copy(), LOGITS.T.copy()],
           expected=lambda z, x: _np_xent(z, x, axis=0), name="axis0"),
    OpCase("SoftmaxCrossEntropyWithLogits", _v2(), [np.abs(LOGITS3) / 4.0, LOGITS3],
           expected=lambda z, x: _np_xent(z, x), name="3d"),
    OpCase("SoftmaxCrossEntropyWithLogits", _v2(), [EYE, BIG],
           expected=[np.array([0.0, 2000.0, 1000.0], F32),
                     np.array([[0.0, 0.0, 0.0], [1.0, -1.0, 0.0], [1.0, 0.0, -1.0]], F32)],
           name="stable", grad=False),
    OpCase("SoftmaxCrossEntropyWithLogits", _v2(), [np.zeros((0, 3), F32),
                                                     np.zeros((0, 3), F32)],
           expected=[np.zeros((0,), F32), np.zeros((0, 3), F32)], name="empty", grad=False),
    # v1: the labels get no gradient, so finite differences in them would disagree.
    OpCase("SoftmaxCrossEntropyWithLogits", _v1, [PROBS, LOGITS],
           expected=lambda z, x: _np_xent(z, x), name="v1", grad=False),
    # ------------------------------------------------------------------ sparse labels
    OpCase("SparseSoftmaxCrossEntropyWithLogits", _sparse,
           [np.array([2, 0], np.int32), LOGITS], expected=lambda y, x: _np_sparse(x, y)),
    OpCase("SparseSoftmaxCrossEntropyWithLogits", _sparse,
           [np.array([2, 1], np.int64), LOGITS.astype(F32)],
           expected=lambda y, x: _np_sparse(x, y), rtol=1e-5, name="int64-float32"),
    OpCase("SparseSoftmaxCrossEntropyWithLogits", _sparse,
           [np.array([[0, 1], [1, 0]], np.int32), LOGITS3],
           expected=lambda y, x: _np_sparse(x, y), name="3d"),
    OpCase("SparseSoftmaxCrossEntropyWithLogits", _sparse,
           [np.array([0, 1, 2], np.int64), BIG],
           expected=[np.array([0.0, 2000.0, 1000.0], F32),
                     np.array([[0.0, 0.0, 0.0], [1.0, -1.0, 0.0], [1.0, 0.0, -1.0]], F32)],
           name="stable", grad=False),
    OpCase("SparseSoftmaxCrossEntropyWithLogits", _sparse,
           [np.zeros((0,), np.int32), np.zeros((0, 4), F32)],
           expected=[np.zeros((0,), F32), np.zeros((0, 4), F32)], name="empty", grad=False),
    # ------------------------------------------------------------------ sigmoid
    OpCase("SigmoidCrossEntropyWithLogits", _sigmoid, [PROBS, LOGITS],
           expected=_np_sigmoid_xent),
    OpCase("SigmoidCrossEntropyWithLogits", _sigmoid,
           [np.array([0.0, 1.0, 0.5, 1.0], F32), np.array([1000.0, -1000.0, 0.0, 1000.0], F32)],
           expected=np.array([1000.0, 1000.0, math.log(2.0), 0.0], F32), name="stable",
           grad=False),
    OpCase("SigmoidCrossEntropyWithLogits", _sigmoid, [np.array(1.0), np.array(-2.0)],
           expected=np.float64(math.log(1.0 + math.exp(-2.0)) + 2.0), name="scalar"),
]
