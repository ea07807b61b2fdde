"""`tf.keras.optimizers.schedules` as TF 1.15 had it: learning rates that depend on the step.

A schedule is called with the step (the optimizer's `iterations`, cast to the variables'
float dtype) and returns the learning rate tensor for it; pass one as the `learning_rate` of
a Keras optimizer: ``Adam(learning_rate=ExponentialDecay(0.1, 100, 0.96))``.
"""

from __future__ import annotations

from typing import Any, Optional, Sequence

import flowgraph as fg
from flowgraph.keras.generic_utils import deserialize_object, serialize_object

__all__ = ["LearningRateSchedule", "ExponentialDecay", "PiecewiseConstantDecay",
           "PolynomialDecay", "InverseTimeDecay", "serialize", "deserialize"]


class LearningRateSchedule:
    """Base class: subclasses define ``__call__(step)`` (a tensor) and `get_config`."""

    def __call__(self, step: Any) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must define __call__(step) "
                                  "returning the learning rate at `step`.")

    def get_config(self) -> dict:
        raise NotImplementedError(f"{type(self).__name__} must define get_config() "
                                  "returning its constructor arguments.")

    @classmethod
    def from_config(cls, config: dict) -> "LearningRateSchedule":
        """The schedule `config` (from `get_config`) describes."""
        return cls(**config)


def _prepare(initial_learning_rate: Any, step: Any, decay_steps: Any) -> tuple:
    """`initial_learning_rate` as a tensor, and the step and `decay_steps` in its dtype."""
    initial = fg.convert_to_tensor(initial_learning_rate, name="initial_learning_rate")
    dtype = initial.dtype
    return initial, fg.cast(step, dtype), fg.cast(decay_steps, dtype)


class ExponentialDecay(LearningRateSchedule):
    """``initial_learning_rate * decay_rate ^ (step / decay_steps)`` (the exponent floored
    with `staircase`)."""

    def __init__(self, initial_learning_rate: Any, decay_steps: Any, decay_rate: Any,
                 staircase: bool = False, name: Optional[str] = None) -> None:
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.decay_rate = decay_rate
        self.staircase = staircase
        self.name = name

    def __call__(self, step: Any) -> Any:
        with fg.name_scope(self.name or "ExponentialDecay") as name:
            initial, step, decay_steps = _prepare(self.initial_learning_rate, step,
                                                  self.decay_steps)
            decay_rate = fg.cast(self.decay_rate, initial.dtype)
            p = step / decay_steps
            if self.staircase:
                p = fg.floor(p)
            return fg.multiply(initial, fg.pow(decay_rate, p), name=name)

    def get_config(self) -> dict:
        return {"initial_learning_rate": self.initial_learning_rate,
                "decay_steps": self.decay_steps, "decay_rate": self.decay_rate,
                "staircase": self.staircase, "name": self.name}


class PiecewiseConstantDecay(LearningRateSchedule):
    """``values[0]`` while ``step <= boundaries[0]``, ``values[i]`` while
    ``boundaries[i-1] < step <= boundaries[i]``, ``values[-1]`` after the last boundary."""

    def __init__(self, boundaries: Sequence, values: Sequence,
                 name: Optional[str] = None) -> None:
        if len(boundaries) != len(values) - 1:
            raise ValueError("The length of boundaries should be 1 less than the length of "
                             f"values: got {len(boundaries)} boundaries and {len(values)} "
                             "values.")
        self.boundaries = boundaries
        self.values = values
        self.name = name

    def __call__(self, step: Any) -> Any:
        with fg.name_scope(self.name or "PiecewiseConstant"):
            x = fg.convert_to_tensor(step)
            values = [fg.convert_to_tensor(v) for v in self.values]
            dtypes = {v.dtype.base_dtype for v in values}
            if len(dtypes) > 1:
                raise ValueError("Values must have elements all with the same dtype "
                                 f"({sorted(d.name for d in dtypes)}).")
            boundaries = fg.cast(fg.stack([fg.convert_to_tensor(b) for b in self.boundaries]),
                                 x.dtype.base_dtype)
            # how many boundaries the step is past: the index of its value
            index = fg.reduce_sum(fg.cast(fg.greater(x, boundaries), fg.int32))
            return fg.gather(fg.stack(values), index)

    def get_config(self) -> dict:
        return {"boundaries": self.boundaries, "values": self.values, "name": self.name}


class PolynomialDecay(LearningRateSchedule):
    """``(initial - end) * (1 - step / decay_steps) ^ power + end`` with the step capped at
    `decay_steps`; with `cycle`, `decay_steps` is multiplied by ``ceil(step / decay_steps)``
    instead."""

    def __init__(self, initial_learning_rate: Any, decay_steps: Any,
                 end_learning_rate: Any = 0.0001, power: Any = 1.0, cycle: bool = False,
                 name: Optional[str] = None) -> None:
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.end_learning_rate = end_learning_rate
        self.power = power
        self.cycle = cycle
        self.name = name

    def __call__(self, step: Any) -> Any:
        with fg.name_scope(self.name or "PolynomialDecay") as name:
            initial, step, decay_steps = _prepare(self.initial_learning_rate, step,
                                                  self.decay_steps)
            end = fg.cast(self.end_learning_rate, initial.dtype)
            power = fg.cast(self.power, initial.dtype)
            if self.cycle:
                multiplier = fg.where(fg.equal(step, 0.0), fg.ones_like(step),
                                      fg.ceil(step / decay_steps))
                decay_steps = decay_steps * multiplier
            else:
                step = fg.minimum(step, decay_steps)
            p = step / decay_steps
            return fg.add((initial - end) * fg.pow(1.0 - p, power), end,
                          name=name)

    def get_config(self) -> dict:
        return {"initial_learning_rate": self.initial_learning_rate,
                "decay_steps": self.decay_steps, "end_learning_rate": self.end_learning_rate,
                "power": self.power, "cycle": self.cycle, "name": self.name}


class InverseTimeDecay(LearningRateSchedule):
    """``initial_learning_rate / (1 + decay_rate * step / decay_steps)`` (the ratio
    floored with `staircase`)."""

    def __init__(self, initial_learning_rate: Any, decay_steps: Any, decay_rate: Any,
                 staircase: bool = False, name: Optional[str] = None) -> None:
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.decay_rate = decay_rate
        self.staircase = staircase
        self.name = name

    def __call__(self, step: Any) -> Any:
        with fg.name_scope(self.name or "InverseTimeDecay") as name:
            initial, step, decay_steps = _prepare(self.initial_learning_rate, step,
                                                  self.decay_steps)
            decay_rate = fg.cast(self.decay_rate, initial.dtype)
            p = step / decay_steps
            if self.staircase:
                p = fg.floor(p)
            return fg.divide(initial, 1.0 + decay_rate * p, name=name)

    def get_config(self) -> dict:
        return {"initial_learning_rate": self.initial_learning_rate,
                "decay_steps": self.decay_steps, "decay_rate": self.decay_rate,
                "staircase": self.staircase, "name": self.name}


_CLASSES = {cls.__name__: cls for cls in (
    ExponentialDecay, PiecewiseConstantDecay, PolynomialDecay, InverseTimeDecay)}


def serialize(learning_rate_schedule: LearningRateSchedule) -> dict:
    """``{'class_name': ..., 'config': ...}`` of a schedule."""
    if not isinstance(learning_rate_schedule, LearningRateSchedule):
        raise ValueError(f"Cannot serialize {learning_rate_schedule!r}: it is not a "
                         "LearningRateSchedule.")
    return serialize_object(learning_rate_schedule)


def deserialize(config: dict, custom_objects: Optional[dict] = None) -> LearningRateSchedule:
    """The schedule a `serialize` dict describes (custom classes via `custom_objects`)."""
    return deserialize_object(config, _CLASSES, custom_objects, "decay")
