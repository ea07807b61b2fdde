"""The fused pointwise part of an LSTM cell, and its fused gradient.

An LSTM step is ``z = [x, h] @ kernel + bias`` followed by about a dozen elementwise ops
(split in four, three sigmoids, two tanh, products and sums). In an unrolled or looped
RNN those small ops dominate the run time through per-op overhead, so `BasicLSTMCell` and
`LSTMCell` (without peepholes or clipping) run them as one op, `FusedLSTMCell`, whose
gradient is one op too, `FusedLSTMCellGrad`. The matmul stays a separate, ordinary op.

Gate order and forget bias follow TF1: ``i, j, f, o = split(z, 4)``,
``c' = c * sigmoid(f + forget_bias) + sigmoid(i) * tanh(j)``, ``h' = tanh(c') * sigmoid(o)``.
"""

from __future__ import annotations

import numpy as np

from flowgraph.graph import Tensor
from flowgraph.ops.elementwise import check_dtype
from flowgraph.ops.registry import Op, apply_op, register
from flowgraph.ops.xent import _is_zero

__all__: list = []


def _gate_shapes(op, gates: Tensor, cell: Tensor) -> tuple:
    """Static (batch, units) of a [batch, 4 * units] gates tensor and a [batch, units] cell
    state; ValueError naming both shapes when they disagree."""
    g = gates.shape.with_rank(2).as_list()
    c = cell.shape.with_rank(2).as_list()
    batch = g[0] if g[0] is not None else c[0]
    if g[0] is not None and c[0] is not None and g[0] != c[0]:
        raise ValueError(f"{op.type}: gates {gates.shape} and cell state {cell.shape} differ "
                         "in batch size")
    units = c[1] if c[1] is not None else (g[1] // 4 if g[1] is not None else None)
    if g[1] is not None and units is not None and g[1] != 4 * units:
        raise ValueError(f"{op.type}: gates of shape {gates.shape} need 4 * units = "
                         f"4 * {units} columns (cell state {cell.shape})")
    return batch, units


@register
class FusedLSTMCell(Op):
    """One LSTM step after the matmul. Inputs: gates ``z`` [batch, 4 * units] (i, j, f, o)
    and the previous cell state ``c`` [batch, units]. Outputs: the new cell state ``c'``,
    the new output ``h'`` (both [batch, units]) and the activations
    ``[sigmoid(i), tanh(j), sigmoid(f + forget_bias), sigmoid(o), tanh(c')]`` stacked
    gate-major, [5, batch, units], which the gradient reuses. (Gate-major, each activation
    is one contiguous block: numpy runs elementwise passes over contiguous arrays several
    times faster than over column slices of a [batch, 5 * units] array.)"""

    forget_bias: float = 1.0

    def infer(self, op):
        gates, cell = op.inputs
        check_dtype(op, gates, "f", "gates")
        if cell.dtype != gates.dtype:
            raise TypeError(f"{op.type} needs the cell state in the gates' dtype "
                            f"{gates.dtype.name}, got {cell.dtype.name}")
        batch, units = _gate_shapes(op, gates, cell)
        return [(gates.dtype, [batch, units]), (gates.dtype, [batch, units]),
                (gates.dtype, [5, batch, units])]

    def kernel(self, z, c):
        batch, units = c.shape
        if z.shape != (batch, 4 * units):
            raise ValueError(f"FusedLSTMCell: gates of shape {z.shape} do not fit a cell "
                             f"state of shape {c.shape} (need [batch, 4 * units])")
        act = np.empty((5, batch, units), z.dtype)
        z_gates = z.reshape(batch, 4, units).transpose(1, 0, 2)  # a view: [4, batch, units]
        i, j, f, o, tanh_c = act
        np.tanh(z_gates[1], out=j)
        _sigmoid(z_gates[0], i)
        _sigmoid(z_gates[2:], act[2:4], shift=self.forget_bias)  # f and o in one pass
        new_c = c * f
        np.multiply(i, j, out=tanh_c)
        new_c += tanh_c
        np.tanh(new_c, out=tanh_c)
        return new_c, tanh_c * o, act

    def grad(self, op, d_c, d_h, d_act):
        from flowgraph.ops.math import add
        gates, cell = op.inputs
        act = op.outputs[2]
        direct = None
        if not _is_zero(d_act):  # only when the activations are used themselves
            direct, d_tanh_c = _through_activations(act, d_act)
            d_c = add(d_c, d_tanh_c)
        d_gates, d_cell = apply_op(FusedLSTMCellGrad(), [act, cell, d_c, d_h],
                                   name="FusedLSTMCellGrad")
        return [d_gates if direct is None else add(d_gates, direct), d_cell]


def _sigmoid(x: np.ndarray, out: np.ndarray, shift: float = 0.0) -> None:
    """``out = sigmoid(x + shift)``, with ``shift`` added to the first block of `x` only
    when `x` holds two blocks (the forget gate before the output gate).

    Computed as ``1 / (2 + expm1(-v))``, which is ``1 / (1 + exp(-v))`` to the same
    accuracy (within 3 ulp of the exact value in float32, as the exp form) while numpy's
    float32 expm1 runs about twice as fast as its exp. Saturates exactly: expm1 overflowing
    to inf for very negative v gives 0, and -1 for very positive v gives 1.
    """
    np.negative(x, out=out)
    if shift:
        first = out[0] if out.ndim == 3 else out
        first -= out.dtype.type(shift)
    np.expm1(out, out=out)
    out += 2
    np.reciprocal(out, out=out)


def _through_activations(act: Tensor, d_act: Tensor) -> tuple:
    """The gradient reaching the activations output, taken back through each activation:
    (for the gates [batch, 4 * units], for the new cell state [batch, units]). The slopes
    come from the outputs: ``a * (1 - a)`` for sigmoids, ``1 - a**2`` for tanh."""
    from flowgraph.ops.array import concat, unstack
    from flowgraph.ops.math import multiply, subtract
    one = np.asarray(1, act.dtype.as_numpy_dtype)
    i, j, f, o, tanh_c = unstack(act, 5, axis=0)
    d_i, d_j, d_f, d_o, d_tanh_c = unstack(d_act, 5, axis=0)
    gates = concat([multiply(d_i, multiply(i, subtract(one, i))),
                    multiply(d_j, subtract(one, multiply(j, j))),
                    multiply(d_f, multiply(f, subtract(one, f))),
                    multiply(d_o, multiply(o, subtract(one, o)))], 1)
    return gates, multiply(d_tanh_c, subtract(one, multiply(tanh_c, tanh_c)))


@register
class FusedLSTMCellGrad(Op):
    """The gradient of `FusedLSTMCell`. Inputs: its activations output, the previous cell
    state, and the gradients reaching the new cell state and the new output. Outputs: the
    gradients of the gates [batch, 4 * units] and of the previous cell state [batch, units].
    Not differentiable itself (second-order gradients through a fused LSTM cell are not
    available; build the cell from primitive ops, e.g. with a custom activation, for them)."""

    differentiable = False

    def infer(self, op):
        act, cell, d_c, d_h = op.inputs
        for name, t in (("previous cell", cell), ("cell gradient", d_c),
                        ("output gradient", d_h)):
            if t.dtype != act.dtype:
                raise TypeError(f"{op.type}: the {name} is {t.dtype.name}, the activations "
                                f"{act.dtype.name}")
        a = act.shape.with_rank(3).as_list()
        c = cell.shape.with_rank(2).as_list()
        units = c[1] if c[1] is not None else a[2]
        batch = a[1] if a[1] is not None else c[0]
        return [(act.dtype, [batch, None if units is None else 4 * units]),
                (act.dtype, [batch, units])]

    def kernel(self, act, c, d_c, d_h):
        batch, units = c.shape
        if act.shape != (5, batch, units):
            raise ValueError(f"FusedLSTMCellGrad: activations of shape {act.shape} do not "
                             f"fit a cell state of shape {c.shape} (need [5, batch, units])")
        i, j, f, o, tanh_c = act
        # the total gradient of c': through h' = tanh(c') * o, and directly
        total = tanh_c * tanh_c
        np.subtract(1, total, out=total)
        total *= o
        total *= d_h
        total += d_c
        # Each gate's gradient is computed in a contiguous temporary (fast elementwise
        # passes) and its last product written straight into its columns of d_z.
        d_z = np.empty((batch, 4 * units), act.dtype)
        d_i, d_j, d_f, d_o = d_z.reshape(batch, 4, units).transpose(1, 0, 2)
        slope = np.subtract(1, i)
        tmp = np.multiply(total, j)
        tmp *= i
        np.multiply(tmp, slope, out=d_i)
        np.multiply(j, j, out=slope)
        np.subtract(1, slope, out=slope)
        np.multiply(total, i, out=tmp)
        np.multiply(tmp, slope, out=d_j)
        np.subtract(1, f, out=slope)
        np.multiply(total, c, out=tmp)
        tmp *= f
        np.multiply(tmp, slope, out=d_f)
        np.subtract(1, o, out=slope)
        np.multiply(d_h, tanh_c, out=tmp)
        tmp *= o
        np.multiply(tmp, slope, out=d_o)
        total *= f
        return d_z, total


def fused_lstm_cell(gates: Tensor, cell: Tensor, forget_bias: float = 1.0,
                    name: str = "FusedLSTMCell") -> tuple:
    """``(c', h')`` of one LSTM step from its gates ``[x, h] @ kernel + bias`` and the
    previous cell state ``c`` (see the module docstring for the formulas)."""
    new_c, new_h, _ = apply_op(FusedLSTMCell(forget_bias=float(forget_bias)),
                               [gates, cell], name=name)
    return new_c, new_h
