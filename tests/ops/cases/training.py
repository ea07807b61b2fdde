"""Cases for the optimizer update ops; references are the update rules written out in numpy."""

import numpy as np

import flowgraph as fg
from flowgraph.ops import training, training_sparse
from tests.ops.harness import OpCase

V = np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]], dtype=np.float32)
G = np.array([[0.1, 0.2], [0.3, -0.4], [0.5, 0.6]], dtype=np.float32)
A0 = np.full((3, 2), 0.5, dtype=np.float32)   # starting accumulator / mean square
M0 = np.full((3, 2), 0.25, dtype=np.float32)  # starting momentum / first moment
ROWS = np.array([2, 0, 2], dtype=np.int32)     # row 2 twice: its gradients add up
GR = np.array([[0.1, 0.2], [0.3, -0.4], [0.5, 0.6]], dtype=np.float32)


def _updating(op_class, slot_values, scalars, **attrs):
    """A build function: Variables (var, slots) made and initialized in the same run, then
    one update op; outputs the new var and each slot's value after the update."""
    def build(grad, *indices):
        var = fg.Variable(V, name="var")
        slots = [fg.Variable(s, name=f"slot{i}") for i, s in enumerate(slot_values)]
        with fg.control_dependencies([var.initializer] + [s.initializer for s in slots]):
            inputs = [var, *slots]
            for name, role in op_class.signature:
                if role == "grad":
                    inputs.append(grad)
                elif role == "indices":
                    inputs.append(indices[0])
                elif role == "scalar":
                    inputs.append(scalars[name])
            out = training.apply_update(op_class, inputs, **attrs)
        with fg.control_dependencies([out.op]):
            after = [s.read_value() for s in slots]
        return [out] + after
    return build


def _single(expected):
    return expected[0] if len(expected) == 1 else expected


def _dense(op_class, slot_values, scalars, expected, **attrs):
    expected = _single(expected)
    return OpCase(op_class.type_name, _updating(op_class, slot_values, scalars, **attrs), [G],
                  expected=expected, rtol=1e-5)


def _sparse(op_class, slot_values, scalars, expected, **attrs):
    expected = _single(expected)
    return OpCase(op_class.type_name, _updating(op_class, slot_values, scalars, **attrs),
                  [GR, ROWS], expected=expected, rtol=1e-5)


def _rows(dense_rule, var, slots, grad, indices):
    """Applies `dense_rule` to the touched rows only (duplicates summed first)."""
    var = var.astype(np.float64)
    slots = [s.astype(np.float64) for s in slots]
    summed = {}
    for i, row in zip(indices, grad.astype(np.float64)):
        summed[int(i)] = summed.get(int(i), 0) + row
    for i, g in summed.items():
        new = dense_rule(var[i], *[s[i] for s in slots], g)
        var[i] = new[0]
        for s, value in zip(slots, new[1:]):
            s[i] = value
    return [var] + slots


# --------------------------------------------------------------------------- references
def gd(v, g, lr=0.1):
    return [v - lr * g]


def momentum(v, a, g, lr=0.1, mu=0.9, nesterov=False):
    a = mu * a + g
    v = v - lr * (g + mu * a) if nesterov else v - lr * a
    return [v, a]


def adagrad(v, a, g, lr=0.1):
    a = a + g * g
    return [v - lr * g / np.sqrt(a), a]


def rmsprop(v, ms, mom, g, lr=0.1, rho=0.9, mu=0.5, eps=1e-3):
    ms = rho * ms + (1 - rho) * g * g
    mom = mu * mom + lr * g / np.sqrt(ms + eps)
    return [v - mom, ms, mom]


def centered_rmsprop(v, mg, ms, mom, g, lr=0.1, rho=0.9, mu=0.5, eps=1e-3):
    ms = rho * ms + (1 - rho) * g * g
    mg = rho * mg + (1 - rho) * g
    mom = mu * mom + lr * g / np.sqrt(ms - mg * mg + eps)
    return [v - mom, mg, ms, mom]


def adam(v, m, s, g, b1p=0.9, b2p=0.999, lr=0.1, b1=0.9, b2=0.999, eps=1e-8,
         nesterov=False):
    lr_t = lr * np.sqrt(1 - b2p) / (1 - b1p)
    m = b1 * m + (1 - b1) * g
    s = b2 * s + (1 - b2) * g * g
    step = (b1 * m + (1 - b1) * g) if nesterov else m
    return [v - lr_t * step / (np.sqrt(s) + eps), m, s]


def ftrl(v, accum, linear, g, lr=0.1, l1=0.3, l2=0.2, power=-0.5, shrinkage=0.0):
    new_accum = accum + g * g  # ApplyFtrlV2 accumulates the raw gradient
    g = g + 2 * shrinkage * v
    p = -power
    linear = linear + g - (new_accum ** p - accum ** p) / lr * v
    quadratic = new_accum ** p / lr + 2 * l2
    v = np.where(np.abs(linear) > l1, (np.sign(linear) * l1 - linear) / quadratic, 0.0)
    return [v, new_accum, linear]


S = dict(lr=0.1, momentum=0.9, alpha=0.1, rho=0.9, epsilon=1e-3, beta1_power=0.9,
         beta2_power=0.999, beta1=0.9, beta2=0.999, l1=0.3, l2=0.2, lr_power=-0.5,
         l2_shrinkage=0.3)
RMS = dict(S, momentum=0.5)
ADAM = dict(S, epsilon=1e-8)

CASES = [
    _dense(training.ApplyGradientDescent, [], S, gd(V, G)),
    _dense(training.ApplyMomentum, [M0], S, momentum(V, M0, G)),
    OpCase("ApplyMomentum", _updating(training.ApplyMomentum, [M0], S, use_nesterov=True),
           [G], expected=momentum(V, M0, G, nesterov=True), rtol=1e-5, name="nesterov"),
    _dense(training.ApplyAdagrad, [A0], S, adagrad(V, A0, G)),
    _dense(training.ApplyRMSProp, [A0, M0], RMS, rmsprop(V, A0, M0, G)),
    _dense(training.ApplyCenteredRMSProp, [M0 * 0.4, A0, M0], RMS,
           centered_rmsprop(V, M0 * 0.4, A0, M0, G)),
    _dense(training.ApplyAdam, [M0, A0], ADAM, adam(V, M0, A0, G)),
    OpCase("ApplyAdam", _updating(training.ApplyAdam, [M0, A0], ADAM, use_nesterov=True),
           [G], expected=adam(V, M0, A0, G, nesterov=True), rtol=1e-5, name="nesterov"),
    _dense(training.ApplyFtrl, [A0, M0], S, ftrl(V, A0, M0, G)),
    OpCase("ApplyFtrl", _updating(training.ApplyFtrl, [A0, M0], dict(S, lr_power=-0.25)),
           [G], expected=ftrl(V, A0, M0, G, power=-0.25), rtol=1e-5, name="lr_power"),
    _dense(training.ApplyFtrlV2, [A0, M0], S, ftrl(V, A0, M0, G, shrinkage=0.3)),
    # Sparse: rows 0 and 2 change (row 2 with the sum of its two gradient rows), row 1 not.
    _sparse(training_sparse.SparseApplyGradientDescent, [], S,
            _rows(lambda v, g: gd(v, g), V, [], GR, ROWS)),
    _sparse(training_sparse.SparseApplyMomentum, [M0], S,
            _rows(momentum, V, [M0], GR, ROWS)),
    _sparse(training_sparse.SparseApplyAdagrad, [A0], S, _rows(adagrad, V, [A0], GR, ROWS)),
    _sparse(training_sparse.SparseApplyRMSProp, [A0, M0], RMS,
            _rows(rmsprop, V, [A0, M0], GR, ROWS)),
    _sparse(training_sparse.SparseApplyCenteredRMSProp, [M0 * 0.4, A0, M0], RMS,
            _rows(centered_rmsprop, V, [M0 * 0.4, A0, M0], GR, ROWS)),
    _sparse(training_sparse.SparseApplyFtrl, [A0, M0], S, _rows(ftrl, V, [A0, M0], GR, ROWS)),
    _sparse(training_sparse.SparseApplyFtrlV2, [A0, M0], S,
            _rows(lambda v, a, n, g: ftrl(v, a, n, g, shrinkage=0.3), V, [A0, M0], GR, ROWS)),
]


def _sparse_adam_expected():
    # TF1's _apply_sparse_shared: m and v decay everywhere, gradients (duplicates summed)
    # are added on their rows, and every row of var moves.
    g = np.zeros_like(V, dtype=np.float64)
    g[0] = GR[1]
    g[2] = GR[0] + GR[2]
    m = 0.9 * M0 + 0.1 * g
    s = 0.999 * A0 + 0.001 * g * g
    lr_t = 0.1 * np.sqrt(1 - 0.999) / (1 - 0.9)
    return [V - lr_t * m / (np.sqrt(s) + 1e-8), m, s]


CASES.append(_sparse(training_sparse.SparseApplyAdam, [M0, A0], ADAM, _sparse_adam_expected()))
