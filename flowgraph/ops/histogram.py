"""TF1's fixed-width histograms: `histogram_fixed_width` and `histogram_fixed_width_bins`,
composed from existing ops (no kernel of their own).

Both map a value v to bin floor((v - lo) / (hi - lo) * nbins), clamped to [0, nbins - 1], so
values below the range land in bin 0 and values at or above `hi` in the last bin (TF1's
HistogramFixedWidth kernel and `histogram_ops.histogram_fixed_width_bins`).
"""

from __future__ import annotations

from typing import Any, Optional

from flowgraph import dtypes
from flowgraph.graph import Tensor
from flowgraph.ops.constant import convert_to_tensor
from flowgraph.ops.elementwise import op_scope

__all__ = ["histogram_fixed_width", "histogram_fixed_width_bins"]


def _check_values(values: Tensor, where: str) -> None:
    if not (values.dtype.is_floating or values.dtype.is_integer):
        raise TypeError(f"{where}: values must be a real (float or int) tensor, got "
                        f"{values.dtype.name}")


def histogram_fixed_width_bins(values: Any, value_range: Any, nbins: Any = 100,
                               dtype: Any = dtypes.int32, name: Optional[str] = None) -> Tensor:
    """The bin index of each value for `nbins` equal bins over `value_range`, as TF1.

    Parameters
    ----------
    values : Tensor
        Numeric tensor of any shape.
    value_range : Tensor
        ``[lo, hi]`` of values' dtype; values below lo go to bin 0, at or above hi to the
        last bin.
    nbins : int or Tensor
        Number of bins (an int32 scalar).
    dtype : DType
        Accepted for TF1 compatibility; as in TF1 the result is always int32.
    name : str, optional
        Name scope (default "histogram_fixed_width_bins").

    Returns
    -------
    Tensor
        int32 tensor of values' shape.
    """
    from flowgraph.ops.cast import cast
    from flowgraph.ops.division import truediv
    from flowgraph.ops.math import clip_by_value, multiply, subtract
    from flowgraph.ops.rounding import floor
    from flowgraph.ops.shape_ops import reshape, shape
    del dtype  # TF1 ignores it too: the bins are int32.
    with op_scope(name, "histogram_fixed_width_bins", [values, value_range, nbins]):
        values = convert_to_tensor(values, name="values")
        _check_values(values, "histogram_fixed_width_bins")
        values_shape = shape(values)
        flat = reshape(values, [-1])
        value_range = convert_to_tensor(value_range, dtype=values.dtype, name="value_range")
        nbins = convert_to_tensor(nbins, dtype=dtypes.int32, name="nbins")
        nbins_float = cast(nbins, values.dtype)
        scaled = truediv(subtract(flat, value_range[0]),
                         subtract(value_range[1], value_range[0]), name="scaled_values")
        indices = floor(multiply(nbins_float, scaled), name="indices")
        indices = cast(clip_by_value(indices, 0, subtract(nbins_float, 1)), dtypes.int32)
        return reshape(indices, values_shape)


def histogram_fixed_width(values: Any, value_range: Any, nbins: Any = 100,
                          dtype: Any = dtypes.int32, name: Optional[str] = None) -> Tensor:
    """How many values fall in each of `nbins` equal bins over `value_range`, as TF1.

    Parameters
    ----------
    values : Tensor
        Numeric tensor of any shape (flattened).
    value_range : Tensor
        ``[lo, hi]`` of values' dtype; values below lo count in bin 0, at or above hi in the
        last bin.
    nbins : int or Tensor
        Number of bins (an int32 scalar).
    dtype : DType
        int32 (default) or int64: the dtype of the counts.
    name : str, optional
        Name scope (default "histogram_fixed_width").

    Returns
    -------
    Tensor
        1-D tensor of `nbins` counts.
    """
    from flowgraph.ops.cast import cast
    from flowgraph.ops.division import truediv
    from flowgraph.ops.fill import ones_like
    from flowgraph.ops.math import maximum, minimum, subtract
    from flowgraph.ops.segment import unsorted_segment_sum
    from flowgraph.ops.shape_ops import reshape
    dtype = dtypes.as_dtype(dtype)
    if dtype not in (dtypes.int32, dtypes.int64):
        raise TypeError(f"histogram_fixed_width: dtype must be int32 or int64, got "
                        f"{dtype.name}")
    with op_scope(name, "histogram_fixed_width", [values, value_range, nbins]) as scope:
        values = convert_to_tensor(values, name="values")
        _check_values(values, "histogram_fixed_width")
        value_range = convert_to_tensor(value_range, dtype=values.dtype, name="value_range")
        nbins = convert_to_tensor(nbins, dtype=dtypes.int32, name="nbins")
        # The kernel works in float64: (max(v, lo) - lo) / step, capped at nbins - 1.
        flat = cast(reshape(values, [-1]), dtypes.float64)
        lo = cast(value_range[0], dtypes.float64)
        hi = cast(value_range[1], dtypes.float64)
        nbins_float = cast(nbins, dtypes.float64)
        step = truediv(subtract(hi, lo), nbins_float)
        offset = truediv(subtract(maximum(flat, lo), lo), step)
        bins = cast(minimum(offset, subtract(nbins_float, 1.0)), dtypes.int32)
        return unsorted_segment_sum(ones_like(bins, dtype=dtype), bins, nbins, name=scope)
