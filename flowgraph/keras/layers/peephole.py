"""`tf.keras.experimental.PeepholeLSTMCell` (TF 1.15): an `LSTMCell` whose gates also see
the cell state (Gers & Schmidhuber, 2000)."""

from __future__ import annotations

from typing import Any

from flowgraph.keras.layers.recurrent import LSTMCell, _masked, _split
from flowgraph.ops import add, matmul, multiply

__all__ = ["PeepholeLSTMCell"]


class PeepholeLSTMCell(LSTMCell):
    """`LSTMCell` with peephole connections (TF 1.15's maths)::

        i = recurrent_activation(x_i + h @ U_i + w_i * c_prev)
        f = recurrent_activation(x_f + h @ U_f + w_f * c_prev)
        c = f * c_prev + i * activation(x_c + h @ U_c)
        o = recurrent_activation(x_o + h @ U_o + w_o * c)       h = o * activation(c)

    The extra weights ``input_gate_peephole_weights``, ``forget_gate_peephole_weights`` and
    ``output_gate_peephole_weights`` [units] start from `kernel_initializer`. Use it in
    ``tf.keras.layers.RNN(PeepholeLSTMCell(units))``.
    """

    def build(self, input_shape: Any) -> None:
        super().build(input_shape)
        self.built = False  # (the LSTM kernels marked it built; these weights are new)
        for gate in ("input", "forget", "output"):
            name = f"{gate}_gate_peephole_weights"
            setattr(self, name, self.add_weight(shape=(self.units,), name=name,
                                                initializer=self.kernel_initializer))
        self.built = True

    def call(self, inputs: Any, states: Any, training: Any = None) -> tuple:
        h_prev, c_prev = states[0], states[1]
        dp, rec_dp = self._get_masks(inputs, h_prev, training)
        act, rec_act = self.activation, self.recurrent_activation
        if self.implementation == 1:
            x = self._input_gates(inputs, dp, self.bias)
            recurrent = _split(self.recurrent_kernel, 4, 1)
            z = [add(x[g], matmul(_masked(h_prev, rec_dp, g), recurrent[g]))
                 for g in range(4)]
        else:
            zz = add(matmul(_masked(inputs, dp, 0), self.kernel),
                     matmul(_masked(h_prev, rec_dp, 0), self.recurrent_kernel))
            if self.bias is not None:
                zz = add(zz, self.bias)
            z = _split(zz, 4, 1)
        i = rec_act(add(z[0], multiply(self.input_gate_peephole_weights, c_prev)))
        f = rec_act(add(z[1], multiply(self.forget_gate_peephole_weights, c_prev)))
        c = add(multiply(f, c_prev), multiply(i, act(z[2])))
        o = rec_act(add(z[3], multiply(self.output_gate_peephole_weights, c)))
        h = multiply(o, act(c))
        return h, [h, c]
