"""Stateless random ops (TF1's `tf.random.stateless_*`): the values are a pure function of
the shape and of a `seed` input (a shape-[2] int32/int64 tensor), so the same seed gives the
same values in every Session and run, and these ops are not stateful (they may be folded).

Each kernel draws from numpy's Philox generator keyed by the seed: the same distributions
as TF1's, not the same bits. No gradients, as TF1.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Optional

import numpy as np

from flowgraph import dtypes, errors
from flowgraph.graph import Tensor
from flowgraph.ops.constant import convert_to_tensor
from flowgraph.ops.elementwise import check_dtype, op_scope
from flowgraph.ops.random import (
    RandomUniformInt,
    TruncatedNormal,
    _floats,
    run_dims,
    shape_from_input,
    shape_tensor,
)
from flowgraph.ops.random_sampling import Multinomial
from flowgraph.ops.registry import Op, apply_op, constant_value, register
from flowgraph.shapes import TensorShape

__all__ = ["stateless_random_uniform", "stateless_random_normal",
           "stateless_truncated_normal", "stateless_categorical", "stateless_multinomial"]

_FLOATS = (dtypes.float16, dtypes.float32, dtypes.float64)


def seeded_generator(seed: np.ndarray) -> np.random.Generator:
    """numpy's Philox generator keyed by the two seed words."""
    seed = np.asarray(seed)
    if seed.shape != (2,):
        raise errors.InvalidArgumentError(None, None, f"seed must have shape [2], not "
                                          f"{list(seed.shape)}")
    key = seed.astype(np.int64).astype(np.uint64)
    return np.random.Generator(np.random.Philox(key=key))


class _FixedRng:
    """Stands in for a Session's RunState so the stateful ops' draw code can be reused with
    a seeded generator."""

    def __init__(self, generator: np.random.Generator) -> None:
        self._generator = generator

    def rng(self, seeds: Any) -> np.random.Generator:
        return self._generator


def _check_seed(op: Any, seed: Tensor) -> None:
    if seed.dtype not in (dtypes.int32, dtypes.int64):
        raise TypeError(f"{op.type}: seed must be int32 or int64, got {seed.dtype.name} "
                        f"({seed.name})")
    if seed.shape.ndims is not None and seed.shape.as_tuple() not in ((2,), (None,)):
        raise ValueError(f"{op.type}: seed must have shape [2], got {seed.shape} "
                         f"({seed.name})")


@dataclasses.dataclass(frozen=True, kw_only=True)
class _StatelessShaped(Op):
    """Inputs: shape (1-D int) and seed ([2] int); output of that shape and `dtype`."""

    dtype: dtypes.DType = dtypes.float32
    differentiable = False
    allowed_dtypes = _FLOATS

    def check(self) -> None:
        if self.dtype not in self.allowed_dtypes:
            raise TypeError(f"{self.type_name}: dtype must be one of "
                            f"{', '.join(d.name for d in self.allowed_dtypes)}, got "
                            f"{self.dtype.name}")

    def infer(self, op):
        _check_seed(op, op.inputs[1])
        return [(self.dtype, shape_from_input(op, op.inputs[0]))]


@register
class StatelessRandomUniform(_StatelessShaped):
    """Floats uniform in [0, 1), a function of (shape, seed)."""

    def kernel(self, shape, seed):
        values = _floats(seeded_generator(seed), "random", run_dims(shape), self.dtype)
        if self.dtype == dtypes.float16:  # float32 values just below 1 round up to 1.0
            np.minimum(values, np.float16(1) - np.finfo(np.float16).epsneg, out=values)
        return values


@register
class StatelessRandomNormal(_StatelessShaped):
    """Samples of N(0, 1), a function of (shape, seed)."""

    def kernel(self, shape, seed):
        return _floats(seeded_generator(seed), "standard_normal", run_dims(shape), self.dtype)


@register
class StatelessTruncatedNormal(_StatelessShaped):
    """Samples of N(0, 1) redrawn until within two standard deviations, a function of
    (shape, seed)."""

    def kernel(self, shape, seed):
        return TruncatedNormal(dtype=self.dtype).draw(seeded_generator(seed), run_dims(shape))


@register
class StatelessRandomUniformInt(_StatelessShaped):
    """Integers uniform in [minval, maxval) (scalar inputs 2 and 3), a function of
    (shape, seed)."""

    dtype: dtypes.DType = dtypes.int64
    allowed_dtypes = (dtypes.int32, dtypes.int64)

    def infer(self, op):
        _check_seed(op, op.inputs[1])
        low, high = op.inputs[2:]
        for what, t in (("minval", low), ("maxval", high)):
            if t.dtype != self.dtype:
                raise TypeError(f"{op.type}: {what} has dtype {t.dtype.name}, expected "
                                f"{self.dtype.name}")
            if t.shape.ndims not in (None, 0):
                raise ValueError(f"{op.type}: {what} must be a scalar, got shape {t.shape}")
        return [(self.dtype, shape_from_input(op, op.inputs[0]))]

    def kernel(self, shape, seed, low, high):
        return RandomUniformInt().kernel(_FixedRng(seeded_generator(seed)), shape, low, high)


@register
class StatelessMultinomial(Op):
    """Class indices drawn from each row of logits [batch, classes] (input 0), num_samples
    (input 1) per row, a function of (logits, num_samples, seed (input 2))."""

    output_dtype: dtypes.DType = dtypes.int64
    differentiable = False

    def check(self) -> None:
        if self.output_dtype not in (dtypes.int32, dtypes.int64):
            raise TypeError(f"StatelessMultinomial output_dtype must be int32 or int64, got "
                            f"{self.output_dtype.name}")

    def infer(self, op):
        logits, count, seed = op.inputs
        _check_seed(op, seed)
        check_dtype(op, logits, "f", "logits")
        check_dtype(op, count, "i", "num_samples")
        if logits.shape.ndims not in (None, 2):
            raise ValueError(f"{op.type}: logits must be 2-D [batch_size, num_classes], got "
                             f"shape {logits.shape}")
        if count.shape.ndims not in (None, 0):
            raise ValueError(f"{op.type}: num_samples must be a scalar, got shape "
                             f"{count.shape}")
        batch = None if logits.shape.ndims is None else logits.shape.as_tuple()[0]
        n = constant_value(count)
        if n is not None and n < 0:
            raise ValueError(f"{op.type}: num_samples must be >= 0, got {int(n)}")
        return [(self.output_dtype, TensorShape([batch, None if n is None else int(n)]))]

    def kernel(self, logits, num_samples, seed):
        sampler = Multinomial(output_dtype=self.output_dtype)
        return sampler.kernel(_FixedRng(seeded_generator(seed)), logits, num_samples)


# --------------------------------------------------------------------------- builders
def _seed_tensor(seed: Any) -> Tensor:
    tensor = convert_to_tensor(seed, name="seed")
    if tensor.dtype not in (dtypes.int32, dtypes.int64):
        raise TypeError(f"seed must be an int32 or int64 tensor of shape [2], got dtype "
                        f"{tensor.dtype.name}")
    if tensor.shape.ndims is not None and tensor.shape.as_tuple() not in ((2,), (None,)):
        raise ValueError(f"seed must have shape [2], got {tensor.shape}")
    return tensor


def _scaled(op_class: type, default: str, shape: Any, seed: Any, dtype: Any, low: Any,
            high: Any, name: Optional[str]) -> Tensor:
    """draws * (high - low) + low for uniform draws (low, high = minval, maxval), else
    draws * high + low (low, high = mean, stddev), as TF1's composites."""
    from flowgraph.ops.math import add, multiply, subtract
    dtype = dtypes.as_dtype(dtype)
    if dtype not in _FLOATS:
        raise ValueError(f"Invalid dtype {dtype.name} for {default}: use float16, float32 or "
                         "float64")
    with op_scope(name, default, [shape, seed, low, high]) as scope:
        shape = shape_tensor(shape)
        seed = _seed_tensor(seed)
        uniform = op_class is StatelessRandomUniform
        low = convert_to_tensor(low, dtype=dtype, name="min" if uniform else "mean")
        high = convert_to_tensor(high, dtype=dtype, name="max" if uniform else "stddev")
        draws = apply_op(op_class(dtype=dtype), [shape, seed])
        scale = subtract(high, low) if uniform else high
        return add(multiply(draws, scale), low, name=scope)


def stateless_random_uniform(shape: Any, seed: Any, minval: Any = 0, maxval: Any = None,
                             dtype: Any = dtypes.float32, name: Optional[str] = None) -> Tensor:
    """Deterministic values uniform in [minval, maxval): the same `seed` (shape [2], int32
    or int64) gives the same values in every run and Session.

    For float dtypes `maxval` defaults to 1; int32 / int64 need both minval and maxval
    (ValueError otherwise).

    >>> a = fg.random.stateless_uniform([2], seed=[1, 2])
    >>> b = fg.random.stateless_uniform([2], seed=[1, 2])
    >>> s = fg.Session(); bool((s.run(a) == s.run(b)).all())
    True
    """
    dtype = dtypes.as_dtype(dtype)
    if dtype not in _FLOATS + (dtypes.int32, dtypes.int64):
        raise ValueError(f"Invalid dtype {dtype.name} for stateless_random_uniform: use "
                         "float16, float32, float64, int32 or int64")
    if not dtype.is_integer:
        return _scaled(StatelessRandomUniform, "stateless_random_uniform", shape, seed,
                       dtype, minval, 1 if maxval is None else maxval, name)
    if minval is None or maxval is None:
        raise ValueError(f"Must specify both minval and maxval for integer dtype {dtype.name}")
    with op_scope(name, "stateless_random_uniform", [shape, seed, minval, maxval]) as scope:
        inputs = [shape_tensor(shape), _seed_tensor(seed),
                  convert_to_tensor(minval, dtype=dtype, name="min"),
                  convert_to_tensor(maxval, dtype=dtype, name="max")]
        return apply_op(StatelessRandomUniformInt(dtype=dtype), inputs, name=scope)


def stateless_random_normal(shape: Any, seed: Any, mean: Any = 0.0, stddev: Any = 1.0,
                            dtype: Any = dtypes.float32, name: Optional[str] = None) -> Tensor:
    """Deterministic samples of N(mean, stddev**2), a function of `seed` (shape [2])."""
    return _scaled(StatelessRandomNormal, "stateless_random_normal", shape, seed, dtype,
                   mean, stddev, name)


def stateless_truncated_normal(shape: Any, seed: Any, mean: Any = 0.0, stddev: Any = 1.0,
                               dtype: Any = dtypes.float32,
                               name: Optional[str] = None) -> Tensor:
    """Deterministic samples of N(mean, stddev**2) within two standard deviations of the
    mean, a function of `seed` (shape [2])."""
    return _scaled(StatelessTruncatedNormal, "stateless_truncated_normal", shape, seed, dtype,
                   mean, stddev, name)


def _stateless_categorical(logits: Any, num_samples: Any, seed: Any, dtype: Any,
                           name: Optional[str], default: str) -> Tensor:
    with op_scope(name, default, [logits, num_samples, seed]) as scope:
        logits = convert_to_tensor(logits, name="logits")
        count = convert_to_tensor(num_samples, dtype=dtypes.int32, name="num_samples")
        seed = _seed_tensor(seed)
        op_def = StatelessMultinomial(output_dtype=dtypes.as_dtype(dtype))
        return apply_op(op_def, [logits, count, seed], name=scope)


def stateless_categorical(logits: Any, num_samples: Any, seed: Any, dtype: Any = dtypes.int64,
                          name: Optional[str] = None) -> Tensor:
    """Deterministic class indices [batch_size, num_samples] drawn from each row of
    `logits` [batch_size, num_classes] (unnormalized log-probabilities), a function of
    `seed` (shape [2])."""
    return _stateless_categorical(logits, num_samples, seed, dtype, name,
                                  "stateless_categorical")


def stateless_multinomial(logits: Any, num_samples: Any, seed: Any,
                          output_dtype: Any = dtypes.int64,
                          name: Optional[str] = None) -> Tensor:
    """TF1's name for `stateless_categorical` (with `output_dtype`)."""
    return _stateless_categorical(logits, num_samples, seed, output_dtype, name,
                                  "stateless_multinomial")

