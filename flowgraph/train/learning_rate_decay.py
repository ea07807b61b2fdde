"""Learning-rate schedules as graph ops of the global step (TF1's learning_rate_decay).

Each returns a scalar Tensor of the learning rate's dtype (float32 for a Python number),
recomputed from `global_step` every time it is run; pass it as an optimizer's learning rate.
"""

from __future__ import annotations

import math
from typing import Any, Optional, Sequence

from flowgraph import dtypes
from flowgraph.graph import Tensor
from flowgraph.ops.cast import cast
from flowgraph.ops.constant import constant, convert_to_tensor
from flowgraph.ops.elementwise import op_scope

__all__ = ["exponential_decay", "piecewise_constant", "polynomial_decay", "natural_exp_decay",
           "inverse_time_decay", "cosine_decay", "cosine_decay_restarts",
           "linear_cosine_decay", "noisy_linear_cosine_decay"]


def _require_step(global_step: Any, what: str) -> None:
    if global_step is None:
        raise ValueError(f"global_step is required for {what}.")


def _start(learning_rate: Any, global_step: Any) -> tuple:
    """(learning rate tensor, its dtype, the step cast to that dtype)."""
    lr = convert_to_tensor(learning_rate, name="initial_learning_rate")
    if not lr.dtype.is_floating:
        lr = cast(lr, dtypes.float32)
    return lr, lr.dtype, cast(global_step, lr.dtype)


def exponential_decay(learning_rate: Any, global_step: Any, decay_steps: Any, decay_rate: Any,
                      staircase: bool = False, name: Optional[str] = None) -> Tensor:
    """``learning_rate * decay_rate ^ (global_step / decay_steps)`` (the exponent floored
    with `staircase`).

    >>> lr = fg.train.exponential_decay(0.1, step, 100, 0.96, staircase=True)
    """
    _require_step(global_step, "exponential_decay")
    with op_scope(name, "ExponentialDecay", [learning_rate, global_step]) as scope:
        return _exponential(learning_rate, global_step, decay_steps, decay_rate, staircase,
                            scope)


def _exponential(learning_rate: Any, global_step: Any, decay_steps: Any, decay_rate: Any,
                 staircase: bool, scope: str) -> Tensor:
    from flowgraph.ops.math import multiply, pow
    from flowgraph.ops.rounding import floor
    lr, dtype, step = _start(learning_rate, global_step)
    p = step / cast(decay_steps, dtype)
    if staircase:
        p = floor(p)
    return multiply(lr, pow(cast(decay_rate, dtype), p), name=scope)


def natural_exp_decay(learning_rate: Any, global_step: Any, decay_steps: Any, decay_rate: Any,
                      staircase: bool = False, name: Optional[str] = None) -> Tensor:
    """``learning_rate * exp(-decay_rate * global_step / decay_steps)`` (the step ratio
    floored with `staircase`), computed as TF1 1.15 does: an exponential decay with rate
    ``exp(-decay_rate)``."""
    _require_step(global_step, "natural_exp_decay")
    from flowgraph.ops.unary import exp, negative
    with op_scope(name, "ExponentialDecay", [learning_rate, global_step]) as scope:
        rate = exp(negative(convert_to_tensor(decay_rate, dtype=_dtype_of(learning_rate))))
        return _exponential(learning_rate, global_step, decay_steps, rate, staircase, scope)


def _dtype_of(learning_rate: Any) -> dtypes.DType:
    if isinstance(learning_rate, Tensor) or hasattr(learning_rate, "__fg_tensor__"):
        dtype = convert_to_tensor(learning_rate).dtype
        return dtype if dtype.is_floating else dtypes.float32
    return dtypes.float32


def inverse_time_decay(learning_rate: Any, global_step: Any, decay_steps: Any, decay_rate: Any,
                       staircase: bool = False, name: Optional[str] = None) -> Tensor:
    """``learning_rate / (1 + decay_rate * global_step / decay_steps)`` (the step ratio
    floored with `staircase`)."""
    _require_step(global_step, "inverse_time_decay")
    from flowgraph.ops.division import divide
    from flowgraph.ops.rounding import floor
    with op_scope(name, "InverseTimeDecay", [learning_rate, global_step]) as scope:
        lr, dtype, step = _start(learning_rate, global_step)
        p = step / cast(decay_steps, dtype)
        if staircase:
            p = floor(p)
        denom = 1.0 + cast(decay_rate, dtype) * p
        return divide(lr, denom, name=scope)


def polynomial_decay(learning_rate: Any, global_step: Any, decay_steps: Any,
                     end_learning_rate: Any = 0.0001, power: Any = 1.0, cycle: bool = False,
                     name: Optional[str] = None) -> Tensor:
    """``(learning_rate - end) * (1 - step / decay_steps) ^ power + end``, with the step
    capped at decay_steps; with `cycle`, decay_steps grows to the first multiple of itself
    beyond the step instead."""
    _require_step(global_step, "polynomial_decay")
    from flowgraph.ops.compare import equal
    from flowgraph.ops.logic import where
    from flowgraph.ops.math import add, minimum, multiply, pow
    from flowgraph.ops.rounding import ceil
    with op_scope(name, "PolynomialDecay", [learning_rate, global_step]) as scope:
        lr, dtype, step = _start(learning_rate, global_step)
        end = cast(end_learning_rate, dtype)
        steps = cast(decay_steps, dtype)
        if cycle:
            # The first multiple of decay_steps beyond the step (1 at step 0).
            multiplier = where(equal(step, 0.0), constant(1.0, dtype=dtype),
                               ceil(step / steps))
            steps = steps * multiplier
        else:
            step = minimum(step, steps)
        p = step / steps
        return add(multiply(lr - end, pow(1.0 - p, cast(power, dtype))), end, name=scope)


def cosine_decay(learning_rate: Any, global_step: Any, decay_steps: Any, alpha: Any = 0.0,
                 name: Optional[str] = None) -> Tensor:
    """``learning_rate * ((1 - alpha) * 0.5 * (1 + cos(pi * step / decay_steps)) + alpha)``
    with the step capped at decay_steps (Loshchilov and Hutter's SGDR, without restarts)."""
    _require_step(global_step, "cosine_decay")
    from flowgraph.ops.math import minimum, multiply
    from flowgraph.ops.trig import cos
    with op_scope(name, "CosineDecay", [learning_rate, global_step]) as scope:
        lr, dtype, step = _start(learning_rate, global_step)
        steps = cast(decay_steps, dtype)
        fraction = minimum(step, steps) / steps
        cosine = 0.5 * (1.0 + cos(constant(math.pi, dtype=dtype) * fraction))
        alpha = cast(alpha, dtype)
        return multiply(lr, (1.0 - alpha) * cosine + alpha, name=scope)


def cosine_decay_restarts(learning_rate: Any, global_step: Any, first_decay_steps: Any,
                          t_mul: Any = 2.0, m_mul: Any = 1.0, alpha: Any = 0.0,
                          name: Optional[str] = None) -> Tensor:
    """Cosine decay with warm restarts: each period is `t_mul` times longer than the last
    and restarts from `m_mul` times the previous initial rate."""
    _require_step(global_step, "cosine_decay_restarts")
    from flowgraph.ops.compare import equal
    from flowgraph.ops.logic import where
    from flowgraph.ops.math import multiply, pow
    from flowgraph.ops.rounding import floor
    from flowgraph.ops.trig import cos
    from flowgraph.ops.unary import log
    with op_scope(name, "SGDRDecay", [learning_rate, global_step]) as scope:
        lr, dtype, step = _start(learning_rate, global_step)
        first = cast(first_decay_steps, dtype)
        alpha = cast(alpha, dtype)
        t_mul = cast(t_mul, dtype)
        m_mul = cast(m_mul, dtype)
        completed = step / first
        # Which restart period the step is in, and how far into it (as TF1's
        # CosineDecayRestarts).
        i_restart_geo = floor(log(1.0 - completed * (1.0 - t_mul)) / log(t_mul))
        sum_r = (1.0 - pow(t_mul, i_restart_geo)) / (1.0 - t_mul)
        fraction_geo = (completed - sum_r) / pow(t_mul, i_restart_geo)
        i_restart_lin = floor(completed)
        geometric = equal(t_mul, 1.0)
        i_restart = where(geometric, i_restart_lin, i_restart_geo)
        fraction = where(geometric, completed - i_restart_lin, fraction_geo)
        m_fac = pow(m_mul, i_restart)
        cosine = 0.5 * m_fac * (1.0 + cos(constant(math.pi, dtype=dtype) * fraction))
        return multiply(lr, (1.0 - alpha) * cosine + alpha, name=scope)


def linear_cosine_decay(learning_rate: Any, global_step: Any, decay_steps: Any,
                        num_periods: Any = 0.5, alpha: Any = 0.0, beta: Any = 0.001,
                        name: Optional[str] = None) -> Tensor:
    """``learning_rate * ((alpha + linear) * cosine + beta)`` with ``linear = (decay_steps -
    step) / decay_steps`` and ``cosine = 0.5 * (1 + cos(pi * 2 * num_periods * step /
    decay_steps))``, the step capped at decay_steps."""
    _require_step(global_step, "linear_cosine_decay")
    from flowgraph.ops.math import minimum, multiply
    from flowgraph.ops.trig import cos
    with op_scope(name, "LinearCosineDecay", [learning_rate, global_step]) as scope:
        lr, dtype, step = _start(learning_rate, global_step)
        steps = cast(decay_steps, dtype)
        step = minimum(step, steps)
        linear = (steps - step) / steps
        fraction = 2.0 * cast(num_periods, dtype) * step / steps
        cosine = 0.5 * (1.0 + cos(constant(math.pi, dtype=dtype) * fraction))
        decayed = (cast(alpha, dtype) + linear) * cosine + cast(beta, dtype)
        return multiply(lr, decayed, name=scope)


def noisy_linear_cosine_decay(learning_rate: Any, global_step: Any, decay_steps: Any,
                              initial_variance: Any = 1.0, variance_decay: Any = 0.55,
                              num_periods: Any = 0.5, alpha: Any = 0.0, beta: Any = 0.001,
                              name: Optional[str] = None) -> Tensor:
    """`linear_cosine_decay` with Gaussian noise added to the linear part:
    ``linear + N(0, initial_variance / (1 + step)^variance_decay)``, the step capped at
    decay_steps. Each evaluation draws new noise, as TF1."""
    _require_step(global_step, "noisy_linear_cosine_decay")
    from flowgraph.ops.math import minimum, multiply, pow
    from flowgraph.ops.random import random_normal
    from flowgraph.ops.trig import cos
    from flowgraph.ops.unary import sqrt
    with op_scope(name, "NoisyLinearCosineDecay", [learning_rate, global_step]) as scope:
        lr, dtype, step = _start(learning_rate, global_step)
        steps = cast(decay_steps, dtype)
        step = minimum(step, steps)
        linear = (steps - step) / steps
        variance = cast(initial_variance, dtype) / pow(1.0 + step, cast(variance_decay, dtype))
        noisy = linear + random_normal([], stddev=sqrt(variance), dtype=dtype)
        fraction = 2.0 * cast(num_periods, dtype) * step / steps
        cosine = 0.5 * (1.0 + cos(constant(math.pi, dtype=dtype) * fraction))
        decayed = (cast(alpha, dtype) + noisy) * cosine + cast(beta, dtype)
        return multiply(lr, decayed, name=scope)


def piecewise_constant(x: Any, boundaries: Sequence[Any], values: Sequence[Any],
                       name: Optional[str] = None) -> Tensor:
    """`values[0]` while x <= boundaries[0], `values[i]` while boundaries[i-1] < x <=
    boundaries[i], and `values[-1]` once x > boundaries[-1].

    >>> lr = fg.train.piecewise_constant(step, [100, 200], [1.0, 0.5, 0.1])
    """
    boundaries = list(boundaries)
    values = list(values)
    if len(boundaries) != len(values) - 1:
        raise ValueError("The length of boundaries should be 1 less than the length of "
                         "values")
    from flowgraph.ops.compare import greater
    from flowgraph.ops.logic import where_v2
    with op_scope(name, "PiecewiseConstant", [x]) as scope:
        x = convert_to_tensor(x)
        bounds = [_boundary(b, x.dtype) for b in boundaries]
        vals = [convert_to_tensor(v) for v in values]
        for v in vals[1:]:
            if v.dtype != vals[0].dtype:
                raise ValueError(f"Values must have elements all with the same dtype "
                                 f"({vals[0].dtype.name} vs {v.dtype.name}).")
        if not bounds:
            from flowgraph.ops.constant import identity
            return identity(vals[0], name=scope)
        result = vals[0]
        for i, (b, v) in enumerate(zip(bounds, vals[1:])):
            last = i == len(bounds) - 1
            result = where_v2(greater(x, b), v, result, name=scope if last else None)
        return result


def _boundary(b: Any, dtype: dtypes.DType) -> Tensor:
    """A boundary in x's dtype. Tensors must have it (int32 ones may widen to int64), as
    TF1; Python numbers take it unless that would change their value."""
    if isinstance(b, Tensor) or hasattr(b, "__fg_tensor__"):
        b = convert_to_tensor(b)
        if b.dtype == dtype:
            return b
        if b.dtype == dtypes.int32 and dtype == dtypes.int64:
            return cast(b, dtype)
        raise ValueError(f"Boundaries ({b.dtype.name}) must have the same dtype as x "
                         f"({dtype.name}).")
    if dtype.is_integer and float(b) != int(b):
        raise ValueError(f"Boundary {b!r} is not an integer, but x has dtype {dtype.name}; "
                         "compare with a floating x.")
    return convert_to_tensor(int(b) if dtype.is_integer else b, dtype=dtype)
