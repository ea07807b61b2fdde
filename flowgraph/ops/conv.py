"""2-D convolution (TF1's Conv2D) and the `fg.nn` builders on top of it: conv2d, conv1d,
convolution, atrous_conv2d.

The kernels are im2col matrix products (flowgraph/ops/conv_kernels.py); the gradients are
the Conv2DBackpropInput / Conv2DBackpropFilter ops of conv_grad.py, as in TF1. Inputs are
NHWC by default; "NCHW" inputs are transposed to NHWC inside the kernels. Filters are
always [height, width, in_channels, out_channels].

The builders are public as ``fg.nn.*`` (TF1 has no top-level ``tf.conv2d``), so this
module's ``__all__`` is empty.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Optional

import numpy as np

from flowgraph.graph import Tensor
from flowgraph.ops import conv_kernels as kernels
from flowgraph.ops.constant import convert_to_tensor
from flowgraph.ops.conv_util import (
    ConvBase,
    convert_padding,
    get_sequence,
    normalize_data_format,
    rank4_dims,
)
from flowgraph.ops.elementwise import op_scope
from flowgraph.ops.registry import apply_op, register

__all__: list = []

FILTER_LAYOUT = "[height, width, in_channels, out_channels]"


@dataclasses.dataclass(frozen=True, kw_only=True)
class Conv2DFamily(ConvBase):
    """Conv2D and its backprop ops: the ConvBase attributes plus TF1's use_cudnn_on_gpu
    (accepted and ignored: there is no GPU here)."""

    use_cudnn_on_gpu: bool = True

    uses_all_cores = True  # the kernels are BLAS matrix products


def channel_mismatch(op: Any, x_shape: Any, w_shape: Any, c: Any, ci: Any,
                     data_format: str) -> ValueError:
    return ValueError(f"{op.type}: the input has {c} channels but the filter expects "
                      f"in_channels = {ci}: input of shape {x_shape} ({data_format}), filter "
                      f"of shape {w_shape} ({FILTER_LAYOUT}).")


@register
class Conv2D(Conv2DFamily):
    """A 2-D convolution (a cross-correlation, as in TF1):
    ``out[b, y, x, o] = sum_{i, j, c} in[b, y*sh + i*dh - top, x*sw + j*dw - left, c] *
    filter[i, j, c, o]``, zero outside the input. Output [batch, out_h, out_w, out_c]
    (in data_format's order)."""

    def infer(self, op):
        x, w = op.inputs
        dtype = self.check_float(op, [x, w], ["input", "filter"])
        n, h, width, c = self.nhwc(rank4_dims(op, x, "input", self.data_format))
        kh, kw, ci, co = rank4_dims(op, w, "filter", FILTER_LAYOUT)
        if c is not None and ci is not None and c != ci:
            raise channel_mismatch(op, x.shape, w.shape, c, ci, self.data_format)
        (oh, _, _), (ow, _, _) = self.geometry((h, width), (kh, kw))
        return [(dtype, self.from_nhwc([n, oh, ow, co]))]

    def kernel(self, x, w, epilogue=None):
        """The convolution; `epilogue` (rows -> None, in place) as conv_kernels.conv2d's."""
        self.check_ranks(input=x, filter=w)
        xn = self.to_nhwc(x)
        if xn.shape[3] != w.shape[2]:
            raise ValueError(f"Conv2D: the input has {xn.shape[3]} channels but the filter "
                             f"expects in_channels = {w.shape[2]}: input of shape "
                             f"{list(x.shape)} ({self.data_format}), filter of shape "
                             f"{list(w.shape)} ({FILTER_LAYOUT})")
        strides, dilations, pads, out_hw = self.kernel_geometry(xn.shape[1:3], w.shape[:2])
        return self.from_nhwc_array(kernels.conv2d(xn, w, strides, dilations, pads, out_hw,
                                                   epilogue))

    def grad(self, op, dy):
        # TF1's _Conv2DGrad: one backprop op per input, with the same attributes.
        from flowgraph.ops.conv_grad import Conv2DBackpropFilter, Conv2DBackpropInput
        from flowgraph.ops.shape_ops import shape
        x, w = op.inputs
        attrs = self.attributes()
        return [apply_op(Conv2DBackpropInput(**attrs), [shape(x), w, dy]),
                apply_op(Conv2DBackpropFilter(**attrs), [x, shape(w), dy])]


def _lookup(new: Any, old: Any, new_name: str, old_name: str) -> Any:
    """TF1's deprecated_argument_lookup: one of two spellings of an argument."""
    if new is not None and old is not None:
        raise ValueError(f"Cannot specify both '{new_name}' and '{old_name}'")
    return new if new is not None else old


def _required(value: Any, what: str, fn: str) -> Any:
    if value is None:
        raise ValueError(f"{fn} needs {what}")
    return value


def conv_inputs(input: Any, filter: Any) -> tuple:
    """input and filter as Tensors; a Python / numpy filter takes the input's dtype."""
    input = convert_to_tensor(input)
    tensor_like = isinstance(filter, Tensor) or hasattr(filter, "__fg_tensor__")
    filter = convert_to_tensor(filter, dtype=None if tensor_like else input.dtype)
    return input, filter


def conv2d(input: Any, filter: Any = None, strides: Any = None, padding: Any = None,
           use_cudnn_on_gpu: bool = True, data_format: str = "NHWC",
           dilations: Any = (1, 1, 1, 1), name: Optional[str] = None,
           filters: Any = None) -> Tensor:
    """A 2-D convolution of `input` with `filter` (node "Conv2D"), as TF1's `tf.nn.conv2d`.

    Parameters
    ----------
    input : Tensor
        [batch, height, width, in_channels] ("NHWC") or [batch, in_channels, height, width]
        ("NCHW"); float16, float32 or float64.
    filter : Tensor
        [filter_height, filter_width, in_channels, out_channels], of input's dtype.
        (`filters` is TF1's newer spelling of the same argument.)
    strides : int or list
        1, 2 or 4 ints: the window step per dimension (4 in data_format's order, with 1 for
        the batch and channel dimensions).
    padding : str or list
        "SAME" (output size ceil(in / stride), TF1's split of the padding: the odd pixel
        after), "VALID" (no padding), or explicit [[0, 0], [top, bottom], [left, right],
        [0, 0]] pairs in data_format's order.
    dilations : int or list
        The filter's dilation per dimension (like strides); > 1 gives an atrous
        convolution.

    Returns
    -------
    Tensor
        [batch, out_height, out_width, out_channels] (in data_format's order). Channels that
        do not match the filter's in_channels raise ValueError when the graph is built.

    >>> x = fg.ones([1, 5, 5, 1]); k = fg.ones([3, 3, 1, 2])
    >>> fg.nn.conv2d(x, k, strides=2, padding="SAME").shape.as_list()
    [1, 3, 3, 2]
    """
    filter = _required(_lookup(filters, filter, "filters", "filter"), "a filter", "conv2d")
    padding, explicit = convert_padding(_required(padding, "a padding", "conv2d"))
    data_format = normalize_data_format(data_format)
    channel_index = 1 if data_format == "NCHW" else 3
    strides = get_sequence(_required(strides, "strides", "conv2d"), 2, channel_index,
                           "strides")
    dilations = get_sequence(dilations, 2, channel_index, "dilations")
    input, filter = conv_inputs(input, filter)
    op_def = Conv2D(strides=strides, padding=padding, explicit_paddings=explicit,
                    data_format=data_format, dilations=dilations,
                    use_cudnn_on_gpu=bool(use_cudnn_on_gpu))
    return apply_op(op_def, [input, filter], name=name)


def conv1d(value: Any = None, filters: Any = None, stride: Any = None, padding: Any = None,
           use_cudnn_on_gpu: Any = None, data_format: Optional[str] = None,
           name: Optional[str] = None, input: Any = None, dilations: Any = None) -> Tensor:
    """A 1-D convolution, as TF1's `tf.nn.conv1d`: the input [batch, width, in_channels]
    ("NWC", the default) or [batch, in_channels, width] ("NCW") and the filter
    [width, in_channels, out_channels] gain a dimension of size 1 and go through conv2d
    (node "conv1d"), whose result is squeezed back (node "conv1d/Squeeze")."""
    from flowgraph.ops.shape_ops import expand_dims, squeeze
    value = _lookup(input, value, "input", "value")
    with op_scope(name, "conv1d", [value, filters]) as scope:
        if data_format in (None, "NHWC", "NWC"):
            data_format, spatial_start, channel_index = "NHWC", 1, 2
        elif data_format in ("NCHW", "NCW"):
            data_format, spatial_start, channel_index = "NCHW", 2, 1
        else:
            raise ValueError(f'data_format must be "NWC" or "NCW", got {data_format!r}')
        strides = (1,) + get_sequence(_required(stride, "a stride", "conv1d"), 1,
                                      channel_index, "stride")
        dilations = (1,) + get_sequence(dilations, 1, channel_index, "dilations")
        padding = _required(padding, "a padding", "conv1d")
        if isinstance(padding, (list, tuple)) and len(padding) == 3:
            padding = list(padding)
            padding.insert(spatial_start, [0, 0])
        padding, explicit = convert_padding(padding)
        value, filters = conv_inputs(value, _required(filters, "filters", "conv1d"))
        value = expand_dims(value, spatial_start)
        filters = expand_dims(filters, 0)
        op_def = Conv2D(strides=strides, padding=padding, explicit_paddings=explicit,
                        data_format=data_format, dilations=dilations,
                        use_cudnn_on_gpu=True if use_cudnn_on_gpu is None
                        else bool(use_cudnn_on_gpu))
        result = apply_op(op_def, [value, filters], name=scope)
        return squeeze(result, [spatial_start])


def convolution(input: Any, filter: Any = None, padding: Any = None, strides: Any = None,
                dilation_rate: Any = None, name: Optional[str] = None,
                data_format: Optional[str] = None, filters: Any = None,
                dilations: Any = None) -> Tensor:
    """TF1's `tf.nn.convolution` for 1-D and 2-D convolutions (inputs of rank 3 or 4):
    `strides` and `dilation_rate` (or `dilations`) list one value per spatial dimension
    (default 1). The node is named "convolution"."""
    filter = _required(_lookup(filters, filter, "filters", "filter"), "a filter",
                       "convolution")
    dilation_rate = _lookup(dilations, dilation_rate, "dilations", "dilation_rate")
    input = convert_to_tensor(input)
    rank = input.shape.ndims
    if rank not in (3, 4):
        raise ValueError(f"convolution supports 1-D and 2-D convolutions (input of rank 3 "
                         f"or 4, known when the graph is built), got input of shape "
                         f"{input.shape}; 3-D convolutions are not implemented.")
    spatial = rank - 2
    strides = _spatial_list(strides, spatial, "strides")
    dilation_rate = _spatial_list(dilation_rate, spatial, "dilation_rate")
    if any(s > 1 for s in strides) and any(d > 1 for d in dilation_rate):
        raise ValueError(f"strides > 1 not supported in conjunction with dilation_rate > 1: "
                         f"strides {list(strides)}, dilation_rate {list(dilation_rate)}")
    name = "convolution" if name is None else name
    if spatial == 1:
        if data_format not in (None, "NWC", "NCW"):
            raise ValueError(f'data_format must be "NWC" or "NCW" for a 1-D convolution, got '
                             f"{data_format!r}")
        return conv1d(input, filter, strides, padding, data_format=data_format, name=name,
                      dilations=dilation_rate)
    data_format = normalize_data_format(data_format)
    return conv2d(input, filter, strides, padding, data_format=data_format,
                  dilations=dilation_rate, name=name)


def _spatial_list(value: Any, n: int, what: str) -> tuple:
    if value is None:
        return (1,) * n
    values = np.broadcast_to(np.asarray(value), (n,)) if np.ndim(value) == 0 else \
        np.asarray(value)
    if values.shape != (n,):
        raise ValueError(f"{what} must have {n} entries (one per spatial dimension), got "
                         f"{list(np.ravel(values))}")
    if any(v < 1 for v in values):
        raise ValueError(f"{what} entries must be >= 1, got {values.tolist()}")
    return tuple(int(v) for v in values)


def atrous_conv2d(value: Any, filters: Any, rate: int, padding: Any,
                  name: Optional[str] = None) -> Tensor:
    """A dilated ("atrous") 2-D convolution of NHWC `value` with holes of `rate` - 1 zeros
    between the filter's taps, as TF1's `tf.nn.atrous_conv2d` (stride 1)."""
    if int(rate) < 1:
        raise ValueError(f"rate {rate} cannot be less than one")
    return convolution(value, filters, padding, dilation_rate=(int(rate), int(rate)),
                       name=name)
