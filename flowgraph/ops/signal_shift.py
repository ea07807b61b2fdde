"""``tf.signal.fftshift`` and ``ifftshift``: roll the zero-frequency term to the centre and
back, as TF 1.15 (a `roll` by half of each shifted dimension, so gradients come for free)."""

from __future__ import annotations

from typing import Any, Optional

from flowgraph.graph import Tensor
from flowgraph.ops.constant import convert_to_tensor
from flowgraph.ops.division import floordiv
from flowgraph.ops.elementwise import op_scope
from flowgraph.ops.gather import gather
from flowgraph.ops.reorder import roll
from flowgraph.ops.shape_ops import shape
from flowgraph.ops.unary import negative

__all__ = ["fftshift", "ifftshift"]


def _half_shift(x: Tensor, axes: Any, where: str) -> tuple:
    """(shift, axes) for a roll of x by half its size along `axes` (None: every axis)."""
    if axes is None:
        if x.shape.ndims is None:
            raise ValueError(f"{where} with axes=None needs a tensor of known rank, got shape "
                             f"{x.shape}; pass `axes` explicitly.")
        return floordiv(shape(x), 2), tuple(range(x.shape.ndims))
    if isinstance(axes, int):
        return floordiv(shape(x)[axes], 2), axes
    return floordiv(gather(shape(x), axes), 2), axes


def fftshift(x: Any, axes: Any = None, name: Optional[str] = None) -> Tensor:
    """Shifts the zero-frequency component to the centre of the spectrum (numpy's
    ``fft.fftshift``): rolls `x` by ``size // 2`` along each of `axes` (an int, a list, or
    None for all axes).

    >>> fg.signal.fftshift([0., 1., 2., 3., 4.])  # -> [3., 4., 0., 1., 2.]
    """
    with op_scope(name, "fftshift", [x]) as scope:
        x = convert_to_tensor(x)
        shift, axes = _half_shift(x, axes, "fftshift")
        return roll(x, shift, axes, name=scope)


def ifftshift(x: Any, axes: Any = None, name: Optional[str] = None) -> Tensor:
    """The inverse of `fftshift` (numpy's ``fft.ifftshift``): rolls `x` by ``-(size // 2)``
    along each of `axes` (an int, a list, or None for all axes)."""
    with op_scope(name, "ifftshift", [x]) as scope:
        x = convert_to_tensor(x)
        shift, axes = _half_shift(x, axes, "ifftshift")
        return roll(x, negative(shift), axes, name=scope)
