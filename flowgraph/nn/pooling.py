"""Pooling functions of `fg.nn` built on the pooling ops: `pool` (N-D, with dilation, and
flowgraph's "MIN" and "SUM" pooling types), the 1-D and 2-D variants, and the rank-generic
`max_pool_v2` / `avg_pool_v2`.

Global pooling is a reduction over the spatial axes, e.g. for NHWC images
``fg.reduce_mean(x, axis=[1, 2])`` (global average) or ``fg.reduce_max(x, axis=[1, 2])``
(global max); add ``keepdims=True`` to keep 1x1 spatial dimensions.
"""

from __future__ import annotations

from typing import Any, Optional

from flowgraph.graph import Tensor
from flowgraph.ops.constant import convert_to_tensor
from flowgraph.ops.elementwise import op_scope
from flowgraph.ops.pool import (
    AvgPool,
    AvgPool3D,
    MaxPool,
    MaxPool3D,
    SumPool,
    avg_pool,
    avg_pool3d,
    get_sequence,
    max_pool,
    max_pool3d,
    pool_nd,
)
from flowgraph.ops.shape_ops import expand_dims, squeeze
from flowgraph.ops.unary import negative

__all__ = ["pool", "max_pool1d", "max_pool2d", "avg_pool1d", "avg_pool2d", "max_pool_v2",
           "avg_pool_v2"]

POOLING_TYPES = ("MAX", "AVG", "MIN", "SUM")


def _strides_and_dilations(n: int, strides: Any, dilation_rate: Any) -> tuple:
    """TF1's ``_get_strides_and_dilation_rate``: checked lists of n ints."""
    dilation_rate = [1] * n if dilation_rate is None else list(dilation_rate)
    if len(dilation_rate) != n:
        raise ValueError(f"len(dilation_rate)={len(dilation_rate)} but should be {n}")
    if any(d < 1 for d in dilation_rate):
        raise ValueError("all values of dilation_rate must be positive")
    strides = [1] * n if strides is None else list(strides)
    if len(strides) != n:
        raise ValueError(f"len(strides)={len(strides)} but should be {n}")
    if any(s < 1 for s in strides):
        raise ValueError("all values of strides must be positive")
    if any(s > 1 for s in strides) and any(d > 1 for d in dilation_rate):
        raise ValueError("strides > 1 not supported in conjunction with dilation_rate > 1")
    return [int(s) for s in strides], [int(d) for d in dilation_rate]


def pool(input: Any, window_shape: Any, pooling_type: str, padding: str,
         dilation_rate: Any = None, strides: Any = None, name: Optional[str] = None,
         data_format: Optional[str] = None, dilations: Any = None) -> Tensor:
    """N-D pooling (N = len(window_shape), 1 to 3) as TF1's `tf.nn.pool`.

    Parameters
    ----------
    input : Tensor
        ``[batch] + spatial + [channels]``, or ``[batch, channels] + spatial`` when
        `data_format` starts with "NC" ("NCW", "NCHW", "NCDHW").
    window_shape : list of N ints
    pooling_type : "MAX", "AVG", or flowgraph's "MIN" and "SUM"
        SUM adds the real cells of each window (op SumPool); MIN is ``-max(-x)``.
    padding : "SAME" or "VALID"
    dilation_rate, strides : lists of N ints (default ones); dilation needs strides of 1 and
        "VALID" padding, as in TF1. `dilations` is an alias of `dilation_rate`.

    Node names: the scope ``max_pool`` / ``avg_pool`` / ``min_pool`` / ``sum_pool``.
    """
    if dilations is not None:
        if dilation_rate is not None:
            raise ValueError("Cannot specify both 'dilations' and 'dilation_rate'")
        dilation_rate = dilations
    if not isinstance(pooling_type, str) or pooling_type not in POOLING_TYPES:
        raise ValueError(f"pooling_type must be one of {POOLING_TYPES}, got {pooling_type!r}")
    with op_scope(name, f"{pooling_type.lower()}_pool", [input]) as scope:
        input = convert_to_tensor(input, name="input")
        window_shape = [int(k) for k in window_shape]
        n = len(window_shape)
        if not 1 <= n <= 3:
            raise ValueError("It is required that 1 <= num_spatial_dims <= 3.")
        if input.shape.ndims is not None and input.shape.ndims != n + 2:
            raise ValueError(f"Shape {input.shape} must have rank {n + 2}")
        strides, dilation_rate = _strides_and_dilations(n, strides, dilation_rate)
        if padding == "SAME" and any(d > 1 for d in dilation_rate):
            raise ValueError("pooling with SAME padding is not implemented for "
                             "dilation_rate > 1")
        if any(s > k for s, k in zip(strides, window_shape)):
            raise ValueError("strides > window_shape not supported due to inconsistency "
                             "between CPU and GPU implementations")
        first = data_format is not None and data_format.startswith("NC")
        if n == 1 and data_format not in (None, "NWC", "NCW"):
            raise ValueError('data_format must be either "NWC" or "NCW".')
        if pooling_type == "MIN":
            negated = negative(input)
            return negative(_pool(negated, "MAX", window_shape, strides, dilation_rate,
                                  padding, first, n, None), name=scope)
        return _pool(input, pooling_type, window_shape, strides, dilation_rate, padding,
                     first, n, scope)


def _pool(x: Tensor, kind: str, window: list, strides: list, dilation_rate: list,
          padding: str, first: bool, n: int, scope: Optional[str]) -> Tensor:
    formats = {1: ("NWC", "NCW"), 2: ("NHWC", "NCHW"), 3: ("NDHWC", "NCDHW")}
    if kind == "SUM":
        return pool_nd(SumPool, x, window, strides, padding, formats[n][first], scope,
                       "SumPool", dilations=dilation_rate, spatial=n)
    if n == 3:
        op_class = MaxPool3D if kind == "MAX" else AvgPool3D
        return pool_nd(op_class, x, window, strides, padding, formats[3][first], scope,
                       op_class.type_name, dilations=dilation_rate)
    op_class = MaxPool if kind == "MAX" else AvgPool
    if n == 2:
        return pool_nd(op_class, x, window, strides, padding, formats[2][first], scope,
                       op_class.type_name, dilations=dilation_rate)
    axis = 2 if first else 1  # 1-D: pooled as 2-D with a height of 1
    pooled = pool_nd(op_class, expand_dims(x, axis), [1] + window, [1] + strides, padding,
                     formats[2][first], scope, op_class.type_name,
                     dilations=[1] + dilation_rate)
    return squeeze(pooled, [axis])


def _pool_1d(op_class: type, input: Any, ksize: Any, strides: Any, padding: str,
             data_format: str, name: Optional[str], default: str) -> Tensor:
    if data_format == "NWC":
        data_format, axis = "NHWC", 1
    elif data_format == "NCW":
        data_format, axis = "NCHW", 2
    else:
        raise ValueError('data_format must be "NWC" or "NCW".')
    with op_scope(name, default, [input]) as scope:
        channel_index = 1 if data_format == "NCHW" else 2
        ksize = [1] + get_sequence(ksize, 1, channel_index, "ksize")
        strides = [1] + get_sequence(strides, 1, channel_index, "strides")
        expanded = expand_dims(convert_to_tensor(input), axis)
        pooled = pool_nd(op_class, expanded, ksize, strides, padding, data_format, scope,
                         default)
        return squeeze(pooled, [axis])


def max_pool1d(input: Any, ksize: Any, strides: Any, padding: str, data_format: str = "NWC",
               name: Optional[str] = None) -> Tensor:
    """Max pooling of a 3-D tensor ``[batch, width, channels]`` ("NWC") or ``[batch,
    channels, width]`` ("NCW"); ksize and strides are an int or a list of 1 or 3 ints."""
    return _pool_1d(MaxPool, input, ksize, strides, padding, data_format, name, "MaxPool1d")


def avg_pool1d(input: Any, ksize: Any, strides: Any, padding: str, data_format: str = "NWC",
               name: Optional[str] = None) -> Tensor:
    """Average pooling of a 3-D tensor (see `max_pool1d`)."""
    return _pool_1d(AvgPool, input, ksize, strides, padding, data_format, name, "AvgPool1D")


def max_pool2d(input: Any, ksize: Any, strides: Any, padding: str, data_format: str = "NHWC",
               name: Optional[str] = None) -> Tensor:
    """Max pooling of a 4-D tensor, as `max_pool` (name scope "MaxPool2d")."""
    return pool_nd(MaxPool, input, ksize, strides, padding, data_format, name, "MaxPool2d")


def avg_pool2d(value: Any, ksize: Any, strides: Any, padding: str, data_format: str = "NHWC",
               name: Optional[str] = None, input: Any = None) -> Tensor:
    """TF1's alias of `avg_pool`."""
    return avg_pool(value, ksize, strides, padding, data_format, name, input)


def _rank_of(input: Tensor, data_format: Optional[str]) -> int:
    if input.shape.ndims is not None:
        n = input.shape.ndims - 2
    elif data_format is not None:
        n = len(data_format) - 2
    else:
        raise ValueError("The input must have a rank or a data format specified.")
    if not 1 <= n <= 3:
        raise ValueError(f"Input tensor must be of rank 3, 4 or 5 but was {n + 2}.")
    return n


def max_pool_v2(input: Any, ksize: Any, strides: Any, padding: str,
                data_format: Optional[str] = None, name: Optional[str] = None) -> Tensor:
    """Max pooling of a 3-D, 4-D or 5-D tensor (TF2's `tf.nn.max_pool`), by rank."""
    input = convert_to_tensor(input)
    n = _rank_of(input, data_format)
    if n == 1:
        return max_pool1d(input, ksize, strides, padding, data_format or "NWC", name)
    if n == 2:
        return max_pool(input, ksize, strides, padding, data_format or "NHWC", name)
    return max_pool3d(input, ksize, strides, padding, data_format or "NDHWC", name)


def avg_pool_v2(input: Any, ksize: Any, strides: Any, padding: str,
                data_format: Optional[str] = None, name: Optional[str] = None) -> Tensor:
    """Average pooling of a 3-D, 4-D or 5-D tensor (TF2's `tf.nn.avg_pool`), by rank."""
    input = convert_to_tensor(input)
    n = _rank_of(input, data_format)
    if n == 1:
        return avg_pool1d(input, ksize, strides, padding, data_format or "NWC", name)
    if n == 2:
        return avg_pool(input, ksize, strides, padding, data_format or "NHWC", name)
    return avg_pool3d(input, ksize, strides, padding, data_format or "NDHWC", name)

