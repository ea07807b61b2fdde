"""3-D convolutions (TF1's Conv3D, Conv3DBackpropInputV2, Conv3DBackpropFilterV2) and the
`fg.nn` builders on them: conv3d, conv3d_transpose, conv3d_backprop_filter(_v2) and
conv3d_backprop_input_v2.

Inputs are NDHWC by default ("NCDHW" is transposed inside the kernels); filters are
[depth, height, width, in_channels, out_channels]. Padding is "SAME" or "VALID", as TF1's
Conv3D. Each op is linear in each float input, so the gradients are again these ops (TF1's
_Conv3DGrad, _Conv3DBackpropInputGrad, _Conv3DBackpropFilterGrad). The builders are public
as ``fg.nn.*``, so ``__all__`` is empty.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Optional, Sequence

import numpy as np

from flowgraph import dtypes
from flowgraph.graph import Tensor
from flowgraph.ops import conv3d_kernels as kernels
from flowgraph.ops.constant import convert_to_tensor
from flowgraph.ops.conv import conv_inputs
from flowgraph.ops.conv_util import get_sequence, merge_dim, windowed_size
from flowgraph.ops.elementwise import op_scope
from flowgraph.ops.registry import Op, apply_op, register
from flowgraph.ops.shape_util import known_vector
from flowgraph.shapes import TensorShape

__all__: list = []

FILTER_LAYOUT = "[depth, height, width, in_channels, out_channels]"
FLOATS = (dtypes.float16, dtypes.float32, dtypes.float64)


@dataclasses.dataclass(frozen=True, kw_only=True)
class Conv3DBase(Op):
    """The attributes shared by Conv3D and its backprop ops, with their checks."""

    strides: tuple = (1, 1, 1, 1, 1)
    padding: str = "VALID"
    data_format: str = "NDHWC"
    dilations: tuple = (1, 1, 1, 1, 1)

    uses_all_cores = True  # the kernels are BLAS matrix products

    def check(self) -> None:
        if self.data_format not in ("NDHWC", "NCDHW"):
            raise ValueError(f"{self.type_name}: data_format must be 'NDHWC' or 'NCDHW', got "
                             f"{self.data_format!r}")
        if self.padding not in ("SAME", "VALID"):
            raise ValueError(f"{self.type_name}: padding must be 'SAME' or 'VALID', got "
                             f"{self.padding!r}")
        for name in ("strides", "dilations"):
            values = getattr(self, name)
            if len(values) != 5 or any(int(v) < 1 for v in values):
                raise ValueError(f"{self.type_name}: {name} must be 5 positive ints "
                                 f"({self.data_format} order), got {list(values)}")
            outer = (values[0], values[1 if self.data_format == "NCDHW" else 4])
            if outer != (1, 1):
                raise ValueError(f"{self.type_name}: {name} in the batch and depth "
                                 f"(channel) dimensions must be 1, got {list(values)}")

    # -- layout helpers (the kernels work in NDHWC)
    @property
    def _first(self) -> bool:
        return self.data_format == "NCDHW"

    def ndhwc(self, dims: Sequence[Any]) -> list:
        dims = list(dims)
        return [dims[0]] + dims[2:] + [dims[1]] if self._first else dims

    def from_ndhwc(self, dims: Sequence[Any]) -> list:
        dims = list(dims)
        return [dims[0], dims[4]] + dims[1:4] if self._first else dims

    def to_ndhwc_array(self, x: np.ndarray) -> np.ndarray:
        return x.transpose(0, 2, 3, 4, 1) if self._first else x

    def from_ndhwc_array(self, y: np.ndarray) -> np.ndarray:
        return np.ascontiguousarray(y.transpose(0, 4, 1, 2, 3)) if self._first else y

    def _spatial(self, values: Sequence[int]) -> tuple:
        return tuple(int(v) for v in (values[2:] if self._first else values[1:4]))

    def geometry(self, size: Sequence[Optional[int]], k: Sequence[Optional[int]]) -> list:
        """[(out, before, after)] per spatial dim (None for unknowns)."""
        return [windowed_size(s, kk, st, d, self.padding, where=f" in {self.type_name}")
                for s, kk, st, d in zip(size, k, self._spatial(self.strides),
                                        self._spatial(self.dilations))]

    def kernel_geometry(self, size: Sequence[int], k: Sequence[int]) -> tuple:
        geo = self.geometry(size, k)
        return (self._spatial(self.strides), self._spatial(self.dilations),
                [(b, a) for _, b, a in geo], [o for o, _, _ in geo])

    def float_dtype(self, op: Any, tensors: Sequence[Tensor], names: Sequence[str]) -> Any:
        dtype = tensors[0].dtype
        for t, name in zip(tensors, names):
            if t.dtype not in FLOATS:
                raise TypeError(f"{op.type} needs float {name}, got {t.dtype.name}")
            if t.dtype != dtype:
                raise TypeError(f"{op.type}: {names[0]} is {dtype.name} but {name} is "
                                f"{t.dtype.name}; they must match")
        return dtype


def _dims5(op: Any, tensor: Tensor, what: str, layout: str) -> list:
    shape = tensor.shape
    if shape.ndims is None:
        return [None] * 5
    if shape.ndims != 5:
        raise ValueError(f"{op.type} needs {what} of rank 5 ({layout}), got shape {shape}")
    return shape.as_list()


def _sizes_dims(op: Any, tensor: Tensor, what: str) -> list:
    if tensor.dtype not in (dtypes.int32, dtypes.int64):
        raise TypeError(f"{op.type} needs {what} of dtype int32, got {tensor.dtype.name}")
    if tensor.shape.as_tuple() not in (None, (None,), (5,)):
        raise ValueError(f"{op.type} needs {what} to be a vector of 5 ints, got shape "
                         f"{tensor.shape}")
    values = known_vector(tensor)
    if values is None or len(values) != 5:
        return [None] * 5
    return [None if v is None or v < 0 else v for v in values]


def _sizes(op_name: str, what: str, sizes: np.ndarray) -> tuple:
    values = np.asarray(sizes)
    if values.shape != (5,) or np.any(values < 0):
        raise ValueError(f"{op_name}: {what} must be 5 non-negative ints, got "
                         f"{values.tolist()}")
    return tuple(int(v) for v in values)


def _check_out(op: Any, expected: list, got: list, what: str) -> None:
    for e, g in zip(expected, got):
        if e is not None and g is not None and e != g:
            raise ValueError(f"{op.type}: out_backprop has shape {got} (NDHWC), but a "
                             f"convolution of {what} gives an output of shape {expected}")


@register
class Conv3D(Conv3DBase):
    """A 3-D convolution (cross-correlation, as TF1): ``out[b, z, y, x, o] =
    sum_{i, j, l, c} in[b, z*sd + i*dd - front, y*sh + j*dh - top, x*sw + l*dw - left, c] *
    filter[i, j, l, c, o]``, zero outside the input."""

    def infer(self, op):
        x, w = op.inputs
        dtype = self.float_dtype(op, [x, w], ["input", "filter"])
        n, d, h, width, c = self.ndhwc(_dims5(op, x, "input", self.data_format))
        kd, kh, kw, ci, co = _dims5(op, w, "filter", FILTER_LAYOUT)
        merge_dim(c, ci, f"{op.type}: the input of shape {x.shape} ({self.data_format}) has "
                         f"{c} channels but the filter of shape {w.shape} ({FILTER_LAYOUT}) "
                         f"expects in_channels = {ci}")
        out = [o for o, _, _ in self.geometry((d, h, width), (kd, kh, kw))]
        return [(dtype, TensorShape(self.from_ndhwc([n] + out + [co])))]

    def kernel(self, x, w):
        xn = self.to_ndhwc_array(x)
        if x.ndim != 5 or w.ndim != 5 or xn.shape[4] != w.shape[3]:
            raise ValueError(f"Conv3D: input of shape {list(x.shape)} ({self.data_format}) and "
                             f"filter of shape {list(w.shape)} ({FILTER_LAYOUT}) do not fit")
        strides, dilations, pads, out = self.kernel_geometry(xn.shape[1:4], w.shape[:3])
        return self.from_ndhwc_array(kernels.conv3d(xn, w, strides, dilations, pads, out))

    def grad(self, op, dy):
        from flowgraph.ops.shape_ops import shape
        x, w = op.inputs
        attrs = self.attributes()
        return [apply_op(Conv3DBackpropInputV2(**attrs), [shape(x), w, dy]),
                apply_op(Conv3DBackpropFilterV2(**attrs), [x, shape(w), dy])]


@register
class Conv3DBackpropInputV2(Conv3DBase):
    """The gradient of Conv3D for its input. Inputs: input_sizes (int32 [5]), filter,
    out_backprop. Output: a tensor of shape input_sizes."""

    def infer(self, op):
        sizes, w, dy = op.inputs
        dtype = self.float_dtype(op, [w, dy], ["filter", "out_backprop"])
        n, d, h, width, c = self.ndhwc(_sizes_dims(op, sizes, "input_sizes"))
        kd, kh, kw, ci, co = _dims5(op, w, "filter", FILTER_LAYOUT)
        dy_dims = self.ndhwc(_dims5(op, dy, "out_backprop", self.data_format))
        c = merge_dim(c, ci, f"{op.type}: input_sizes has {c} channels but the filter of "
                             f"shape {w.shape} has in_channels = {ci}")
        n = merge_dim(n, dy_dims[0], f"{op.type}: input_sizes has batch {n} but "
                                     f"out_backprop of shape {dy.shape} has {dy_dims[0]}")
        out = [o for o, _, _ in self.geometry((d, h, width), (kd, kh, kw))]
        _check_out(op, [n] + out + [co], dy_dims, f"input_sizes {[n, d, h, width, c]} with a "
                   f"filter of shape {w.shape}")
        return [(dtype, TensorShape(self.from_ndhwc([n, d, h, width, c])))]

    def kernel(self, sizes, w, dy):
        shape = self.ndhwc(_sizes(self.type_name, "input_sizes", sizes))
        dyn = self.to_ndhwc_array(dy)
        strides, dilations, pads, out = self.kernel_geometry(shape[1:4], w.shape[:3])
        expected = (shape[0],) + tuple(out) + (w.shape[4],)
        if w.ndim != 5 or shape[4] != w.shape[3] or dyn.shape != expected:
            raise ValueError(f"Conv3DBackpropInputV2: input_sizes {list(sizes)}, filter of "
                             f"shape {list(w.shape)} and out_backprop of shape "
                             f"{list(dy.shape)} do not fit together ({self.data_format}; "
                             f"out_backprop should have shape {self.from_ndhwc(expected)})")
        dx = kernels.conv3d_backprop_input(shape, w, dyn, strides, dilations, pads)
        return self.from_ndhwc_array(dx)

    def grad(self, op, ddx):
        from flowgraph.ops.shape_ops import shape
        _, w, dy = op.inputs
        attrs = self.attributes()
        return [None, apply_op(Conv3DBackpropFilterV2(**attrs), [ddx, shape(w), dy]),
                apply_op(Conv3D(**attrs), [ddx, w])]


@register
class Conv3DBackpropFilterV2(Conv3DBase):
    """The gradient of Conv3D for its filter. Inputs: input, filter_sizes (int32 [5]),
    out_backprop. Output: a tensor of shape filter_sizes."""

    def infer(self, op):
        x, sizes, dy = op.inputs
        dtype = self.float_dtype(op, [x, dy], ["input", "out_backprop"])
        n, d, h, width, c = self.ndhwc(_dims5(op, x, "input", self.data_format))
        kd, kh, kw, ci, co = _sizes_dims(op, sizes, "filter_sizes")
        dy_dims = self.ndhwc(_dims5(op, dy, "out_backprop", self.data_format))
        ci = merge_dim(ci, c, f"{op.type}: the input of shape {x.shape} has {c} channels but "
                              f"filter_sizes has in_channels = {ci}")
        co = merge_dim(co, dy_dims[4], f"{op.type}: out_backprop of shape {dy.shape} has "
                                       f"{dy_dims[4]} channels but filter_sizes has "
                                       f"out_channels = {co}")
        out = [o for o, _, _ in self.geometry((d, h, width), (kd, kh, kw))]
        _check_out(op, [n] + out + [co], dy_dims, f"an input of shape {x.shape} with a "
                   f"filter of size {[kd, kh, kw, ci, co]}")
        return [(dtype, TensorShape([kd, kh, kw, ci, co]))]

    def kernel(self, x, sizes, dy):
        filter_shape = _sizes(self.type_name, "filter_sizes", sizes)
        xn, dyn = self.to_ndhwc_array(x), self.to_ndhwc_array(dy)
        strides, dilations, pads, out = self.kernel_geometry(xn.shape[1:4], filter_shape[:3])
        expected = (xn.shape[0],) + tuple(out) + (filter_shape[4],)
        if xn.shape[4] != filter_shape[3] or dyn.shape != expected:
            raise ValueError(f"Conv3DBackpropFilterV2: input of shape {list(x.shape)}, "
                             f"filter_sizes {list(filter_shape)} and out_backprop of shape "
                             f"{list(dy.shape)} do not fit together ({self.data_format})")
        return kernels.conv3d_backprop_filter(xn, filter_shape, dyn, strides, dilations, pads)

    def grad(self, op, ddw):
        from flowgraph.ops.shape_ops import shape
        x, _, dy = op.inputs
        attrs = self.attributes()
        return [apply_op(Conv3DBackpropInputV2(**attrs), [shape(x), ddw, dy]), None,
                apply_op(Conv3D(**attrs), [x, ddw])]


# --------------------------------------------------------------------------- builders
def _attrs(strides: Any, padding: Any, data_format: Optional[str], dilations: Any,
           fn: str) -> dict:
    if isinstance(padding, bytes):
        padding = padding.decode()
    if strides is None or padding is None:
        raise ValueError(f"{fn} needs strides and padding")
    data_format = data_format or "NDHWC"
    channel_index = 1 if data_format == "NCDHW" else 4
    return {"strides": get_sequence(strides, 3, channel_index, "strides"),
            "padding": padding, "data_format": data_format,
            "dilations": get_sequence(dilations, 3, channel_index, "dilations")}


def _lookup(new: Any, old: Any, new_name: str, old_name: str) -> Any:
    if new is not None and old is not None:
        raise ValueError(f"Cannot specify both '{new_name}' and '{old_name}'")
    return new if new is not None else old


def conv3d(input: Any, filter: Any = None, strides: Any = None, padding: Any = None,
           data_format: str = "NDHWC", dilations: Any = (1, 1, 1, 1, 1),
           name: Optional[str] = None, filters: Any = None) -> Tensor:
    """A 3-D convolution of `input` [batch, depth, height, width, in_channels] with `filter`
    [filter_depth, filter_height, filter_width, in_channels, out_channels] (node "Conv3D"),
    as TF1's `tf.nn.conv3d`; `strides` and `dilations` are 5 ints in data_format's order.

    >>> y = fg.nn.conv3d(volumes, w, strides=[1, 1, 1, 1, 1], padding="SAME")
    """
    filter = _lookup(filters, filter, "filters", "filter")
    if filter is None:
        raise ValueError("conv3d needs a filter")
    attrs = _attrs(strides, padding, data_format, dilations, "conv3d")
    with op_scope(name, "Conv3D", [input, filter]) as scope:
        input, filter = conv_inputs(input, filter)
        return apply_op(Conv3D(**attrs), [input, filter], name=scope)


def _sizes_tensor(value: Any) -> Tensor:
    if isinstance(value, Tensor) or hasattr(value, "__fg_tensor__"):
        return convert_to_tensor(value)
    return convert_to_tensor(np.asarray(value, dtype=np.int32))


def conv3d_backprop_filter_v2(input: Any, filter_sizes: Any, out_backprop: Any, strides: Any,
                              padding: Any, data_format: str = "NDHWC",
                              dilations: Any = (1, 1, 1, 1, 1),
                              name: Optional[str] = None) -> Tensor:
    """The gradient of conv3d for its filter (node "Conv3DBackpropFilterV2"), as TF1's
    `tf.nn.conv3d_backprop_filter_v2`: a tensor of shape `filter_sizes`."""
    attrs = _attrs(strides, padding, data_format, dilations, "conv3d_backprop_filter_v2")
    with op_scope(name, "Conv3DBackpropFilterV2", [input, out_backprop]) as scope:
        input = convert_to_tensor(input)
        dy = convert_to_tensor(out_backprop, dtype=input.dtype)
        return apply_op(Conv3DBackpropFilterV2(**attrs), [input, _sizes_tensor(filter_sizes),
                                                          dy], name=scope)


conv3d_backprop_filter = conv3d_backprop_filter_v2


def conv3d_backprop_input_v2(input_sizes: Any, filter: Any, out_backprop: Any, strides: Any,
                             padding: Any, data_format: str = "NDHWC",
                             dilations: Any = (1, 1, 1, 1, 1),
                             name: Optional[str] = None) -> Tensor:
    """The gradient of conv3d for its input (node "Conv3DBackpropInputV2", TF1's
    ``tf.raw_ops.Conv3DBackpropInputV2``): a tensor of shape `input_sizes`."""
    attrs = _attrs(strides, padding, data_format, dilations, "conv3d_backprop_input_v2")
    with op_scope(name, "Conv3DBackpropInputV2", [filter, out_backprop]) as scope:
        dy, filter = conv_inputs(out_backprop, filter)
        return apply_op(Conv3DBackpropInputV2(**attrs), [_sizes_tensor(input_sizes), filter,
                                                         dy], name=scope)


def conv3d_transpose(value: Any, filter: Any = None, output_shape: Any = None,
                     strides: Any = None, padding: str = "SAME", data_format: str = "NDHWC",
                     name: Optional[str] = None, input: Any = None, filters: Any = None,
                     dilations: Any = None) -> Tensor:
    """The transpose of conv3d (the gradient of conv3d for its input), as TF1's
    `tf.nn.conv3d_transpose`: `filter` is [depth, height, width, output_channels,
    in_channels] and the result has shape `output_shape`.

    >>> up = fg.nn.conv3d_transpose(x, w, [8, 16, 16, 16, 4], [1, 2, 2, 2, 1])
    """
    filter = _lookup(filters, filter, "filters", "filter")
    value = _lookup(input, value, "input", "value")
    if filter is None or output_shape is None:
        raise ValueError("conv3d_transpose needs a filter and an output_shape")
    with op_scope(name, "conv3d_transpose", [value, filter, output_shape]) as scope:
        value, filter = conv_inputs(value, filter)
        sizes = _sizes_tensor(output_shape)
        attrs = _attrs(strides, padding, data_format, dilations, "conv3d_transpose")
        channel_axis = 1 if attrs["data_format"] == "NCDHW" else 4
        known = known_vector(sizes)
        in_c = value.shape.as_list()[channel_axis] if value.shape.ndims == 5 else None
        w_dims = filter.shape.as_list() if filter.shape.ndims == 5 else [None] * 5
        if in_c is not None and w_dims[4] is not None and in_c != w_dims[4]:
            raise ValueError(f"input channels does not match filter's input channels, "
                             f"{in_c} != {w_dims[4]}")
        if known is not None and len(known) == 5 and known[channel_axis] is not None \
                and w_dims[3] is not None and known[channel_axis] != w_dims[3]:
            raise ValueError(f"output_shape does not match filter's output channels, "
                             f"{known[channel_axis]} != {w_dims[3]}")
        return apply_op(Conv3DBackpropInputV2(**attrs), [sizes, filter, value], name=scope)
