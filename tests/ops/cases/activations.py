"""Cases for activations.py, softmax.py and nn_basic.py: relu family, their ...Grad ops,
Softmax / LogSoftmax, BiasAdd / BiasAddGrad, L2Loss.

Expected values are hand-computed literals, or numpy / math written here.
"""

import math

import numpy as np

import flowgraph as fg
from flowgraph.ops import activations as act
from flowgraph.ops.nn_basic import BiasAddGrad
from flowgraph.ops.registry import apply_op
from tests.ops.harness import OpCase

F32 = np.float32
X = np.array([[1.5, -2.0, 0.0], [4.0, -0.25, 9.0]], dtype=F32)
# No zeros and nothing at 6: away from the kinks of relu / relu6 / leaky_relu / selu.
SMOOTH = np.array([[1.5, -2.0, 0.5], [4.0, -0.25, 7.0]], dtype=np.float64)
DY = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], dtype=F32)
SCALE = 1.0507009873554804934193349852946
ALPHA = 1.6732632423543772848170429916717


def _grad_op(cls, **attrs):
    return lambda dy, saved: apply_op(cls(**attrs), [dy, saved])


def _map(fn, values, dtype=F32):
    return np.array([[fn(float(v)) for v in row] for row in values], dtype=dtype)


def _np_softmax(x, axis=-1):
    x = np.asarray(x, np.float64)
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def _elu(v):
    return math.expm1(v) if v < 0 else v


def _selu(v):
    return SCALE * (ALPHA * math.expm1(v) if v < 0 else v)


def _softplus(v):
    return math.log1p(math.exp(v))


def _sigmoid(v):
    return 1.0 / (1.0 + math.exp(-v))


ELU_Y = _map(_elu, SMOOTH, np.float64)
SELU_Y = _map(_selu, SMOOTH, np.float64)
DY64 = DY.astype(np.float64)
S3 = np.array([[[1.0, 2.0], [3.0, -1.0], [0.5, 0.0]],
               [[-2.0, 1.5], [0.25, 4.0], [1.0, 1.0]]], dtype=np.float64)

CASES = [
    # ------------------------------------------------------------------ relu family
    OpCase("Relu", lambda x: fg.nn.relu(x), [X],
           expected=np.array([[1.5, 0.0, 0.0], [4.0, 0.0, 9.0]], F32), grad_inputs=[SMOOTH]),
    OpCase("Relu", lambda x: fg.nn.relu(x), [np.array([-3, 0, 5], np.int32)],
           expected=np.array([0, 0, 5], np.int32), name="int32"),
    OpCase("Relu", lambda x: fg.nn.relu(x), [np.array(-1.5, np.float64)],
           expected=np.float64(0.0), name="scalar"),
    OpCase("ReluGrad", _grad_op(act.ReluGrad), [DY, np.maximum(X, 0)],
           expected=np.array([[1.0, 0.0, 0.0], [4.0, 0.0, 6.0]], F32),
           grad_inputs=[DY64, SMOOTH]),
    OpCase("Relu6", lambda x: fg.nn.relu6(x), [X],
           expected=np.array([[1.5, 0.0, 0.0], [4.0, 0.0, 6.0]], F32), grad_inputs=[SMOOTH]),
    OpCase("Relu6", lambda x: fg.nn.relu6(x), [np.array([-1, 3, 8], np.int64)],
           expected=np.array([0, 3, 6], np.int64), name="int64"),
    OpCase("Relu6Grad", _grad_op(act.Relu6Grad), [DY, np.clip(X, 0, 6)],
           expected=np.array([[1.0, 0.0, 0.0], [4.0, 0.0, 0.0]], F32),
           grad_inputs=[DY64, np.array([[1.5, -1.0, 0.5], [4.0, -0.25, 7.0]])]),
    OpCase("LeakyRelu", lambda x: fg.nn.leaky_relu(x), [X],
           expected=np.array([[1.5, -0.4, 0.0], [4.0, -0.05, 9.0]], F32),
           grad_inputs=[SMOOTH]),
    OpCase("LeakyRelu", lambda x: fg.nn.leaky_relu(x, alpha=0.5), [SMOOTH],
           expected=np.array([[1.5, -1.0, 0.5], [4.0, -0.125, 7.0]]), name="alpha"),
    OpCase("LeakyReluGrad", _grad_op(act.LeakyReluGrad, alpha=0.1), [DY, X],
           expected=np.array([[1.0, 0.2, 0.3], [4.0, 0.5, 6.0]], F32),
           grad_inputs=[DY64, SMOOTH]),
    OpCase("Elu", lambda x: fg.nn.elu(x), [X], expected=_map(_elu, X), grad_inputs=[SMOOTH]),
    OpCase("Elu", lambda x: fg.nn.elu(x), [np.array([-1000.0, 1000.0], np.float64)],
           expected=np.array([-1.0, 1000.0]), name="large", grad=False),
    OpCase("EluGrad", _grad_op(act.EluGrad), [DY64, ELU_Y],
           expected=DY64 * np.where(SMOOTH < 0, np.exp(SMOOTH), 1.0)),
    OpCase("Selu", lambda x: fg.nn.selu(x), [X], expected=_map(_selu, X), grad_inputs=[SMOOTH]),
    OpCase("SeluGrad", _grad_op(act.SeluGrad), [DY64, SELU_Y],
           expected=DY64 * np.where(SMOOTH < 0, SCALE * ALPHA * np.exp(SMOOTH), SCALE)),
    OpCase("Softplus", lambda x: fg.nn.softplus(x), [X], expected=_map(_softplus, X)),
    OpCase("Softplus", lambda x: fg.nn.softplus(x), [np.array([-1000.0, 0.0, 1000.0], F32)],
           expected=np.array([0.0, math.log(2.0), 1000.0], F32), name="large", grad=False),
    OpCase("SoftplusGrad", _grad_op(act.SoftplusGrad), [DY, X],
           expected=DY * _map(_sigmoid, X), rtol=1e-5),
    OpCase("Softsign", lambda x: fg.nn.softsign(x), [X],
           expected=np.array([[0.6, -2.0 / 3.0, 0.0], [0.8, -0.2, 0.9]], F32),
           grad_inputs=[SMOOTH]),
    OpCase("SoftsignGrad", _grad_op(act.SoftsignGrad), [DY, X],
           expected=DY / np.square(1.0 + np.abs(X)), grad_inputs=[DY64, SMOOTH]),
    # ------------------------------------------------------------------ softmax
    OpCase("Softmax", lambda x: fg.nn.softmax(x), [SMOOTH], expected=_np_softmax(SMOOTH)),
    OpCase("Softmax", lambda x: fg.nn.softmax(x, axis=0), [SMOOTH],
           expected=_np_softmax(SMOOTH, 0), name="axis0"),
    OpCase("Softmax", lambda x: fg.nn.softmax(x, dim=1), [S3], expected=_np_softmax(S3, 1),
           name="3d-dim1"),
    OpCase("Softmax", lambda x: fg.nn.softmax(x), [np.array([1000.0, -1000.0, 0.0], F32)],
           expected=np.array([1.0, 0.0, 0.0], F32), name="stable", grad=False),
    OpCase("Softmax", lambda x: fg.nn.softmax(x), [np.array([[0.0, 0.0], [1.0, 1.0]], F32)],
           expected=np.array([[0.5, 0.5], [0.5, 0.5]], F32), name="uniform"),
    OpCase("Softmax", lambda x: fg.nn.softmax(x), [np.array([[1.0, 2.0]], np.float16)],
           expected=np.array([[0.26894142, 0.73105858]], np.float16), rtol=1e-3,
           name="float16", grad=False),
    OpCase("Softmax", lambda x: fg.nn.softmax(x), [np.zeros((0, 3), F32)],
           expected=np.zeros((0, 3), F32), name="empty", grad=False),
    OpCase("LogSoftmax", lambda x: fg.nn.log_softmax(x), [SMOOTH],
           expected=np.log(_np_softmax(SMOOTH))),
    OpCase("LogSoftmax", lambda x: fg.nn.log_softmax(x, axis=-2), [S3],
           expected=np.log(_np_softmax(S3, 1)), name="axis-2"),
    OpCase("LogSoftmax", lambda x: fg.nn.log_softmax(x),
           [np.array([[1000.0, -1000.0, 0.0]], F32)],
           expected=np.array([[0.0, -2000.0, -1000.0]], F32), name="stable", grad=False),
    # ------------------------------------------------------------------ bias_add, l2_loss
    OpCase("BiasAdd", lambda x, b: fg.nn.bias_add(x, b), [X, np.array([1.0, 2.0, 3.0], F32)],
           expected=np.array([[2.5, 0.0, 3.0], [5.0, 1.75, 12.0]], F32)),
    OpCase("BiasAdd", lambda x, b: fg.nn.bias_add(x, b), [S3, np.array([10.0, 20.0])],
           expected=S3 + np.array([10.0, 20.0]), name="3d"),
    OpCase("BiasAdd", lambda x, b: fg.nn.bias_add(x, b, data_format="NCHW"),
           [S3, np.array([10.0, 20.0, 30.0])],
           expected=S3 + np.array([10.0, 20.0, 30.0]).reshape(1, 3, 1), name="nchw"),
    OpCase("BiasAdd", lambda x, b: fg.nn.bias_add(x, b),
           [np.array([[1, 2], [3, 4]], np.int32), np.array([10, -1], np.int32)],
           expected=np.array([[11, 1], [13, 3]], np.int32), name="int32"),
    OpCase("BiasAddGrad", lambda dy: apply_op(BiasAddGrad(), [dy]), [DY],
           expected=np.array([5.0, 7.0, 9.0], F32)),
    OpCase("BiasAddGrad", lambda dy: apply_op(BiasAddGrad(data_format="NCHW"), [dy]), [S3],
           expected=np.array([2.5, 6.25, 2.5]), name="nchw"),
    OpCase("BiasAddGrad", lambda dy: apply_op(BiasAddGrad(), [dy]), [S3],
           expected=np.array([3.75, 7.5]), name="3d"),
    OpCase("L2Loss", lambda t: fg.nn.l2_loss(t), [np.array([[1.0, 2.0], [3.0, 4.0]], F32)],
           expected=F32(15.0)),
    OpCase("L2Loss", lambda t: fg.nn.l2_loss(t), [np.array(-3.0)], expected=np.float64(4.5),
           name="scalar"),
    OpCase("L2Loss", lambda t: fg.nn.l2_loss(t), [np.zeros((0, 2), F32)], expected=F32(0.0),
           name="empty", grad=False),
]
