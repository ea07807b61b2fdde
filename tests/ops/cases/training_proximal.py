"""Cases for training_proximal.py: each rule written out in numpy here (TF1's
training_ops.cc formulas), dense and on gathered rows."""

import numpy as np

from flowgraph.ops import training_proximal as tp
from tests.ops.cases.training import A0, GR, M0, ROWS, G, V, _dense, _rows, _sparse

ADADELTA = {"lr": 0.5, "rho": 0.9, "epsilon": 1e-2}
PROX = {"alpha": 0.1, "lr": 0.1, "l1": 0.3, "l2": 0.2}
DA = {"lr": 0.1, "l1": 0.05, "l2": 0.2, "global_step": 3.0}


def adadelta(v, a, u, g, lr=0.5, rho=0.9, eps=1e-2):
    a = rho * a + (1 - rho) * g * g
    update = np.sqrt(u + eps) / np.sqrt(a + eps) * g
    u = rho * u + (1 - rho) * update * update
    return [v - lr * update, a, u]


def _prox(p, step, l1=0.3, l2=0.2):
    return np.sign(p) * np.maximum(np.abs(p) - step * l1, 0) / (1 + step * l2)


def proximal_gd(v, g, alpha=0.1):
    return [_prox(v - alpha * g, alpha)]


def proximal_adagrad(v, a, g, lr=0.1):
    a = a + g * g
    step = lr / np.sqrt(a)
    return [_prox(v - step * g, step), a]


def adagrad_da(v, ga, gga, g, lr=0.1, l1=0.05, l2=0.2, t=3.0):
    ga = ga + g
    gga = gga + g * g
    v = -lr * np.sign(ga) * np.maximum(np.abs(ga) - l1 * t, 0) / (l2 * t * lr + np.sqrt(gga))
    return [v, ga, gga]


CASES = [
    _dense(tp.ApplyAdadelta, [A0, M0], ADADELTA, adadelta(V, A0, M0, G)),
    _sparse(tp.SparseApplyAdadelta, [A0, M0], ADADELTA, _rows(adadelta, V, [A0, M0], GR, ROWS)),
    _dense(tp.ApplyProximalGradientDescent, [], PROX, proximal_gd(V, G)),
    _sparse(tp.SparseApplyProximalGradientDescent, [], PROX,
            _rows(proximal_gd, V, [], GR, ROWS)),
    _dense(tp.ApplyProximalAdagrad, [A0], PROX, proximal_adagrad(V, A0, G)),
    _sparse(tp.SparseApplyProximalAdagrad, [A0], PROX,
            _rows(proximal_adagrad, V, [A0], GR, ROWS)),
    _dense(tp.ApplyAdagradDA, [M0, A0], DA, adagrad_da(V, M0, A0, G)),
    _sparse(tp.SparseApplyAdagradDA, [M0, A0], DA, _rows(adagrad_da, V, [M0, A0], GR, ROWS)),
]
