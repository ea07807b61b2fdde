"""TF1's QuantizeAndDequantizeV2 and its builder `tf.quantization.quantize_and_dequantize`.

Values are scaled onto the integers [min_quantized, max_quantized] (e.g. [-128, 127] for
8 signed bits), rounded and scaled back. The scale is the largest one that maps the range
[input_min, input_max] (or the input's own min and max, without `range_given`) inside the
integer range while keeping 0 at 0; the side of the range that does not decide the scale
is widened or narrowed to match. As TF's kernel (quantize_and_dequantize_op.h), in the
input's dtype. The gradient is straight-through: the incoming gradient, unchanged.
"""

from __future__ import annotations

from typing import Any, Optional

import numpy as np

from flowgraph import errors
from flowgraph.graph import Tensor
from flowgraph.ops.constant import convert_to_tensor
from flowgraph.ops.elementwise import check_dtype
from flowgraph.ops.registry import Op, apply_op, register

# Public as fg.quantization.quantize_and_dequantize only (TF1 has no top-level name).
__all__: list = []

_ROUND_MODES = ("HALF_TO_EVEN", "HALF_UP")


@register
class QuantizeAndDequantizeV2(Op):
    """`input` quantized to `num_bits` integers and dequantized. Inputs: input, input_min,
    input_max (scalars, or vectors along `axis` when axis >= 0; read only with
    `range_given`)."""

    # Straight-through: the output is piecewise constant, so finite differences (0) cannot
    # check the gradient (1); tests/ops/test_fake_quant.py checks it against TF.
    grad_checked_elsewhere = "tests/ops/test_fake_quant.py"

    signed_input: bool = True
    num_bits: int = 8
    range_given: bool = False
    round_mode: str = "HALF_TO_EVEN"
    narrow_range: bool = False
    axis: int = -1

    def check(self) -> None:
        if self.round_mode not in _ROUND_MODES:
            raise ValueError(f"Attr 'round_mode' of 'QuantizeAndDequantizeV2' Op passed "
                             f"string {self.round_mode!r} not in: {list(_ROUND_MODES)}")
        if self.axis < -1:
            raise ValueError(f"QuantizeAndDequantizeV2: axis must be -1 (one range for "
                             f"the whole tensor) or a dimension >= 0, got {self.axis}")

    def infer(self, op):
        x, lo, hi = op.inputs
        check_dtype(op, x, "f", "input")
        for what, t in (("input_min", lo), ("input_max", hi)):
            if t.dtype != x.dtype:
                raise TypeError(f"{op.type} needs {what} of input's dtype {x.dtype.name}, "
                                f"got {t.name} of dtype {t.dtype.name}")
        depth = None
        if self.axis >= 0:
            if x.shape.ndims is not None:
                if x.shape.ndims <= self.axis:
                    raise ValueError(f"{op.type}: axis {self.axis} needs an input of rank "
                                     f">= {self.axis + 1}, got shape {x.shape}")
                depth = x.shape[self.axis]
        for what, t in (("input_min", lo), ("input_max", hi)):
            want = 0 if self.axis == -1 else 1
            if t.shape.ndims not in (None, want):
                kind = "a scalar" if want == 0 else f"a vector along axis {self.axis}"
                raise ValueError(f"{op.type} needs {what} to be {kind}, got shape {t.shape}")
            if want == 1 and t.shape.ndims == 1:
                size = t.shape[0]
                if depth is not None and size is not None and size != depth:
                    raise ValueError(f"{op.type}: {what} has {size} values but input has "
                                     f"{depth} along axis {self.axis} (shape {x.shape})")
        return [(x.dtype, x.shape)]

    def kernel(self, x, lo, hi):
        limit = 62 if self.signed_input else 63
        if not 0 < self.num_bits < limit:
            raise errors.InvalidArgumentError(
                None, None, f"num_bits is out of range: {self.num_bits} with signed_input "
                f"{self.signed_input}; it must be in 1..{limit - 1}")
        if self.axis >= x.ndim:
            raise errors.InvalidArgumentError(
                None, None, f"QuantizeAndDequantizeV2: axis {self.axis} is out of range for "
                f"input of shape {list(x.shape)}")
        if x.size == 0:
            return x.copy()
        t = x.dtype.type
        depth = 1 if self.axis == -1 else x.shape[self.axis]
        pre = 1 if self.axis == -1 else int(np.prod(x.shape[:self.axis]))
        rows = x.reshape(pre, depth, -1)
        if self.range_given:
            lo = np.broadcast_to(np.asarray(lo, x.dtype), (depth,)).copy()
            hi = np.broadcast_to(np.asarray(hi, x.dtype), (depth,)).copy()
            if np.any(lo > hi):
                raise errors.InvalidArgumentError(
                    None, None, f"Invalid range: input_min {lo.tolist()} > input_max "
                    f"{hi.tolist()}; with range_given=True input_min must be <= input_max")
        else:
            lo = rows.min(axis=(0, 2))
            hi = rows.max(axis=(0, 2))
        lo, hi, scale, inverse_scale = self.quantization_range(lo, hi, t)
        values = rows
        if self.range_given:
            # Keeps the quantized values inside the integer type, as TF.
            values = np.maximum(np.minimum(rows, hi[:, None]), lo[:, None])
        scaled = values * scale[:, None]
        if self.round_mode == "HALF_UP":
            rounded = np.floor(scaled + t(0.5))
        else:
            rounded = np.rint(scaled)
        return (rounded * inverse_scale[:, None]).astype(x.dtype).reshape(x.shape)

    def quantization_range(self, lo: np.ndarray, hi: np.ndarray, t: Any) -> tuple:
        """TF's ComputeQuantizationRange, per channel: (min, max, scale, inverse_scale)."""
        bits = self.num_bits
        if self.signed_input:
            q_min = -(1 << (bits - 1)) + (1 if self.narrow_range else 0)
            q_max = (1 << (bits - 1)) - 1
        else:
            q_min, q_max = 0, (1 << bits) - 1
        q_min, q_max = t(q_min), t(q_max)
        big = t(np.finfo(t).max)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            from_min = np.where(q_min * lo > 0, q_min / lo, big).astype(t)
            from_max = np.where(q_max * hi > 0, q_max / hi, big).astype(t)
            use_min = from_min < from_max
            scale = np.where(use_min, from_min, from_max).astype(t)
            inverse = np.where(use_min, lo / q_min, hi / q_max).astype(t)
            new_lo = np.where(use_min, lo, q_min * inverse).astype(t)
            new_hi = np.where(use_min, q_max * inverse, hi).astype(t)
        return new_lo, new_hi, scale, inverse

    def grad(self, op, dy):
        return [dy, None, None]


def quantize_and_dequantize(input: Any, input_min: Any, input_max: Any,
                            signed_input: bool = True, num_bits: int = 8,
                            range_given: bool = False, round_mode: str = "HALF_TO_EVEN",
                            name: Optional[str] = None, narrow_range: bool = False,
                            axis: Optional[int] = None) -> Tensor:
    """Quantizes then dequantizes a float tensor (node "QuantizeAndDequantizeV2").

    Parameters
    ----------
    input : Tensor
        float16, float32 or float64.
    input_min, input_max : scalar, or vectors along `axis`
        The range to represent, used only when `range_given`; otherwise the input's own
        min and max (per slice along `axis`) are used.
    signed_input : bool
        Integers in [-2**(num_bits-1), 2**(num_bits-1) - 1] if True, [0, 2**num_bits - 1]
        otherwise.
    num_bits : int
        The bit width.
    range_given : bool
        Use `input_min` and `input_max` (inputs are then clamped to the adjusted range).
    round_mode : {"HALF_TO_EVEN", "HALF_UP"}
        How halves are rounded.
    narrow_range : bool
        Drop the most negative signed level (-127..127 for 8 bits).
    axis : int, optional
        Quantize each slice along this dimension with its own range.

    The gradient is the incoming gradient, unchanged (straight-through), as TF1.

    >>> fg.quantization.quantize_and_dequantize([-1.0, 0.3, 2.0], -1.0, 1.0)
    ... # [-1.007874, 0.2992126, 2.0]
    """
    x = convert_to_tensor(input)
    if axis is None:
        axis = -1
    elif axis < 0:
        if x.shape.ndims is None:
            raise ValueError("input should have known rank to use negative axis.")
        axis %= x.shape.ndims
    op_def = QuantizeAndDequantizeV2(signed_input=signed_input, num_bits=num_bits,
                                     range_given=range_given, round_mode=round_mode,
                                     narrow_range=narrow_range, axis=axis)
    lo = convert_to_tensor(input_min, dtype=x.dtype)
    hi = convert_to_tensor(input_max, dtype=x.dtype)
    return apply_op(op_def, [x, lo, hi], name=name)
