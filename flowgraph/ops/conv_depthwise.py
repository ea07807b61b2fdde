"""Depthwise convolution (TF1's DepthwiseConv2dNative and its two backprop ops, each
differentiable) and the builders depthwise_conv2d, depthwise_conv2d_native (with its
backprops) and separable_conv2d.

Each input channel c is convolved with its own `channel_multiplier` filters
``filter[:, :, c, :]``; output channel ``c * channel_multiplier + q`` is the one of filter
``filter[:, :, c, q]``. The kernels loop over the kh * kw kernel offsets, one broadcast
multiply-add of a strided slice each.
"""

from __future__ import annotations

from typing import Any, Optional

import numpy as np

from flowgraph.graph import Tensor
from flowgraph.ops import conv_kernels as kernels
from flowgraph.ops.conv import Conv2D, conv_inputs
from flowgraph.ops.conv_grad import _check_dy_shape, _sizes, _sizes_tensor
from flowgraph.ops.conv_util import (
    ConvBase,
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

FILTER_LAYOUT = "[height, width, in_channels, channel_multiplier]"


def _out_channels(c: Optional[int], m: Optional[int]) -> Optional[int]:
    return None if c is None or m is None else c * m


def _dy_fits(op_name: str, expected: tuple, dyn: np.ndarray, detail: str) -> None:
    if dyn.shape != expected:
        raise ValueError(f"{op_name}: out_backprop of shape {list(dyn.shape)} (NHWC) does not "
                         f"fit {detail}: expected {list(expected)}")


@register
class DepthwiseConv2dNative(ConvBase):
    """A depthwise 2-D convolution: input [batch, h, w, in_c] (data_format's order),
    filter [kh, kw, in_c, channel_multiplier]; output channels in_c * channel_multiplier."""

    def infer(self, op):
        x, w = op.inputs
        dtype = self.check_float(op, [x, w], ["input", "filter"])
        n, h, width, c = self.nhwc(rank4_dims(op, x, "input", self.data_format))
        kh, kw, ci, m = rank4_dims(op, w, "filter", FILTER_LAYOUT)
        c = merge_dim(c, ci, f"{op.type}: the input has {c} channels but the filter expects "
                             f"in_channels = {ci}: input of shape {x.shape} "
                             f"({self.data_format}), filter of shape {w.shape} "
                             f"({FILTER_LAYOUT}).")
        (oh, _, _), (ow, _, _) = self.geometry((h, width), (kh, kw))
        return [(dtype, self.from_nhwc([n, oh, ow, _out_channels(c, m)]))]

    def kernel(self, x, w):
        self.check_ranks(input=x, filter=w)
        xn = self.to_nhwc(x)
        if xn.shape[3] != w.shape[2]:
            raise ValueError(f"DepthwiseConv2dNative: the input has {xn.shape[3]} channels but "
                             f"the filter expects in_channels = {w.shape[2]}: input of shape "
                             f"{list(x.shape)} ({self.data_format}), filter of shape "
                             f"{list(w.shape)} ({FILTER_LAYOUT})")
        strides, dilations, pads, out_hw = self.kernel_geometry(xn.shape[1:3], w.shape[:2])
        out = kernels.depthwise_conv2d(xn, w, strides, dilations, pads, out_hw)
        return self.from_nhwc_array(out)

    def grad(self, op, dy):
        from flowgraph.ops.shape_ops import shape
        x, w = op.inputs
        attrs = self.attributes()
        return [apply_op(DepthwiseConv2dNativeBackpropInput(**attrs), [shape(x), w, dy]),
                apply_op(DepthwiseConv2dNativeBackpropFilter(**attrs), [x, shape(w), dy])]


@register
class DepthwiseConv2dNativeBackpropInput(ConvBase):
    """The gradient of DepthwiseConv2dNative for its input: inputs input_sizes (int32 [4]),
    filter, out_backprop; output of shape input_sizes."""

    def infer(self, op):
        sizes, w, dy = op.inputs
        dtype = self.check_float(op, [w, dy], ["filter", "out_backprop"])
        n, h, width, c = self.nhwc(sizes_vector(op, sizes, "input_sizes"))
        kh, kw, ci, m = rank4_dims(op, w, "filter", FILTER_LAYOUT)
        dy_dims = self.nhwc(rank4_dims(op, dy, "out_backprop", self.data_format))
        c = merge_dim(c, ci, f"{op.type}: input_sizes has {c} channels but the filter of "
                             f"shape {w.shape} has in_channels = {ci}")
        n = merge_dim(n, dy_dims[0], f"{op.type}: input_sizes has batch {n} but out_backprop "
                                     f"of shape {dy.shape} has batch {dy_dims[0]}")
        (oh, _, _), (ow, _, _) = self.geometry((h, width), (kh, kw))
        _check_dy_shape(op, [n, oh, ow, _out_channels(c, m)], list(dy_dims),
                        f"input_sizes {[n, h, width, c]} (NHWC) with a filter of shape "
                        f"{w.shape}")
        return [(dtype, self.from_nhwc([n, h, width, c]))]

    def kernel(self, sizes, w, dy):
        self.check_ranks(filter=w, out_backprop=dy)
        shape_in = _sizes(self.type_name, "input_sizes", sizes)
        shape = self.nhwc(shape_in)
        dyn = self.to_nhwc(dy)
        strides, dilations, pads, out_hw = self.kernel_geometry(shape[1:3], w.shape[:2])
        if shape[3] != w.shape[2]:
            raise ValueError(f"{self.type_name}: input_sizes {list(shape_in)} has {shape[3]} "
                             f"channels but the filter of shape {list(w.shape)} has "
                             f"in_channels = {w.shape[2]}")
        _dy_fits(self.type_name, (shape[0],) + tuple(out_hw) + (w.shape[2] * w.shape[3],),
                 dyn, f"input_sizes {list(shape_in)} and a filter of shape {list(w.shape)}")
        dx = kernels.depthwise_backprop_input(shape, w, dyn, strides, dilations, pads)
        return self.from_nhwc_array(dx)

    def grad(self, op, ddx):
        from flowgraph.ops.shape_ops import shape
        _, w, dy = op.inputs
        attrs = self.attributes()
        return [None,
                apply_op(DepthwiseConv2dNativeBackpropFilter(**attrs), [ddx, shape(w), dy]),
                apply_op(DepthwiseConv2dNative(**attrs), [ddx, w])]


@register
class DepthwiseConv2dNativeBackpropFilter(ConvBase):
    """The gradient of DepthwiseConv2dNative for its filter: inputs input, filter_sizes
    (int32 [4]), out_backprop; output of shape filter_sizes."""

    def infer(self, op):
        x, sizes, dy = op.inputs
        dtype = self.check_float(op, [x, dy], ["input", "out_backprop"])
        n, h, width, c = self.nhwc(rank4_dims(op, x, "input", self.data_format))
        kh, kw, ci, m = sizes_vector(op, sizes, "filter_sizes")
        dy_dims = self.nhwc(rank4_dims(op, dy, "out_backprop", self.data_format))
        ci = merge_dim(ci, c, f"{op.type}: the input of shape {x.shape} has {c} channels but "
                              f"filter_sizes has in_channels = {ci}")
        if m is None and ci is not None and dy_dims[3] is not None and ci:
            m = dy_dims[3] // ci
        (oh, _, _), (ow, _, _) = self.geometry((h, width), (kh, kw))
        _check_dy_shape(op, [n, oh, ow, _out_channels(ci, m)], list(dy_dims),
                        f"an input of shape {x.shape} with a filter of size {[kh, kw, ci, m]}")
        return [(dtype, [kh, kw, ci, m])]

    def kernel(self, x, sizes, dy):
        self.check_ranks(input=x, out_backprop=dy)
        filter_shape = _sizes(self.type_name, "filter_sizes", sizes)
        xn, dyn = self.to_nhwc(x), self.to_nhwc(dy)
        strides, dilations, pads, out_hw = self.kernel_geometry(xn.shape[1:3],
                                                                filter_shape[:2])
        if xn.shape[3] != filter_shape[2]:
            raise ValueError(f"{self.type_name}: the input of shape {list(x.shape)} has "
                             f"{xn.shape[3]} channels but filter_sizes {list(filter_shape)} "
                             f"has in_channels = {filter_shape[2]}")
        expected = (xn.shape[0],) + tuple(out_hw) + (filter_shape[2] * filter_shape[3],)
        _dy_fits(self.type_name, expected, dyn,
                 f"an input of shape {list(x.shape)} and filter_sizes {list(filter_shape)}")
        return kernels.depthwise_backprop_filter(xn, filter_shape, dyn, strides, dilations,
                                                 pads)

    def grad(self, op, ddw):
        from flowgraph.ops.shape_ops import shape
        x, _, dy = op.inputs
        attrs = self.attributes()
        return [apply_op(DepthwiseConv2dNativeBackpropInput(**attrs), [shape(x), ddw, dy]),
                None,
                apply_op(DepthwiseConv2dNative(**attrs), [x, ddw])]


# --------------------------------------------------------------------------- builders
def _attrs(strides: Any, padding: Any, data_format: Optional[str], dilations: Any,
           fn: str) -> dict:
    if strides is None or padding is None:
        raise ValueError(f"{fn} needs strides and a padding")
    padding, explicit = convert_padding(padding)
    data_format = normalize_data_format(data_format)
    channel_index = 1 if data_format == "NCHW" else 3
    strides = get_sequence(strides, 2, channel_index, "strides")
    dilations = get_sequence(dilations, 2, channel_index, "dilations")
    return dict(strides=strides, dilations=dilations, padding=padding,
                explicit_paddings=explicit, data_format=data_format)


def _rate_attrs(strides: Any, padding: Any, rate: Any, dilations: Any,
                data_format: Optional[str], fn: str) -> dict:
    """Attributes of depthwise_conv2d / separable_conv2d: `rate` (or `dilations`) lists the
    2 spatial dilation rates; with a rate > 1 every stride must be 1 (as in TF1)."""
    if rate is not None and dilations is not None:
        raise ValueError("Cannot specify both 'dilations' and 'rate'")
    rate = dilations if rate is None else rate
    rate = (1, 1) if rate is None else rate
    rates = [int(r) for r in np.broadcast_to(np.asarray(rate), (2,))] \
        if np.ndim(rate) == 0 else [int(r) for r in rate]
    if len(rates) != 2 or min(rates) < 1:
        raise ValueError(f"{fn}: rate must be 2 positive ints (height, width), got {rate!r}")
    attrs = _attrs(strides, padding, data_format, rates, fn)
    spatial = [attrs["strides"][i] for i in ((2, 3) if attrs["data_format"] == "NCHW"
                                             else (1, 2))]
    if max(rates) > 1 and max(spatial) > 1:
        raise ValueError(f"{fn}: strides > 1 not supported in conjunction with rate > 1: "
                         f"strides {list(attrs['strides'])}, rate {rates}")
    return attrs


def depthwise_conv2d_native(input: Any, filter: Any, strides: Any, padding: Any,
                            data_format: str = "NHWC", dilations: Any = (1, 1, 1, 1),
                            name: Optional[str] = None) -> Tensor:
    """A depthwise 2-D convolution (node "DepthwiseConv2dNative"), as TF1's
    `tf.nn.depthwise_conv2d_native`: filter [kh, kw, in_channels, channel_multiplier],
    output channels in_channels * channel_multiplier."""
    attrs = _attrs(strides, padding, data_format, dilations, "depthwise_conv2d_native")
    input, filter = conv_inputs(input, filter)
    return apply_op(DepthwiseConv2dNative(**attrs), [input, filter], name=name)


def depthwise_conv2d_native_backprop_input(input_sizes: Any, filter: Any, out_backprop: Any,
                                           strides: Any, padding: Any,
                                           data_format: str = "NHWC",
                                           dilations: Any = (1, 1, 1, 1),
                                           name: Optional[str] = None) -> Tensor:
    """The gradient of depthwise_conv2d_native for its input (node
    "DepthwiseConv2dNativeBackpropInput"): a tensor of shape `input_sizes`."""
    attrs = _attrs(strides, padding, data_format, dilations,
                   "depthwise_conv2d_native_backprop_input")
    out_backprop, filter = conv_inputs(out_backprop, filter)
    return apply_op(DepthwiseConv2dNativeBackpropInput(**attrs),
                    [_sizes_tensor(input_sizes, "input_sizes"), filter, out_backprop],
                    name=name)


def depthwise_conv2d_native_backprop_filter(input: Any, filter_sizes: Any, out_backprop: Any,
                                            strides: Any, padding: Any,
                                            data_format: str = "NHWC",
                                            dilations: Any = (1, 1, 1, 1),
                                            name: Optional[str] = None) -> Tensor:
    """The gradient of depthwise_conv2d_native for its filter (node
    "DepthwiseConv2dNativeBackpropFilter"): a tensor of shape `filter_sizes`."""
    attrs = _attrs(strides, padding, data_format, dilations,
                   "depthwise_conv2d_native_backprop_filter")
    input, out_backprop = conv_inputs(input, out_backprop)
    return apply_op(DepthwiseConv2dNativeBackpropFilter(**attrs),
                    [input, _sizes_tensor(filter_sizes, "filter_sizes"), out_backprop],
                    name=name)


def depthwise_conv2d(input: Any, filter: Any, strides: Any, padding: Any, rate: Any = None,
                     name: Optional[str] = None, data_format: Optional[str] = None,
                     dilations: Any = None) -> Tensor:
    """A depthwise 2-D convolution, as TF1's `tf.nn.depthwise_conv2d` (node "depthwise").

    Parameters
    ----------
    input : Tensor
        [batch, height, width, in_channels] ("NHWC", the default) or "NCHW".
    filter : Tensor
        [filter_height, filter_width, in_channels, channel_multiplier].
    strides : list
        4 ints (or 1 or 2): the window step per dimension.
    padding : str or list
        "SAME", "VALID" or explicit pairs, as for conv2d.
    rate : list
        2 ints: the dilation rates (`dilations` is TF1's newer spelling); if a rate is > 1,
        every stride must be 1.

    Returns
    -------
    Tensor
        [batch, out_height, out_width, in_channels * channel_multiplier].
    """
    with op_scope(name, "depthwise", [input, filter]) as scope:
        attrs = _rate_attrs(strides, padding, rate, dilations, data_format,
                            "depthwise_conv2d")
        input, filter = conv_inputs(input, filter)
        return apply_op(DepthwiseConv2dNative(**attrs), [input, filter], name=scope)


def separable_conv2d(input: Any, depthwise_filter: Any, pointwise_filter: Any, strides: Any,
                     padding: Any, rate: Any = None, name: Optional[str] = None,
                     data_format: Optional[str] = None, dilations: Any = None) -> Tensor:
    """A depthwise convolution followed by a 1x1 convolution mixing the channels, as TF1's
    `tf.nn.separable_conv2d` (nodes "separable_conv2d/depthwise" and "separable_conv2d").

    `depthwise_filter` is [kh, kw, in_channels, channel_multiplier]; `pointwise_filter` is
    [1, 1, channel_multiplier * in_channels, out_channels].
    """
    with op_scope(name, "separable_conv2d", [input, depthwise_filter, pointwise_filter]) \
            as scope:
        attrs = _rate_attrs(strides, padding, rate, dilations, data_format,
                            "separable_conv2d")
        input, depthwise_filter = conv_inputs(input, depthwise_filter)
        pointwise_filter = conv_inputs(input, pointwise_filter)[1]
        shape = pointwise_filter.shape
        if shape.ndims is not None and (shape.ndims != 4 or shape[0].value not in (None, 1)
                                        or shape[1].value not in (None, 1)):
            raise ValueError(f"separable_conv2d needs a pointwise_filter of shape [1, 1, "
                             f"in_channels * channel_multiplier, out_channels], got {shape}")
        depthwise = apply_op(DepthwiseConv2dNative(**attrs), [input, depthwise_filter],
                             name="depthwise")
        return apply_op(Conv2D(padding="VALID", data_format=attrs["data_format"]),
                        [depthwise, pointwise_filter], name=scope)
