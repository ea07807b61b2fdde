"""TF1's deprecated complex casts ``tf.to_complex64`` and ``tf.to_complex128``."""

from __future__ import annotations

from typing import Any

from flowgraph import dtypes
from flowgraph.graph import Tensor
from flowgraph.ops.cast import cast

__all__ = ["to_complex128", "to_complex64"]


def to_complex64(x: Any, name: str = "ToComplex64") -> Tensor:
    """Casts x to complex64 (TF1's deprecated `tf.to_complex64`; use `fg.cast`)."""
    return cast(x, dtypes.complex64, name=name)


def to_complex128(x: Any, name: str = "ToComplex128") -> Tensor:
    """Casts x to complex128 (TF1's deprecated `tf.to_complex128`; use `fg.cast`)."""
    return cast(x, dtypes.complex128, name=name)
