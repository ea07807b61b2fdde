"""Max pooling that also returns where each maximum came from: TF1's MaxPoolWithArgmax, its
gradient MaxPoolGradWithArgmax and that one's adjoint MaxPoolGradGradWithArgmax.

The argmax of an output cell is the flattened index of its maximum in an NHWC input,
``(y * width + x) * channels + c``, plus ``b * height * width * channels`` with
``include_batch_in_index``. Ties go to the first maximum in scan order (rows outer,
columns inner), padded cells are never chosen: TF1's CPU kernel does the same.

- MaxPoolGradWithArgmax(input, grad, argmax) adds each output gradient at its argmax
  (the gradient of MaxPoolWithArgmax's first output). As in TF1 it has no gradient of its
  own (users of "unpooling" register one with ``fg.RegisterGradient``).
- MaxPoolGradGradWithArgmax(input, grad, argmax) gathers `grad` (input-shaped) at argmax;
  it is the adjoint of MaxPoolGradWithArgmax, which is its gradient.

The builder is public as ``fg.nn.max_pool_with_argmax``.
"""

from __future__ import annotations

import dataclasses
import itertools
from typing import Any, NamedTuple, Optional

import numpy as np

from flowgraph import dtypes, errors
from flowgraph.dtypes import DType
from flowgraph.graph import Tensor
from flowgraph.ops.constant import convert_to_tensor
from flowgraph.ops.elementwise import check_dtype
from flowgraph.ops.pool import PoolAttrs, _padding
from flowgraph.ops.pool_geometry import lowest
from flowgraph.ops.registry import apply_op, register

__all__: list = []  # public as fg.nn.max_pool_with_argmax (not a top-level TF1 name)

ARGMAX_DTYPES = (dtypes.int32, dtypes.int64)


def _invalid(message: str) -> errors.InvalidArgumentError:
    return errors.InvalidArgumentError(None, None, message)


@dataclasses.dataclass(frozen=True, kw_only=True)
class _ArgmaxAttrs(PoolAttrs):
    """ksize, strides (4 entries), padding and include_batch_in_index; NHWC only."""

    include_batch_in_index: bool = False

    def check(self) -> None:
        super().check()
        if self.data_format != "NHWC" or self.dilations is not None:
            raise ValueError(f"{self.type_name} supports only data_format 'NHWC' without "
                             f"dilations, got {self.data_format!r}, {self.dilations!r}")

    def argmax_attrs(self) -> dict:
        return dict(ksize=self.ksize, strides=self.strides, padding=self.padding,
                    include_batch_in_index=self.include_batch_in_index)

    def _check_input(self, x: np.ndarray, what: str = "input") -> None:
        if x.ndim != 4:
            raise _invalid(f"{self.type_name}: {what} must be 4-dimensional (NHWC), got "
                           f"shape {list(x.shape)}")

    def _offsets(self, x: np.ndarray, argmax: np.ndarray) -> np.ndarray:
        """argmax as int64 indices into x.reshape(-1), checked to lie inside x."""
        index = argmax.astype(np.int64)
        per_image = int(np.prod(x.shape[1:]))
        if not self.include_batch_in_index:
            index = index + (np.arange(x.shape[0], dtype=np.int64) * per_image
                             ).reshape(-1, 1, 1, 1)
        limit = x.size if self.include_batch_in_index else per_image
        if index.size and (argmax.min() < 0 or argmax.max() >= limit):
            raise _invalid(f"{self.type_name}: argmax holds an index outside [0, {limit}) "
                           f"(input of shape {list(x.shape)}, include_batch_in_index="
                           f"{self.include_batch_in_index}): Invalid input backprop index")
        return index


def _check_pooled(attrs: _ArgmaxAttrs, x: np.ndarray, y: np.ndarray, what: str) -> None:
    expected = attrs.pooled_last_shape(x.shape)
    if y.shape != expected:
        raise _invalid(f"{attrs.type_name}: {what} of shape {list(y.shape)} does not match "
                       f"the pooling of an input of shape {list(x.shape)}, which has shape "
                       f"{list(expected)}")


@register
class MaxPoolWithArgmax(_ArgmaxAttrs):
    """The maximum of each window of an NHWC input and the flattened index of the first cell
    that holds it. Outputs: output (the input's dtype), argmax (`Targmax`)."""

    Targmax: DType = dtypes.int64

    def check(self) -> None:
        super().check()
        if self.Targmax not in ARGMAX_DTYPES:
            raise TypeError(f"Value passed to parameter 'Targmax' has DataType "
                            f"{self.Targmax.name} not in list of allowed values: int32, "
                            "int64")

    def infer(self, op):
        x = op.inputs[0]
        check_dtype(op, x, "fiu", "input")
        if x.shape.ndims not in (None, 4):
            raise ValueError(f"Shape must be rank 4 but is rank {x.shape.ndims} for "
                             f"'{op.name}' (op: '{op.type}') with input shape {x.shape}")
        shape = self.pooled_shape(op, x.shape)
        return [(x.dtype, shape), (self.Targmax, shape)]

    def kernel(self, x):
        self._check_input(x)
        geo = self.geometry(x.shape)
        n, height, width, channels = x.shape
        out_shape = (n,) + geo.out + (channels,)
        out = np.full(out_shape, lowest(x.dtype), x.dtype)
        argmax = np.zeros(out_shape, np.int64)
        if x.size and not geo.empty:
            padded = geo.pad(x, lowest(x.dtype))
            found = np.zeros(out_shape, bool)
            take = np.empty(out_shape, bool)
            rows = np.arange(geo.out[0]) * self.strides[1] - geo.before[0]
            cols = np.arange(geo.out[1]) * self.strides[2] - geo.before[1]
            channel = np.arange(channels)
            for (dy, dx), index in zip(itertools.product(range(self.ksize[1]),
                                                         range(self.ksize[2])),
                                       geo.offsets()):
                y, x_pos = rows + dy, cols + dx
                real = ((y >= 0) & (y < height))[:, None] & ((x_pos >= 0) & (x_pos < width))
                if not real.any():
                    continue
                values = padded[index]
                # Strictly greater keeps the first maximum; the first real cell of a window
                # is always taken (even when it is the dtype's lowest value or NaN).
                np.greater(values, out, out=take)
                take |= ~found
                take &= real[None, :, :, None]
                flat = (y[:, None] * width + x_pos[None, :])[None, :, :, None] * channels \
                    + channel
                np.copyto(out, values, where=take)
                np.copyto(argmax, np.broadcast_to(flat, out_shape), where=take)
                found |= take
            if self.include_batch_in_index:
                argmax += (np.arange(n, dtype=np.int64) * (height * width * channels)
                           ).reshape(-1, 1, 1, 1)
        return out, argmax.astype(self.Targmax.np, copy=False)

    def grad(self, op, dy, dargmax):
        del dargmax  # indices have no gradient
        return [apply_op(MaxPoolGradWithArgmax(**self.argmax_attrs()),
                         [op.inputs[0], convert_to_tensor(dy), op.outputs[1]])]


@dataclasses.dataclass(frozen=True, kw_only=True)
class _ArgmaxGradBase(_ArgmaxAttrs):
    """Inputs: input (NHWC), grad, argmax (int32 or int64)."""

    def _check_inputs(self, op: Any) -> None:
        x, g, argmax = op.inputs
        check_dtype(op, x, "fiu", "input")
        if g.dtype != x.dtype:
            raise TypeError(f"{op.type} needs grad of input's dtype {x.dtype.name}, got "
                            f"{g.dtype.name}")
        if argmax.dtype not in ARGMAX_DTYPES:
            raise TypeError(f"{op.type} needs argmax of dtype int32 or int64, got "
                            f"{argmax.dtype.name}")
        for what, t in (("input", x), ("grad", g), ("argmax", argmax)):
            if t.shape.ndims not in (None, 4):
                raise ValueError(f"{op.type} needs {what} of rank 4, got shape {t.shape}")


@register
class MaxPoolGradWithArgmax(_ArgmaxGradBase):
    """`grad` (output-shaped) added into an input-shaped zero tensor at `argmax`: the
    gradient of MaxPoolWithArgmax. TF1 defines no gradient for it."""

    differentiable = False

    def infer(self, op):
        self._check_inputs(op)
        x = op.inputs[0]
        return [(x.dtype, x.shape)]

    def kernel(self, x, g, argmax):
        self._check_input(x)
        _check_pooled(self, x, g, "grad")
        if argmax.shape != g.shape:
            raise _invalid(f"{self.type_name}: argmax of shape {list(argmax.shape)} must "
                           f"have grad's shape {list(g.shape)}")
        index = self._offsets(x, argmax)
        out = np.zeros(x.size, g.dtype)
        np.add.at(out, index.reshape(-1), g.reshape(-1))
        return out.reshape(x.shape)


@register
class MaxPoolGradGradWithArgmax(_ArgmaxGradBase):
    """`grad` (input-shaped) read at `argmax`: an output-shaped tensor. The adjoint of
    MaxPoolGradWithArgmax, which is its gradient for `grad`."""

    def infer(self, op):
        self._check_inputs(op)
        x, g, argmax = op.inputs
        return [(x.dtype, argmax.shape if argmax.shape.ndims is not None
                 else self.pooled_shape(op, x.shape))]

    def kernel(self, x, g, argmax):
        self._check_input(x)
        if g.shape != x.shape:
            raise _invalid(f"{self.type_name}: grad of shape {list(g.shape)} must have "
                           f"input's shape {list(x.shape)}")
        _check_pooled(self, x, argmax, "argmax")
        index = self._offsets(x, argmax)
        return g.reshape(-1)[index]

    def grad(self, op, dy):
        x, _, argmax = op.inputs
        back = apply_op(MaxPoolGradWithArgmax(**self.argmax_attrs()),
                        [x, convert_to_tensor(dy), argmax])
        return [None, back, None]


# --------------------------------------------------------------------------- builder
class MaxPoolWithArgmaxResult(NamedTuple):
    """What max_pool_with_argmax returns (TF1's MaxPoolWithArgmax namedtuple)."""

    output: Any
    argmax: Any


def _four_ints(value: Any, what: str) -> list:
    # TF1 passes ksize / strides to the raw op: a list of 4 ints, nothing shorter.
    if isinstance(value, Tensor):
        from flowgraph.ops.shape_util import static_ints
        value = static_ints(value, what)
    if not isinstance(value, (list, tuple, np.ndarray)):
        raise TypeError(f"Expected list for '{what}' argument to 'max_pool_with_argmax' Op, "
                        f"not {value!r}.")
    value = list(value)
    if len(value) < 4:
        raise ValueError(f"Attr '{what}' of 'MaxPoolWithArgmax' Op passed list of length "
                         f"{len(value)} less than minimum 4.")
    return value


def max_pool_with_argmax(input: Any, ksize: Any, strides: Any, padding: str,
                         data_format: str = "NHWC", Targmax: Any = None,  # noqa: N803
                         name: Optional[str] = None, output_dtype: Any = None,
                         include_batch_in_index: bool = False) -> MaxPoolWithArgmaxResult:
    """Max pooling of a 4-D NHWC tensor that also returns the flattened index of each
    maximum (node "MaxPoolWithArgmax"), as TF1's `tf.nn.max_pool_with_argmax`.

    Parameters
    ----------
    input : Tensor
        ``[batch, height, width, channels]``, float or integer.
    ksize, strides : list of 4 ints
        The window size and the step between windows, e.g. ``[1, 2, 2, 1]``.
    padding : "SAME" or "VALID"
    data_format : "NHWC"
        The only layout TF1 supports here.
    Targmax, output_dtype : int32 or int64 (default int64)
        The argmax dtype (`output_dtype` is the newer spelling; give at most one).
    include_batch_in_index : bool
        Whether argmax counts from the start of the batch rather than of each image.

    Returns
    -------
    MaxPoolWithArgmaxResult
        ``(output, argmax)``: the pooled values and, for each, ``(y * width + x) * channels
        + c`` (plus ``b * height * width * channels`` with include_batch_in_index) of the
        first cell holding the window's maximum.
    """
    if data_format != "NHWC":
        raise ValueError(f"Data formats other than 'NHWC' are not yet supported, got "
                         f"data_format={data_format!r}")
    if Targmax is not None and output_dtype is not None:
        raise ValueError("Cannot specify both 'Targmax' and 'output_dtype'.")
    argmax_dtype = output_dtype if Targmax is None else Targmax
    argmax_dtype = dtypes.int64 if argmax_dtype is None else dtypes.as_dtype(argmax_dtype)
    op_def = MaxPoolWithArgmax(ksize=_four_ints(ksize, "ksize"),
                               strides=_four_ints(strides, "strides"),
                               padding=_padding(padding), Targmax=argmax_dtype,
                               include_batch_in_index=bool(include_batch_in_index))
    output, argmax = apply_op(op_def, [convert_to_tensor(input)], name=name)
    return MaxPoolWithArgmaxResult(output, argmax)
