"""Shared helpers of fg.image: image rank checks and dimensions that are ints when known
at build time and scalar tensors otherwise (TF1's `_ImageDimensions`)."""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from flowgraph import dtypes
from flowgraph.graph import Tensor


def is_tensor(value: Any) -> bool:
    """True for a Tensor or anything that converts to one (a Variable)."""
    return isinstance(value, Tensor) or hasattr(value, "__fg_tensor__")


def as_image(image: Any, name: str = "image") -> Tensor:
    from flowgraph.ops.constant import convert_to_tensor
    return convert_to_tensor(image, name=name)


def check_at_least_3d(image: Tensor) -> None:
    """TF1's static part of `_CheckAtLeast3DImage`: ValueError for a rank below 3 or a
    zero-sized dimension (the run-time checks are the ops' own)."""
    shape = image.shape
    if shape.ndims is not None and shape.ndims < 3:
        raise ValueError(f"'image' must be at least three-dimensional, got shape {shape}")
    if shape.ndims is not None and any(d == 0 for d in shape.as_list()):
        raise ValueError(f"all dims of 'image.shape' must be > 0: {shape}")


def rank_3_or_4(image: Tensor) -> int:
    """3 or 4; an image of unknown rank counts as 3-D (as TF1's flips do)."""
    check_at_least_3d(image)
    rank = image.shape.ndims
    if rank is None:
        return 3
    if rank not in (3, 4):
        raise ValueError(f"'image' must have either 3 or 4 dimensions, got shape "
                         f"{image.shape}")
    return rank


def image_dims(image: Tensor, rank: int) -> list:
    """The dimensions of a rank-`rank` image: ints where known, scalar int32 tensors
    otherwise."""
    from flowgraph.ops.array import unstack
    from flowgraph.ops.shape_ops import shape
    static = image.shape.with_rank(rank).as_list()
    if all(d is not None for d in static):
        return static
    dynamic = unstack(shape(image), num=rank)
    return [s if s is not None else d for s, d in zip(static, dynamic)]


def check(condition: Any, message: str) -> None:
    """TF1's `_assert` for Python conditions: ValueError when False. Conditions on tensors
    (known only at run time) are left to the ops, which check them when running."""
    if is_tensor(condition):
        return
    if not bool(condition):
        raise ValueError(message)


def elementwise(py: Callable, graph_fn: Callable) -> Callable:
    """A function of two values that uses `py` on Python numbers and `graph_fn` when
    either is a tensor (TF1's max_ / min_ helpers)."""
    def apply(x: Any, y: Any) -> Any:
        return graph_fn(x, y) if is_tensor(x) or is_tensor(y) else py(x, y)
    return apply


def _maximum(x: Any, y: Any) -> Any:
    from flowgraph.ops.math import maximum
    return maximum(x, y)


def _minimum(x: Any, y: Any) -> Any:
    from flowgraph.ops.math import minimum
    return minimum(x, y)


max_ = elementwise(max, _maximum)
min_ = elementwise(min, _minimum)


def int_vector(values: list) -> Any:
    """A 1-D int32 value from ints and scalar tensors: a numpy array when all are known,
    else a packed tensor."""
    if not any(is_tensor(v) for v in values):
        return np.array(values, dtype=np.int32)
    from flowgraph.ops.array import stack
    from flowgraph.ops.cast import cast
    from flowgraph.ops.constant import convert_to_tensor
    parts = []
    for v in values:
        t = convert_to_tensor(v, dtype=dtypes.int32) if not is_tensor(v) else \
            convert_to_tensor(v)
        parts.append(t if t.dtype == dtypes.int32 else cast(t, dtypes.int32))
    return stack(parts)


def batched(image: Tensor) -> tuple:
    """(4-D image, was_batch): a 3-D (or unknown-rank) image gets a batch dimension of 1,
    as TF1's crop and pad functions do."""
    from flowgraph.ops.shape_ops import expand_dims
    ndims = image.shape.ndims
    if ndims == 4:
        return image, True
    if ndims not in (None, 3):
        raise ValueError(f"'image' must have either 3 or 4 dimensions, got shape "
                         f"{image.shape}")
    expanded = expand_dims(image, 0)
    if ndims is None:
        expanded.set_shape([None] * 4)
    return expanded, False


def unbatched(image: Tensor, was_batch: bool) -> Tensor:
    from flowgraph.ops.shape_ops import squeeze
    return image if was_batch else squeeze(image, axis=[0])
