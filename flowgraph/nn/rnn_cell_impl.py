"""Recurrent cells, as TF1's `tf.nn.rnn_cell`: the `RNNCell` base, `BasicRNNCell` and
`GRUCell` (the LSTM cells are in `rnn_cell_lstm`, the wrappers and `MultiRNNCell` in
`rnn_cell_wrappers`).

A cell is a `fg.layers.Layer` called as ``output, new_state = cell(inputs, state)``. Its
Variables are created on the first call in a variable scope named after the cell
(``rnn/basic_lstm_cell/kernel``); later calls reuse them. Each cell's parametrization and
Variable names are TF1's, so its checkpoints map one to one.
"""

from __future__ import annotations

from typing import Any, Callable, Optional

from flowgraph import dtypes
from flowgraph.control_flow import nest
from flowgraph.graph import GraphKeys, Tensor, get_default_graph
from flowgraph.initializers import constant_initializer, zeros_initializer
from flowgraph.layers.base import InputSpec, Layer
from flowgraph.ops.array import concat, split
from flowgraph.ops.constant import constant, convert_to_tensor
from flowgraph.ops.fill import zeros
from flowgraph.ops.linalg import matmul
from flowgraph.ops.nn_basic import bias_add
from flowgraph.ops.registry import constant_value
from flowgraph.ops.shape_ops import expand_dims, shape
from flowgraph.ops.trig import sigmoid, tanh
from flowgraph.shapes import as_shape
from flowgraph.variable_scope import get_variable_scope, variable_scope

__all__ = ["RNNCell", "LayerRNNCell", "BasicRNNCell", "GRUCell", "assert_like_rnncell"]

_BIAS_VARIABLE_NAME = "bias"
_WEIGHTS_VARIABLE_NAME = "kernel"


def assert_like_rnncell(cell_name: str, cell: Any) -> None:
    """Raises TypeError naming what `cell` lacks to be used as an RNN cell."""
    checks = [
        (hasattr(cell, "output_size"), "'output_size' property is missing"),
        (hasattr(cell, "state_size"), "'state_size' property is missing"),
        (hasattr(cell, "get_initial_state") or hasattr(cell, "zero_state"),
         "either 'zero_state' or 'get_initial_state' method is required"),
        (callable(cell), "is not callable"),
    ]
    missing = [message for ok, message in checks if not ok]
    if missing:
        raise TypeError(f"The argument {cell_name!r} ({cell}) is not an RNNCell: "
                        f"{', '.join(missing)}.")


def _static_list(size: Any) -> Optional[list]:
    """An int, TensorShape or list as a list of ints/None (None when the rank is unknown)."""
    if isinstance(size, Tensor):
        value = constant_value(size)
        if value is None:
            return [None] if size.shape.ndims == 0 else (
                [None] * size.shape[0].value if size.shape.is_fully_defined() else None)
        return [int(v) for v in (value.reshape(-1))]
    shape_ = as_shape(size)
    return shape_.as_list() if shape_.ndims is not None else None


def _concat(prefix: Any, suffix: Any, static: bool = False) -> Any:
    """`prefix` + `suffix` (ints, TensorShapes or int Tensors) as a shape: a list of ints and
    None when `static`, else a 1-D int32 Tensor, as TF1's `rnn_cell_impl._concat`."""
    if static:
        p, s = _static_list(prefix), _static_list(suffix)
        if p is None or s is None:
            return None
        return p + s
    parts = []
    for value, what in ((prefix, "prefix"), (suffix, "suffix")):
        if isinstance(value, Tensor):
            if value.shape.ndims == 0:
                value = expand_dims(value, 0)
            elif value.shape.ndims not in (1, None):
                raise ValueError(f"{what} tensor must be either a scalar or vector, but saw "
                                 f"tensor: {value}")
            parts.append(value)
            continue
        dims = as_shape(value)
        if not dims.is_fully_defined():
            raise ValueError(f"Provided a prefix or suffix of None: {prefix} and {suffix}")
        parts.append(constant(dims.as_list(), dtype=dtypes.int32))
    return concat(parts, 0)


def _zero_state_tensors(state_size: Any, batch_size: Any, dtype: Any) -> Any:
    """Zeros of shape [batch_size] + s for each s in the structure `state_size`."""
    def zero(size: Any) -> Tensor:
        value = zeros(_concat(batch_size, size), dtype=dtype)
        static = _concat(batch_size, size, static=True)
        if static is not None:
            value.set_shape(static)
        return value

    return nest.map_structure(zero, state_size)


def _check_supported_dtypes(dtype: Any) -> None:
    if dtype is None:
        return
    dtype = dtypes.as_dtype(dtype)
    if not (dtype.is_floating or getattr(dtype, "is_complex", False)):
        raise ValueError(f"RNN cell only supports floating point inputs, but saw dtype: "
                         f"{dtype.name}")


def _check_rnn_cell_input_dtypes(inputs: Any) -> None:
    for t in nest.flatten(inputs):
        _check_supported_dtypes(t.dtype)


def get_activation(activation: Any) -> Callable:
    """An activation function from a callable or a name (``"relu"``, ``"tanh"``...)."""
    if callable(activation):
        return activation
    if isinstance(activation, str):
        import flowgraph.nn as fg_nn

        if activation == "linear":
            return lambda x: x
        found = getattr(fg_nn, activation, None)
        if callable(found):
            return found
    raise ValueError(f"Could not interpret activation function identifier: {activation!r}")


def get_initializer(initializer: Any) -> Any:
    """An initializer object, function or None (as TF1's keras `initializers.get`)."""
    if initializer is None or callable(initializer):
        return initializer
    if isinstance(initializer, str):
        from flowgraph.api import initializers as named

        found = getattr(named, initializer, None)
        if found is not None:
            return found()
    raise ValueError(f"Could not interpret initializer identifier: {initializer!r}")


def _last_dim(inputs_shape: Any) -> int:
    dims = as_shape(inputs_shape)
    depth = dims.as_list()[-1] if dims.ndims else None
    if depth is None:
        raise ValueError(f"Expected inputs.shape[-1] to be known, saw shape: {dims}")
    return depth


class RNNCell(Layer):
    """An RNN cell: ``output, new_state = cell(inputs, state)``.

    Subclasses define the `state_size` and `output_size` properties (an int, a TensorShape,
    or a nested tuple of them) and `call(inputs, state)`.
    """

    def __init__(self, trainable: bool = True, name: Any = None, dtype: Any = None,
                 **kwargs: Any) -> None:
        super().__init__(trainable=trainable, name=name, dtype=dtype, **kwargs)
        self._is_tf_rnn_cell = True
        self._rnncell_scope = None

    def __call__(self, inputs: Any, state: Any, scope: Any = None) -> Any:
        """Runs the cell on `inputs` from `state`; returns ``(output, new_state)``.

        Variables that `call` creates with `get_variable` are tracked as the cell's weights.
        """
        if scope is not None:
            with variable_scope(scope, custom_getter=self._rnn_get_variable) as opened:
                return super().__call__(inputs, state, scope=opened)
        if self._rnncell_scope is None:
            self._rnncell_scope = get_variable_scope()
        # As TF1: the scope active at the first call, with the weight-tracking getter.
        with variable_scope(self._rnncell_scope, custom_getter=self._rnn_get_variable,
                            auxiliary_name_scope=False):
            return super().__call__(inputs, state)

    def _rnn_get_variable(self, getter: Callable, *args: Any, **kwargs: Any) -> Any:
        variable = getter(*args, **kwargs)
        trainable = any(v is variable for v in
                        get_default_graph().get_collection(GraphKeys.TRAINABLE_VARIABLES))
        weights = self._trainable_weights if trainable else self._non_trainable_weights
        if not any(w is variable for w in weights):
            weights.append(variable)
        return variable

    @property
    def state_size(self) -> Any:
        """Size(s) of the state: an int, a TensorShape or a nested tuple of them."""
        raise NotImplementedError("Abstract method")

    @property
    def output_size(self) -> Any:
        """Size of the output: an int or a TensorShape."""
        raise NotImplementedError("Abstract method")

    def build(self, _: Any) -> None:
        """Nothing to create (cells that call `get_variable` in `call` create there)."""
        self.built = True

    def get_initial_state(self, inputs: Any = None, batch_size: Any = None,
                          dtype: Any = None) -> Any:
        """The zero state, with the batch size and dtype of `inputs` when given."""
        if inputs is not None:
            inputs = convert_to_tensor(inputs, name="inputs")
            static_batch = inputs.shape.as_list()[0] if inputs.shape.ndims else None
            if batch_size is not None:
                given = constant_value(batch_size) if isinstance(batch_size, Tensor) \
                    else batch_size
                if static_batch != given:
                    raise ValueError(f"batch size from input tensor is different from the "
                                     f"input param. Input tensor batch: {static_batch}, "
                                     f"batch_size: {batch_size}")
            if dtype is not None and inputs.dtype != dtypes.as_dtype(dtype):
                raise ValueError(f"dtype from input tensor is different from the input "
                                 f"param. Input tensor dtype: {inputs.dtype.name}, "
                                 f"dtype: {dtype}")
            batch_size = static_batch or shape(inputs)[0]
            dtype = inputs.dtype
        if batch_size is None or dtype is None:
            raise ValueError(f"batch_size and dtype cannot be None while constructing initial "
                             f"state: batch_size={batch_size}, dtype={dtype}")
        return self.zero_state(batch_size, dtype)

    def zero_state(self, batch_size: Any, dtype: Any) -> Any:
        """Zero-filled state tensor(s) of shape [batch_size, s] for each s in `state_size`
        (under the name scope ``<CellClass>ZeroState``)."""
        with get_default_graph().name_scope(type(self).__name__ + "ZeroState"):
            return _zero_state_tensors(self.state_size, batch_size, dtype)


class LayerRNNCell(RNNCell):
    """An RNN cell that creates its Variables in `build` (with `add_weight`), as a Layer."""

    def __call__(self, inputs: Any, state: Any, scope: Any = None, *args: Any,
                 **kwargs: Any) -> Any:
        return Layer.__call__(self, inputs, state, *args, scope=scope, **kwargs)


class BasicRNNCell(LayerRNNCell):
    """The most basic RNN cell: ``output = new_state = act([inputs, state] @ kernel + bias)``.

    Variables: ``kernel`` [input_depth + num_units, num_units], ``bias`` [num_units] (zeros).
    """

    def __init__(self, num_units: int, activation: Any = None, reuse: Any = None,
                 name: Any = None, dtype: Any = None, **kwargs: Any) -> None:
        super().__init__(_reuse=reuse, name=name, dtype=dtype, **kwargs)
        _check_supported_dtypes(self.dtype)
        self.input_spec = InputSpec(ndim=2)
        self._num_units = int(num_units)
        self._activation = get_activation(activation) if activation else tanh

    @property
    def state_size(self) -> int:
        return self._num_units

    @property
    def output_size(self) -> int:
        return self._num_units

    def build(self, inputs_shape: Any) -> None:
        depth = _last_dim(inputs_shape)
        _check_supported_dtypes(self.dtype)
        self._kernel = self.add_weight(_WEIGHTS_VARIABLE_NAME,
                                       shape=[depth + self._num_units, self._num_units])
        self._bias = self.add_weight(_BIAS_VARIABLE_NAME, shape=[self._num_units],
                                     initializer=zeros_initializer())
        self.built = True

    def call(self, inputs: Tensor, state: Tensor) -> tuple:
        _check_rnn_cell_input_dtypes([inputs, state])
        gate_inputs = matmul(concat([inputs, state], 1), self._kernel)
        gate_inputs = bias_add(gate_inputs, self._bias)
        output = self._activation(gate_inputs)
        return output, output


class GRUCell(LayerRNNCell):
    """Gated Recurrent Unit cell (Cho et al., 2014), as TF1's.

    ``r, u = split(sigmoid([x, h] @ gates/kernel + gates/bias))``,
    ``c = act([x, r * h] @ candidate/kernel + candidate/bias)``, ``h' = u * h + (1 - u) * c``.
    ``gates/bias`` starts at 1.0 and ``candidate/bias`` at 0 unless `bias_initializer`.
    """

    def __init__(self, num_units: int, activation: Any = None, reuse: Any = None,
                 kernel_initializer: Any = None, bias_initializer: Any = None,
                 name: Any = None, dtype: Any = None, **kwargs: Any) -> None:
        super().__init__(_reuse=reuse, name=name, dtype=dtype, **kwargs)
        _check_supported_dtypes(self.dtype)
        self.input_spec = InputSpec(ndim=2)
        self._num_units = int(num_units)
        self._activation = get_activation(activation) if activation else tanh
        self._kernel_initializer = get_initializer(kernel_initializer)
        self._bias_initializer = get_initializer(bias_initializer)

    @property
    def state_size(self) -> int:
        return self._num_units

    @property
    def output_size(self) -> int:
        return self._num_units

    def build(self, inputs_shape: Any) -> None:
        depth = _last_dim(inputs_shape)
        units = self._num_units
        self._gate_kernel = self.add_weight(
            f"gates/{_WEIGHTS_VARIABLE_NAME}", shape=[depth + units, 2 * units],
            initializer=self._kernel_initializer)
        self._gate_bias = self.add_weight(
            f"gates/{_BIAS_VARIABLE_NAME}", shape=[2 * units],
            initializer=self._bias_initializer if self._bias_initializer is not None
            else constant_initializer(1.0))
        self._candidate_kernel = self.add_weight(
            f"candidate/{_WEIGHTS_VARIABLE_NAME}", shape=[depth + units, units],
            initializer=self._kernel_initializer)
        self._candidate_bias = self.add_weight(
            f"candidate/{_BIAS_VARIABLE_NAME}", shape=[units],
            initializer=self._bias_initializer if self._bias_initializer is not None
            else zeros_initializer())
        self.built = True

    def call(self, inputs: Tensor, state: Tensor) -> tuple:
        _check_rnn_cell_input_dtypes([inputs, state])
        gate_inputs = matmul(concat([inputs, state], 1), self._gate_kernel)
        gate_inputs = bias_add(gate_inputs, self._gate_bias)
        value = sigmoid(gate_inputs)
        r, u = split(value=value, num_or_size_splits=2, axis=1)
        r_state = r * state
        candidate = matmul(concat([inputs, r_state], 1), self._candidate_kernel)
        candidate = bias_add(candidate, self._candidate_bias)
        c = self._activation(candidate)
        new_h = u * state + (1 - u) * c
        return new_h, new_h
