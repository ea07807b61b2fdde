"""Helpers shared by the import converters."""

from __future__ import annotations

from typing import Any, Optional, Sequence

import numpy as np

from flowgraph.onnx.unsupported import CannotConvertError


def fg() -> Any:
    """The flowgraph package (imported late: flowgraph.onnx loads inside it)."""
    import flowgraph
    return flowgraph


def rank(tensor: Any) -> int:
    ndims = tensor.shape.ndims
    if ndims is None:
        raise CannotConvertError(f"it needs the rank of {tensor.name}, which is unknown; give the "
                          "model's inputs shapes")
    return ndims


def normalize_axes(axes: Sequence[int], ndims: int) -> list:
    return [int(a) + ndims if int(a) < 0 else int(a) for a in axes]


def axes_of(ctx: Any, attrs: dict, inputs: list, position: int) -> Optional[list]:
    """The `axes` of a node: an attribute in older opsets, an optional input in newer ones
    (None when neither is given)."""
    if "axes" in attrs:
        return [int(a) for a in attrs["axes"]]
    if len(inputs) > position and inputs[position] is not None:
        return ctx.static_ints(inputs[position], "axes")
    return None


def static_dims(tensor: Any) -> Optional[list]:
    dims = tensor.shape.as_tuple()
    return None if dims is None else list(dims)


def scalar_like(value: Any, tensor: Any) -> Any:
    """A constant of `tensor`'s dtype."""
    return fg().constant(np.asarray(value, dtype=tensor.dtype.np))
