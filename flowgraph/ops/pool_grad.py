"""Gradient ops of the pooling ops (TF1's MaxPoolGrad, MaxPoolGradGrad, AvgPoolGrad and their
3-D forms, and flowgraph's SumPoolGrad).

- MaxPoolGrad(orig_input, orig_output, grad) routes each window's gradient to the first
  cell (in scan order) that holds the window's maximum, as TF1's CPU kernel does on ties.
  orig_output must be the MaxPool of orig_input.
- MaxPoolGradGrad(orig_input, orig_output, grad) is its adjoint: each window picks `grad`
  at that same cell. Each is the other's gradient, so derivatives of any order exist.
- AvgPoolGrad(orig_input_shape, grad) spreads each window's gradient evenly over its real
  cells; its gradient is AvgPool itself (SumPoolGrad / SumPool likewise).

The kernels loop over window offsets only, like the forward ones; where windows do not
overlap (2x2 windows with stride 2, ...), gradients are written without summing.
"""

from __future__ import annotations

import dataclasses
from typing import Any, ClassVar

import numpy as np

from flowgraph import errors
from flowgraph.ops.elementwise import check_dtype
from flowgraph.ops.pool import PoolAttrs, lowest, work_dtype
from flowgraph.ops.registry import apply_op, register
from flowgraph.ops.shape_util import known_vector
from flowgraph.runtime import intra_op

__all__: list = []


def _invalid(message: str) -> errors.InvalidArgumentError:
    return errors.InvalidArgumentError(None, None, message)


def _check_pooled(attrs: PoolAttrs, x_shape: tuple, y: np.ndarray, what: str) -> None:
    """Raises unless `y` has the shape pooling an input of `x_shape` gives."""
    if y.ndim != len(attrs.ksize) or len(x_shape) != len(attrs.ksize) or \
            attrs.to_last(y).shape != attrs.pooled_last_shape(x_shape):
        raise _invalid(f"{attrs.type_name}: {what} of shape {list(y.shape)} does not match "
                       f"the pooling of an input of shape {list(x_shape)}")


# --------------------------------------------------------------------------- max
@dataclasses.dataclass(frozen=True, kw_only=True)
class _MaxPoolGradBase(PoolAttrs):
    """Inputs orig_input, orig_output (its MaxPool) and a third of one dtype."""

    def _check_inputs(self, op: Any) -> None:
        x, y, g = op.inputs
        check_dtype(op, x, "fiu", "orig_input")
        for what, t in (("orig_output", y), ("grad", g)):
            if t.dtype != x.dtype:
                raise TypeError(f"{op.type} needs {what} of orig_input's dtype "
                                f"{x.dtype.name}, got {t.dtype.name}")
        for what, t in (("orig_input", x), ("orig_output", y), ("grad", g)):
            if t.shape.ndims not in (None, len(self.ksize)):
                raise ValueError(f"{op.type} needs {what} of rank {len(self.ksize)}, got "
                                 f"shape {t.shape}")

    def _window_hits(self, x_last: np.ndarray, y_last: np.ndarray):
        """Yields (geometry, index into the padded input, mask of the windows whose first
        maximum is at this offset), for every window offset in scan order, for inputs in
        channels-last layout. The mask is one buffer, overwritten by the next offset: use it
        before asking for the next."""
        geo = self.geometry(self.from_last(x_last).shape)
        padded = geo.pad(x_last, lowest(x_last.dtype))
        hit = np.empty(y_last.shape, bool)
        free = np.empty(y_last.shape, bool)  # windows whose maximum is not found yet
        offsets = list(geo.offsets())
        for n, index in enumerate(offsets):
            np.equal(padded[index], y_last, out=hit)
            if n == 0:
                np.logical_not(hit, out=free)
            else:
                hit &= free
                if n < len(offsets) - 1:
                    np.greater(free, hit, out=free)  # free and not hit
            yield geo, index, hit


@register
class MaxPoolGrad(_MaxPoolGradBase):
    """The gradient of MaxPool for its input: ``grad`` (shaped as the pooled output) added
    at the first maximum of each window; output shaped as orig_input."""

    def infer(self, op):
        self._check_inputs(op)
        x, y, g = op.inputs
        pooled = self.pooled_shape(op, x.shape)
        for what, t in (("orig_output", y), ("grad", g)):
            if not t.shape.is_compatible_with(pooled):
                raise ValueError(f"{op.type}: {what} of shape {t.shape} does not match the "
                                 f"pooled shape {pooled} of orig_input {x.shape}")
        return [(x.dtype, x.shape)]

    def kernel(self, x, y, dy):
        _check_pooled(self, x.shape, y, "orig_output")
        _check_pooled(self, x.shape, dy, "grad")
        geo = self.geometry(x.shape)
        x_last = self.to_last(x)
        if geo.empty or x.size == 0:
            return np.zeros(x.shape, dy.dtype)
        shape = geo.padded_shape(x_last.shape[0], x_last.shape[-1])
        # Windows that tile the (padded) input write every cell: no zeros needed first.
        g = np.empty(shape, dy.dtype) if geo.tiles else np.zeros(shape, dy.dtype)
        y_last, dy_last = self.to_last(y), self.to_last(dy)

        def route(first: int, end: int) -> None:  # images first..end-1, on one thread
            rows = slice(first, end)
            g_part, dy_part = g[rows], dy_last[rows]
            part = None if geo.disjoint else np.empty(dy_part.shape, dy.dtype)
            for _, index, hit in self._window_hits(x_last[rows], y_last[rows]):
                if geo.disjoint:
                    np.multiply(dy_part, hit, out=g_part[index])
                else:
                    np.multiply(dy_part, hit, out=part)
                    g_part[index] += part

        intra_op.split(shape[0], x.size, route)
        if geo.padded:
            g = g[geo.inner()]
        return self.from_last(g)

    def grad(self, op, d):
        x, y, _ = op.inputs
        grad_grad = GRAD_GRADS[self.type_name]
        return [None, None, apply_op(grad_grad(**self.pool_attrs()), [x, y, d])]


@register
class MaxPool3DGrad(MaxPoolGrad):
    """MaxPoolGrad of MaxPool3D (5-D inputs)."""

    spatial_rank = 3


@register
class MaxPoolGradGrad(_MaxPoolGradBase):
    """The adjoint of MaxPoolGrad: for each window, `grad` (shaped as orig_input) read at
    the window's first maximum; output shaped as orig_output."""

    def infer(self, op):
        self._check_inputs(op)
        x, y, g = op.inputs
        if not g.shape.is_compatible_with(x.shape):
            raise ValueError(f"{op.type}: grad of shape {g.shape} must have orig_input's "
                             f"shape {x.shape}")
        pooled = self.pooled_shape(op, x.shape)
        if not y.shape.is_compatible_with(pooled):
            raise ValueError(f"{op.type}: orig_output of shape {y.shape} does not match the "
                             f"pooled shape {pooled} of orig_input {x.shape}")
        return [(x.dtype, y.shape.merge_with(pooled))]

    def kernel(self, x, y, ddx):
        _check_pooled(self, x.shape, y, "orig_output")
        if ddx.shape != x.shape:
            raise _invalid(f"{self.type_name}: grad of shape {list(ddx.shape)} must have "
                           f"orig_input's shape {list(x.shape)}")
        out = np.zeros(self.to_last(y).shape, ddx.dtype)
        if out.size == 0:
            return self.from_last(out)
        padded = None
        for geo, index, hit in self._window_hits(self.to_last(x), self.to_last(y)):
            if padded is None:
                padded = geo.pad(self.to_last(ddx), 0)
            out += padded[index] * hit
        return self.from_last(out)

    def grad(self, op, d):
        x, y, _ = op.inputs
        grad_class = GRAD_OF_GRAD_GRAD[self.type_name]
        return [None, None, apply_op(grad_class(**self.pool_attrs()), [x, y, d])]


@register
class MaxPool3DGradGrad(MaxPoolGradGrad):
    """MaxPoolGradGrad of MaxPool3D (5-D inputs)."""

    spatial_rank = 3


# --------------------------------------------------------------------------- avg / sum
@dataclasses.dataclass(frozen=True, kw_only=True)
class _SumPoolGradBase(PoolAttrs):
    """Inputs orig_input_shape (int32 vector) and grad (the pooled output's gradient)."""

    average: ClassVar[bool] = True
    forward: ClassVar[str] = "AvgPool"

    def infer(self, op):
        shape, g = op.inputs
        check_dtype(op, shape, "iu", "orig_input_shape")
        check_dtype(op, g, "f" if self.average else "fiu", "grad")
        rank = len(self.ksize)
        if shape.shape.ndims not in (None, 1) or shape.shape.as_tuple() not in (
                None, (None,), (rank,)):
            raise ValueError(f"{op.type} needs orig_input_shape of {rank} entries, got a "
                             f"tensor of shape {shape.shape}")
        if g.shape.ndims not in (None, rank):
            raise ValueError(f"{op.type} needs grad of rank {rank}, got shape {g.shape}")
        dims = known_vector(shape)
        if dims is None:
            return [(g.dtype, [None] * rank)]
        dims = [d if d is None or d >= 0 else None for d in dims]
        from flowgraph.shapes import TensorShape
        pooled = self.pooled_shape(op, TensorShape(dims))
        if not g.shape.is_compatible_with(pooled):
            raise ValueError(f"{op.type}: grad of shape {g.shape} does not match the pooled "
                             f"shape {pooled} of an input of shape {dims}")
        return [(g.dtype, dims)]

    def kernel(self, shape, dy):
        if shape.ndim != 1 or shape.size != len(self.ksize) or (shape < 0).any():
            raise _invalid(f"{self.type_name}: orig_input_shape must hold {len(self.ksize)} "
                           f"non-negative sizes, got {shape.tolist()}")
        dims = tuple(int(d) for d in shape)
        _check_pooled(self, dims, dy, "grad")
        geo = self.geometry(dims)
        moved = self.last_shape(dims)
        if geo.empty or 0 in dims:
            return np.zeros(dims, dy.dtype)
        wide = work_dtype(dy.dtype)
        scaled = self.to_last(dy).astype(wide, copy=False)
        if self.average:
            scaled = scaled / geo.counts(wide)
        shape = geo.padded_shape(moved[0], moved[-1])
        g = np.empty(shape, wide) if geo.tiles else np.zeros(shape, wide)
        for index in geo.offsets():
            if geo.disjoint:
                g[index] = scaled
            else:
                g[index] += scaled
        if geo.padded:
            g = g[geo.inner()]
        return self.from_last(g.astype(dy.dtype, copy=False))

    def grad(self, op, d):
        from flowgraph.ops.registry import lookup
        forward = lookup(self.forward)(**self.pool_attrs())
        return [None, apply_op(forward, [d])]


@register
class AvgPoolGrad(_SumPoolGradBase):
    """The gradient of AvgPool for its input: each window's gradient divided among its real
    cells; output of the shape given by orig_input_shape."""


@register
class AvgPool3DGrad(_SumPoolGradBase):
    """AvgPoolGrad of AvgPool3D (5-D inputs)."""

    spatial_rank = 3
    forward = "AvgPool3D"


@register
class SumPoolGrad(_SumPoolGradBase):
    """The gradient of SumPool: each window's gradient added to each of its real cells."""

    spatial_rank = None
    average = False
    forward = "SumPool"


MAX_GRADS = {"MaxPool": MaxPoolGrad, "MaxPool3D": MaxPool3DGrad}
GRAD_GRADS = {"MaxPoolGrad": MaxPoolGradGrad, "MaxPool3DGrad": MaxPool3DGradGrad}
GRAD_OF_GRAD_GRAD = {"MaxPoolGradGrad": MaxPoolGrad, "MaxPool3DGradGrad": MaxPool3DGrad}
SUM_GRADS = {"AvgPool": AvgPoolGrad, "AvgPool3D": AvgPool3DGrad, "SumPool": SumPoolGrad}
