"""`tf.keras.initializers` as TF 1.15 (graph mode): TF1's initializers under Keras' names,
with Keras' defaults (``RandomNormal`` and ``TruncatedNormal`` have stddev 0.05,
``RandomUniform`` draws in [-0.05, 0.05)), and `get` / `serialize` / `deserialize`.

Every initializer is a callable ``init(shape, dtype=None, partition_info=None)`` returning a
Tensor, usable as a `get_variable` initializer.
"""

from __future__ import annotations

import importlib
from typing import Any, Optional

from flowgraph import dtypes
from flowgraph.keras.generic_utils import deserialize_object, get_object, serialize_object

# The module itself: the attribute ``flowgraph.initializers`` is the tf.initializers namespace.
fg_init = importlib.import_module("flowgraph.initializers")

__all__ = ["Initializer", "Zeros", "Ones", "Constant", "RandomNormal", "RandomUniform",
           "TruncatedNormal", "VarianceScaling", "Orthogonal", "Identity", "GlorotUniform",
           "GlorotNormal", "glorot_uniform", "glorot_normal", "he_normal", "he_uniform",
           "lecun_normal", "lecun_uniform", "zeros", "zero", "ones", "one", "constant",
           "uniform", "normal", "random_normal", "random_uniform", "truncated_normal",
           "orthogonal", "identity", "get", "serialize", "deserialize"]

Initializer = fg_init.Initializer


class _KerasConfig:
    """get_config / from_config as TF1's init_ops: the constructor arguments, with the dtype
    by name."""

    _config_keys: tuple = ()

    def get_config(self) -> dict:
        config = {key: getattr(self, key) for key in self._config_keys}
        config["dtype"] = self.dtype.name
        return config

    @classmethod
    def from_config(cls, config: dict) -> Any:
        return cls(**config)


class Zeros(_KerasConfig, fg_init.zeros_initializer):
    """Initializes to 0."""


class Ones(_KerasConfig, fg_init.ones_initializer):
    """Initializes to 1."""


class Constant(_KerasConfig, fg_init.constant_initializer):
    """Initializes to `value` (a scalar fills the shape)."""

    _config_keys = ("value",)

    def __init__(self, value: Any = 0, dtype: Any = dtypes.float32,
                 verify_shape: bool = False) -> None:
        super().__init__(value=value, dtype=dtype, verify_shape=verify_shape)


class RandomNormal(_KerasConfig, fg_init.random_normal_initializer):
    """Normal values, mean 0 and stddev 0.05 by default (Keras' defaults)."""

    _config_keys = ("mean", "stddev", "seed")

    def __init__(self, mean: float = 0.0, stddev: float = 0.05, seed: Optional[int] = None,
                 dtype: Any = dtypes.float32) -> None:
        super().__init__(mean=mean, stddev=stddev, seed=seed, dtype=dtype)


class RandomUniform(_KerasConfig, fg_init.random_uniform_initializer):
    """Uniform values in [minval, maxval), by default [-0.05, 0.05) (Keras' defaults)."""

    _config_keys = ("minval", "maxval", "seed")

    def __init__(self, minval: float = -0.05, maxval: float = 0.05,
                 seed: Optional[int] = None, dtype: Any = dtypes.float32) -> None:
        super().__init__(minval=minval, maxval=maxval, seed=seed, dtype=dtype)


class TruncatedNormal(_KerasConfig, fg_init.truncated_normal_initializer):
    """Normal values re-drawn beyond two stddevs; mean 0, stddev 0.05 by default."""

    _config_keys = ("mean", "stddev", "seed")

    def __init__(self, mean: float = 0.0, stddev: float = 0.05, seed: Optional[int] = None,
                 dtype: Any = dtypes.float32) -> None:
        super().__init__(mean=mean, stddev=stddev, seed=seed, dtype=dtype)


class VarianceScaling(_KerasConfig, fg_init.variance_scaling_initializer):
    """Variance ``scale / n`` (n: fan_in, fan_out or fan_avg); `distribution`
    'truncated_normal' (also 'normal'), 'untruncated_normal' or 'uniform'."""

    _config_keys = ("scale", "mode", "distribution", "seed")

    def __init__(self, scale: float = 1.0, mode: str = "fan_in",
                 distribution: str = "truncated_normal", seed: Optional[int] = None,
                 dtype: Any = dtypes.float32) -> None:
        super().__init__(scale=scale, mode=mode, distribution=distribution, seed=seed,
                         dtype=dtype)


class GlorotUniform(_KerasConfig, fg_init.glorot_uniform_initializer):
    """Uniform in ±sqrt(6 / (fan_in + fan_out)): Keras' default kernel initializer."""

    _config_keys = ("seed",)


class GlorotNormal(_KerasConfig, fg_init.glorot_normal_initializer):
    """Truncated normal with stddev sqrt(2 / (fan_in + fan_out))."""

    _config_keys = ("seed",)


class Orthogonal(_KerasConfig, fg_init.orthogonal_initializer):
    """A random orthogonal matrix times `gain`."""

    _config_keys = ("gain", "seed")

    def __init__(self, gain: float = 1.0, seed: Optional[int] = None,
                 dtype: Any = dtypes.float32) -> None:
        super().__init__(gain=gain, seed=seed, dtype=dtype)


class Identity(_KerasConfig, fg_init.identity_initializer):
    """The identity matrix times `gain` (2-D shapes only)."""

    _config_keys = ("gain",)

    def __init__(self, gain: float = 1.0, dtype: Any = dtypes.float32) -> None:
        super().__init__(gain=gain, dtype=dtype)


def lecun_normal(seed: Optional[int] = None) -> VarianceScaling:
    """Truncated normal, stddev sqrt(1 / fan_in)."""
    return VarianceScaling(scale=1.0, mode="fan_in", distribution="truncated_normal",
                           seed=seed)


def lecun_uniform(seed: Optional[int] = None) -> VarianceScaling:
    """Uniform in ±sqrt(3 / fan_in)."""
    return VarianceScaling(scale=1.0, mode="fan_in", distribution="uniform", seed=seed)


def he_normal(seed: Optional[int] = None) -> VarianceScaling:
    """Truncated normal, stddev sqrt(2 / fan_in)."""
    return VarianceScaling(scale=2.0, mode="fan_in", distribution="truncated_normal",
                           seed=seed)


def he_uniform(seed: Optional[int] = None) -> VarianceScaling:
    """Uniform in ±sqrt(6 / fan_in)."""
    return VarianceScaling(scale=2.0, mode="fan_in", distribution="uniform", seed=seed)


# Keras' lowercase names (TF 1.15 exports the classes under them).
zero = zeros = Zeros
one = ones = Ones
constant = Constant
uniform = random_uniform = RandomUniform
normal = random_normal = RandomNormal
truncated_normal = TruncatedNormal
identity = Identity
orthogonal = Orthogonal
glorot_normal = GlorotNormal
glorot_uniform = GlorotUniform

_NAMES = {name: obj for name, obj in globals().items()
          if name in __all__ and name not in ("get", "serialize", "deserialize", "Initializer")}


def serialize(initializer: Any) -> dict:
    """``{'class_name': ..., 'config': ...}`` of an initializer."""
    return serialize_object(initializer)


def deserialize(config: dict, custom_objects: Optional[dict] = None) -> Any:
    """The initializer a `serialize` dict describes (names as in this module, or in
    `custom_objects`); a plain function is called without the config's dtype."""
    return deserialize_object(config, _NAMES, custom_objects, "initializer",
                              function_drops=("dtype",))


def get(identifier: Any) -> Any:
    """None -> None; a name ('glorot_uniform', 'he_normal', 'zeros'...) or a serialized dict
    -> an initializer; a callable -> itself."""
    return get_object(identifier, deserialize, "initializer")
