"""The gradients of Conv2D as ops of their own (TF1's Conv2DBackpropInput and
Conv2DBackpropFilter), each differentiable again, and the builders on them:
conv2d_backprop_input, conv2d_backprop_filter and conv2d_transpose.

Both ops are linear in each of their float inputs, so their gradients are again convolutions
and backprops (TF1's _Conv2DBackpropInputGrad / _Conv2DBackpropFilterGrad).
"""

from __future__ import annotations

from typing import Any, Optional

import numpy as np

from flowgraph import dtypes
from flowgraph.graph import Tensor
from flowgraph.ops import conv_kernels as kernels
from flowgraph.ops.constant import convert_to_tensor
from flowgraph.ops.conv import FILTER_LAYOUT, Conv2D, Conv2DFamily, conv_inputs
from flowgraph.ops.conv_util import (
    convert_padding,
    get_sequence,
    merge_dim,
    normalize_data_format,
    rank4_dims,
    sizes_vector,
)
from flowgraph.ops.elementwise import op_scope
from flowgraph.ops.registry import apply_op, register

__all__: list = []


def _sizes(op_name: str, what: str, sizes: np.ndarray) -> tuple:
    values = np.asarray(sizes)
    if values.shape != (4,) or np.any(values < 0):
        raise ValueError(f"{op_name}: {what} must be 4 non-negative ints, got "
                         f"{values.tolist()}")
    return tuple(int(v) for v in values)


def _check_dy_shape(op: Any, expected: list, got: list, what: str) -> None:
    """ValueError unless the known dims of out_backprop agree with the convolution's output
    shape computed from `what`."""
    for e, g in zip(expected, got):
        if e is not None and g is not None and e != g:
            raise ValueError(f"{op.type}: out_backprop has shape {got}, but a convolution of "
                             f"{what} gives an output of shape {expected} (None: unknown)")


@register
class Conv2DBackpropInput(Conv2DFamily):
    """The gradient of Conv2D for its input. Inputs: input_sizes (int32 [4], the input's
    shape in data_format's order), filter [kh, kw, in_c, out_c], out_backprop (the shape of
    Conv2D's output). Output: a tensor of shape input_sizes."""

    def infer(self, op):
        sizes, w, dy = op.inputs
        dtype = self.check_float(op, [w, dy], ["filter", "out_backprop"])
        n, h, width, c = self.nhwc(sizes_vector(op, sizes, "input_sizes"))
        kh, kw, ci, co = rank4_dims(op, w, "filter", FILTER_LAYOUT)
        dn, _, _, dc = dy_dims = self.nhwc(rank4_dims(op, dy, "out_backprop",
                                                      self.data_format))
        c = merge_dim(c, ci, f"{op.type}: input_sizes has {c} channels but the filter of "
                             f"shape {w.shape} ({FILTER_LAYOUT}) has in_channels = {ci}")
        merge_dim(co, dc, f"{op.type}: out_backprop of shape {dy.shape} has {dc} channels "
                          f"but the filter of shape {w.shape} has out_channels = {co}")
        n = merge_dim(n, dn, f"{op.type}: input_sizes has batch {n} but out_backprop of "
                             f"shape {dy.shape} has batch {dn}")
        (oh, _, _), (ow, _, _) = self.geometry((h, width), (kh, kw))
        _check_dy_shape(op, [n, oh, ow, co], list(dy_dims), f"input_sizes {[n, h, width, c]}"
                        f" (NHWC) with a filter of shape {w.shape}")
        return [(dtype, self.from_nhwc([n, h, width, c]))]

    def kernel(self, sizes, w, dy):
        self.check_ranks(filter=w, out_backprop=dy)
        shape_in = _sizes(self.type_name, "input_sizes", sizes)
        shape = self.nhwc(shape_in)
        dyn = self.to_nhwc(dy)
        strides, dilations, pads, out_hw = self.kernel_geometry(shape[1:3], w.shape[:2])
        expected = (shape[0],) + tuple(out_hw) + (w.shape[3],)
        if shape[3] != w.shape[2] or dyn.shape != expected:
            raise ValueError(f"Conv2DBackpropInput: input_sizes {list(shape_in)}, filter of "
                             f"shape {list(w.shape)} and out_backprop of shape {list(dy.shape)} "
                             f"do not fit together ({self.data_format}; out_backprop should "
                             f"have shape {self.from_nhwc(expected)})")
        dx = kernels.conv2d_backprop_input(shape, w, dyn, strides, dilations, pads)
        return self.from_nhwc_array(dx)

    def grad(self, op, ddx):
        # TF1's _Conv2DBackpropInputGrad: linear in the filter and in out_backprop.
        from flowgraph.ops.shape_ops import shape
        _, w, dy = op.inputs
        attrs = self.attributes()
        return [None,
                apply_op(Conv2DBackpropFilter(**attrs), [ddx, shape(w), dy]),
                apply_op(Conv2D(**attrs), [ddx, w])]


@register
class Conv2DBackpropFilter(Conv2DFamily):
    """The gradient of Conv2D for its filter. Inputs: input (Conv2D's input),
    filter_sizes (int32 [4]: [kh, kw, in_c, out_c]), out_backprop (the shape of Conv2D's
    output). Output: a tensor of shape filter_sizes."""

    def infer(self, op):
        x, sizes, dy = op.inputs
        dtype = self.check_float(op, [x, dy], ["input", "out_backprop"])
        n, h, width, c = self.nhwc(rank4_dims(op, x, "input", self.data_format))
        kh, kw, ci, co = sizes_vector(op, sizes, "filter_sizes")
        dn, _, _, dc = dy_dims = self.nhwc(rank4_dims(op, dy, "out_backprop",
                                                      self.data_format))
        ci = merge_dim(ci, c, f"{op.type}: the input of shape {x.shape} has {c} channels but "
                              f"filter_sizes has in_channels = {ci}")
        co = merge_dim(co, dc, f"{op.type}: out_backprop of shape {dy.shape} has {dc} "
                               f"channels but filter_sizes has out_channels = {co}")
        merge_dim(n, dn, f"{op.type}: the input of shape {x.shape} and out_backprop of shape "
                         f"{dy.shape} have different batch sizes")
        (oh, _, _), (ow, _, _) = self.geometry((h, width), (kh, kw))
        _check_dy_shape(op, [n, oh, ow, co], list(dy_dims),
                        f"an input of shape {x.shape} with a filter of size {[kh, kw, ci, co]}")
        return [(dtype, [kh, kw, ci, co])]

    def kernel(self, x, sizes, dy):
        self.check_ranks(input=x, out_backprop=dy)
        filter_shape = _sizes(self.type_name, "filter_sizes", sizes)
        xn, dyn = self.to_nhwc(x), self.to_nhwc(dy)
        strides, dilations, pads, out_hw = self.kernel_geometry(xn.shape[1:3],
                                                                filter_shape[:2])
        expected = (xn.shape[0],) + tuple(out_hw) + (filter_shape[3],)
        if xn.shape[3] != filter_shape[2] or dyn.shape != expected:
            raise ValueError(f"Conv2DBackpropFilter: input of shape {list(x.shape)}, "
                             f"filter_sizes {list(filter_shape)} and out_backprop of shape "
                             f"{list(dy.shape)} do not fit together ({self.data_format}; "
                             f"out_backprop should have shape {self.from_nhwc(expected)})")
        return kernels.conv2d_backprop_filter(xn, filter_shape, dyn, strides, dilations, pads)

    def grad(self, op, ddw):
        # TF1's _Conv2DBackpropFilterGrad: linear in the input and in out_backprop.
        from flowgraph.ops.shape_ops import shape
        x, _, dy = op.inputs
        attrs = self.attributes()
        return [apply_op(Conv2DBackpropInput(**attrs), [shape(x), ddw, dy]),
                None,
                apply_op(Conv2D(**attrs), [x, ddw])]


# --------------------------------------------------------------------------- builders
def _sizes_tensor(value: Any, what: str) -> Tensor:
    """An int32 sizes vector from a Tensor, or a list that may hold scalar Tensors."""
    if isinstance(value, (list, tuple)) and any(
            isinstance(v, Tensor) or hasattr(v, "__fg_tensor__") for v in value):
        from flowgraph.ops.array import stack
        from flowgraph.ops.cast import cast
        return stack([cast(convert_to_tensor(v), dtypes.int32) for v in value], name=what)
    return convert_to_tensor(value, dtype=None if isinstance(value, Tensor) else dtypes.int32)


def _attrs(strides: Any, padding: Any, data_format: Optional[str], dilations: Any,
           fn: str) -> dict:
    if strides is None or padding is None:
        raise ValueError(f"{fn} needs strides and a padding")
    padding, explicit = convert_padding(padding)
    data_format = normalize_data_format(data_format)
    channel_index = 1 if data_format == "NCHW" else 3
    return dict(strides=get_sequence(strides, 2, channel_index, "strides"),
                dilations=get_sequence(dilations, 2, channel_index, "dilations"),
                padding=padding, explicit_paddings=explicit, data_format=data_format)


def conv2d_backprop_input(input_sizes: Any, filter: Any = None, out_backprop: Any = None,
                          strides: Any = None, padding: Any = None,
                          use_cudnn_on_gpu: bool = True, data_format: str = "NHWC",
                          dilations: Any = (1, 1, 1, 1), name: Optional[str] = None,
                          filters: Any = None) -> Tensor:
    """The gradient of conv2d for its input (node "Conv2DBackpropInput"), as TF1's
    `tf.nn.conv2d_backprop_input`: a tensor of shape `input_sizes` (int32 [4])."""
    if filters is not None and filter is not None:
        raise ValueError("Cannot specify both 'filters' and 'filter'")
    filter = filters if filter is None else filter
    attrs = _attrs(strides, padding, data_format, dilations, "conv2d_backprop_input")
    out_backprop, filter = conv_inputs(out_backprop, filter)
    op_def = Conv2DBackpropInput(use_cudnn_on_gpu=bool(use_cudnn_on_gpu), **attrs)
    return apply_op(op_def, [_sizes_tensor(input_sizes, "input_sizes"), filter, out_backprop],
                    name=name)


def conv2d_backprop_filter(input: Any, filter_sizes: Any, out_backprop: Any, strides: Any,
                           padding: Any, use_cudnn_on_gpu: bool = True,
                           data_format: str = "NHWC", dilations: Any = (1, 1, 1, 1),
                           name: Optional[str] = None) -> Tensor:
    """The gradient of conv2d for its filter (node "Conv2DBackpropFilter"), as TF1's
    `tf.nn.conv2d_backprop_filter`: a tensor of shape `filter_sizes` (int32 [4])."""
    attrs = _attrs(strides, padding, data_format, dilations, "conv2d_backprop_filter")
    input, out_backprop = conv_inputs(input, out_backprop)
    op_def = Conv2DBackpropFilter(use_cudnn_on_gpu=bool(use_cudnn_on_gpu), **attrs)
    return apply_op(op_def, [input, _sizes_tensor(filter_sizes, "filter_sizes"),
                             out_backprop], name=name)


def conv2d_transpose(value: Any = None, filter: Any = None, output_shape: Any = None,
                     strides: Any = None, padding: Any = "SAME", data_format: str = "NHWC",
                     name: Optional[str] = None, input: Any = None, filters: Any = None,
                     dilations: Any = None) -> Tensor:
    """The transpose of conv2d (sometimes called deconvolution), as TF1's
    `tf.nn.conv2d_transpose`: the gradient of a conv2d whose input has `output_shape`
    (node "conv2d_transpose", a Conv2DBackpropInput).

    Parameters
    ----------
    value : Tensor
        [batch, height, width, in_channels] for "NHWC" (`input` is TF1's newer spelling).
    filter : Tensor
        [height, width, output_channels, in_channels] (`filters`): note the order, the one
        of the conv2d this transposes.
    output_shape : Tensor or list
        The 4 ints of the output's shape (in data_format's order).
    strides, padding, dilations : as for conv2d.
    """
    if input is not None and value is not None:
        raise ValueError("Cannot specify both 'input' and 'value'")
    if filters is not None and filter is not None:
        raise ValueError("Cannot specify both 'filters' and 'filter'")
    value = input if value is None else value
    filter = filters if filter is None else filter
    with op_scope(name, "conv2d_transpose", [value, filter, output_shape]) as scope:
        attrs = _attrs(strides, padding, data_format, dilations, "conv2d_transpose")
        value, filter = conv_inputs(value, filter)
        output_shape = _sizes_tensor(output_shape, "output_shape")
        axis = 1 if attrs["data_format"] == "NCHW" else 3
        if output_shape.shape.ndims is not None and \
                output_shape.shape.as_list() not in ([4], [None]):
            raise ValueError(f"output_shape must have shape (4,), got {output_shape.shape}")
        value_c = value.shape[axis].value if value.shape.ndims == 4 else None
        filter_dims = filter.shape.as_list() if filter.shape.ndims == 4 else [None] * 4
        if value_c is not None and filter_dims[3] is not None and value_c != filter_dims[3]:
            raise ValueError(f"input channels does not match filter's input channels, "
                             f"{value_c} != {filter_dims[3]} (value of shape {value.shape}, "
                             f"filter of shape {filter.shape}: [height, width, "
                             f"output_channels, in_channels])")
        from flowgraph.ops.shape_util import known_vector
        known = known_vector(output_shape)
        out_c = known[axis] if known is not None and len(known) == 4 else None
        if out_c is not None and filter_dims[2] is not None and out_c != filter_dims[2]:
            raise ValueError(f"output_shape does not match filter's output channels, "
                             f"{out_c} != {filter_dims[2]}")
        return apply_op(Conv2DBackpropInput(**attrs), [output_shape, filter, value],
                        name=scope)


def conv1d_transpose(input: Any, filters: Any, output_shape: Any, strides: Any,
                     padding: Any = "SAME", data_format: str = "NWC", dilations: Any = None,
                     name: Optional[str] = None) -> Tensor:
    """The transpose of conv1d, as TF1's `tf.nn.conv1d_transpose`: the input and filter
    gain a dimension of size 1 and go through Conv2DBackpropInput (node
    "conv1d_transpose"), whose result is squeezed back (node "conv1d_transpose/Squeeze").

    Parameters
    ----------
    input : Tensor
        [batch, width, in_channels] for "NWC", [batch, in_channels, width] for "NCW".
    filters : Tensor
        [width, output_channels, in_channels] (the layout of the conv1d this transposes).
    output_shape : Tensor or list
        The 3 ints of the output's shape, in data_format's order.
    strides, dilations : int or list of 1 or 3 ints
    padding : "SAME" or "VALID"
    """
    from flowgraph.ops.array import concat
    from flowgraph.ops.shape_ops import expand_dims, squeeze
    with op_scope(name, "conv1d_transpose", [input, filters, output_shape]) as scope:
        if data_format in (None, "NWC"):
            data_format, spatial_start, channel_index = "NHWC", 1, 2
        elif data_format == "NCW":
            data_format, spatial_start, channel_index = "NCHW", 2, 1
        else:
            raise ValueError(f"data_format must be 'NWC' or 'NCW', got {data_format!r}")
        if strides is None:
            raise ValueError("conv1d_transpose needs strides")
        strides = (1,) + tuple(get_sequence(strides, 1, channel_index, "stride"))
        dilations = (1,) + tuple(get_sequence(dilations, 1, channel_index, "dilations"))
        padding, explicit = convert_padding(padding)
        input, filters = conv_inputs(input, filters)
        input = expand_dims(input, spatial_start)
        filters = expand_dims(filters, 0)
        if isinstance(output_shape, Tensor) or hasattr(output_shape, "__fg_tensor__"):
            output_shape = convert_to_tensor(output_shape)
            sizes = concat([output_shape[:spatial_start], [1], output_shape[spatial_start:]],
                           0)
        else:
            output_shape = list(output_shape)
            sizes = _sizes_tensor(output_shape[:spatial_start] + [1]
                                  + output_shape[spatial_start:], "output_shape")
        op_def = Conv2DBackpropInput(strides=strides, padding=padding,
                                     explicit_paddings=explicit, data_format=data_format,
                                     dilations=dilations)
        result = apply_op(op_def, [sizes, filters, input], name=scope)
        return squeeze(result, [spatial_start])
