"""Dense-layer ops of `fg.nn`: bias_add (with its BiasAddGrad) and l2_loss.

The builders are public as ``fg.nn.bias_add`` and ``fg.nn.l2_loss``.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Optional

import numpy as np

from flowgraph.graph import Tensor
from flowgraph.ops.constant import convert_to_tensor
from flowgraph.ops.elementwise import check_dtype, op_scope
from flowgraph.ops.registry import Op, apply_op, register

__all__: list = []

_FORMATS = ("NHWC", "NCHW")


def _channel_axis(data_format: str, rank: int) -> int:
    return 1 if data_format == "NCHW" else rank - 1


@dataclasses.dataclass(frozen=True, kw_only=True)
class _BiasFormat(Op):
    """An op with TF1's `data_format` attribute: "NHWC" (channels last) or "NCHW"."""

    data_format: str = "NHWC"

    def check(self):
        if self.data_format not in _FORMATS:
            raise ValueError(f"data_format must be 'NHWC' or 'NCHW', got {self.data_format!r}")


@register
class BiasAdd(_BiasFormat):
    """value + bias, the 1-D bias added along the channel dimension of value (the last for
    "NHWC", dimension 1 for "NCHW"); value has rank >= 2."""

    def infer(self, op):
        value, bias = op.inputs
        check_dtype(op, value, "fiu", "value")
        if bias.dtype != value.dtype:
            raise TypeError(f"bias_add needs value and bias of one dtype, got "
                            f"{value.dtype.name} and {bias.dtype.name}")
        if bias.shape.ndims not in (None, 1):
            raise ValueError(f"bias must be 1-D, got shape {bias.shape}")
        shape = value.shape
        if shape.ndims is None:
            return [(value.dtype, shape)]
        if shape.ndims < 2:
            raise ValueError(f"bias_add needs value of rank >= 2, got shape {shape}")
        channels = shape[_channel_axis(self.data_format, shape.ndims)].value
        size = bias.shape[0].value if bias.shape.ndims == 1 else None
        if channels is not None and size is not None and channels != size:
            raise ValueError(f"Dimensions must be equal, but are {channels} and {size}: bias "
                             f"of shape {bias.shape} for value of shape {shape} "
                             f"(data_format {self.data_format})")
        dims = shape.as_list()
        dims[_channel_axis(self.data_format, shape.ndims)] = channels if channels is not None \
            else size
        return [(value.dtype, dims)]

    def kernel(self, value, bias):
        if value.ndim < 2:
            raise ValueError(f"bias_add needs value of rank >= 2, got shape "
                             f"{list(value.shape)}")
        axis = _channel_axis(self.data_format, value.ndim)
        if bias.ndim != 1 or bias.shape[0] != value.shape[axis]:
            raise ValueError(f"Must provide as many biases as the channel dimension of the "
                             f"input tensor: bias of shape {list(bias.shape)} for value of "
                             f"shape {list(value.shape)} (data_format {self.data_format})")
        if axis == value.ndim - 1:
            return np.add(value, bias)
        return np.add(value, bias.reshape((-1,) + (1,) * (value.ndim - 2)))

    def fast_kernel(self, op):
        # Static shapes already guarantee (and feeds are checked against) a matching bias.
        value, bias = op.inputs
        if self.data_format == "NHWC" and value.shape.ndims is not None and \
                value.shape[-1].value is not None and bias.shape.ndims == 1 and \
                bias.shape[0].value is not None:
            return np.add
        return None

    def grad(self, op, dy):
        return [dy, apply_op(BiasAddGrad(data_format=self.data_format), [dy])]


@register
class BiasAddGrad(_BiasFormat):
    """The gradient of BiasAdd for its bias: out_backprop summed over every dimension but
    the channel one."""

    def infer(self, op):
        dy = op.inputs[0]
        check_dtype(op, dy, "fiu", "out_backprop")
        if dy.shape.ndims is None:
            return [(dy.dtype, [None])]
        if dy.shape.ndims < 2:
            raise ValueError(f"BiasAddGrad needs out_backprop of rank >= 2, got shape "
                             f"{dy.shape}")
        return [(dy.dtype, [dy.shape[_channel_axis(self.data_format, dy.shape.ndims)].value])]

    def kernel(self, dy):
        if dy.ndim < 2:
            raise ValueError(f"BiasAddGrad needs out_backprop of rank >= 2, got shape "
                             f"{list(dy.shape)}")
        axis = _channel_axis(self.data_format, dy.ndim)
        if axis == dy.ndim - 1 and dy.dtype in (np.float32, np.float64):
            # ones @ dy: a BLAS product, about twice as fast as numpy's sum over axis 0.
            rows = dy.reshape(-1, dy.shape[-1])
            return np.dot(np.ones(rows.shape[0], dy.dtype), rows)
        axes = tuple(i for i in range(dy.ndim) if i != axis)
        return np.sum(dy, axis=axes, dtype=dy.dtype)

    def grad(self, op, ddb):
        # The bias gradient spread back over out_backprop's shape (TF1's _BiasAddGradGrad).
        from flowgraph.ops.shape_ops import broadcast_to, shape
        dy = op.inputs[0]
        if self.data_format == "NCHW":
            ddb = _channel_column(ddb, dy)
        return [broadcast_to(ddb, shape(dy))]


def _channel_column(bias: Tensor, like: Tensor) -> Tensor:
    """`bias` reshaped to [C, 1, ..., 1] (rank(like) - 1 dimensions), to broadcast along
    dimension 1 of `like`."""
    from flowgraph.ops.shape_ops import reshape
    rank = like.shape.ndims
    if rank is not None:
        return reshape(bias, [-1] + [1] * (rank - 2))
    from flowgraph.ops.array import concat
    from flowgraph.ops.fill import ones_like
    from flowgraph.ops.shape_ops import shape
    ones = ones_like(shape(like))[2:]
    return reshape(bias, concat([[-1], ones], 0))


@register
class L2Loss(Op):
    """sum(t ** 2) / 2 over every element: a scalar of t's dtype."""

    def infer(self, op):
        t = op.inputs[0]
        check_dtype(op, t, "f", "t")
        return [(t.dtype, [])]

    def kernel(self, t):
        flat = t.reshape(-1)
        return np.asarray(np.dot(flat, flat) / 2, dtype=t.dtype)

    def grad(self, op, dy):
        from flowgraph.ops.math import multiply
        return [multiply(op.inputs[0], dy)]


# --------------------------------------------------------------------------- builders
def bias_add(value: Any, bias: Any, data_format: Optional[str] = None,
             name: Optional[str] = None) -> Tensor:
    """Adds the 1-D `bias` to `value` along its channel dimension (node "BiasAdd").

    Parameters
    ----------
    value : Tensor
        Rank >= 2, e.g. ``[batch, units]`` from a matmul, or ``[batch, h, w, channels]``.
    bias : Tensor
        Shape ``[channels]``, of value's dtype.
    data_format : str
        "NHWC" (default: channels last) or "NCHW" (channels in dimension 1).

    Its gradient for `bias` is one BiasAddGrad node (a sum over all other dimensions).
    """
    data_format = "NHWC" if data_format is None else data_format
    if data_format.startswith("NC") and data_format != "NC":
        data_format = "NCHW"  # TF1 accepts "NCHW", "NCDHW", ... : channels in dimension 1
    elif data_format.startswith("N") and data_format.endswith("C"):
        data_format = "NHWC"
    with op_scope(name, "BiasAdd", [value, bias]) as scope:
        value = convert_to_tensor(value)
        tensor_like = isinstance(bias, Tensor) or hasattr(bias, "__fg_tensor__")
        bias = convert_to_tensor(bias, dtype=None if tensor_like else value.dtype)
        return apply_op(BiasAdd(data_format=data_format), [value, bias], name=scope)


def l2_loss(t: Any, name: Optional[str] = None) -> Tensor:
    """sum(t ** 2) / 2, a scalar (node "L2Loss"); used for weight decay."""
    return apply_op(L2Loss(), [convert_to_tensor(t)], name=name)
