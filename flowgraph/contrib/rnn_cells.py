"""More of TF1's `tf.contrib.rnn` cells: the block cells (LSTMBlockCell, GRUBlockCell,
GRUBlockCellV2, LSTMBlockFusedCell: TF1's single-op kernels, here the same arithmetic as
the `fg.nn.rnn_cell` cells under TF1's variable names), LayerNormBasicLSTMCell and
HighwayWrapper."""

from __future__ import annotations

from typing import Any, Optional

from flowgraph.control_flow import nest
from flowgraph.graph import Tensor
from flowgraph.initializers import constant_initializer, zeros_initializer
from flowgraph.nn.rnn_cell_impl import GRUCell, RNNCell, _last_dim, get_activation
from flowgraph.nn.rnn_cell_lstm import LSTMCell, LSTMStateTuple
from flowgraph.ops.array import concat, split
from flowgraph.ops.linalg import matmul
from flowgraph.ops.nn_basic import bias_add
from flowgraph.ops.trig import sigmoid, tanh
from flowgraph.variable_scope import get_variable, get_variable_scope, variable_scope

__all__ = ["GRUBlockCell", "GRUBlockCellV2", "HighwayWrapper", "LSTMBlockCell",
           "LSTMBlockFusedCell", "LayerNormBasicLSTMCell"]


class LSTMBlockCell(LSTMCell):
    """TF1's `tf.contrib.rnn.LSTMBlockCell`: the LSTM of `LSTMCell` (optional peepholes
    ``w_i_diag``, ``w_f_diag``, ``w_o_diag`` and cell clipping, no projection) under the
    same variable names (``lstm_cell/kernel``, ``lstm_cell/bias``)."""

    def __init__(self, num_units: int, forget_bias: float = 1.0, cell_clip: Any = None,
                 use_peephole: bool = False, dtype: Any = None, reuse: Any = None,
                 name: str = "lstm_cell") -> None:
        # TF1's kernel clips only for cell_clip > 0 (its default -1 means none).
        clip = cell_clip if cell_clip is not None and cell_clip > 0 else None
        super().__init__(num_units, use_peepholes=use_peephole, cell_clip=clip,
                         forget_bias=forget_bias, reuse=reuse, name=name, dtype=dtype)


class GRUBlockCellV2(GRUCell):
    """TF1's `tf.contrib.rnn.GRUBlockCellV2`: the GRU of `GRUCell` under its variable names
    (``gru_cell/gates/kernel`` ...); `cell_size` is TF1's older name of `num_units`."""

    def __init__(self, num_units: Optional[int] = None, cell_size: Optional[int] = None,
                 reuse: Any = None, name: str = "gru_cell") -> None:
        if (num_units is None) == (cell_size is None):
            raise ValueError("Exactly one of num_units or cell_size must be provided.")
        super().__init__(num_units if num_units is not None else cell_size, reuse=reuse,
                         name=name)


class GRUBlockCell(GRUBlockCellV2):
    """TF1's `tf.contrib.rnn.GRUBlockCell`: `GRUBlockCellV2` with TF1's first variable
    names: ``w_ru``, ``b_ru`` (gates; bias starts at 1) and ``w_c``, ``b_c`` (candidate)."""

    def build(self, inputs_shape: Any) -> None:
        depth = _last_dim(inputs_shape)
        units = self._num_units
        self._gate_kernel = self.add_weight("w_ru", shape=[depth + units, 2 * units])
        self._gate_bias = self.add_weight("b_ru", shape=[2 * units],
                                          initializer=constant_initializer(1.0))
        self._candidate_kernel = self.add_weight("w_c", shape=[depth + units, units])
        self._candidate_bias = self.add_weight("b_c", shape=[units],
                                               initializer=zeros_initializer())
        self.built = True


class LayerNormBasicLSTMCell(RNNCell):
    """TF1's `tf.contrib.rnn.LayerNormBasicLSTMCell`: a basic LSTM with layer normalization
    of each gate and of the new cell state (Ba et al., 2016) and optional recurrent dropout
    of the candidate (Semeniuta et al., 2016).

    Variables: ``kernel`` [input + units, 4 * units] (no bias with `layer_norm`, else
    ``bias``), and ``gamma`` / ``beta`` [units] under ``input``, ``transform``, ``forget``,
    ``output`` and ``state``. Normalization: over the units, variance epsilon 1e-12.
    """

    def __init__(self, num_units: int, forget_bias: float = 1.0, input_size: Any = None,
                 activation: Any = None, layer_norm: bool = True, norm_gain: float = 1.0,
                 norm_shift: float = 0.0, dropout_keep_prob: Any = 1.0,
                 dropout_prob_seed: Optional[int] = None, reuse: Any = None) -> None:
        super().__init__(_reuse=reuse)
        self._num_units = int(num_units)
        self._activation = get_activation(activation) if activation else tanh
        self._forget_bias = forget_bias
        self._keep_prob = dropout_keep_prob
        self._seed = dropout_prob_seed
        self._layer_norm = layer_norm
        self._norm_gain = norm_gain
        self._norm_shift = norm_shift

    @property
    def state_size(self) -> LSTMStateTuple:
        return LSTMStateTuple(self._num_units, self._num_units)

    @property
    def output_size(self) -> int:
        return self._num_units

    def _norm(self, inp: Tensor, scope: str) -> Tensor:
        from flowgraph.nn.stats import moments
        from flowgraph.ops.unary import rsqrt
        units = inp.shape[-1:]
        with variable_scope(scope):
            gamma = get_variable("gamma", shape=units, dtype=inp.dtype,
                                 initializer=constant_initializer(self._norm_gain))
            beta = get_variable("beta", shape=units, dtype=inp.dtype,
                                initializer=constant_initializer(self._norm_shift))
        mean, variance = moments(inp, [1], keep_dims=True)
        return (inp - mean) * (rsqrt(variance + 1e-12) * gamma) + beta

    def call(self, inputs: Tensor, state: Any) -> tuple:
        from flowgraph.nn.dropout import dropout
        c, h = state
        args = concat([inputs, h], 1)
        kernel = get_variable("kernel", [args.shape[-1].value, 4 * self._num_units],
                              dtype=args.dtype)
        gates = matmul(args, kernel)
        if not self._layer_norm:
            bias = get_variable("bias", [4 * self._num_units], dtype=args.dtype)
            gates = bias_add(gates, bias)
        i, j, f, o = split(value=gates, num_or_size_splits=4, axis=1)
        if self._layer_norm:
            i = self._norm(i, "input")
            j = self._norm(j, "transform")
            f = self._norm(f, "forget")
            o = self._norm(o, "output")
        g = self._activation(j)
        if not isinstance(self._keep_prob, float) or self._keep_prob < 1:
            g = dropout(g, self._keep_prob, seed=self._seed)
        new_c = c * sigmoid(f + self._forget_bias) + sigmoid(i) * g
        if self._layer_norm:
            new_c = self._norm(new_c, "state")
        new_h = self._activation(new_c) * sigmoid(o)
        return new_h, LSTMStateTuple(new_c, new_h)


class HighwayWrapper(RNNCell):
    """TF1's `tf.contrib.rnn.HighwayWrapper`: ``out' = x * carry + out * transform`` with
    ``carry = sigmoid(x @ carry_w + carry_b)`` (``carry_b`` starts at `carry_bias_init`)
    and ``transform = 1 - carry`` (or its own ``transform_w`` / ``transform_b`` when the
    gates are not coupled). The inputs and outputs must have the same shape."""

    def __init__(self, cell: Any, couple_carry_transform_gates: bool = True,
                 carry_bias_init: float = 1.0) -> None:
        super().__init__(name=getattr(cell, "name", None))
        self._cell = cell
        self._couple = couple_carry_transform_gates
        self._carry_bias_init = carry_bias_init

    @property
    def state_size(self) -> Any:
        return self._cell.state_size

    @property
    def output_size(self) -> Any:
        return self._cell.output_size

    def zero_state(self, batch_size: Any, dtype: Any) -> Any:
        return self._cell.zero_state(batch_size, dtype)

    def _highway(self, inp: Tensor, out: Tensor) -> Tensor:
        from flowgraph.nn.nn_extra import xw_plus_b
        size = inp.shape.with_rank(2).as_list()[1]
        carry_w = get_variable("carry_w", [size, size], dtype=inp.dtype)
        carry_b = get_variable("carry_b", [size], dtype=inp.dtype,
                               initializer=constant_initializer(self._carry_bias_init))
        carry = sigmoid(xw_plus_b(inp, carry_w, carry_b))
        if self._couple:
            transform = 1 - carry
        else:
            transform_w = get_variable("transform_w", [size, size], dtype=inp.dtype)
            transform_b = get_variable(
                "transform_b", [size], dtype=inp.dtype,
                initializer=constant_initializer(-self._carry_bias_init))
            transform = sigmoid(xw_plus_b(inp, transform_w, transform_b))
        return inp * carry + out * transform

    def __call__(self, inputs: Any, state: Any, scope: Any = None) -> tuple:
        # As TF1: the wrapper's own variables live in the scope it is called in.
        outputs, new_state = self._cell(inputs, state, scope=scope)
        nest.assert_same_structure(inputs, outputs)
        for inp, out in zip(nest.flatten(inputs), nest.flatten(outputs)):
            if not inp.shape.is_compatible_with(out.shape):
                raise ValueError(f"HighwayWrapper needs the cell's outputs shaped as its "
                                 f"inputs, got {inp.shape} and {out.shape}")
        return nest.map_structure(self._highway, inputs, outputs), new_state


class LSTMBlockFusedCell(RNNCell):
    """TF1's `tf.contrib.rnn.LSTMBlockFusedCell`: an LSTM over a whole time-major sequence
    ([time, batch, input], or a list of [batch, input]) in one call::

        outputs, (c, h) = cell(inputs, dtype=fg.float32, sequence_length=lengths)

    Variables ``lstm_fused_cell/kernel`` and ``bias`` (peepholes ``w_i_diag`` ...) as
    LSTMBlockCell; outputs past a sequence's length are zeros and its final state is the
    state at its length."""

    def __init__(self, num_units: int, forget_bias: float = 1.0, cell_clip: Any = None,
                 use_peephole: bool = False, reuse: Any = None, dtype: Any = None,
                 name: str = "lstm_fused_cell") -> None:
        super().__init__(_reuse=reuse, name=name, dtype=dtype)
        self._step = LSTMBlockCell(num_units, forget_bias=forget_bias, cell_clip=cell_clip,
                                   use_peephole=use_peephole, name=name)
        self._num_units = int(num_units)

    @property
    def num_units(self) -> int:
        return self._num_units

    @property
    def state_size(self) -> LSTMStateTuple:
        return LSTMStateTuple(self._num_units, self._num_units)

    @property
    def output_size(self) -> int:
        return self._num_units

    def __call__(self, inputs: Any, initial_state: Any = None, dtype: Any = None,
                 sequence_length: Any = None, scope: Any = None) -> tuple:
        from flowgraph.nn.rnn_dynamic import dynamic_rnn
        from flowgraph.ops.array import stack, unstack
        is_list = isinstance(inputs, (list, tuple))
        if is_list:
            inputs = stack(list(inputs))
        if initial_state is not None:
            initial_state = LSTMStateTuple(*initial_state)
        # TF1's variables are <scope>/lstm_fused_cell/kernel: no "rnn" scope in between, so
        # the loop runs in the variable scope active here (or `scope`).
        outputs, state = dynamic_rnn(self._step, inputs, sequence_length=sequence_length,
                                     initial_state=initial_state, dtype=dtype,
                                     time_major=True,
                                     scope=scope if scope is not None else get_variable_scope())
        if is_list:
            outputs = unstack(outputs)
        return outputs, state
