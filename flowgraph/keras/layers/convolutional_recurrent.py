"""TF 1.15's `tf.keras.layers.ConvLSTM2D`: an LSTM whose input and recurrent
transformations are 2-D convolutions.

Inputs are ``[batch, time, rows, cols, channels]`` (``channels_last``) or ``[batch, time,
channels, rows, cols]`` (``channels_first``). With Keras' gate order (i, f, c, o)::

    x_g = conv(x_t, W_g, strides, padding, dilation) + b_g
    i = rec_act(x_i + conv(h, U_i))   f = rec_act(x_f + conv(h, U_f))
    c = f * c + i * act(x_c + conv(h, U_c))   o = rec_act(x_o + conv(h, U_o))   h = o * act(c)

where the recurrent convolutions ``conv(h, U_g)`` use ``'same'`` padding and stride 1.
Weights (TF 1.15's names): ``conv_lst_m2d/kernel:0`` ``[kh, kw, channels, 4 * filters]``,
``conv_lst_m2d/recurrent_kernel:0`` ``[kh, kw, filters, 4 * filters]``,
``conv_lst_m2d/bias:0`` ``[4 * filters]`` (the forget gate's bias starts at 1 with
``unit_forget_bias``). The steps run in a `while_loop`; masks (``[batch, time]``) carry the
states over masked steps, as the other Keras RNNs.
"""

from __future__ import annotations

from typing import Any, Optional

from flowgraph import dtypes
from flowgraph.control_flow import TensorArray, while_loop
from flowgraph.keras.base_layer import Layer
from flowgraph.keras.layers.convolutional import _data_format
from flowgraph.keras.layers.normalization import resolve_training
from flowgraph.keras.layers.recurrent import _ser, _time_mask
from flowgraph.layers.base import InputSpec, as_shape_list
from flowgraph.layers.utils import (
    conv_output_length,
    normalize_padding,
    normalize_tuple,
    static_bool,
)
from flowgraph.nn import conv2d
from flowgraph.nn.dropout import dropout as nn_dropout
from flowgraph.ops import (
    add,
    concat,
    convert_to_tensor,
    multiply,
    ones,
    ones_like,
    reduce_sum,
    reshape,
    reverse,
    shape,
    transpose,
    where_v2,
    zeros,
    zeros_like,
)
from flowgraph.ops.compare import less
from flowgraph.ops.constant import constant
from flowgraph.shapes import TensorShape

__all__ = ["ConvLSTM2D"]


class ConvLSTM2D(Layer):
    """Convolutional LSTM over ``[batch, time, rows, cols, channels]`` inputs (TF 1.15's
    arguments and defaults, note ``recurrent_activation='hard_sigmoid'``).

    Returns the last output ``[batch, out_rows, out_cols, filters]``, or with
    ``return_sequences`` every step's ``[batch, time, out_rows, out_cols, filters]``
    (channels first with ``data_format='channels_first'``); ``return_state=True`` (a keyword)
    adds the final states ``[h, c]``. Call with ``initial_state=[h0, c0]``, ``mask=`` and
    ``training=`` (for `dropout` / `recurrent_dropout`) as other Keras RNNs.
    ``stateful=True`` and ``unroll=True`` are not supported (ValueError).
    """

    def __init__(self, filters: int, kernel_size: Any, strides: Any = (1, 1),
                 padding: str = "valid", data_format: Optional[str] = None,
                 dilation_rate: Any = (1, 1), activation: Any = "tanh",
                 recurrent_activation: Any = "hard_sigmoid", use_bias: bool = True,
                 kernel_initializer: Any = "glorot_uniform",
                 recurrent_initializer: Any = "orthogonal", bias_initializer: Any = "zeros",
                 unit_forget_bias: bool = True, kernel_regularizer: Any = None,
                 recurrent_regularizer: Any = None, bias_regularizer: Any = None,
                 activity_regularizer: Any = None, kernel_constraint: Any = None,
                 recurrent_constraint: Any = None, bias_constraint: Any = None,
                 return_sequences: bool = False, go_backwards: bool = False,
                 stateful: bool = False, dropout: float = 0.0, recurrent_dropout: float = 0.0,
                 **kwargs: Any) -> None:
        from flowgraph.keras import activations, constraints, initializers, regularizers
        return_state = bool(kwargs.pop("return_state", False))
        unroll = bool(kwargs.pop("unroll", False))
        time_major = bool(kwargs.pop("time_major", False))
        if stateful:
            raise ValueError("stateful=True is not supported by flowgraph's ConvLSTM2D; carry "
                             "the states yourself with `return_state=True` and "
                             "`initial_state=`.")
        if unroll:
            raise ValueError("Unrolling isn't possible with convolutional RNNs.")
        if time_major:
            raise ValueError("time_major=True is not supported by ConvLSTM2D; give "
                             "batch-major [batch, time, ...] inputs.")
        if not isinstance(filters, int) or isinstance(filters, bool) or filters <= 0:
            raise ValueError(f"`filters` must be a positive integer, got {filters!r}")
        super().__init__(activity_regularizer=regularizers.get(activity_regularizer),
                         **kwargs)
        self.filters = filters
        self.kernel_size = normalize_tuple(kernel_size, 2, "kernel_size")
        self.strides = normalize_tuple(strides, 2, "strides")
        self.padding = normalize_padding(padding)
        if self.padding not in ("valid", "same"):
            raise ValueError(f"ConvLSTM2D's `padding` must be 'valid' or 'same', got "
                             f"{padding!r}")
        self.data_format = _data_format(data_format)
        self.dilation_rate = normalize_tuple(dilation_rate, 2, "dilation_rate")
        self.activation = activations.get(activation)
        self.recurrent_activation = activations.get(recurrent_activation)
        self.use_bias = use_bias
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.recurrent_initializer = initializers.get(recurrent_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.unit_forget_bias = unit_forget_bias
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.recurrent_regularizer = regularizers.get(recurrent_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.recurrent_constraint = constraints.get(recurrent_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.return_sequences = return_sequences
        self.return_state = return_state
        self.go_backwards = go_backwards
        self.stateful = stateful
        self.unroll = unroll
        self.time_major = time_major
        self.dropout = min(1.0, max(0.0, float(dropout)))
        self.recurrent_dropout = min(1.0, max(0.0, float(recurrent_dropout)))
        self.supports_masking = True
        self.input_spec = InputSpec(ndim=5)
        self.kernel = self.recurrent_kernel = self.bias = None

    @property
    def states(self) -> list:
        return [None, None]

    # -- shapes (channels last inside; channels_first is transposed at the edges)
    def _channels_last(self, dims: list) -> list:
        if self.data_format == "channels_first":
            return [dims[0], dims[1], dims[3], dims[4], dims[2]]
        return list(dims)

    def _step_shape(self, dims: list) -> list:
        """[batch, out_rows, out_cols, filters] for channels-last input dims."""
        rows, cols = (conv_output_length(dims[2 + i], self.kernel_size[i], self.padding,
                                         self.strides[i], self.dilation_rate[i])
                      for i in range(2))
        return [dims[0], rows, cols, self.filters]

    def _to_format(self, dims: list) -> list:
        if self.data_format == "channels_last":
            return dims
        return dims[:-3] + [dims[-1]] + dims[-3:-1]

    def compute_output_shape(self, input_shape: Any) -> Any:
        dims = self._channels_last(as_shape_list(input_shape))
        step = self._step_shape(dims)
        out = [step[0], dims[1]] + step[1:] if self.return_sequences else step
        output = TensorShape(self._to_format(out))
        if self.return_state:
            state = TensorShape(self._to_format(step))
            return [output, state, state]
        return output

    def build(self, input_shape: Any) -> None:
        dims = as_shape_list(input_shape)
        if len(dims) != 5:
            raise ValueError(f"Input 0 of layer {self.name} is incompatible with the layer: "
                             f"expected ndim=5, found ndim={len(dims)}. Full shape received: "
                             f"{dims}")
        channels = self._channels_last(dims)[-1]
        if channels is None:
            raise ValueError("The channel dimension of the inputs should be defined. Found "
                             "`None`.")
        kh, kw = self.kernel_size
        gates = 4 * self.filters
        self.kernel = self.add_weight(name="kernel", shape=(kh, kw, channels, gates),
                                      initializer=self.kernel_initializer,
                                      regularizer=self.kernel_regularizer,
                                      constraint=self.kernel_constraint)
        self.recurrent_kernel = self.add_weight(
            name="recurrent_kernel", shape=(kh, kw, self.filters, gates),
            initializer=self.recurrent_initializer, regularizer=self.recurrent_regularizer,
            constraint=self.recurrent_constraint)
        if self.use_bias:
            bias_initializer = self.bias_initializer
            if self.unit_forget_bias:
                base, filters = self.bias_initializer, self.filters

                def bias_initializer(shape: Any, dtype: Any = None, partition_info: Any = None,
                                     **kwargs: Any) -> Any:
                    return concat([base((filters,), dtype),
                                   ones((filters,), dtype or dtypes.float32),
                                   base((filters * 2,), dtype)], 0)
            self.bias = self.add_weight(name="bias", shape=(gates,),
                                        initializer=bias_initializer,
                                        regularizer=self.bias_regularizer,
                                        constraint=self.bias_constraint)
        self.built = True

    # -- the step
    def _input_conv(self, x: Any, w: Any, b: Any = None) -> Any:
        out = conv2d(x, w, strides=(1,) + self.strides + (1,), padding=self.padding.upper(),
                     dilations=(1,) + self.dilation_rate + (1,), data_format="NHWC")
        return add(out, b) if b is not None else out

    def _recurrent_conv(self, h: Any, w: Any) -> Any:
        return conv2d(h, w, strides=(1, 1, 1, 1), padding="SAME", data_format="NHWC")

    def _cell(self, x: Any, h: Any, c: Any, masks: tuple) -> tuple:
        dp, rec_dp = masks
        f = self.filters
        kernels = [self.kernel[..., g * f:(g + 1) * f] for g in range(4)]
        recurrents = [self.recurrent_kernel[..., g * f:(g + 1) * f] for g in range(4)]
        biases = [self.bias[g * f:(g + 1) * f] if self.bias is not None else None
                  for g in range(4)]
        z = []
        for g in range(4):
            x_g = multiply(x, dp[g]) if dp is not None else x
            h_g = multiply(h, rec_dp[g]) if rec_dp is not None else h
            z.append(add(self._input_conv(x_g, kernels[g], biases[g]),
                         self._recurrent_conv(h_g, recurrents[g])))
        act, rec_act = self.activation, self.recurrent_activation
        i, forget, o = rec_act(z[0]), rec_act(z[1]), rec_act(z[3])
        c = add(multiply(forget, c), multiply(i, act(z[2])))
        h = multiply(o, act(c))
        return h, c

    def _draw(self, like: Any, rate: float, training: Any) -> Optional[list]:
        """Four dropout masks (one per gate), drawn once per call, as Keras."""
        flag = static_bool(training)
        if rate <= 0 or flag is False:
            return None
        base = ones_like(like)
        masks = []
        for _ in range(4):
            dropped = nn_dropout(base, rate=rate)
            masks.append(dropped if flag else where_v2(training, dropped, base))
        return masks

    def _initial_states(self, inputs: Any, initial_state: Any) -> list:
        if initial_state is None:
            # zeros shaped as the input convolution's output (TF 1.15's way: it works with
            # unknown spatial dimensions)
            step = reduce_sum(zeros_like(inputs), axis=1)
            kh, kw = self.kernel_size
            state = self._input_conv(step, zeros((kh, kw, step.shape.as_list()[-1],
                                                  self.filters), dtype=inputs.dtype))
            return [state, state]
        states = list(initial_state) if isinstance(initial_state, (list, tuple)) \
            else [initial_state]
        if len(states) != 2:
            raise ValueError(f"Layer {self.name} expects 2 states ([h, c]), but it received "
                             f"{len(states)} initial states: {states}")
        states = [convert_to_tensor(s) for s in states]
        if self.data_format == "channels_first":
            states = [transpose(s, [0, 2, 3, 1]) for s in states]
        return states

    def compute_mask(self, inputs: Any, mask: Any = None) -> Any:
        """The input mask for ``return_sequences`` outputs, else None (states: None)."""
        if isinstance(mask, (list, tuple)):
            mask = mask[0]
        output_mask = mask if self.return_sequences else None
        if self.return_state:
            return [output_mask, None, None]
        return output_mask

    def call(self, inputs: Any, mask: Any = None, training: Any = None,
             initial_state: Any = None) -> Any:
        inputs = convert_to_tensor(inputs)
        if self.data_format == "channels_first":
            inputs = transpose(inputs, [0, 1, 3, 4, 2])
        h, c = self._initial_states(inputs, initial_state)
        mask = _time_mask(mask)
        if self.go_backwards:
            inputs = reverse(inputs, [1])
            mask = reverse(mask, [1]) if mask is not None else None
        training = resolve_training(training) if (self.dropout > 0 or
                                                  self.recurrent_dropout > 0) else training
        masks = (self._draw(inputs[:, 0], self.dropout, training),
                 self._draw(h, self.recurrent_dropout, training))
        last, outputs, h, c = self._loop(inputs, mask, h, c, masks)
        output = outputs if self.return_sequences else last
        if self.data_format == "channels_first":
            output = transpose(output, [0, 1, 4, 2, 3] if self.return_sequences
                               else [0, 3, 1, 2])
            h, c = (transpose(s, [0, 3, 1, 2]) for s in (h, c))
        return [output, h, c] if self.return_state else output

    def _loop(self, inputs: Any, mask: Any, h: Any, c: Any, masks: tuple) -> tuple:
        dims = inputs.shape.as_list()
        step_shape = TensorShape(self._step_shape(dims))
        time_major = transpose(inputs, [1, 0, 2, 3, 4])
        steps = shape(time_major)[0]
        input_ta = TensorArray(dtype=inputs.dtype, size=steps,
                               element_shape=TensorShape([dims[0]] + dims[2:]))
        input_ta = input_ta.unstack(time_major)
        if mask is not None:
            mask_ta = TensorArray(dtype=dtypes.bool, size=steps,
                                  element_shape=TensorShape([dims[0]]))
            mask_ta = mask_ta.unstack(transpose(mask, [1, 0]))
        output_ta = TensorArray(dtype=inputs.dtype, size=steps, element_shape=step_shape)

        def body(time: Any, output_ta: Any, prev: Any, h: Any, c: Any) -> tuple:
            x = input_ta.read(time)
            x.set_shape([dims[0]] + dims[2:])
            for t in (prev, h, c):
                t.set_shape(step_shape)
            new_h, new_c = self._cell(x, h, c, masks)
            output = new_h
            if mask is not None:
                # a masked step repeats the previous output (zeros before the first step)
                # and keeps the states
                keep = reshape(mask_ta.read(time), [-1, 1, 1, 1])
                output = where_v2(keep, new_h, prev)
                new_h, new_c = where_v2(keep, new_h, h), where_v2(keep, new_c, c)
            return add(time, 1), output_ta.write(time, output), output, new_h, new_c

        time = constant(0, dtype=dtypes.int32, name="time")
        results = while_loop(lambda time, *_: less(time, steps), body,
                             (time, output_ta, zeros_like(h), h, c), maximum_iterations=steps)
        outputs = transpose(results[1].stack(), [1, 0, 2, 3, 4])
        outputs.set_shape([dims[0], dims[1]] + step_shape.as_list()[1:])
        last, h, c = results[2], results[3], results[4]
        for t in (last, h, c):
            t.set_shape(step_shape)
        return last, outputs, h, c

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "return_sequences": self.return_sequences, "return_state": self.return_state,
            "go_backwards": self.go_backwards, "stateful": self.stateful,
            "unroll": self.unroll, "time_major": self.time_major,
            "filters": self.filters, "kernel_size": self.kernel_size,
            "strides": self.strides, "padding": self.padding,
            "data_format": self.data_format, "dilation_rate": self.dilation_rate,
            "activation": _ser("activation", self.activation),
            "recurrent_activation": _ser("activation", self.recurrent_activation),
            "use_bias": self.use_bias,
            "kernel_initializer": _ser("initializer", self.kernel_initializer),
            "recurrent_initializer": _ser("initializer", self.recurrent_initializer),
            "bias_initializer": _ser("initializer", self.bias_initializer),
            "unit_forget_bias": self.unit_forget_bias,
            "kernel_regularizer": _ser("regularizer", self.kernel_regularizer),
            "recurrent_regularizer": _ser("regularizer", self.recurrent_regularizer),
            "bias_regularizer": _ser("regularizer", self.bias_regularizer),
            "activity_regularizer": _ser("regularizer", self.activity_regularizer),
            "kernel_constraint": _ser("constraint", self.kernel_constraint),
            "recurrent_constraint": _ser("constraint", self.recurrent_constraint),
            "bias_constraint": _ser("constraint", self.bias_constraint),
            "dropout": self.dropout, "recurrent_dropout": self.recurrent_dropout,
        }
