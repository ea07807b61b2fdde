"""Pooling ops: MaxPool and AvgPool (2-D), MaxPool3D and AvgPool3D, and flowgraph's SumPool.

Each output value reduces one window of the input's spatial dimensions (channels and batch
are never pooled). Padding follows TF1: "VALID" uses only whole windows; "SAME" gives
``ceil(size / stride)`` outputs, padding ``max((out - 1) * stride + k - size, 0)`` cells of
which half (rounded down) go before. Padded cells never count: max pooling ignores them and
average pooling divides each window's sum by its number of real cells.

The kernels loop over the window offsets (``kh * kw`` strided views of the whole batch, see
`pool_geometry`), never over pixels. Their gradients are in `pool_grad`. Global pooling
needs no op: it is a reduction over the spatial axes (``fg.reduce_mean(x, axis=[1, 2])``
for NHWC images).

The builders are public as ``fg.nn.max_pool``, ``fg.nn.avg_pool``, ``fg.nn.max_pool3d``,
``fg.nn.avg_pool3d``; ``fg.nn.pool`` and the 1-D / 2-D / v2 variants are in
`flowgraph.nn.pooling`.
"""

from __future__ import annotations

import dataclasses
from typing import Any, ClassVar, Optional, Sequence

import numpy as np

from flowgraph import errors
from flowgraph.graph import Tensor
from flowgraph.ops.constant import convert_to_tensor
from flowgraph.ops.elementwise import check_dtype, op_scope
from flowgraph.ops.pool_geometry import Geometry, lowest, output_size, work_dtype
from flowgraph.ops.registry import Op, apply_op, register
from flowgraph.runtime import intra_op

__all__: list = []

PADDINGS = ("SAME", "VALID")
FORMATS = {1: ("NWC", "NCW"), 2: ("NHWC", "NCHW"), 3: ("NDHWC", "NCDHW")}


# --------------------------------------------------------------------------- attributes
@dataclasses.dataclass(frozen=True, kw_only=True)
class PoolAttrs(Op):
    """TF1's pooling attributes. `ksize`, `strides` (and flowgraph's `dilations`, None for
    all ones) have one entry per input dimension, 1 for the batch and channel ones."""

    ksize: tuple = ()
    strides: tuple = ()
    padding: str = "VALID"
    data_format: str = "NHWC"
    dilations: Optional[tuple] = None

    # Number of spatial dimensions (None: 1 to 3, read from len(ksize)).
    spatial_rank: ClassVar[Optional[int]] = 2

    def check(self) -> None:
        for field in ("ksize", "strides", "dilations"):
            value = getattr(self, field)
            if value is None:
                continue
            if isinstance(value, (int, np.integer)) or not all(
                    isinstance(v, (int, np.integer)) and not isinstance(v, bool)
                    for v in value):
                raise TypeError(f"{self.type_name} attribute {field} must be a list of ints, "
                                f"got {value!r}")
            object.__setattr__(self, field, tuple(int(v) for v in value))
        spatial = self.spatial_rank
        if spatial is None and not 3 <= len(self.ksize) <= 5:
            raise ValueError(f"{self.type_name} needs ksize of 3 to 5 entries (1 to 3 "
                             f"spatial dimensions), got {list(self.ksize)}")
        rank = len(self.ksize) if spatial is None else spatial + 2
        for field in ("ksize", "strides", "dilations"):
            value = getattr(self, field)
            if value is None:
                continue
            if len(value) != rank:
                raise ValueError(f"{self.type_name} needs {field} of {rank} entries (one per "
                                 f"input dimension), got {list(value)}")
            if any(v < 1 for v in value):
                raise ValueError(f"{self.type_name}: every {field} entry must be >= 1, got "
                                 f"{list(value)}")
        if self.padding not in PADDINGS:
            raise ValueError(f"{self.type_name}: padding must be 'SAME' or 'VALID', got "
                             f"{self.padding!r}")
        if self.data_format not in FORMATS[rank - 2]:
            raise ValueError(f"{self.type_name}: data_format must be one of "
                             f"{FORMATS[rank - 2]}, got {self.data_format!r}")
        for field in ("ksize", "strides", "dilations"):
            value = getattr(self, field)
            if value is None:
                continue
            batch, channel = value[0], value[self.channel_axis]
            if batch != 1:
                raise ValueError(f"Pooling is not yet supported on the batch dimension: "
                                 f"{field} {list(value)} of {self.type_name}")
            if channel != 1:
                raise ValueError(f"Pooling over channels is not supported: {field} "
                                 f"{list(value)} of {self.type_name} (data_format "
                                 f"{self.data_format})")

    @property
    def channel_axis(self) -> int:
        return 1 if self.data_format.startswith("NC") else len(self.ksize) - 1

    def spatial(self, values: Sequence[Any]) -> tuple:
        """The spatial entries of a per-dimension sequence."""
        return tuple(values[2:]) if self.data_format.startswith("NC") else tuple(values[1:-1])

    def geometry(self, x_shape: Sequence[int]) -> Geometry:
        dilations = self.dilations or (1,) * len(self.ksize)
        return Geometry(self.spatial(x_shape), self.spatial(self.ksize),
                        self.spatial(self.strides), self.spatial(dilations), self.padding)

    def to_last(self, x: np.ndarray) -> np.ndarray:
        """x with its channels last (a view)."""
        return np.moveaxis(x, 1, -1) if self.data_format.startswith("NC") else x

    def from_last(self, x: np.ndarray) -> np.ndarray:
        return np.moveaxis(x, -1, 1) if self.data_format.startswith("NC") else x

    def last_shape(self, shape: Sequence[int]) -> tuple:
        """`shape` with its channels last."""
        shape = tuple(shape)
        if self.data_format.startswith("NC"):
            return shape[:1] + shape[2:] + shape[1:2]
        return shape

    def pooled_last_shape(self, shape: Sequence[int]) -> tuple:
        """The channels-last output shape of pooling an input of shape `shape`."""
        moved = self.last_shape(shape)
        return moved[:1] + self.geometry(shape).out + moved[-1:]

    def pooled_shape(self, op: Any, shape: Any) -> list:
        """The static output shape for an input of static shape `shape`."""
        rank = len(self.ksize)
        if shape.ndims is None:
            return [None] * rank
        if shape.ndims != rank:
            raise ValueError(f"{op.type} needs an input of rank {rank}, got shape {shape}")
        dims = list(shape.as_tuple())
        dilations = self.dilations or (1,) * rank
        first = 2 if self.data_format.startswith("NC") else 1
        for i in range(first, first + rank - 2):
            if dims[i] is None:
                continue
            out, _, _ = output_size(dims[i], self.ksize[i], self.strides[i], dilations[i],
                                    self.padding)
            if out < 0:
                k_eff = (self.ksize[i] - 1) * dilations[i] + 1
                raise ValueError(f"Negative dimension size caused by subtracting {k_eff} from "
                                 f"{dims[i]} for '{op.name}' (op: '{op.type}') with input "
                                 f"shape {shape}: the window is larger than the input with "
                                 "VALID padding")
            dims[i] = out
        return dims

    def pool_attrs(self) -> dict:
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(PoolAttrs)}


# --------------------------------------------------------------------------- kernels
def max_pool_kernel(attrs: PoolAttrs, x: np.ndarray) -> np.ndarray:
    x_last = attrs.to_last(x)
    geo = attrs.geometry(x.shape)
    out_shape = (x_last.shape[0],) + geo.out + x_last.shape[-1:]
    if geo.empty or x.size == 0:
        return attrs.from_last(np.zeros(out_shape, x.dtype))
    out = np.empty(out_shape, x.dtype)

    def pool(first: int, end: int) -> None:  # images first..end-1, on one thread
        padded = geo.pad(x_last[first:end], lowest(x.dtype))
        part = out[first:end]
        for n, index in enumerate(geo.offsets()):
            if n == 0:
                np.copyto(part, padded[index])
            else:
                np.maximum(part, padded[index], out=part)

    intra_op.split(out_shape[0], x.size, pool)
    return attrs.from_last(out)


def sum_pool_kernel(attrs: PoolAttrs, x: np.ndarray, average: bool) -> np.ndarray:
    x_last = attrs.to_last(x)
    geo = attrs.geometry(x.shape)
    wide = work_dtype(x.dtype)
    out_shape = (x_last.shape[0],) + geo.out + x_last.shape[-1:]
    if geo.empty or x.size == 0:
        return attrs.from_last(np.zeros(out_shape, x.dtype))
    padded = geo.pad(x_last, 0)
    out = np.zeros(out_shape, wide)
    for index in geo.offsets():
        out += padded[index]
    if average:
        out /= geo.counts(wide)
    return attrs.from_last(out.astype(x.dtype, copy=False))


# --------------------------------------------------------------------------- ops
@dataclasses.dataclass(frozen=True, kw_only=True)
class _Pool(PoolAttrs):
    """A pooling of one input; output of the input's dtype."""

    allowed: ClassVar[str] = "f"

    def infer(self, op):
        x = op.inputs[0]
        check_dtype(op, x, self.allowed, "input")
        return [(x.dtype, self.pooled_shape(op, x.shape))]

    def _check_rank(self, x: np.ndarray) -> None:
        if x.ndim != len(self.ksize):
            raise errors.InvalidArgumentError(
                None, None, f"{self.type_name} needs an input of rank {len(self.ksize)}, got "
                f"shape {list(x.shape)}")


@register
class MaxPool(_Pool):
    """The maximum of each window of a 4-D input (NHWC or NCHW); padded cells are ignored."""

    allowed = "fiu"

    def kernel(self, x):
        self._check_rank(x)
        return max_pool_kernel(self, x)

    def grad(self, op, dy):
        from flowgraph.ops import pool_grad
        grad_class = pool_grad.MAX_GRADS[type(self).type_name]
        return [apply_op(grad_class(**self.pool_attrs()), [op.inputs[0], op.outputs[0], dy])]


@register
class MaxPool3D(MaxPool):
    """The maximum of each window of a 5-D input (NDHWC or NCDHW)."""

    spatial_rank = 3


@register
class AvgPool(_Pool):
    """The mean of the real (unpadded) cells of each window of a 4-D input."""

    def kernel(self, x):
        self._check_rank(x)
        return sum_pool_kernel(self, x, average=True)

    def grad(self, op, dy):
        from flowgraph.ops import pool_grad
        from flowgraph.ops.shape_ops import shape
        grad_class = pool_grad.SUM_GRADS[type(self).type_name]
        return [apply_op(grad_class(**self.pool_attrs()), [shape(op.inputs[0]), dy])]


@register
class AvgPool3D(AvgPool):
    """The mean of the real cells of each window of a 5-D input (NDHWC or NCDHW)."""

    spatial_rank = 3


@register
class SumPool(AvgPool):
    """flowgraph's sum pooling: the sum of the real cells of each window, for 1 to 3 spatial
    dimensions (the rank is given by len(ksize)); built by ``fg.nn.pool(..., "SUM", ...)``."""

    spatial_rank = None
    allowed = "fiu"

    def kernel(self, x):
        self._check_rank(x)
        return sum_pool_kernel(self, x, average=False)


# --------------------------------------------------------------------------- builders
def get_sequence(value: Any, n: int, channel_index: int, name: str) -> list:
    """TF1's ``_get_sequence``: an int, or a list of 1, n or n + 2 ints, as n + 2 entries with
    1 for the batch and channel dimensions."""
    if value is None:
        return [1] * (n + 2)
    if isinstance(value, Tensor):
        from flowgraph.ops.shape_util import static_ints
        value = static_ints(value, name)
    if isinstance(value, (int, np.integer)):
        value = [int(value)]
    value = list(value)
    if len(value) == n + 2:
        return value
    if len(value) == 1:
        value = value * n
    elif len(value) != n:
        raise ValueError(f"{name} should be of length 1, {n} or {n + 2} but was {len(value)}")
    if channel_index == 1:
        return [1, 1] + value
    return [1] + value + [1]


def pool_nd(op_class: type, value: Any, ksize: Any, strides: Any, padding: str,
            data_format: Optional[str], name: Optional[str], default: str,
            dilations: Any = None, spatial: Optional[int] = None) -> Tensor:
    """Adds one pooling node (`op_class`) of `value` inside the name scope `default`;
    `spatial` (the number of spatial dimensions) is needed only for SumPool."""
    spatial = op_class.spatial_rank or spatial
    with op_scope(name, default, [value]) as scope:
        value = convert_to_tensor(value)
        if spatial is None:
            if value.shape.ndims is None:
                raise ValueError(f"{default}: the number of spatial dimensions is unknown")
            spatial = value.shape.ndims - 2
        if data_format is None:
            data_format = FORMATS[spatial][0] if spatial in FORMATS else "NHWC"
        channel_index = 1 if data_format.startswith("NC") else spatial + 1
        ksize = get_sequence(ksize, spatial, channel_index, "ksize")
        strides = get_sequence(strides, spatial, channel_index, "strides")
        if any(k == 0 for k in ksize):
            raise ValueError("ksize cannot be zero.")
        if dilations is not None:
            dilations = get_sequence(dilations, spatial, channel_index, "dilations")
            if all(d == 1 for d in dilations):
                dilations = None
        op_def = op_class(ksize=ksize, strides=strides, padding=_padding(padding),
                          data_format=data_format, dilations=dilations)
        return apply_op(op_def, [value], name=scope)


def _padding(padding: Any) -> str:
    if isinstance(padding, bytes):
        padding = padding.decode()
    if not isinstance(padding, str) or padding.upper() not in PADDINGS:
        raise ValueError(f"padding must be 'SAME' or 'VALID', got {padding!r}")
    return padding.upper()


def max_pool(value: Any, ksize: Any, strides: Any, padding: str, data_format: str = "NHWC",
             name: Optional[str] = None, input: Any = None) -> Tensor:
    """The maximum over each window of a 4-D tensor (node "MaxPool").

    Parameters
    ----------
    value : Tensor
        ``[batch, height, width, channels]`` ("NHWC"), or ``[batch, channels, height,
        width]`` for data_format "NCHW"; float or integer. `input` is an alias.
    ksize, strides : int or list of 1, 2 or 4 ints
        The window size and the step between windows, e.g. ``[1, 2, 2, 1]``.
    padding : "SAME" or "VALID"
        "SAME" pads so that there are ``ceil(size / stride)`` windows; padded cells are
        ignored.

    Its gradient (MaxPoolGrad) goes to the first maximum of each window.
    """
    value = _lookup_input(value, input)
    return pool_nd(MaxPool, value, ksize, strides, padding, data_format, name, "MaxPool")


def avg_pool(value: Any, ksize: Any, strides: Any, padding: str, data_format: str = "NHWC",
             name: Optional[str] = None, input: Any = None) -> Tensor:
    """The mean over each window of a 4-D float tensor (node "AvgPool"); with "SAME"
    padding each window's sum is divided by its number of real (unpadded) cells. Arguments
    as `max_pool`."""
    value = _lookup_input(value, input)
    return pool_nd(AvgPool, value, ksize, strides, padding, data_format, name, "AvgPool")


def max_pool3d(input: Any, ksize: Any, strides: Any, padding: str, data_format: str = "NDHWC",
               name: Optional[str] = None) -> Tensor:
    """The maximum over each window of a 5-D tensor ``[batch, depth, height, width,
    channels]`` (node "MaxPool3D"); ksize and strides have 1, 3 or 5 entries."""
    return pool_nd(MaxPool3D, input, ksize, strides, padding, data_format, name, "MaxPool3D")


def avg_pool3d(input: Any, ksize: Any, strides: Any, padding: str, data_format: str = "NDHWC",
               name: Optional[str] = None) -> Tensor:
    """The mean over each window of a 5-D float tensor (node "AvgPool3D"), counting only
    real cells with "SAME" padding."""
    return pool_nd(AvgPool3D, input, ksize, strides, padding, data_format, name, "AvgPool3D")


def _lookup_input(value: Any, input: Any) -> Any:
    if input is not None:
        if value is not None:
            raise ValueError("Cannot specify both 'value' and 'input'")
        return input
    if value is None:
        raise ValueError("max_pool / avg_pool need a value (or input) to pool")
    return value
