"""Argument helpers shared by the convolution and pooling layers (TF1's conv_utils)."""

from __future__ import annotations

from typing import Any, Optional

from flowgraph.graph import Tensor
from flowgraph.ops.constant import convert_to_tensor
from flowgraph.ops.registry import constant_value


def normalize_tuple(value: Any, n: int, name: str) -> tuple:
    """An int or an iterable of `n` ints as a tuple of `n` ints (``3`` -> ``(3, 3)``)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return (value,) * n
    try:
        result = tuple(value)
    except TypeError:
        raise ValueError(f"The `{name}` argument must be a tuple of {n} integers. Received: "
                         f"{value}") from None
    if len(result) != n or not all(isinstance(v, int) and not isinstance(v, bool)
                                   for v in result):
        raise ValueError(f"The `{name}` argument must be a tuple of {n} integers. Received: "
                         f"{value}")
    return result


def normalize_padding(value: str) -> str:
    """``'valid'`` or ``'same'`` (any case), lower-cased."""
    padding = str(value).lower()
    if padding not in ("valid", "same", "causal"):
        raise ValueError("The `padding` argument must be one of 'valid', 'same' (or "
                         f"'causal', only for `Conv1D`). Received: {value}")
    return padding


def normalize_data_format(value: Optional[str]) -> str:
    """``'channels_last'`` (the default) or ``'channels_first'``."""
    data_format = "channels_last" if value is None else str(value).lower()
    if data_format not in ("channels_first", "channels_last"):
        raise ValueError("The `data_format` argument must be one of 'channels_first', "
                         f"'channels_last'. Received: {value}")
    return data_format


def convert_data_format(data_format: str, ndim: int) -> str:
    """``channels_last`` with rank 4 -> ``NHWC``; ``channels_first`` -> ``NCHW``..."""
    last = {3: "NWC", 4: "NHWC", 5: "NDHWC"}
    first = {3: "NCW", 4: "NCHW", 5: "NCDHW"}
    table = last if data_format == "channels_last" else first
    if ndim not in table:
        raise ValueError(f"Input rank not supported: {ndim}")
    return table[ndim]


def conv_output_length(length: Optional[int], filter_size: int, padding: str, stride: int,
                       dilation: int = 1) -> Optional[int]:
    """The output length of a convolution or pooling along one spatial axis."""
    if length is None:
        return None
    dilated = filter_size + (filter_size - 1) * (dilation - 1)
    if padding in ("same", "causal"):
        out = length
    else:
        out = length - dilated + 1
    return (out + stride - 1) // stride


def deconv_output_length(length: Optional[int], filter_size: int, padding: str,
                         stride: int) -> Optional[int]:
    """The output length of a transposed convolution along one spatial axis."""
    if length is None:
        return None
    if padding == "valid":
        return length * stride + max(filter_size - stride, 0)
    return length * stride


def static_bool(value: Any) -> Optional[bool]:
    """A Python bool, or the value of a bool tensor known at build time, else None."""
    if value is None:
        return None
    if hasattr(value, "__fg_tensor__") or isinstance(value, Tensor):
        known = constant_value(convert_to_tensor(value))
        return None if known is None else bool(known)
    return bool(value)
