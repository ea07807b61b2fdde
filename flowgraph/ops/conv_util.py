"""Shared pieces of the convolution ops: TF1's attribute conventions (strides, dilations,
padding, data_format), the output-size arithmetic, and the common base class.

Attributes follow TF1's op definitions: `strides` and `dilations` have 4 entries in the
`data_format`'s order (``[1, h, w, 1]`` for "NHWC", ``[1, 1, h, w]`` for "NCHW");
`padding` is "SAME", "VALID" or "EXPLICIT", the latter with 8 `explicit_paddings` (a
before / after pair per dimension, also in the `data_format`'s order).

SAME padding follows TF1 exactly: ``out = ceil(in / stride)``,
``pad_total = max((out - 1) * stride + k_eff - in, 0)``, ``pad_before = pad_total // 2``,
where ``k_eff = (k - 1) * dilation + 1``; the odd pixel goes after.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Optional, Sequence, Tuple

import numpy as np

from flowgraph.ops.elementwise import check_dtype
from flowgraph.ops.registry import Op
from flowgraph.ops.shape_util import known_vector

__all__: list = []

PADDINGS = ("SAME", "VALID", "EXPLICIT")
FORMATS = ("NHWC", "NCHW")


# --------------------------------------------------------------------------- builder helpers
def normalize_data_format(data_format: Optional[str]) -> str:
    """"NHWC" (also for None) or "NCHW"; ValueError naming the supported layouts otherwise."""
    if data_format is None:
        return "NHWC"
    if data_format not in FORMATS:
        raise ValueError(f"data_format must be 'NHWC' (channels last, the default) or 'NCHW' "
                         f"(channels first), got {data_format!r}")
    return data_format


def convert_padding(padding: Any) -> tuple:
    """TF1's ``convert_padding``: (padding string, explicit_paddings) from "SAME" / "VALID"
    or a list of 4 [before, after] pairs (which means "EXPLICIT")."""
    if isinstance(padding, bytes):
        padding = padding.decode()
    if isinstance(padding, str):
        if padding == "EXPLICIT":
            raise ValueError('"EXPLICIT" is not a valid value for the padding parameter. To '
                             'use explicit padding, the padding parameter must be a list.')
        if padding not in ("SAME", "VALID"):
            raise ValueError(f"padding must be 'SAME', 'VALID' or a list of 4 [before, "
                             f"after] pairs, got {padding!r}")
        return padding, ()
    if not isinstance(padding, (list, tuple)):
        raise ValueError(f"padding must be 'SAME', 'VALID' or a list of 4 [before, after] "
                         f"pairs, got {padding!r}")
    flat = []
    for i, pair in enumerate(padding):
        if not isinstance(pair, (list, tuple)) or len(pair) != 2:
            raise ValueError(f"When padding is a list, each element of padding must be a "
                             f"list/tuple of size 2. Element with index {i} of padding is "
                             f"{pair!r}")
        flat.extend(int(p) for p in pair)
    if len(padding) != 4:
        raise ValueError(f"When padding is a list, it must be of size 4. Got padding of "
                         f"size: {len(padding)}")
    return "EXPLICIT", tuple(flat)


def get_sequence(value: Any, n: int, channel_index: int, name: str) -> tuple:
    """TF1's ``_get_sequence``: an int or a list of 1, n or n + 2 ints made the full list of
    n + 2 (ones in the batch and channel positions)."""
    if value is None:
        value = 1
    if np.ndim(value) == 0:
        value = [value]
    value = [int(v) for v in value]
    if len(value) == n + 2:
        return tuple(value)
    if len(value) == 1:
        value = value * n
    elif len(value) != n:
        raise ValueError(f"{name} should be of length 1, {n} or {n + 2} but was "
                         f"{len(value)}")
    full = [1] * (n + 2)
    start = 1 if channel_index == n + 1 else 2
    full[start:start + n] = value
    return tuple(full)


# --------------------------------------------------------------------------- arithmetic
def windowed_size(size: Optional[int], k: Optional[int], stride: int, dilation: int,
                  padding: str, pads: Sequence[int] = (0, 0), where: str = "") -> tuple:
    """(output size, pad before, pad after) along one spatial dimension; None for unknowns.

    ValueError when a VALID / EXPLICIT window does not fit (TF1's "Negative dimension size").
    """
    if k is None:
        if padding == "SAME" and size is not None:
            return -(-size // stride), None, None
        return None, None, None
    k_eff = (k - 1) * dilation + 1
    if size is None:
        return None, None, None
    if padding == "SAME":
        out = -(-size // stride)
        total = max((out - 1) * stride + k_eff - size, 0)
        return out, total // 2, total - total // 2
    before, after = (0, 0) if padding == "VALID" else pads
    span = size + before + after - k_eff
    if span < 0:
        raise ValueError(f"Negative dimension size caused by subtracting {k_eff} from "
                         f"{size + before + after}{where}: the {k}-wide window (dilation "
                         f"{dilation}) does not fit the {padding}-padded input.")
    return span // stride + 1, before, after


# --------------------------------------------------------------------------- base class
@dataclasses.dataclass(frozen=True, kw_only=True)
class ConvBase(Op):
    """Attributes shared by the 2-D convolution ops (TF1's names and defaults)."""

    strides: Tuple[int, ...] = (1, 1, 1, 1)
    padding: str = "VALID"
    explicit_paddings: Tuple[int, ...] = ()
    data_format: str = "NHWC"
    dilations: Tuple[int, ...] = (1, 1, 1, 1)

    def check(self):
        if self.data_format not in FORMATS:
            raise ValueError(f"{self.type_name}: data_format must be 'NHWC' or 'NCHW', got "
                             f"{self.data_format!r}")
        if self.padding not in PADDINGS:
            raise ValueError(f"{self.type_name}: padding must be one of {list(PADDINGS)}, got "
                             f"{self.padding!r}")
        for what, values in (("strides", self.strides), ("dilations", self.dilations)):
            if len(values) != 4 or any(int(v) != v or v < 1 for v in values):
                raise ValueError(f"{self.type_name}: {what} must be 4 positive ints (one per "
                                 f"dimension of {self.data_format}), got {list(values)}")
            outer = (values[0], values[self.channel_axis])
            if outer != (1, 1):
                raise ValueError(f"{self.type_name}: {what} in the batch and depth "
                                 f"dimensions must be 1 (the current implementation does not "
                                 f"support others), got {list(values)} for "
                                 f"{self.data_format}")
        if self.padding == "EXPLICIT":
            pads = self.explicit_paddings
            if len(pads) != 8 or any(int(p) != p or p < 0 for p in pads):
                raise ValueError(f"{self.type_name}: explicit_paddings must be 8 non-negative "
                                 f"ints (before and after for each dimension), got "
                                 f"{list(pads)}")
            c = self.channel_axis
            if any(pads[i] for i in (0, 1, 2 * c, 2 * c + 1)):
                raise ValueError(f"{self.type_name}: nonzero explicit padding in the batch or "
                                 f"depth dimensions is not supported, got {list(pads)}")
        elif self.explicit_paddings:
            raise ValueError(f"{self.type_name}: explicit_paddings must be empty unless "
                             f"padding is 'EXPLICIT', got {list(self.explicit_paddings)}")

    # ------------------------------------------------------------------ layout helpers
    def to_nhwc(self, x: np.ndarray) -> np.ndarray:
        """An array in this op's data_format as an NHWC view."""
        return x.transpose(0, 2, 3, 1) if self.data_format == "NCHW" else x

    def from_nhwc_array(self, y: np.ndarray) -> np.ndarray:
        """An NHWC array in this op's data_format (contiguous)."""
        if self.data_format == "NCHW":
            return np.ascontiguousarray(y.transpose(0, 3, 1, 2))
        return y

    def check_ranks(self, **arrays: np.ndarray) -> None:
        """ValueError unless every array (by argument name) has rank 4."""
        for what, value in arrays.items():
            if value.ndim != 4:
                raise ValueError(f"{self.type_name} needs {what} of rank 4, got shape "
                                 f"{list(value.shape)}")

    @property
    def channel_axis(self) -> int:
        return 1 if self.data_format == "NCHW" else 3

    @property
    def spatial_axes(self) -> tuple:
        return (2, 3) if self.data_format == "NCHW" else (1, 2)

    def hw(self, values: Sequence[Any]) -> tuple:
        """The (height, width) entries of a 4-entry list in this op's data_format."""
        h, w = self.spatial_axes
        return values[h], values[w]

    def nhwc(self, dims: Sequence[Any]) -> tuple:
        """A 4-entry shape in this op's data_format reordered to (N, H, W, C)."""
        if self.data_format == "NCHW":
            return dims[0], dims[2], dims[3], dims[1]
        return tuple(dims)

    def from_nhwc(self, dims: Sequence[Any]) -> list:
        """An (N, H, W, C) shape reordered to this op's data_format."""
        n, h, w, c = dims
        return [n, c, h, w] if self.data_format == "NCHW" else [n, h, w, c]

    def spatial_pads(self) -> tuple:
        """The explicit ((top, bottom), (left, right)) paddings."""
        if self.padding != "EXPLICIT":
            return (0, 0), (0, 0)
        p = self.explicit_paddings
        h, w = self.spatial_axes
        return (p[2 * h], p[2 * h + 1]), (p[2 * w], p[2 * w + 1])

    def geometry(self, size_hw: Sequence[Optional[int]], k_hw: Sequence[Optional[int]],
                 where: str = "") -> tuple:
        """((out_h, top, bottom), (out_w, left, right)) for an input of spatial size
        `size_hw` and a filter of spatial size `k_hw` (None for unknowns)."""
        strides, dilations = self.hw(self.strides), self.hw(self.dilations)
        return tuple(windowed_size(size_hw[i], k_hw[i], strides[i], dilations[i],
                                   self.padding, self.spatial_pads()[i], where)
                     for i in range(2))

    def kernel_geometry(self, size_hw: Sequence[int], k_hw: Sequence[int]) -> tuple:
        """(strides, dilations, pads ((top, bottom), (left, right)), (out_h, out_w)) for the
        numpy kernels, from concrete sizes."""
        (oh, top, bottom), (ow, left, right) = self.geometry(size_hw, k_hw)
        return (self.hw(self.strides), self.hw(self.dilations), ((top, bottom), (left, right)),
                (oh, ow))

    def check_float(self, op: Any, tensors: Sequence[Any], names: Sequence[str]) -> Any:
        """TypeError unless the tensors share one floating dtype; returns it."""
        for t, name in zip(tensors, names):
            check_dtype(op, t, "f", name)
        first = tensors[0]
        for t, name in zip(tensors[1:], names[1:]):
            if t.dtype != first.dtype:
                raise TypeError(f"{op.type} needs {names[0]} and {name} of one dtype, got "
                                f"{first.dtype.name} and {t.dtype.name}")
        return first.dtype


def rank4_dims(op: Any, tensor: Any, what: str, layout: str) -> list:
    """The 4 dimensions of a rank-4 (or unknown-rank) tensor, None for unknown ones."""
    shape = tensor.shape
    if shape.ndims is None:
        return [None] * 4
    if shape.ndims != 4:
        raise ValueError(f"{op.type} needs {what} of rank 4 ({layout}), got shape {shape}")
    return shape.as_list()


def sizes_vector(op: Any, tensor: Any, what: str) -> list:
    """The 4 known-or-None entries of an int32 sizes vector (input_sizes / filter_sizes)."""
    if tensor.dtype.name not in ("int32", "int64"):
        raise TypeError(f"{op.type} needs {what} of dtype int32, got {tensor.dtype.name}")
    if tensor.shape.as_tuple() not in (None, (None,), (4,)):
        raise ValueError(f"{op.type} needs {what} to be a vector of 4 ints, got shape "
                         f"{tensor.shape}")
    values = known_vector(tensor)
    if values is None or len(values) != 4:
        return [None] * 4
    return [None if v is None or v < 0 else v for v in values]


def merge_dim(a: Optional[int], b: Optional[int], message: str) -> Optional[int]:
    """The known one of two dimensions that must agree; ValueError(message) if both are
    known and differ."""
    if a is not None and b is not None and a != b:
        raise ValueError(message)
    return a if a is not None else b
