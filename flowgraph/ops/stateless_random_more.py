"""More of TF1's stateless random ops: `tf.random.stateless_gamma`, `stateless_poisson` and
`stateless_binomial`. As flowgraph.ops.stateless_random: the values are a pure function of
(shape, seed, parameters), drawn from numpy's Philox generator keyed by the seed (TF1's
distributions, not its bits). The parameters broadcast to the output `shape` (they match its
rightmost dimensions). No gradients.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Optional

import numpy as np

from flowgraph import dtypes, errors
from flowgraph.graph import Tensor
from flowgraph.ops.constant import convert_to_tensor
from flowgraph.ops.elementwise import op_scope
from flowgraph.ops.random import run_dims, shape_from_input, shape_tensor
from flowgraph.ops.registry import apply_op, register
from flowgraph.ops.stateless_random import (
    _check_seed,
    _seed_tensor,
    _StatelessShaped,
    seeded_generator,
)

__all__ = ["stateless_random_gamma", "stateless_random_poisson", "stateless_random_binomial"]

_FLOATS = (dtypes.float16, dtypes.float32, dtypes.float64)
_NUMBERS = _FLOATS + (dtypes.int32, dtypes.int64)


def _check_broadcast(op: Any, out_shape: Any, params: list) -> None:
    if out_shape.ndims is None:
        return
    out = out_shape.as_list()
    for tensor in params:
        if tensor.shape.ndims is None:
            continue
        dims = tensor.shape.as_list()
        ok = len(dims) <= len(out) and all(
            d is None or o is None or d in (1, o) for d, o in zip(reversed(dims),
                                                                   reversed(out)))
        if not ok:
            raise ValueError(f"{op.type}: {tensor.name} of shape {tensor.shape} does not "
                             f"broadcast to the output shape {out_shape}: parameters must "
                             "match the rightmost dimensions of `shape`")


def _broadcast(params: tuple, dims: tuple) -> list:
    try:
        return [np.broadcast_to(p, dims) for p in params]
    except ValueError:
        shapes = ", ".join(str(list(np.shape(p))) for p in params)
        raise errors.InvalidArgumentError(
            None, None, f"Parameters of shapes {shapes} do not broadcast to the output shape "
                        f"{list(dims)}") from None


@dataclasses.dataclass(frozen=True, kw_only=True)
class _StatelessParam(_StatelessShaped):
    """Inputs: shape (1-D int), seed ([2] int), then the distribution's parameters."""

    allowed_dtypes = _NUMBERS

    def infer(self, op):
        _check_seed(op, op.inputs[1])
        shape = shape_from_input(op, op.inputs[0])
        _check_broadcast(op, shape, list(op.inputs[2:]))
        return [(self.dtype, shape)]


@register
class StatelessRandomGammaV2(_StatelessParam):
    """Samples of Gamma(alpha (input 2), 1), a function of (shape, seed)."""

    allowed_dtypes = _FLOATS

    def kernel(self, shape, seed, alpha):
        dims = run_dims(shape)
        (alpha,) = _broadcast((alpha,), dims)
        draws = seeded_generator(seed).standard_gamma(alpha.astype(np.float64), size=dims)
        return np.asarray(draws, dtype=self.dtype.np)


@register
class StatelessRandomPoisson(_StatelessParam):
    """Samples of Poisson(lam (input 2)) as `dtype`, a function of (shape, seed)."""

    dtype: dtypes.DType = dtypes.int32

    def kernel(self, shape, seed, lam):
        dims = run_dims(shape)
        (lam,) = _broadcast((lam,), dims)
        draws = seeded_generator(seed).poisson(lam.astype(np.float64), size=dims)
        return np.asarray(draws, dtype=self.dtype.np)


@register
class StatelessRandomBinomial(_StatelessParam):
    """Samples of Binomial(counts (input 2), probs (input 3)) as `dtype`, a function of
    (shape, seed)."""

    dtype: dtypes.DType = dtypes.int32

    def kernel(self, shape, seed, counts, probs):
        dims = run_dims(shape)
        counts, probs = _broadcast((counts, probs), dims)
        draws = seeded_generator(seed).binomial(np.asarray(counts).astype(np.int64),
                                                np.clip(probs.astype(np.float64), 0, 1),
                                                size=dims)
        return np.asarray(draws, dtype=self.dtype.np)


# --------------------------------------------------------------------------- builders
def stateless_random_gamma(shape: Any, seed: Any, alpha: Any, beta: Any = None,
                           dtype: Any = dtypes.float32, name: Optional[str] = None) -> Tensor:
    """Deterministic samples of Gamma(alpha, beta) (beta is the rate; default 1), a function
    of `seed` (shape [2]); alpha and beta broadcast to the rightmost dimensions of `shape`.

    >>> fg.Session().run(fg.random.stateless_gamma([3, 2], [1, 2], alpha=[1.0, 5.0])).shape
    (3, 2)
    """
    from flowgraph.ops.array_extra import broadcast_dynamic_shape
    from flowgraph.ops.division import truediv
    from flowgraph.ops.math import maximum
    from flowgraph.ops.shape_ops import broadcast_to
    from flowgraph.ops.shape_ops import shape as shape_of
    dtype = dtypes.as_dtype(dtype)
    if dtype not in _FLOATS:
        raise ValueError(f"Invalid dtype {dtype.name} for stateless_random_gamma: use "
                         "float16, float32 or float64")
    with op_scope(name, "stateless_random_gamma", [shape, seed, alpha, beta]) as scope:
        shape = shape_tensor(shape)
        seed = _seed_tensor(seed)
        alpha = convert_to_tensor(alpha, dtype=dtype, name="alpha")
        beta = convert_to_tensor(1 if beta is None else beta, dtype=dtype, name="beta")
        both = broadcast_dynamic_shape(shape_of(alpha), shape_of(beta))
        draws = apply_op(StatelessRandomGammaV2(dtype=dtype),
                         [shape, seed, broadcast_to(alpha, both)])
        return maximum(np.finfo(dtype.np).tiny, truediv(draws, beta), name=scope)


def stateless_random_poisson(shape: Any, seed: Any, lam: Any, dtype: Any = dtypes.int32,
                             name: Optional[str] = None) -> Tensor:
    """Deterministic samples of Poisson(lam) as `dtype` (float16/32/64, int32, int64), a
    function of `seed` (shape [2]); lam broadcasts to the rightmost dimensions of `shape`."""
    dtype = dtypes.as_dtype(dtype)
    with op_scope(name, "stateless_random_poisson", [shape, seed, lam]) as scope:
        lam = convert_to_tensor(lam, name="lam")
        if lam.dtype not in _NUMBERS:
            raise TypeError(f"lam must be a float or int tensor, got {lam.dtype.name}")
        return apply_op(StatelessRandomPoisson(dtype=dtype),
                        [shape_tensor(shape), _seed_tensor(seed), lam], name=scope)


def stateless_random_binomial(shape: Any, seed: Any, counts: Any, probs: Any,
                              output_dtype: Any = dtypes.int32,
                              name: Optional[str] = None) -> Tensor:
    """Deterministic samples of Binomial(counts, probs) as `output_dtype`, a function of
    `seed` (shape [2]); counts and probs broadcast to the rightmost dimensions of `shape`."""
    dtype = dtypes.as_dtype(output_dtype)
    with op_scope(name, "stateless_random_binomial", [shape, seed, counts, probs]) as scope:
        counts = convert_to_tensor(counts, name="counts")
        probs = convert_to_tensor(probs, dtype=counts.dtype, name="probs")
        if counts.dtype not in _NUMBERS:
            raise TypeError(f"counts must be a float or int tensor, got {counts.dtype.name}")
        return apply_op(StatelessRandomBinomial(dtype=dtype),
                        [shape_tensor(shape), _seed_tensor(seed), counts, probs], name=scope)
