"""Keras' recurrent layers, as TF 1.15's `tf.keras.layers`: the cells `SimpleRNNCell`,
`LSTMCell` and `GRUCell`, the generic `RNN` layer running a cell over a batch-major
``[batch, time, features]`` input, and `SimpleRNN`, `LSTM` and `GRU`.

A cell's ``call(inputs, states, training=None)`` takes one time step ``[batch, features]``
and the list of states and returns ``(output, new_states)``. `RNN` builds its cell inside
its own scope, so the weights are named as TF 1.15's: ``lstm/kernel:0``
``[input_dim, 4 * units]``, ``lstm/recurrent_kernel:0`` ``[units, 4 * units]``,
``lstm/bias:0`` (Keras' gate order: input, forget, cell, output; GRU's: update, reset,
candidate). The steps run in a `while_loop` over a TensorArray (any number of time steps),
or, with ``unroll=True`` and a static time dimension, as unrolled ops.

Dropout masks (`dropout`, `recurrent_dropout`) are drawn once per call of the layer and
applied at every step while training (learning phase true), as Keras does.

Masks (a ``[batch, time]`` bool ``mask=``, or the Keras mask of the inputs, e.g. from
``Embedding(mask_zero=True)`` or `Masking`) are honoured as Keras' ``K.rnn``: at a masked
step the states are carried over unchanged and the output repeats the previous output
(zeros before the first unmasked step); ``return_sequences`` layers pass the mask on.

Not supported (each raises a ValueError that says so): ``stateful=True``,
``time_major=True`` and ``constants``. A list of cells runs as a `StackedRNNCells`.
"""

from __future__ import annotations

import inspect
from typing import Any, Optional

from flowgraph import dtypes
from flowgraph.control_flow import TensorArray, while_loop
from flowgraph.keras.base_layer import Layer
from flowgraph.keras.layers.normalization import resolve_training
from flowgraph.layers.base import InputSpec, as_shape_list
from flowgraph.layers.utils import static_bool
from flowgraph.nn.dropout import dropout as nn_dropout
from flowgraph.ops import (
    add,
    cast,
    concat,
    convert_to_tensor,
    expand_dims,
    matmul,
    multiply,
    ones,
    ones_like,
    reverse,
    shape,
    stack,
    subtract,
    transpose,
    unstack,
    where_v2,
    zeros,
)
from flowgraph.ops.compare import less
from flowgraph.ops.constant import constant
from flowgraph.shapes import TensorShape

__all__ = ["SimpleRNNCell", "LSTMCell", "GRUCell", "RNN", "SimpleRNN", "LSTM", "GRU"]


def _ser(kind: str, value: Any) -> Any:
    """`value` (an activation, initializer, regularizer or constraint) as get_config shows
    it."""
    if value is None:
        return None
    from flowgraph.keras import activations, constraints, initializers, regularizers
    module = {"activation": activations, "initializer": initializers,
              "regularizer": regularizers, "constraint": constraints}[kind]
    try:
        return module.serialize(value)
    except (AttributeError, TypeError, ValueError):
        return value


def _split(x: Any, n: int, axis: int) -> list:
    """`x` cut into `n` equal slices along `axis` (a static size), as Keras slices its
    kernels ``kernel[:, :units]``..."""
    size = x.shape.as_list()[axis] // n
    if axis == 0:
        return [x[i * size:(i + 1) * size] for i in range(n)]
    return [x[:, i * size:(i + 1) * size] for i in range(n)]


class _DropoutCell(Layer):
    """What the Keras cells share: their arguments, and the dropout masks drawn once per
    call of the RNN layer (`_prepare_masks`) or, for a cell called alone, per call."""

    _GATES = 1

    def __init__(self, units: int, activation: Any, use_bias: bool, kernel_initializer: Any,
                 recurrent_initializer: Any, bias_initializer: Any, kernel_regularizer: Any,
                 recurrent_regularizer: Any, bias_regularizer: Any, kernel_constraint: Any,
                 recurrent_constraint: Any, bias_constraint: Any, dropout: float,
                 recurrent_dropout: float, **kwargs: Any) -> None:
        from flowgraph.keras import activations, constraints, initializers, regularizers
        super().__init__(**kwargs)
        if not isinstance(units, int) or isinstance(units, bool) or units <= 0:
            raise ValueError(f"`units` must be a positive integer, got {units!r}")
        self.units = units
        self.activation = activations.get(activation)
        self.use_bias = use_bias
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.recurrent_initializer = initializers.get(recurrent_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.recurrent_regularizer = regularizers.get(recurrent_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.recurrent_constraint = constraints.get(recurrent_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.dropout = min(1.0, max(0.0, float(dropout)))
        self.recurrent_dropout = min(1.0, max(0.0, float(recurrent_dropout)))
        self._masks: Optional[tuple] = None
        self.kernel = self.recurrent_kernel = self.bias = None

    @property
    def output_size(self) -> int:
        return self.units

    def _add_kernels(self, input_dim: int, bias_shape: Any, bias_initializer: Any) -> None:
        gates = self._GATES * self.units
        self.kernel = self.add_weight(name="kernel", shape=(input_dim, gates),
                                      initializer=self.kernel_initializer,
                                      regularizer=self.kernel_regularizer,
                                      constraint=self.kernel_constraint)
        self.recurrent_kernel = self.add_weight(name="recurrent_kernel",
                                                shape=(self.units, gates),
                                                initializer=self.recurrent_initializer,
                                                regularizer=self.recurrent_regularizer,
                                                constraint=self.recurrent_constraint)
        if self.use_bias:
            self.bias = self.add_weight(name="bias", shape=bias_shape,
                                        initializer=bias_initializer,
                                        regularizer=self.bias_regularizer,
                                        constraint=self.bias_constraint)
        self.built = True

    def _input_dim(self, input_shape: Any) -> int:
        dims = as_shape_list(input_shape)
        if dims[-1] is None:
            raise ValueError(f"The last dimension of the inputs to {type(self).__name__} "
                             f"should be defined. Found None (input shape {dims}).")
        return dims[-1]

    # -- dropout
    def _draw(self, like: Any, rate: float, training: Any, count: int) -> Optional[list]:
        flag = static_bool(training)
        if rate <= 0 or flag is False:
            return None
        base = ones_like(like)
        masks = []
        for _ in range(count):
            dropped = nn_dropout(base, rate=rate)
            masks.append(dropped if flag else where_v2(training, dropped, base))
        return masks

    def _prepare_masks(self, inputs: Any, state: Any, training: Any) -> None:
        """Draws the masks that every step of this call uses."""
        count = self._GATES if getattr(self, "implementation", 1) == 1 else 1
        self._masks = (self._draw(inputs, self.dropout, training, count),
                       self._draw(state, self.recurrent_dropout, training, count))

    def _reset_masks(self) -> None:
        self._masks = None

    def _get_masks(self, inputs: Any, state: Any, training: Any) -> tuple:
        if self._masks is not None:
            return self._masks
        count = self._GATES if getattr(self, "implementation", 1) == 1 else 1
        return (self._draw(inputs, self.dropout, resolve_training(training), count)
                if self.dropout > 0 else None,
                self._draw(state, self.recurrent_dropout, resolve_training(training), count)
                if self.recurrent_dropout > 0 else None)

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "units": self.units, "activation": _ser("activation", self.activation),
            "use_bias": self.use_bias,
            "kernel_initializer": _ser("initializer", self.kernel_initializer),
            "recurrent_initializer": _ser("initializer", self.recurrent_initializer),
            "bias_initializer": _ser("initializer", self.bias_initializer),
            "kernel_regularizer": _ser("regularizer", self.kernel_regularizer),
            "recurrent_regularizer": _ser("regularizer", self.recurrent_regularizer),
            "bias_regularizer": _ser("regularizer", self.bias_regularizer),
            "kernel_constraint": _ser("constraint", self.kernel_constraint),
            "recurrent_constraint": _ser("constraint", self.recurrent_constraint),
            "bias_constraint": _ser("constraint", self.bias_constraint),
            "dropout": self.dropout, "recurrent_dropout": self.recurrent_dropout,
        }


class _GatedCell(_DropoutCell):
    """What LSTMCell and GRUCell add: the gates' `recurrent_activation` and the
    `implementation` (1: a matmul per gate; 2: one matmul for all gates)."""

    def __init__(self, units: int, recurrent_activation: Any, implementation: int,
                 **kwargs: Any) -> None:
        from flowgraph.keras import activations
        super().__init__(units, **kwargs)
        self.recurrent_activation = activations.get(recurrent_activation)
        if implementation not in (0, 1, 2):
            raise ValueError(f"`implementation` must be 1 or 2, got {implementation!r}")
        self.implementation = 1 if implementation == 0 else implementation

    def _input_gates(self, inputs: Any, dropout_masks: Optional[list],
                     bias: Any) -> list:
        """``x @ W_g + b_g`` for each gate g (its input dropout mask applied first)."""
        gates = self._GATES
        kernels = _split(self.kernel, gates, 1)
        biases = _split(bias, gates, 0) if bias is not None else [None] * gates
        projected = []
        for g in range(gates):
            x_g = matmul(_masked(inputs, dropout_masks, g), kernels[g])
            projected.append(add(x_g, biases[g]) if biases[g] is not None else x_g)
        return projected

    def get_config(self) -> dict:
        return {**super().get_config(),
                "recurrent_activation": _ser("activation", self.recurrent_activation),
                "implementation": self.implementation}


def _arguments(local_names: dict, *own: str) -> dict:
    """The arguments of the ``__init__`` whose ``locals()`` are `local_names` (taken
    before it defines anything else), its ``**kwargs`` merged in, without `own` (the
    ones that ``__init__`` keeps for itself): what it passes on to its base class."""
    skipped = {"self", "__class__", "kwargs", *own}
    arguments = {key: value for key, value in local_names.items() if key not in skipped}
    return {**arguments, **local_names.get("kwargs", {})}


def _masked(x: Any, masks: Optional[list], index: int) -> Any:
    return x if masks is None else multiply(x, masks[min(index, len(masks) - 1)])


def _first_state(states: Any) -> Any:
    return states[0] if isinstance(states, (list, tuple)) else states


class SimpleRNNCell(_DropoutCell):
    """The cell of `SimpleRNN`: ``h = activation(x @ kernel + bias + h_prev @
    recurrent_kernel)``; output and state are ``h`` (``units`` wide)."""

    def __init__(self, units: int, activation: Any = "tanh", use_bias: bool = True,
                 kernel_initializer: Any = "glorot_uniform",
                 recurrent_initializer: Any = "orthogonal", bias_initializer: Any = "zeros",
                 kernel_regularizer: Any = None, recurrent_regularizer: Any = None,
                 bias_regularizer: Any = None, kernel_constraint: Any = None,
                 recurrent_constraint: Any = None, bias_constraint: Any = None,
                 dropout: float = 0.0, recurrent_dropout: float = 0.0, **kwargs: Any) -> None:
        super().__init__(**_arguments(locals()))

    @property
    def state_size(self) -> int:
        return self.units

    def build(self, input_shape: Any) -> None:
        self._add_kernels(self._input_dim(input_shape), (self.units,), self.bias_initializer)

    def call(self, inputs: Any, states: Any, training: Any = None) -> tuple:
        prev = _first_state(states)
        dp, rec_dp = self._get_masks(inputs, prev, training)
        h = matmul(_masked(inputs, dp, 0), self.kernel)
        if self.bias is not None:
            h = add(h, self.bias)
        output = add(h, matmul(_masked(prev, rec_dp, 0), self.recurrent_kernel))
        if self.activation is not None:
            output = self.activation(output)
        return output, [output]


class LSTMCell(_GatedCell):
    """The cell of `LSTM` (Hochreiter 1997), Keras' maths and gate order (i, f, c, o)::

        i = recurrent_activation(x_i + h @ U_i)     f = recurrent_activation(x_f + h @ U_f)
        c = f * c_prev + i * activation(x_c + h @ U_c)
        o = recurrent_activation(x_o + h @ U_o)     h = o * activation(c)

    with ``x_g = x @ W_g + b_g``. States ``[h, c]``; ``implementation`` 1 and 2 compute the
    same (2 in fewer, larger matmuls). ``unit_forget_bias`` starts the forget bias at 1.
    """

    _GATES = 4

    def __init__(self, units: int, activation: Any = "tanh",
                 recurrent_activation: Any = "hard_sigmoid", use_bias: bool = True,
                 kernel_initializer: Any = "glorot_uniform",
                 recurrent_initializer: Any = "orthogonal", bias_initializer: Any = "zeros",
                 unit_forget_bias: bool = True, kernel_regularizer: Any = None,
                 recurrent_regularizer: Any = None, bias_regularizer: Any = None,
                 kernel_constraint: Any = None, recurrent_constraint: Any = None,
                 bias_constraint: Any = None, dropout: float = 0.0,
                 recurrent_dropout: float = 0.0, implementation: int = 1,
                 **kwargs: Any) -> None:
        super().__init__(**_arguments(locals(), "unit_forget_bias"))
        self.unit_forget_bias = unit_forget_bias

    @property
    def state_size(self) -> list:
        return [self.units, self.units]

    def build(self, input_shape: Any) -> None:
        bias_initializer = self.bias_initializer
        if self.unit_forget_bias:
            base, units = self.bias_initializer, self.units

            def bias_initializer(shape: Any, dtype: Any = None, partition_info: Any = None,
                                 **kwargs: Any) -> Any:
                return concat([base((units,), dtype), ones((units,), dtype or dtypes.float32),
                               base((units * 2,), dtype)], 0)
        self._add_kernels(self._input_dim(input_shape), (self.units * 4,), bias_initializer)

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
        i = rec_act(z[0])
        f = rec_act(z[1])
        c = add(multiply(f, c_prev), multiply(i, act(z[2])))
        o = rec_act(z[3])
        h = multiply(o, act(c))
        return h, [h, c]

    def get_config(self) -> dict:
        return {**super().get_config(), "unit_forget_bias": self.unit_forget_bias}


class GRUCell(_GatedCell):
    """The cell of `GRU` (Cho 2014), Keras' maths and gate order (z, r, h)::

        z = recurrent_activation(x_z + h @ U_z)     r = recurrent_activation(x_r + h @ U_r)
        hh = activation(x_h + (r * h) @ U_h)        h_new = z * h + (1 - z) * hh

    With ``reset_after=True`` (CuDNN's variant) the reset gate is applied after the
    recurrent matmul, ``hh = activation(x_h + r * (h @ U_h + b'_h))``, and the bias is
    ``[2, 3 * units]`` (input and recurrent biases).
    """

    _GATES = 3

    def __init__(self, units: int, activation: Any = "tanh",
                 recurrent_activation: Any = "hard_sigmoid", use_bias: bool = True,
                 kernel_initializer: Any = "glorot_uniform",
                 recurrent_initializer: Any = "orthogonal", bias_initializer: Any = "zeros",
                 kernel_regularizer: Any = None, recurrent_regularizer: Any = None,
                 bias_regularizer: Any = None, kernel_constraint: Any = None,
                 recurrent_constraint: Any = None, bias_constraint: Any = None,
                 dropout: float = 0.0, recurrent_dropout: float = 0.0,
                 implementation: int = 1, reset_after: bool = False, **kwargs: Any) -> None:
        super().__init__(**_arguments(locals(), "reset_after"))
        self.reset_after = reset_after

    @property
    def state_size(self) -> int:
        return self.units

    def build(self, input_shape: Any) -> None:
        bias_shape = (2, 3 * self.units) if self.reset_after else (3 * self.units,)
        self._add_kernels(self._input_dim(input_shape), bias_shape, self.bias_initializer)

    def call(self, inputs: Any, states: Any, training: Any = None) -> tuple:
        h_prev = _first_state(states)
        dp, rec_dp = self._get_masks(inputs, h_prev, training)
        act, rec_act = self.activation, self.recurrent_activation
        if self.bias is None:
            input_bias = recurrent_bias = None
        elif self.reset_after:
            input_bias, recurrent_bias = unstack(self.bias)
        else:
            input_bias, recurrent_bias = self.bias, None
        x = self._input_gates(inputs, dp, input_bias)
        recurrent = _split(self.recurrent_kernel, 3, 1)
        rec_b = _split(recurrent_bias, 3, 0) if recurrent_bias is not None else [None] * 3

        def inner(g: int, h: Any) -> Any:
            value = matmul(h, recurrent[g])
            return add(value, rec_b[g]) if rec_b[g] is not None else value

        z = rec_act(add(x[0], inner(0, _masked(h_prev, rec_dp, 0))))
        r = rec_act(add(x[1], inner(1, _masked(h_prev, rec_dp, 1))))
        if self.reset_after:
            hh = act(add(x[2], multiply(r, inner(2, _masked(h_prev, rec_dp, 2)))))
        else:
            hh = act(add(x[2], inner(2, multiply(r, _masked(h_prev, rec_dp, 2)))))
        one = constant(1.0, dtype=z.dtype.base_dtype)
        h = add(multiply(z, h_prev), multiply(subtract(one, z), hh))
        return h, [h]

    def get_config(self) -> dict:
        return {**super().get_config(), "reset_after": self.reset_after}


def _time_mask(mask: Any) -> Any:
    """A Keras mask given to an RNN as a [batch, time] bool tensor (None stays None)."""
    if isinstance(mask, (list, tuple)):
        mask = mask[0]
    if mask is None:
        return None
    mask = convert_to_tensor(mask)
    if mask.shape.ndims is not None and mask.shape.ndims != 2:
        raise ValueError(f"An RNN layer's mask must be [batch, time] (True for the steps to "
                         f"use), got shape {mask.shape}")
    return mask if mask.dtype.base_dtype == dtypes.bool else cast(mask, dtypes.bool)


def _sizes(state_size: Any) -> list:
    """A (possibly nested, as StackedRNNCells') state_size or list of states, flat."""
    if isinstance(state_size, (list, tuple)):
        return [item for part in state_size for item in _sizes(part)]
    return [state_size]


class RNN(Layer):
    """Runs `cell` over the time axis of ``[batch, time, features]`` inputs.

    Parameters
    ----------
    cell : a Keras cell
        With ``call(inputs, states, training=None) -> (output, new_states)``,
        ``state_size`` (an int or a list of ints) and ``output_size``.
    return_sequences : bool
        Return every step's output ``[batch, time, units]`` instead of the last one.
    return_state : bool
        Also return the final states: ``[output] + states``.
    go_backwards : bool
        Process the sequence in reverse (the sequence output is then in reverse order).
    stateful : bool
        Not supported (ValueError).
    unroll : bool
        Unroll the loop (needs a static time dimension) instead of a `while_loop`.
    time_major : bool
        Not supported (ValueError).

    Call with ``initial_state=`` (a tensor or list of tensors, one per state) to start from
    given states, and ``training=`` for the cell's dropout.
    """

    def __init__(self, cell: Any, return_sequences: bool = False, return_state: bool = False,
                 go_backwards: bool = False, stateful: bool = False, unroll: bool = False,
                 time_major: bool = False, **kwargs: Any) -> None:
        if isinstance(cell, (list, tuple)):
            from flowgraph.keras.layers.recurrent_more import StackedRNNCells
            cell = StackedRNNCells(cell)
        if not hasattr(cell, "call") or not hasattr(cell, "state_size"):
            raise ValueError("`cell` should have a `call` method and a `state_size` "
                             f"attribute. The RNN was passed: cell={cell!r}")
        if stateful:
            raise ValueError("stateful=True is not supported by flowgraph's Keras RNN "
                             "layers; carry the states yourself with `return_state=True` "
                             "and `initial_state=`.")
        if time_major:
            raise ValueError("time_major=True is not supported by flowgraph's Keras RNN "
                             "layers; give batch-major [batch, time, features] inputs.")
        super().__init__(**kwargs)
        self.cell = cell
        self.return_sequences = return_sequences
        self.return_state = return_state
        self.go_backwards = go_backwards
        self.stateful = stateful
        self.unroll = unroll
        self.time_major = time_major
        self.supports_masking = True
        self.input_spec = InputSpec(ndim=3)

    @property
    def states(self) -> list:
        return [None] * len(_sizes(self.cell.state_size))

    # -- weights: the cell's
    @property
    def trainable_weights(self) -> list:
        return self.cell.trainable_weights if self.trainable else []

    @property
    def non_trainable_weights(self) -> list:
        if self.trainable:
            return self.cell.non_trainable_weights
        return self.cell.weights

    @property
    def losses(self) -> list:
        return list(self._losses) + list(self.cell.losses)

    def build(self, input_shape: Any) -> None:
        dims = as_shape_list(input_shape)
        if len(dims) != 3:
            raise ValueError(f"Input 0 of layer {self.name} is incompatible with the layer: "
                             f"expected ndim=3, found ndim={len(dims)}. Full shape received: "
                             f"{dims}")
        self._build_sublayer(self.cell, TensorShape([dims[0], dims[2]]))
        self.built = True

    def compute_output_shape(self, input_shape: Any) -> Any:
        dims = as_shape_list(input_shape)
        units = self.cell.output_size
        output = TensorShape([dims[0], dims[1], units] if self.return_sequences
                             else [dims[0], units])
        if self.return_state:
            return [output] + [TensorShape([dims[0], s]) for s in _sizes(self.cell.state_size)]
        return output

    def _initial_states(self, inputs: Any, initial_state: Any) -> list:
        sizes = _sizes(self.cell.state_size)
        if initial_state is None:
            batch = shape(inputs)[0]
            return [zeros(stack([batch, size]), dtype=inputs.dtype) for size in sizes]
        states = list(initial_state) if isinstance(initial_state, (list, tuple)) \
            else [initial_state]
        states = [convert_to_tensor(s) for s in states]
        if len(states) != len(sizes):
            raise ValueError(f"Layer {self.name} expects {len(sizes)} states, but it "
                             f"received {len(states)} initial states: {states}")
        for state, size in zip(states, sizes):
            dims = state.shape.as_list() if state.shape.ndims is not None else None
            if dims is not None and (len(dims) != 2 or dims[1] not in (None, size)):
                raise ValueError(f"An `initial_state` was passed that is not compatible with "
                                 f"`cell.state_size`. Received `state_spec`={dims}; however "
                                 f"`cell.state_size` is {self.cell.state_size}")
        return states

    def compute_mask(self, inputs: Any, mask: Any = None) -> Any:
        """The input mask for ``return_sequences`` outputs, else None (states: None)."""
        if isinstance(mask, (list, tuple)):
            mask = mask[0]
        output_mask = mask if self.return_sequences else None
        if self.return_state:
            return [output_mask] + [None] * len(self.states)
        return output_mask

    def call(self, inputs: Any, mask: Any = None, training: Any = None,
             initial_state: Any = None) -> Any:
        inputs = convert_to_tensor(inputs)
        states = self._initial_states(inputs, initial_state)
        time_steps = inputs.shape.as_list()[1]
        if self.unroll and time_steps is None:
            raise ValueError("Cannot unroll a RNN if the time dimension is undefined. Either "
                             "set unroll=False or give the inputs a static time dimension.")
        mask = _time_mask(mask)
        if self.go_backwards:
            inputs = reverse(inputs, [1])
            mask = reverse(mask, [1]) if mask is not None else None
        dropping = getattr(self.cell, "dropout", 0) > 0 or \
            getattr(self.cell, "recurrent_dropout", 0) > 0
        cell_training = resolve_training(training) if dropping else training
        if hasattr(self.cell, "_prepare_masks"):
            if dropping:
                self.cell._prepare_masks(inputs[:, 0], states[0], cell_training)
            else:
                self.cell._reset_masks()
        try:
            if self.unroll:
                last, outputs, states = self._unrolled(inputs, mask, states, time_steps,
                                                       cell_training)
            else:
                last, outputs, states = self._loop(inputs, mask, states, cell_training)
        finally:
            if hasattr(self.cell, "_reset_masks"):
                self.cell._reset_masks()
        output = outputs if self.return_sequences else last
        if self.return_state:
            return [output] + list(states)
        return output

    def _step(self, x: Any, keep: Any, prev_output: Any, states: list,
              training: Any) -> tuple:
        """One step of the cell; where `keep` ([batch, 1] bool) is False the step is masked:
        its output repeats `prev_output` and the states stay, as Keras' ``K.rnn``."""
        kwargs = {} if training is None else {"training": training}
        output, new_states = self.cell.call(x, states, **kwargs)
        new_states = _sizes(new_states)
        if keep is None:
            return output, list(new_states)
        return (where_v2(keep, output, prev_output),
                [where_v2(keep, new, old) for new, old in zip(new_states, states)])

    def _unrolled(self, inputs: Any, mask: Any, states: list, time_steps: int,
                  training: Any) -> tuple:
        keeps = [None] * time_steps if mask is None else \
            [expand_dims(m, -1) for m in unstack(mask, num=time_steps, axis=1)]
        prev = None if mask is None else self._first_output(inputs)
        outputs: list = []
        for x, keep in zip(unstack(inputs, num=time_steps, axis=1), keeps):
            prev, states = self._step(x, keep, prev, states, training)
            outputs.append(prev)
        return outputs[-1], stack(outputs, axis=1), states

    def _first_output(self, inputs: Any) -> Any:
        """The output before the first step (what masked leading steps repeat): zeros."""
        return zeros(stack([shape(inputs)[0], self.cell.output_size]), dtype=inputs.dtype)

    def _loop(self, inputs: Any, mask: Any, states: list, training: Any) -> tuple:
        time_major = transpose(inputs, [1, 0, 2])
        steps = shape(time_major)[0]
        dims = inputs.shape.as_list()
        input_ta = TensorArray(dtype=inputs.dtype, size=steps,
                               element_shape=TensorShape([dims[0], dims[2]]))
        input_ta = input_ta.unstack(time_major)
        if mask is not None:
            mask_ta = TensorArray(dtype=dtypes.bool, size=steps,
                                  element_shape=TensorShape([dims[0]]))
            mask_ta = mask_ta.unstack(transpose(mask, [1, 0]))
        output_shape = TensorShape([dims[0], self.cell.output_size])
        output_ta = TensorArray(dtype=inputs.dtype, size=steps, element_shape=output_shape)
        state_shapes = [s.shape for s in states]

        def body(time: Any, output_ta: Any, prev_output: Any, *states: Any) -> tuple:
            x = input_ta.read(time)
            x.set_shape([dims[0], dims[2]])
            prev_output.set_shape(output_shape)
            for state, known in zip(states, state_shapes):
                state.set_shape(known)
            keep = None if mask is None else expand_dims(mask_ta.read(time), -1)
            output, new_states = self._step(x, keep, prev_output, list(states), training)
            return (add(time, 1), output_ta.write(time, output), output) + tuple(new_states)

        time = constant(0, dtype=dtypes.int32, name="time")
        results = while_loop(lambda time, *_: less(time, steps), body,
                             (time, output_ta, self._first_output(inputs)) + tuple(states),
                             maximum_iterations=steps)
        outputs = transpose(results[1].stack(), [1, 0, 2])
        outputs.set_shape([dims[0], dims[1], self.cell.output_size])
        last = results[2]
        last.set_shape(output_shape)
        final_states = list(results[3:])
        for state, known in zip(final_states, state_shapes):
            state.set_shape(known)
        return last, outputs, final_states

    def get_config(self) -> dict:
        config = {"return_sequences": self.return_sequences,
                  "return_state": self.return_state, "go_backwards": self.go_backwards,
                  "stateful": self.stateful, "unroll": self.unroll,
                  "time_major": self.time_major}
        if type(self) is RNN:
            config["cell"] = {"class_name": type(self.cell).__name__,
                              "config": self.cell.get_config()}
        return {**super().get_config(), **config}

    @classmethod
    def from_config(cls, config: dict) -> "RNN":
        config = dict(config)
        cell = config.pop("cell")
        if isinstance(cell, dict):
            from flowgraph.keras.layers.recurrent_more import StackedRNNCells
            known = {"SimpleRNNCell": SimpleRNNCell, "LSTMCell": LSTMCell, "GRUCell": GRUCell,
                     "StackedRNNCells": StackedRNNCells}
            if cell.get("class_name") not in known:
                raise ValueError(f"Unknown cell class: {cell.get('class_name')!r} (known: "
                                 f"{sorted(known)})")
            cell = known[cell["class_name"]].from_config(cell["config"])
        return cls(cell, **config)


class _CellLayer(RNN):
    """An RNN layer owning a cell it makes from its own arguments (SimpleRNN, LSTM, GRU)."""

    def _setup(self, cell_class: type, arguments: dict) -> None:
        """Makes the cell from the cell's arguments among `arguments` (all of the layer's),
        then the RNN from the rest."""
        from flowgraph.keras import regularizers
        arguments = dict(arguments)
        activity_regularizer = regularizers.get(arguments.pop("activity_regularizer"))
        cell_names = set(inspect.signature(cell_class).parameters) - {"kwargs"}
        cell = cell_class(**{key: value for key, value in arguments.items()
                             if key in cell_names or key in ("dtype", "trainable")})
        super().__init__(cell, activity_regularizer=activity_regularizer,
                         **{key: value for key, value in arguments.items()
                            if key not in cell_names})

    def __getattr__(self, name: str) -> Any:
        # units, activation, dropout... are the cell's (as Keras' properties).
        if name != "cell" and "cell" in self.__dict__ and name in _CELL_ATTRS:
            return getattr(self.__dict__["cell"], name)
        raise AttributeError(f"{type(self).__name__!s} object has no attribute {name!r}")

    def get_config(self) -> dict:
        config = dict(super().get_config())  # 'time_major' included, as TF 1.15
        cell_config = self.cell.get_config()
        for key in ("name", "trainable", "dtype"):
            cell_config.pop(key, None)
        config.update(cell_config)
        config["activity_regularizer"] = _ser("regularizer", self.activity_regularizer)
        return config

    @classmethod
    def from_config(cls, config: dict) -> "RNN":
        return cls(**config)


_CELL_ATTRS = frozenset({
    "units", "activation", "recurrent_activation", "use_bias", "kernel_initializer",
    "recurrent_initializer", "bias_initializer", "unit_forget_bias", "kernel_regularizer",
    "recurrent_regularizer", "bias_regularizer", "kernel_constraint", "recurrent_constraint",
    "bias_constraint", "dropout", "recurrent_dropout", "implementation", "reset_after"})


class SimpleRNN(_CellLayer):
    """A fully-connected RNN whose output is fed back as input (`SimpleRNNCell`); weights
    ``simple_rnn/kernel:0``, ``recurrent_kernel:0``, ``bias:0``."""

    def __init__(self, units: int, activation: Any = "tanh", use_bias: bool = True,
                 kernel_initializer: Any = "glorot_uniform",
                 recurrent_initializer: Any = "orthogonal", bias_initializer: Any = "zeros",
                 kernel_regularizer: Any = None, recurrent_regularizer: Any = None,
                 bias_regularizer: Any = None, activity_regularizer: Any = None,
                 kernel_constraint: Any = None, recurrent_constraint: Any = None,
                 bias_constraint: Any = None, dropout: float = 0.0,
                 recurrent_dropout: float = 0.0, return_sequences: bool = False,
                 return_state: bool = False, go_backwards: bool = False,
                 stateful: bool = False, unroll: bool = False, **kwargs: Any) -> None:
        self._setup(SimpleRNNCell, _arguments(locals()))


class LSTM(_CellLayer):
    """Long Short-Term Memory layer (`LSTMCell`), TF 1.15's defaults (note
    ``recurrent_activation='hard_sigmoid'``); weights ``lstm/kernel:0``
    ``[input_dim, 4 * units]``, ``lstm/recurrent_kernel:0``, ``lstm/bias:0`` (gates i, f,
    c, o). With ``return_state`` the states are ``[h, c]``."""

    def __init__(self, units: int, activation: Any = "tanh",
                 recurrent_activation: Any = "hard_sigmoid", use_bias: bool = True,
                 kernel_initializer: Any = "glorot_uniform",
                 recurrent_initializer: Any = "orthogonal", bias_initializer: Any = "zeros",
                 unit_forget_bias: bool = True, kernel_regularizer: Any = None,
                 recurrent_regularizer: Any = None, bias_regularizer: Any = None,
                 activity_regularizer: Any = None, kernel_constraint: Any = None,
                 recurrent_constraint: Any = None, bias_constraint: Any = None,
                 dropout: float = 0.0, recurrent_dropout: float = 0.0,
                 implementation: int = 1, return_sequences: bool = False,
                 return_state: bool = False, go_backwards: bool = False,
                 stateful: bool = False, unroll: bool = False, **kwargs: Any) -> None:
        self._setup(LSTMCell, _arguments(locals()))


class GRU(_CellLayer):
    """Gated Recurrent Unit layer (`GRUCell`), TF 1.15's defaults (``reset_after=False``,
    ``recurrent_activation='hard_sigmoid'``); weights ``gru/kernel:0``
    ``[input_dim, 3 * units]``, ``gru/recurrent_kernel:0``, ``gru/bias:0`` (gates z, r,
    h)."""

    def __init__(self, units: int, activation: Any = "tanh",
                 recurrent_activation: Any = "hard_sigmoid", use_bias: bool = True,
                 kernel_initializer: Any = "glorot_uniform",
                 recurrent_initializer: Any = "orthogonal", bias_initializer: Any = "zeros",
                 kernel_regularizer: Any = None, recurrent_regularizer: Any = None,
                 bias_regularizer: Any = None, activity_regularizer: Any = None,
                 kernel_constraint: Any = None, recurrent_constraint: Any = None,
                 bias_constraint: Any = None, dropout: float = 0.0,
                 recurrent_dropout: float = 0.0, implementation: int = 1,
                 return_sequences: bool = False, return_state: bool = False,
                 go_backwards: bool = False, stateful: bool = False, unroll: bool = False,
                 reset_after: bool = False, **kwargs: Any) -> None:
        self._setup(GRUCell, _arguments(locals()))
