"""The LSTM cells, as TF1's `tf.nn.rnn_cell`: `BasicLSTMCell`, `LSTMCell` and their state
`LSTMStateTuple(c, h)`.

Gates i, j, f, o come from one ``[x, h] @ kernel + bias`` split in four;
``c' = c * sigmoid(f + forget_bias) + sigmoid(i) * tanh(j)``, ``h' = tanh(c') * sigmoid(o)``.
"""

from __future__ import annotations

import collections
import numbers
from typing import Any, Optional

from flowgraph import dtypes
from flowgraph.graph import Tensor
from flowgraph.initializers import zeros_initializer
from flowgraph.layers.base import InputSpec
from flowgraph.nn.rnn_cell_impl import (
    _BIAS_VARIABLE_NAME,
    _WEIGHTS_VARIABLE_NAME,
    LayerRNNCell,
    _check_rnn_cell_input_dtypes,
    _check_supported_dtypes,
    _last_dim,
    get_activation,
    get_initializer,
)
from flowgraph.ops.array import concat, split
from flowgraph.ops.constant import constant
from flowgraph.ops.linalg import matmul
from flowgraph.ops.lstm import fused_lstm_cell
from flowgraph.ops.math import add, clip_by_value, multiply
from flowgraph.ops.nn_basic import bias_add
from flowgraph.ops.slicing import slice as slice_op
from flowgraph.ops.trig import sigmoid, tanh

__all__ = ["LSTMStateTuple", "BasicLSTMCell", "LSTMCell"]


_LSTMStateTuple = collections.namedtuple("LSTMStateTuple", ("c", "h"))


class LSTMStateTuple(_LSTMStateTuple):
    """The state of an LSTM cell: ``(c, h)``, the cell state and the output, in that order."""

    __slots__ = ()

    @property
    def dtype(self) -> dtypes.DType:
        c, h = self
        if c.dtype != h.dtype:
            raise TypeError(f"Inconsistent internal state: {c.dtype} vs {h.dtype}")
        return c.dtype


class BasicLSTMCell(LayerRNNCell):
    """The basic LSTM cell (Zaremba et al., 2014), as TF1's.

    ``i, j, f, o = split([x, h] @ kernel + bias, 4)``;
    ``c' = c * sigmoid(f + forget_bias) + sigmoid(i) * act(j)``; ``h' = act(c') * sigmoid(o)``.
    Variables: ``kernel`` [input_depth + num_units, 4 * num_units] (glorot uniform) and
    ``bias`` [4 * num_units] (zeros). The state is ``LSTMStateTuple(c, h)`` (or ``[c, h]``
    concatenated when ``state_is_tuple=False``).
    """

    def __init__(self, num_units: int, forget_bias: float = 1.0, state_is_tuple: bool = True,
                 activation: Any = None, reuse: Any = None, name: Any = None,
                 dtype: Any = None, **kwargs: Any) -> None:
        super().__init__(_reuse=reuse, name=name, dtype=dtype, **kwargs)
        _check_supported_dtypes(self.dtype)
        self.input_spec = InputSpec(ndim=2)
        self._num_units = int(num_units)
        self._forget_bias = forget_bias
        self._state_is_tuple = state_is_tuple
        self._activation = get_activation(activation) if activation else tanh

    @property
    def state_size(self) -> Any:
        units = self._num_units
        return LSTMStateTuple(units, units) if self._state_is_tuple else 2 * units

    @property
    def output_size(self) -> int:
        return self._num_units

    def build(self, inputs_shape: Any) -> None:
        depth = _last_dim(inputs_shape)
        _check_supported_dtypes(self.dtype)
        units = self._num_units
        self._kernel = self.add_weight(_WEIGHTS_VARIABLE_NAME, shape=[depth + units, 4 * units])
        self._bias = self.add_weight(_BIAS_VARIABLE_NAME, shape=[4 * units],
                                     initializer=zeros_initializer())
        self.built = True

    def call(self, inputs: Tensor, state: Any) -> tuple:
        _check_rnn_cell_input_dtypes([inputs, state])
        if self._state_is_tuple:
            c, h = state
        else:
            c, h = split(value=state, num_or_size_splits=2, axis=1)
        gate_inputs = matmul(concat([inputs, h], 1), self._kernel)
        gate_inputs = bias_add(gate_inputs, self._bias)
        # i = input_gate, j = new_input, f = forget_gate, o = output_gate
        if _fusable(self._activation, self._forget_bias):
            new_c, new_h = fused_lstm_cell(gate_inputs, c, self._forget_bias)
        else:
            i, j, f, o = split(value=gate_inputs, num_or_size_splits=4, axis=1)
            forget_bias = constant(self._forget_bias, dtype=f.dtype)
            new_c = add(multiply(c, sigmoid(add(f, forget_bias))),
                        multiply(sigmoid(i), self._activation(j)))
            new_h = multiply(self._activation(new_c), sigmoid(o))
        new_state = LSTMStateTuple(new_c, new_h) if self._state_is_tuple \
            else concat([new_c, new_h], 1)
        return new_h, new_state


class LSTMCell(LayerRNNCell):
    """The LSTM cell with optional peepholes, cell clipping and a projection, as TF1's.

    Variables: ``kernel`` [input_depth + h_depth, 4 * num_units] (`initializer`, default
    glorot uniform), ``bias`` [4 * num_units] (zeros); with `use_peepholes` ``w_f_diag``,
    ``w_i_diag``, ``w_o_diag`` [num_units]; with `num_proj` ``projection/kernel``
    [num_units, num_proj]. h_depth is num_proj when given, else num_units.
    """

    def __init__(self, num_units: int, use_peepholes: bool = False, cell_clip: Any = None,
                 initializer: Any = None, num_proj: Optional[int] = None,
                 proj_clip: Any = None, num_unit_shards: Any = None,
                 num_proj_shards: Any = None, forget_bias: float = 1.0,
                 state_is_tuple: bool = True, activation: Any = None, reuse: Any = None,
                 name: Any = None, dtype: Any = None, **kwargs: Any) -> None:
        super().__init__(_reuse=reuse, name=name, dtype=dtype, **kwargs)
        _check_supported_dtypes(self.dtype)
        self.input_spec = InputSpec(ndim=2)
        self._num_units = int(num_units)
        self._use_peepholes = use_peepholes
        self._cell_clip = cell_clip
        self._initializer = get_initializer(initializer)
        self._num_proj = num_proj
        self._proj_clip = proj_clip
        self._num_unit_shards = num_unit_shards
        self._num_proj_shards = num_proj_shards
        self._forget_bias = forget_bias
        self._state_is_tuple = state_is_tuple
        self._activation = get_activation(activation) if activation else tanh
        out = num_proj if num_proj else num_units
        self._state_size = LSTMStateTuple(num_units, out) if state_is_tuple \
            else num_units + out
        self._output_size = out

    @property
    def state_size(self) -> Any:
        return self._state_size

    @property
    def output_size(self) -> int:
        return self._output_size

    def build(self, inputs_shape: Any) -> None:
        depth = _last_dim(inputs_shape)
        _check_supported_dtypes(self.dtype)
        units = self._num_units
        h_depth = units if self._num_proj is None else self._num_proj
        self._kernel = self.add_weight(_WEIGHTS_VARIABLE_NAME,
                                       shape=[depth + h_depth, 4 * units],
                                       initializer=self._initializer)
        self._bias = self.add_weight(_BIAS_VARIABLE_NAME, shape=[4 * units],
                                     initializer=zeros_initializer())
        if self._use_peepholes:
            self._w_f_diag = self.add_weight("w_f_diag", shape=[units],
                                             initializer=self._initializer)
            self._w_i_diag = self.add_weight("w_i_diag", shape=[units],
                                             initializer=self._initializer)
            self._w_o_diag = self.add_weight("w_o_diag", shape=[units],
                                             initializer=self._initializer)
        if self._num_proj is not None:
            self._proj_kernel = self.add_weight(f"projection/{_WEIGHTS_VARIABLE_NAME}",
                                                shape=[units, self._num_proj],
                                                initializer=self._initializer)
        self.built = True

    def call(self, inputs: Tensor, state: Any) -> tuple:
        _check_rnn_cell_input_dtypes([inputs, state])
        units = self._num_units
        num_proj = units if self._num_proj is None else self._num_proj
        if self._state_is_tuple:
            c_prev, m_prev = state
        else:
            c_prev = slice_op(state, [0, 0], [-1, units])
            m_prev = slice_op(state, [0, units], [-1, num_proj])
        if inputs.shape.with_rank(2).as_list()[1] is None:
            raise ValueError("Could not infer input size from inputs.get_shape()[-1]")
        lstm_matrix = matmul(concat([inputs, m_prev], 1), self._kernel)
        lstm_matrix = bias_add(lstm_matrix, self._bias)
        plain = not self._use_peepholes and self._cell_clip is None
        if plain and _fusable(self._activation, self._forget_bias):
            c, m = fused_lstm_cell(lstm_matrix, c_prev, self._forget_bias)
            return self._project(m, c)
        i, j, f, o = split(value=lstm_matrix, num_or_size_splits=4, axis=1)
        if self._use_peepholes:
            c = (sigmoid(f + self._forget_bias + self._w_f_diag * c_prev) * c_prev
                 + sigmoid(i + self._w_i_diag * c_prev) * self._activation(j))
        else:
            c = sigmoid(f + self._forget_bias) * c_prev + sigmoid(i) * self._activation(j)
        if self._cell_clip is not None:
            c = clip_by_value(c, -self._cell_clip, self._cell_clip)
        if self._use_peepholes:
            m = sigmoid(o + self._w_o_diag * c) * self._activation(c)
        else:
            m = sigmoid(o) * self._activation(c)
        return self._project(m, c)

    def _project(self, m: Tensor, c: Tensor) -> tuple:
        """(output, new state) from the cell's output m before the optional projection."""
        if self._num_proj is not None:
            m = matmul(m, self._proj_kernel)
            if self._proj_clip is not None:
                m = clip_by_value(m, -self._proj_clip, self._proj_clip)
        new_state = LSTMStateTuple(c, m) if self._state_is_tuple else concat([c, m], 1)
        return m, new_state


def _fusable(activation: Any, forget_bias: Any) -> bool:
    """Whether a cell step can run as one FusedLSTMCell op: tanh activations and a
    Python-number forget bias."""
    return activation is tanh and isinstance(forget_bias, numbers.Real) \
        and not isinstance(forget_bias, bool)

