"""`fg.nn.dropout`, as TF1's: a composite of a seeded RandomUniform draw, a comparison and
two multiplications (no op of its own).

Each element of x is kept with probability ``keep_prob = 1 - rate`` and scaled by
``1 / keep_prob``, else set to 0, so the expected value is unchanged. A new mask is drawn
at every `Session.run`; with `seed` (and `fg.set_random_seed`) a new Session replays the
same masks, as the random ops do.
"""

from __future__ import annotations

import numbers
from typing import Any, Optional

import numpy as np

from flowgraph.graph import Tensor
from flowgraph.ops.array import stack
from flowgraph.ops.cast import cast
from flowgraph.ops.compare import greater_equal
from flowgraph.ops.constant import convert_to_tensor
from flowgraph.ops.division import truediv
from flowgraph.ops.elementwise import op_scope
from flowgraph.ops.math import multiply, subtract
from flowgraph.ops.random import random_uniform
from flowgraph.ops.shape_ops import shape
from flowgraph.shapes import TensorShape

__all__ = ["dropout"]


def dropout(x: Any, keep_prob: Any = None, noise_shape: Any = None, seed: Optional[int] = None,
            name: Optional[str] = None, rate: Any = None) -> Tensor:
    """Randomly zeroes elements of `x` and scales the others by ``1 / keep_prob``.

    Parameters
    ----------
    x : Tensor
        A floating tensor.
    keep_prob : float or scalar Tensor, deprecated
        The probability of keeping each element; give it or `rate`, not both.
    noise_shape : list of ints or 1-D int tensor, optional
        The shape of the random keep/drop mask, broadcast against x: ``[batch, 1, 1,
        channels]`` keeps or drops whole feature maps. ``None`` entries take x's size.
    seed : int, optional
        With the graph seed, makes the masks reproducible (see `fg.set_random_seed`).
    rate : float or scalar Tensor
        The probability of dropping each element, in [0, 1). A Python rate of 0 (or
        keep_prob of 1) returns x itself.

    Raises
    ------
    ValueError
        If neither or both of keep_prob and rate are given, if a Python rate is outside
        [0, 1), or if x is not floating.
    """
    try:
        keep = 1.0 - keep_prob if keep_prob is not None else None
    except TypeError:
        raise ValueError(f"keep_prob must be a floating point number or Tensor (got "
                         f"{keep_prob!r})") from None
    if keep is not None and rate is not None:
        raise ValueError("Cannot specify both 'keep_prob' and 'rate'")
    rate = keep if keep is not None else rate
    if rate is None:
        raise ValueError("You must provide a rate to dropout.")
    return _dropout(x, rate, noise_shape, seed, name)


def _dropout(x: Any, rate: Any, noise_shape: Any, seed: Optional[int],
             name: Optional[str]) -> Tensor:
    with op_scope(name, "dropout", [x]) as scope:
        x = convert_to_tensor(x, name="x")
        if not x.dtype.is_floating:
            raise ValueError(f"x has to be a floating point tensor since it's going to be "
                             f"scaled. Got a {x.dtype.name} tensor instead.")
        python_rate = isinstance(rate, (numbers.Real, np.floating, np.integer)) and \
            not isinstance(rate, bool)
        if python_rate:
            rate = float(rate)
            if not 0 <= rate < 1:
                raise ValueError(f"rate must be a scalar tensor or a float in the range "
                                 f"[0, 1), got {rate:g}")
            if rate == 0:
                return x
            scale: Any = 1.0 / (1.0 - rate)
        else:
            rate = convert_to_tensor(rate, dtype=x.dtype, name="rate")
            if rate.shape.ndims not in (None, 0):
                raise ValueError(f"rate must be a scalar, got shape {rate.shape}")
            scale = truediv(1.0, subtract(1.0, rate))
        random_tensor = random_uniform(_noise_shape(x, noise_shape), seed=seed, dtype=x.dtype)
        keep_mask = greater_equal(random_tensor, rate)
        # mask * scale first: on the (possibly smaller) noise shape, and reused by the
        # gradient, which is then one multiplication.
        kept = multiply(cast(keep_mask, x.dtype), scale)
        out = multiply(x, kept, name=scope)
        out.set_shape(x.shape)
        return out


def _noise_shape(x: Tensor, noise_shape: Any) -> Any:
    """The mask's shape: x's (static if known) by default; None entries of a given list are
    filled from x's dimensions."""
    if noise_shape is None:
        return x.shape.as_list() if x.shape.is_fully_defined() else shape(x)
    if isinstance(noise_shape, Tensor) or hasattr(noise_shape, "__fg_tensor__"):
        return noise_shape
    dims = TensorShape(noise_shape).as_list()
    if x.shape.ndims is not None and len(dims) == x.shape.ndims:
        dims = [d if d is not None else x.shape[i].value for i, d in enumerate(dims)]
    if None not in dims:
        return dims
    dynamic = shape(x)
    return stack([d if d is not None else dynamic[i] for i, d in enumerate(dims)])
