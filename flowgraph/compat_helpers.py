"""`tf.compat.forward_compatible`, `forward_compatibility_horizon` and
`dimension_at_index`, as TF 1.15's.

Graph code asks ``forward_compatible(y, m, d)`` before emitting a newer form of an op; it is
true once the compatibility horizon is past that date. The horizon is TF 1.15's release-time
horizon, moved by ``TF_FORWARD_COMPATIBILITY_DELTA_DAYS`` days (read once, as TF does) or,
within a block, set by `forward_compatibility_horizon`.
"""

from __future__ import annotations

import contextlib
import datetime
import os
from typing import Any, Iterator

from flowgraph.shapes import Dimension, as_shape

_HORIZON = datetime.date(2019, 10, 1)
_DELTA_DAYS_VAR = "TF_FORWARD_COMPATIBILITY_DELTA_DAYS"


def _initial_horizon() -> datetime.date:
    delta = os.environ.get(_DELTA_DAYS_VAR)
    if delta:
        return _HORIZON + datetime.timedelta(days=int(delta))
    return _HORIZON


_horizon = _initial_horizon()


def forward_compatible(year: int, month: int, day: int) -> bool:
    """Whether the forward compatibility horizon is after `year`-`month`-`day`."""
    return _horizon > datetime.date(year, month, day)


@contextlib.contextmanager
def forward_compatibility_horizon(year: int, month: int, day: int) -> Iterator[None]:
    """Within the block the horizon is `year`-`month`-`day` (for testing new op forms)."""
    global _horizon
    previous, _horizon = _horizon, datetime.date(year, month, day)
    try:
        yield
    finally:
        _horizon = previous


def dimension_at_index(shape: Any, index: int) -> Dimension:
    """The Dimension of `shape` at `index` (unknown for a shape of unknown rank), as TF1's
    ``tf.compat.dimension_at_index``."""
    shape = as_shape(shape)
    if shape.ndims is None:
        return Dimension(None)
    return shape.dims[index]
