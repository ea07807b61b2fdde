"""TF 1.15's cosine learning-rate schedules (``tf.keras.experimental``): `CosineDecay`,
`CosineDecayRestarts` (SGDR), `LinearCosineDecay` and `NoisyLinearCosineDecay`."""

from __future__ import annotations

import math
import numbers
from typing import Any, Optional

import flowgraph as fg
from flowgraph.keras.optimizer_schedules import LearningRateSchedule, _prepare

__all__ = ["CosineDecay", "CosineDecayRestarts", "LinearCosineDecay", "NoisyLinearCosineDecay"]


def _cosine(fraction: Any) -> Any:
    """``0.5 * (1 + cos(pi * fraction))``."""
    return 0.5 * (1.0 + fg.cos(math.pi * fraction))


class CosineDecay(LearningRateSchedule):
    """``initial_learning_rate * ((1 - alpha) * 0.5 * (1 + cos(pi * s / decay_steps)) +
    alpha)`` with ``s = min(step, decay_steps)`` (Loshchilov & Hutter, without restarts)."""

    def __init__(self, initial_learning_rate: Any, decay_steps: Any, alpha: float = 0.0,
                 name: Optional[str] = None) -> None:
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.alpha = alpha
        self.name = name

    def __call__(self, step: Any) -> Any:
        with fg.name_scope(self.name or "CosineDecay"):
            initial, step, decay_steps = _prepare(self.initial_learning_rate, step,
                                                  self.decay_steps)
            step = fg.minimum(step, decay_steps)
            decayed = (1 - self.alpha) * _cosine(step / decay_steps) + self.alpha
            return fg.multiply(initial, decayed)

    def get_config(self) -> dict:
        return {"initial_learning_rate": self.initial_learning_rate,
                "decay_steps": self.decay_steps, "alpha": self.alpha, "name": self.name}


class CosineDecayRestarts(LearningRateSchedule):
    """Cosine decay with warm restarts (SGDR): the i-th period lasts
    ``first_decay_steps * t_mul^i`` steps and starts from ``initial * m_mul^i``; within a
    period the rate falls as in `CosineDecay` (down to ``alpha`` times the start)."""

    def __init__(self, initial_learning_rate: Any, first_decay_steps: Any, t_mul: float = 2.0,
                 m_mul: float = 1.0, alpha: float = 0.0, name: Optional[str] = None) -> None:
        self.initial_learning_rate = initial_learning_rate
        self.first_decay_steps = first_decay_steps
        self._t_mul = t_mul
        self._m_mul = m_mul
        self.alpha = alpha
        self.name = name

    def __call__(self, step: Any) -> Any:
        with fg.name_scope(self.name or "SGDRDecay"):
            initial, step, first = _prepare(self.initial_learning_rate, step,
                                            self.first_decay_steps)
            dtype = initial.dtype
            t_mul = fg.cast(self._t_mul, dtype)
            m_mul = fg.cast(self._m_mul, dtype)
            completed = step / first

            def uniform() -> tuple:
                i_restart = fg.floor(completed)
                return i_restart, completed - i_restart

            def geometric() -> tuple:
                i_restart = fg.floor(fg.log(1.0 - completed * (1.0 - t_mul)) / fg.log(t_mul))
                sum_r = (1.0 - fg.pow(t_mul, i_restart)) / (1.0 - t_mul)
                return i_restart, (completed - sum_r) / fg.pow(t_mul, i_restart)

            if isinstance(self._t_mul, numbers.Real):
                i_restart, fraction = uniform() if self._t_mul == 1.0 else geometric()
            else:
                i_restart, fraction = fg.cond(fg.equal(t_mul, 1.0), uniform, geometric)
            m_fac = fg.pow(m_mul, i_restart)
            decayed = (1 - self.alpha) * (m_fac * _cosine(fraction)) + self.alpha
            return fg.multiply(initial, decayed)

    def get_config(self) -> dict:
        return {"initial_learning_rate": self.initial_learning_rate,
                "first_decay_steps": self.first_decay_steps, "t_mul": self._t_mul,
                "m_mul": self._m_mul, "alpha": self.alpha, "name": self.name}


def _linear_cosine(step: Any, decay_steps: Any, num_periods: float) -> tuple:
    """``(decay_steps - step) / decay_steps`` and the cosine factor of `num_periods`."""
    linear = (decay_steps - step) / decay_steps
    fraction = 2.0 * num_periods * (step / decay_steps)
    return linear, _cosine(fraction)


class LinearCosineDecay(LearningRateSchedule):
    """``initial * ((alpha + linear) * cosine + beta)`` with ``s = min(step, decay_steps)``,
    ``linear = (decay_steps - s) / decay_steps`` and ``cosine = 0.5 * (1 + cos(pi * 2 *
    num_periods * s / decay_steps))`` (Bello et al., 2017)."""

    def __init__(self, initial_learning_rate: Any, decay_steps: Any, num_periods: float = 0.5,
                 alpha: float = 0.0, beta: float = 0.001, name: Optional[str] = None) -> None:
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.num_periods = num_periods
        self.alpha = alpha
        self.beta = beta
        self.name = name

    def __call__(self, step: Any) -> Any:
        with fg.name_scope(self.name or "LinearCosineDecay"):
            initial, step, decay_steps = _prepare(self.initial_learning_rate, step,
                                                  self.decay_steps)
            step = fg.minimum(step, decay_steps)
            linear, cosine = _linear_cosine(step, decay_steps, self.num_periods)
            return fg.multiply(initial, (self.alpha + linear) * cosine + self.beta)

    def get_config(self) -> dict:
        return {"initial_learning_rate": self.initial_learning_rate,
                "decay_steps": self.decay_steps, "num_periods": self.num_periods,
                "alpha": self.alpha, "beta": self.beta, "name": self.name}


class NoisyLinearCosineDecay(LearningRateSchedule):
    """`LinearCosineDecay` with Gaussian noise on its linear part: ``linear + N(0, std)``
    with ``std = sqrt(initial_variance / (1 + s) ^ variance_decay)``."""

    def __init__(self, initial_learning_rate: Any, decay_steps: Any,
                 initial_variance: float = 1.0, variance_decay: float = 0.55,
                 num_periods: float = 0.5, alpha: float = 0.0, beta: float = 0.001,
                 name: Optional[str] = None) -> None:
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.initial_variance = initial_variance
        self.variance_decay = variance_decay
        self.num_periods = num_periods
        self.alpha = alpha
        self.beta = beta
        self.name = name

    def __call__(self, step: Any) -> Any:
        with fg.name_scope(self.name or "NoisyLinearCosineDecay"):
            initial, step, decay_steps = _prepare(self.initial_learning_rate, step,
                                                  self.decay_steps)
            dtype = initial.dtype
            step = fg.minimum(step, decay_steps)
            linear, cosine = _linear_cosine(step, decay_steps, self.num_periods)
            variance = fg.cast(self.initial_variance, dtype) / fg.pow(
                1.0 + step, fg.cast(self.variance_decay, dtype))
            noise = fg.random_normal(fg.shape(linear), stddev=fg.sqrt(variance), dtype=dtype)
            noisy = linear + noise
            return fg.multiply(initial, (self.alpha + noisy) * cosine + self.beta)

    def get_config(self) -> dict:
        return {"initial_learning_rate": self.initial_learning_rate,
                "decay_steps": self.decay_steps, "initial_variance": self.initial_variance,
                "variance_decay": self.variance_decay, "num_periods": self.num_periods,
                "alpha": self.alpha, "beta": self.beta, "name": self.name}
