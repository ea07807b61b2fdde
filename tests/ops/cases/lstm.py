"""Cases for lstm.py: FusedLSTMCell and its gradient op FusedLSTMCellGrad.

References: the LSTM step written out in plain numpy (split, sigmoid, tanh) and its
derivatives by the chain rule, written here independently of the kernels.
"""

import numpy as np

from flowgraph.ops.lstm import FusedLSTMCellGrad, fused_lstm_cell
from flowgraph.ops.registry import apply_op
from tests.ops.harness import OpCase

RNG = np.random.default_rng(11)
BATCH, UNITS = 3, 2
Z = RNG.standard_normal((BATCH, 4 * UNITS))
C = RNG.standard_normal((BATCH, UNITS))
D_C = RNG.standard_normal((BATCH, UNITS))
D_H = RNG.standard_normal((BATCH, UNITS))


def _sig(v):
    return 1.0 / (1.0 + np.exp(-v))


def _np_step(z, c, forget_bias):
    i, j, f, o = np.split(z, 4, axis=1)
    i, j, f, o = _sig(i), np.tanh(j), _sig(f + forget_bias), _sig(o)
    new_c = c * f + i * j
    return [new_c, np.tanh(new_c) * o, np.stack([i, j, f, o, np.tanh(new_c)])]


def _np_grad(z, c, d_c, d_h, forget_bias):
    new_c, _, act = _np_step(z, c, forget_bias)
    i, j, f, o, t = act
    total = d_c + d_h * o * (1 - t ** 2)
    d_z = np.concatenate([total * j * i * (1 - i), total * i * (1 - j ** 2),
                          total * c * f * (1 - f), d_h * t * o * (1 - o)], axis=1)
    return [d_z, total * f]


def _fused(forget_bias=1.0):
    def build(z, c):
        return list(fused_lstm_cell(z, c, forget_bias)[0].op.outputs)
    return build


def _grad_op(z, c, d_c, d_h):
    act = _fused()(z, c)[2]
    return list(apply_op(FusedLSTMCellGrad(), [act, c, d_c, d_h]))


CASES = [
    OpCase("FusedLSTMCell", _fused(), [Z, C], expected=_np_step(Z, C, 1.0), rtol=1e-12),
    OpCase("FusedLSTMCell", _fused(0.0), [Z.astype(np.float32), C.astype(np.float32)],
           expected=[v.astype(np.float32) for v in _np_step(Z, C, 0.0)], rtol=1e-5,
           atol=1e-6, name="float32-no-forget-bias", grad=False),
    OpCase("FusedLSTMCell", _fused(2.5), [np.array([[60.0, -60.0, -800.0, 900.0]]),
                                          np.array([[0.5]])],
           expected=[np.array([[-1.0]]), np.array([[np.tanh(-1.0)]]),
                     np.array([1.0, -1.0, 0.0, 1.0, np.tanh(-1.0)]).reshape(5, 1, 1)],
           name="saturated", grad=False),
    OpCase("FusedLSTMCellGrad", _grad_op, [Z, C, D_C, D_H],
           expected=_np_grad(Z, C, D_C, D_H, 1.0), rtol=1e-12),
]
