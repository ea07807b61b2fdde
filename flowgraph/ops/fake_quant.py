"""Fake quantization (TF1's FakeQuantWithMinMax{Args,Vars,VarsPerChannel} and their
gradient ops): float32 values rounded onto a grid of ``2**num_bits`` levels and back.

The range [min, max] is first "nudged" so that 0.0 is exactly representable: the zero
point ``quant_min - min / scale`` is rounded to an integer level, and the range is shifted
to match (``scale = (max - min) / (quant_max - quant_min)``). Values are clamped to the
nudged range and rounded with ``floor(v + 0.5)``, as TF's kernels
(tensorflow/core/kernels/fake_quant_ops_functor.h), in float32 arithmetic.

Gradients are TF's straight-through estimates: the incoming gradient passes where
``nudged_min <= x <= nudged_max``; for the *Vars ops, the gradient of the values clamped
below (above) is summed into the gradient of `min` (`max`), per channel for PerChannel.
"""

from __future__ import annotations

import dataclasses
from typing import Any, NamedTuple, Optional

import numpy as np

from flowgraph import dtypes, errors
from flowgraph.graph import Tensor
from flowgraph.ops.constant import convert_to_tensor
from flowgraph.ops.registry import Op, apply_op, register

__all__ = [
    "fake_quant_with_min_max_args",
    "fake_quant_with_min_max_args_gradient",
    "fake_quant_with_min_max_vars",
    "fake_quant_with_min_max_vars_gradient",
    "fake_quant_with_min_max_vars_per_channel",
    "fake_quant_with_min_max_vars_per_channel_gradient",
]

_F32 = np.float32


def _round_half_away(x: np.ndarray) -> np.ndarray:
    """std::round: halves away from zero, exact for every float."""
    whole = np.trunc(x)
    return whole + np.sign(x) * (np.abs(x - whole) >= 0.5)


def nudge(min_value: Any, max_value: Any, quant_min: int, quant_max: int) -> tuple:
    """TF's Nudge in float32: (nudged_min, nudged_max, scale, inv_scale), elementwise over
    arrays of mins and maxes."""
    lo, hi = _F32(quant_min), _F32(quant_max)
    min_value = np.asarray(min_value, _F32)
    max_value = np.asarray(max_value, _F32)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        scale = (max_value - min_value) / (hi - lo)
        # Recomputed rather than 1 / scale, as TF, to keep its precision.
        inv_scale = (hi - lo) / (max_value - min_value)
        zero_from_min = lo - min_value / scale
        zero_point = np.where(zero_from_min < lo, lo,
                              np.where(zero_from_min > hi, hi,
                                       _round_half_away(zero_from_min))).astype(_F32)
        return (((lo - zero_point) * scale).astype(_F32),
                ((hi - zero_point) * scale).astype(_F32),
                scale.astype(_F32), inv_scale.astype(_F32))


@dataclasses.dataclass(frozen=True, kw_only=True)
class _FakeQuantAttrs(Op):
    """The attributes every fake-quant op has."""

    num_bits: int = 8
    narrow_range: bool = False

    def quant_range(self) -> tuple:
        """(quant_min, quant_max); InvalidArgumentError for num_bits outside 2..16."""
        if not 2 <= self.num_bits <= 16:
            raise errors.InvalidArgumentError(
                None, None, f"{self.type_name}: num_bits must be between 2 and 16, "
                f"inclusive, got {self.num_bits}")
        return (1 if self.narrow_range else 0), (1 << self.num_bits) - 1

    def check_float32(self, op: Any, *named: tuple) -> None:
        for what, t in named:
            if t.dtype != dtypes.float32:
                raise TypeError(f"{op.type} needs float32 {what}, got {t.name} of dtype "
                                f"{t.dtype.name}; cast it with fg.cast(x, fg.float32)")

    def same_shape(self, op: Any, a: Tensor, b: Tensor, what: str) -> Any:
        if not a.shape.is_compatible_with(b.shape):
            raise ValueError(f"{op.type}: {what} of shape {b.shape} must have the shape of "
                             f"inputs, {a.shape}")
        return a.shape.merge_with(b.shape)


def _quantize(x: np.ndarray, nmin: Any, nmax: Any, scale: Any, inv_scale: Any,
              divide: bool) -> np.ndarray:
    """TF's fake-quant formula; `divide` selects its ``/ scale`` variant (the Vars kernel)
    over ``* inv_scale`` (Args and PerChannel)."""
    quant_zero = np.floor(-nmin * inv_scale + _F32(0.5))
    shifted = np.maximum(np.minimum(x, nmax), nmin) - nmin
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        levels = shifted / scale if divide else shifted * inv_scale
        return (np.floor(levels - quant_zero + _F32(0.5)) * scale).astype(_F32)


def _args_grad(dy: np.ndarray, x: np.ndarray, nmin: Any, nmax: Any) -> np.ndarray:
    return (dy * ((x >= nmin) & (x <= nmax))).astype(_F32)


# --------------------------------------------------------------------------- Args
@dataclasses.dataclass(frozen=True, kw_only=True)
class _ArgsAttrs(_FakeQuantAttrs):
    min: float = -6.0
    max: float = 6.0

    def nudged(self) -> tuple:
        quant_min, quant_max = self.quant_range()
        if not self.min < self.max:
            raise errors.InvalidArgumentError(
                None, None, f"{self.type_name}: min has to be smaller than max, was: "
                f"{self.min} >= {self.max}")
        return nudge(self.min, self.max, quant_min, quant_max)


@register
class FakeQuantWithMinMaxArgs(_ArgsAttrs):
    """float32 `inputs` fake-quantized to `num_bits` over the nudged [min, max]."""

    # A straight-through estimate, not the derivative of the (piecewise-constant) output,
    # so finite differences of the op cannot check it; the test checks it against TF's
    # numbers and finite differences of the clamp it stands for.
    grad_checked_elsewhere = "tests/ops/test_fake_quant.py"

    def infer(self, op):
        x = op.inputs[0]
        self.check_float32(op, ("inputs", x))
        return [(dtypes.float32, x.shape)]

    def kernel(self, x):
        nmin, nmax, scale, inv_scale = self.nudged()
        return _quantize(x, nmin, nmax, scale, inv_scale, divide=False)

    def grad(self, op, dy):
        return [apply_op(FakeQuantWithMinMaxArgsGradient(**self.attributes()),
                         [dy, op.inputs[0]])]


@register
class FakeQuantWithMinMaxArgsGradient(_ArgsAttrs):
    """`gradients` where the `inputs` of FakeQuantWithMinMaxArgs lie in the nudged
    [min, max], 0 elsewhere."""

    differentiable = False
    stops_gradient = True  # TF1's NotDifferentiable: gradients through it are None

    def infer(self, op):
        dy, x = op.inputs
        self.check_float32(op, ("gradients", dy), ("inputs", x))
        return [(dtypes.float32, self.same_shape(op, x, dy, "gradients"))]

    def kernel(self, dy, x):
        if dy.shape != x.shape:
            raise errors.InvalidArgumentError(
                None, None, f"{self.type_name}: gradients and inputs must have the same "
                f"shape, got {list(dy.shape)} and {list(x.shape)}")
        nmin, nmax, _, _ = self.nudged()
        return _args_grad(dy, x, nmin, nmax)


# --------------------------------------------------------------------------- Vars
def _check_min_max(op: Any, attrs: _FakeQuantAttrs, per_channel: bool) -> Any:
    """Checks the min and max inputs (op.inputs[-2:]); returns the channel dimension (or
    None) that they and the inputs' last dimension share."""
    x = op.inputs[-3]
    attrs.check_float32(op, ("min", op.inputs[-2]), ("max", op.inputs[-1]))
    if not per_channel:
        for what, t in (("min", op.inputs[-2]), ("max", op.inputs[-1])):
            if t.shape.ndims not in (None, 0):
                raise ValueError(f"{op.type} needs a scalar {what}, got shape {t.shape}; use "
                                 "fake_quant_with_min_max_vars_per_channel for one range "
                                 "per channel")
        return None
    if x.shape.ndims == 0:
        raise ValueError(f"{op.type} needs inputs of rank >= 1 (channels last), got a "
                         "scalar")
    depth = x.shape[-1] if x.shape.ndims is not None else None
    for what, t in (("min", op.inputs[-2]), ("max", op.inputs[-1])):
        if t.shape.ndims not in (None, 1):
            raise ValueError(f"{op.type} needs a 1-D {what} (one value per channel), got "
                             f"shape {t.shape}")
        size = t.shape[0] if t.shape.ndims == 1 else None
        if depth is not None and size is not None and depth != size:
            raise ValueError(f"{op.type}: {what} has {size} values but inputs have {depth} "
                             f"channels (last dimension of shape {x.shape})")
        depth = depth if depth is not None else size
    return depth


def _channels(x: np.ndarray, lo: np.ndarray, hi: np.ndarray, name: str) -> None:
    if x.ndim == 0 or lo.shape != (x.shape[-1],) or hi.shape != (x.shape[-1],):
        raise errors.InvalidArgumentError(
            None, None, f"{name} needs min and max of shape [d] for inputs of shape [..., d], "
            f"got inputs {list(x.shape)}, min {list(lo.shape)}, max {list(hi.shape)}")


def _vars_forward(x, lo, hi, quant_range, divide):
    zero_range = (lo == 0) & (hi == 0)  # TF: all zeros, rather than a 0/0 range
    nmin, nmax, scale, inv_scale = nudge(lo, hi, *quant_range)
    out = _quantize(x, nmin, nmax, scale, inv_scale, divide)
    return np.where(zero_range, _F32(0), out).astype(_F32)


def _vars_backward(dy, x, lo, hi, quant_range):
    """(dx, dmin, dmax) with dmin and dmax summed over all but the last axis."""
    zero_range = (lo == 0) & (hi == 0)  # TF: the gradient passes; none for min and max
    nmin, nmax, _, _ = nudge(lo, hi, *quant_range)
    dx = np.where(zero_range, dy, _args_grad(dy, x, nmin, nmax)).astype(_F32)
    axes = tuple(range(x.ndim - np.ndim(lo)))
    dmin = np.where(zero_range, 0, np.sum(dy * (x < nmin), axis=axes, dtype=np.float64))
    dmax = np.where(zero_range, 0, np.sum(dy * (x > nmax), axis=axes, dtype=np.float64))
    return dx, dmin.astype(_F32), dmax.astype(_F32)


@register
class FakeQuantWithMinMaxVars(_FakeQuantAttrs):
    """float32 `inputs` fake-quantized to `num_bits` over the nudged range of the scalar
    tensors [min, max]. Inputs: inputs, min, max."""

    grad_checked_elsewhere = "tests/ops/test_fake_quant.py"  # straight-through

    def infer(self, op):
        x = op.inputs[0]
        self.check_float32(op, ("inputs", x))
        _check_min_max(op, self, per_channel=False)
        return [(dtypes.float32, x.shape)]

    def kernel(self, x, lo, hi):
        return _vars_forward(x, lo, hi, self.quant_range(), divide=True)

    def grad(self, op, dy):
        return list(apply_op(FakeQuantWithMinMaxVarsGradient(**self.attributes()),
                             [dy, *op.inputs]))


@register
class FakeQuantWithMinMaxVarsGradient(_FakeQuantAttrs):
    """(backprops_wrt_input, backprop_wrt_min, backprop_wrt_max) of FakeQuantWithMinMaxVars.
    Inputs: gradients, inputs, min, max."""

    differentiable = False
    stops_gradient = True  # TF1's NotDifferentiable: gradients through it are None

    def infer(self, op):
        dy, x = op.inputs[:2]
        self.check_float32(op, ("gradients", dy), ("inputs", x))
        _check_min_max(op, self, per_channel=False)
        shape = self.same_shape(op, x, dy, "gradients")
        return [(dtypes.float32, shape), (dtypes.float32, []), (dtypes.float32, [])]

    def kernel(self, dy, x, lo, hi):
        if dy.shape != x.shape:
            raise errors.InvalidArgumentError(
                None, None, f"{self.type_name}: gradients and inputs must have the same "
                f"shape, got {list(dy.shape)} and {list(x.shape)}")
        return _vars_backward(dy, x, lo, hi, self.quant_range())


@register
class FakeQuantWithMinMaxVarsPerChannel(_FakeQuantAttrs):
    """float32 `inputs` of shape [..., d] fake-quantized per channel (last dimension) over
    the ranges [min[c], max[c]]. Inputs: inputs, min [d], max [d]."""

    grad_checked_elsewhere = "tests/ops/test_fake_quant.py"  # straight-through

    def infer(self, op):
        x = op.inputs[0]
        self.check_float32(op, ("inputs", x))
        _check_min_max(op, self, per_channel=True)
        return [(dtypes.float32, x.shape)]

    def kernel(self, x, lo, hi):
        _channels(x, lo, hi, self.type_name)
        return _vars_forward(x, lo, hi, self.quant_range(), divide=False)

    def grad(self, op, dy):
        return list(apply_op(FakeQuantWithMinMaxVarsPerChannelGradient(**self.attributes()),
                             [dy, *op.inputs]))


@register
class FakeQuantWithMinMaxVarsPerChannelGradient(_FakeQuantAttrs):
    """(backprops_wrt_input, backprop_wrt_min [d], backprop_wrt_max [d]) of
    FakeQuantWithMinMaxVarsPerChannel. Inputs: gradients, inputs, min, max."""

    differentiable = False
    stops_gradient = True  # TF1's NotDifferentiable: gradients through it are None

    def infer(self, op):
        dy, x = op.inputs[:2]
        self.check_float32(op, ("gradients", dy), ("inputs", x))
        depth = _check_min_max(op, self, per_channel=True)
        shape = self.same_shape(op, x, dy, "gradients")
        return [(dtypes.float32, shape), (dtypes.float32, [depth]),
                (dtypes.float32, [depth])]

    def kernel(self, dy, x, lo, hi):
        _channels(x, lo, hi, self.type_name)
        if dy.shape != x.shape:
            raise errors.InvalidArgumentError(
                None, None, f"{self.type_name}: gradients and inputs must have the same "
                f"shape, got {list(dy.shape)} and {list(x.shape)}")
        return _vars_backward(dy, x, lo, hi, self.quant_range())


# --------------------------------------------------------------------------- builders
class FakeQuantGradients(NamedTuple):
    """What the *Vars gradient functions return (TF1's namedtuple of three tensors)."""

    backprops_wrt_input: Any
    backprop_wrt_min: Any
    backprop_wrt_max: Any


def _float32(value: Any) -> Tensor:
    """A Tensor as it is (its dtype is checked by the op), anything else as float32."""
    if isinstance(value, Tensor) or hasattr(value, "__fg_tensor__"):
        return convert_to_tensor(value)
    return convert_to_tensor(np.asarray(value, dtype=np.float32))


def _attrs(num_bits: Any, narrow_range: Any) -> dict:
    return {"num_bits": num_bits, "narrow_range": narrow_range}


def fake_quant_with_min_max_args(inputs: Any, min: float = -6, max: float = 6,
                                 num_bits: int = 8, narrow_range: bool = False,
                                 name: Optional[str] = None) -> Tensor:
    """Fake-quantizes float32 `inputs` over the fixed range [min, max] (node
    "FakeQuantWithMinMaxArgs").

    The range is nudged so that 0.0 is a quantization level; values are clamped to it and
    rounded to one of ``2**num_bits`` levels (``2**num_bits - 1`` with `narrow_range`).
    `num_bits` must be in 2..16 and min < max (InvalidArgumentError when run otherwise).

    >>> fg.fake_quant_with_min_max_args([-7.0, 0.1, 3.0])   # [-6.0235, 0.0941, 3.0118]
    """
    op_def = FakeQuantWithMinMaxArgs(min=min, max=max, **_attrs(num_bits, narrow_range))
    return apply_op(op_def, [_float32(inputs)], name=name)


def fake_quant_with_min_max_args_gradient(gradients: Any, inputs: Any, min: float = -6,
                                          max: float = 6, num_bits: int = 8,
                                          narrow_range: bool = False,
                                          name: Optional[str] = None) -> Tensor:
    """The gradient of fake_quant_with_min_max_args: `gradients` where `inputs` lie in the
    nudged [min, max], 0 elsewhere (node "FakeQuantWithMinMaxArgsGradient")."""
    op_def = FakeQuantWithMinMaxArgsGradient(min=min, max=max,
                                             **_attrs(num_bits, narrow_range))
    return apply_op(op_def, [_float32(gradients), _float32(inputs)],
                    name=name)


def fake_quant_with_min_max_vars(inputs: Any, min: Any, max: Any, num_bits: int = 8,
                                 narrow_range: bool = False,
                                 name: Optional[str] = None) -> Tensor:
    """Fake-quantizes float32 `inputs` over the range of the scalar float32 tensors `min`
    and `max` (usually Variables trained with it; node "FakeQuantWithMinMaxVars").

    The gradient passes to `inputs` inside the nudged range; the gradients of the values
    clamped below (above) it are summed into the gradient of `min` (`max`). min == max == 0
    gives zeros.
    """
    op_def = FakeQuantWithMinMaxVars(**_attrs(num_bits, narrow_range))
    return apply_op(op_def, [_float32(inputs), _float32(min),
                             _float32(max)], name=name)


def fake_quant_with_min_max_vars_gradient(gradients: Any, inputs: Any, min: Any, max: Any,
                                          num_bits: int = 8, narrow_range: bool = False,
                                          name: Optional[str] = None) -> FakeQuantGradients:
    """The gradients of fake_quant_with_min_max_vars for inputs, min and max (node
    "FakeQuantWithMinMaxVarsGradient"), as (backprops_wrt_input, backprop_wrt_min,
    backprop_wrt_max)."""
    op_def = FakeQuantWithMinMaxVarsGradient(**_attrs(num_bits, narrow_range))
    outs = apply_op(op_def, [_float32(gradients), _float32(inputs),
                             _float32(min), _float32(max)], name=name)
    return FakeQuantGradients(*outs)


def fake_quant_with_min_max_vars_per_channel(inputs: Any, min: Any, max: Any,
                                             num_bits: int = 8, narrow_range: bool = False,
                                             name: Optional[str] = None) -> Tensor:
    """Fake-quantizes float32 `inputs` of shape [..., d] with one range per channel (last
    dimension) from the float32 vectors `min` and `max` of shape [d] (node
    "FakeQuantWithMinMaxVarsPerChannel")."""
    op_def = FakeQuantWithMinMaxVarsPerChannel(**_attrs(num_bits, narrow_range))
    return apply_op(op_def, [_float32(inputs), _float32(min),
                             _float32(max)], name=name)


def fake_quant_with_min_max_vars_per_channel_gradient(
        gradients: Any, inputs: Any, min: Any, max: Any, num_bits: int = 8,
        narrow_range: bool = False, name: Optional[str] = None) -> FakeQuantGradients:
    """The gradients of fake_quant_with_min_max_vars_per_channel for inputs, min [d] and
    max [d] (node "FakeQuantWithMinMaxVarsPerChannelGradient")."""
    op_def = FakeQuantWithMinMaxVarsPerChannelGradient(**_attrs(num_bits, narrow_range))
    outs = apply_op(op_def, [_float32(gradients), _float32(inputs),
                             _float32(min), _float32(max)], name=name)
    return FakeQuantGradients(*outs)
