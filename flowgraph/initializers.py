"""Variable initializers, as TF1's `tf.zeros_initializer()`, `tf.glorot_uniform_initializer()`...

An initializer is called with a shape (and dtype) and returns a Tensor of initial values.
"""

from __future__ import annotations

import math
from typing import Any, Optional

import numpy as np

from flowgraph import dtypes
from flowgraph.ops.constant import constant
from flowgraph.shapes import as_shape

__all__ = ["zeros_initializer", "ones_initializer", "constant_initializer",
           "random_normal_initializer", "truncated_normal_initializer",
           "random_uniform_initializer", "glorot_uniform_initializer",
           "glorot_normal_initializer", "variance_scaling_initializer",
           "identity_initializer", "he_normal", "he_uniform",
           "lecun_normal", "lecun_uniform", "xavier_initializer", "orthogonal_initializer",
           "uniform_unit_scaling_initializer"]


class Initializer:
    """Base class: ``init(shape, dtype=None, partition_info=None)`` returns a Tensor."""

    dtype = dtypes.float32

    def __call__(self, shape: Any, dtype: Any = None, partition_info: Any = None) -> Any:
        raise NotImplementedError

    def get_config(self) -> dict:
        return {k: v for k, v in vars(self).items() if not k.startswith("_")}

    def _dtype(self, dtype: Any) -> dtypes.DType:
        return dtypes.as_dtype(dtype if dtype is not None else self.dtype)


def _dims(shape: Any) -> list:
    shape = as_shape(shape)
    if not shape.is_fully_defined():
        raise ValueError(f"An initializer needs a fully defined shape, got {shape}")
    return shape.as_list()


class zeros_initializer(Initializer):  # noqa: N801 - TF1's names
    """Initializes to 0."""

    def __init__(self, dtype: Any = dtypes.float32) -> None:
        self.dtype = dtypes.as_dtype(dtype)

    def __call__(self, shape, dtype=None, partition_info=None):
        dtype = self._dtype(dtype)
        if dtype.is_string:  # as TF1's zeros: empty strings
            return constant(np.full(_dims(shape), b"", dtype=object), dtype=dtype,
                            name="zeros")
        return constant(np.zeros(_dims(shape), dtype=dtype.np), dtype=dtype, name="zeros")


class ones_initializer(Initializer):  # noqa: N801
    """Initializes to 1."""

    def __init__(self, dtype: Any = dtypes.float32) -> None:
        self.dtype = dtypes.as_dtype(dtype)

    def __call__(self, shape, dtype=None, partition_info=None):
        dtype = self._dtype(dtype)
        return constant(np.ones(_dims(shape), dtype=dtype.np), dtype=dtype, name="ones")


class constant_initializer(Initializer):  # noqa: N801
    """Initializes to `value`: a scalar fills the shape; a list must have as many elements."""

    def __init__(self, value: Any = 0, dtype: Any = dtypes.float32,
                 verify_shape: bool = False) -> None:
        self.value = value
        self.dtype = dtypes.as_dtype(dtype)
        self.verify_shape = verify_shape

    def __call__(self, shape, dtype=None, partition_info=None):
        return constant(self.value, dtype=self._dtype(dtype), shape=_dims(shape),
                        verify_shape=self.verify_shape)


class _RandomInitializer(Initializer):
    def __init__(self, seed: Optional[int], dtype: Any) -> None:
        self.seed = seed
        self.dtype = dtypes.as_dtype(dtype)

    def _float_dtype(self, dtype: Any) -> dtypes.DType:
        dtype = self._dtype(dtype)
        if not dtype.is_floating:
            raise ValueError(f"{type(self).__name__} needs a floating dtype, got {dtype.name}")
        return dtype


class random_normal_initializer(_RandomInitializer):  # noqa: N801
    """Normal values with `mean` and `stddev`."""

    def __init__(self, mean: float = 0.0, stddev: float = 1.0, seed: Optional[int] = None,
                 dtype: Any = dtypes.float32) -> None:
        super().__init__(seed, dtype)
        self.mean = mean
        self.stddev = stddev

    def __call__(self, shape, dtype=None, partition_info=None):
        from flowgraph.ops.random import random_normal
        return random_normal(_dims(shape), self.mean, self.stddev, self._float_dtype(dtype),
                             seed=self.seed)


class truncated_normal_initializer(_RandomInitializer):  # noqa: N801
    """Normal values with `mean` and `stddev`, re-drawn beyond two standard deviations."""

    def __init__(self, mean: float = 0.0, stddev: float = 1.0, seed: Optional[int] = None,
                 dtype: Any = dtypes.float32) -> None:
        super().__init__(seed, dtype)
        self.mean = mean
        self.stddev = stddev

    def __call__(self, shape, dtype=None, partition_info=None):
        from flowgraph.ops.random import truncated_normal
        return truncated_normal(_dims(shape), self.mean, self.stddev,
                                self._float_dtype(dtype), seed=self.seed)


class random_uniform_initializer(_RandomInitializer):  # noqa: N801
    """Uniform values in [minval, maxval) (maxval defaults to 1 for floats)."""

    def __init__(self, minval: float = 0, maxval: Optional[float] = None,
                 seed: Optional[int] = None, dtype: Any = dtypes.float32) -> None:
        super().__init__(seed, dtype)
        self.minval = minval
        self.maxval = maxval

    def __call__(self, shape, dtype=None, partition_info=None):
        from flowgraph.ops.random import random_uniform
        return random_uniform(_dims(shape), self.minval, self.maxval, self._dtype(dtype),
                              seed=self.seed)


def compute_fans(shape: list) -> tuple:
    """(fan_in, fan_out) of a weight shape, as TF1: conv kernels multiply by the window."""
    if len(shape) < 1:
        return 1, 1
    if len(shape) == 1:
        return shape[0], shape[0]
    if len(shape) == 2:
        return shape[0], shape[1]
    receptive = int(np.prod(shape[:-2]))
    return shape[-2] * receptive, shape[-1] * receptive


# The standard deviation of a unit normal truncated to [-2, 2].
_TRUNCATED_STDDEV = 0.87962566103423978


class variance_scaling_initializer(_RandomInitializer):  # noqa: N801
    """Scale-aware random values (He, LeCun, Glorot), as TF1's VarianceScaling.

    The variance is `scale / n` with n the fan-in, fan-out or their average (`mode`);
    `distribution` is "truncated_normal" (also "normal"), "untruncated_normal" or "uniform".
    """

    def __init__(self, scale: float = 1.0, mode: str = "fan_in",
                 distribution: str = "truncated_normal", seed: Optional[int] = None,
                 dtype: Any = dtypes.float32) -> None:
        if scale <= 0.0:
            raise ValueError(f"`scale` must be a positive float, got {scale}")
        if mode not in ("fan_in", "fan_out", "fan_avg"):
            raise ValueError(f"Invalid `mode` argument {mode!r}: expected fan_in, fan_out or "
                             "fan_avg")
        distribution = distribution.lower()
        if distribution not in ("normal", "uniform", "truncated_normal", "untruncated_normal"):
            raise ValueError(f"Invalid `distribution` argument {distribution!r}: expected "
                             "truncated_normal, untruncated_normal or uniform")
        super().__init__(seed, dtype)
        self.scale = scale
        self.mode = mode
        self.distribution = distribution

    def __call__(self, shape, dtype=None, partition_info=None):
        from flowgraph.ops.random import random_normal, random_uniform, truncated_normal
        dims = _dims(shape)
        dtype = self._float_dtype(dtype)
        # As TF1: a partition of a partitioned variable scales by the whole variable's fans.
        full = getattr(partition_info, "full_shape", None)
        fan_in, fan_out = compute_fans(list(full) if full is not None else dims)
        n = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2.0}[
            self.mode]
        scale = self.scale / max(1.0, n)
        if self.distribution in ("normal", "truncated_normal"):
            return truncated_normal(dims, 0.0, math.sqrt(scale) / _TRUNCATED_STDDEV, dtype,
                                    seed=self.seed)
        if self.distribution == "untruncated_normal":
            return random_normal(dims, 0.0, math.sqrt(scale), dtype, seed=self.seed)
        limit = math.sqrt(3.0 * scale)
        return random_uniform(dims, -limit, limit, dtype, seed=self.seed)


class glorot_uniform_initializer(variance_scaling_initializer):  # noqa: N801
    """Uniform in ±sqrt(6 / (fan_in + fan_out)): the default of `get_variable`."""

    def __init__(self, seed: Optional[int] = None, dtype: Any = dtypes.float32) -> None:
        super().__init__(1.0, "fan_avg", "uniform", seed, dtype)


class glorot_normal_initializer(variance_scaling_initializer):  # noqa: N801
    """Truncated normal with stddev sqrt(2 / (fan_in + fan_out))."""

    def __init__(self, seed: Optional[int] = None, dtype: Any = dtypes.float32) -> None:
        super().__init__(1.0, "fan_avg", "truncated_normal", seed, dtype)


class identity_initializer(Initializer):  # noqa: N801
    """The identity matrix times `gain` (2-D shapes only)."""

    def __init__(self, gain: float = 1.0, dtype: Any = dtypes.float32) -> None:
        self.gain = gain
        self.dtype = dtypes.as_dtype(dtype)

    def __call__(self, shape, dtype=None, partition_info=None):
        dims = _dims(shape)
        if len(dims) != 2:
            raise ValueError("Identity matrix initializer can only be used for 2D matrices.")
        dtype = self._dtype(dtype)
        return constant(self.gain * np.eye(*dims), dtype=dtype)


def he_normal(seed: Optional[int] = None) -> variance_scaling_initializer:
    return variance_scaling_initializer(2.0, "fan_in", "truncated_normal", seed)


def he_uniform(seed: Optional[int] = None) -> variance_scaling_initializer:
    return variance_scaling_initializer(2.0, "fan_in", "uniform", seed)


def lecun_normal(seed: Optional[int] = None) -> variance_scaling_initializer:
    return variance_scaling_initializer(1.0, "fan_in", "truncated_normal", seed)


def lecun_uniform(seed: Optional[int] = None) -> variance_scaling_initializer:
    return variance_scaling_initializer(1.0, "fan_in", "uniform", seed)


def xavier_initializer(uniform: bool = True, seed: Optional[int] = None,
                       dtype: Any = dtypes.float32) -> variance_scaling_initializer:
    """TF1's contrib Xavier initializer: Glorot uniform (or truncated normal)."""
    return variance_scaling_initializer(1.0, "fan_avg", "uniform" if uniform else
                                        "truncated_normal", seed, dtype)


class orthogonal_initializer(_RandomInitializer):  # noqa: N801
    """A random orthogonal matrix (scaled by `gain`), reshaped to `shape` (rank >= 2): the Q
    of the QR decomposition of a normal matrix, its columns' signs fixed by R's diagonal
    (TF1's recipe)."""

    def __init__(self, gain: float = 1.0, seed: Optional[int] = None,
                 dtype: Any = dtypes.float32) -> None:
        super().__init__(seed, dtype)
        self.gain = gain

    def __call__(self, shape, dtype=None, partition_info=None):
        from flowgraph.ops.diag import matrix_diag_part
        from flowgraph.ops.linalg import matrix_transpose
        from flowgraph.ops.linalg_decomp import qr
        from flowgraph.ops.math import multiply
        from flowgraph.ops.random import random_normal
        from flowgraph.ops.shape_ops import reshape
        from flowgraph.ops.unary import sign
        dims = _dims(shape)
        dtype = self._float_dtype(dtype)
        if len(dims) < 2:
            raise ValueError("The tensor to initialize must be at least two-dimensional")
        num_rows = int(np.prod(dims[:-1]))
        num_cols = dims[-1]
        flat = (num_cols, num_rows) if num_rows < num_cols else (num_rows, num_cols)
        q, r = qr(random_normal(flat, dtype=dtype, seed=self.seed), full_matrices=False)
        q = multiply(q, sign(matrix_diag_part(r)))
        if num_rows < num_cols:
            q = matrix_transpose(q)
        return multiply(constant(self.gain, dtype=dtype), reshape(q, dims))


class uniform_unit_scaling_initializer(_RandomInitializer):  # noqa: N801
    """Uniform in [-m, m], m = factor * sqrt(3 / fan_in) (fan_in: the product of all but
    the last dimension), which keeps the scale of a linear layer's input."""

    def __init__(self, factor: float = 1.0, seed: Optional[int] = None,
                 dtype: Any = dtypes.float32) -> None:
        super().__init__(seed, dtype)
        self.factor = factor

    def __call__(self, shape, dtype=None, partition_info=None):
        import math

        from flowgraph.ops.random import random_uniform
        dims = _dims(shape)
        full = getattr(partition_info, "full_shape", None) or dims
        input_size = max(float(np.prod(full[:-1])) if len(full) > 1 else 1.0, 1.0)
        max_val = math.sqrt(3 / input_size) * self.factor
        return random_uniform(dims, -max_val, max_val, self._float_dtype(dtype),
                              seed=self.seed)
