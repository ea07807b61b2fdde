"""`tf.keras.layers` noise layers (TF 1.15): GaussianNoise, GaussianDropout, AlphaDropout.
All are the identity outside the training phase (``training=None`` follows
`backend.learning_phase()`)."""

from __future__ import annotations

from typing import Any, Callable, Optional

import numpy as np

import flowgraph as fg
from flowgraph.keras.base_layer import Layer
from flowgraph.keras.layers.core import learning_phase_of
from flowgraph.layers.utils import static_bool
from flowgraph.shapes import TensorShape, as_shape

__all__ = ["GaussianNoise", "GaussianDropout", "AlphaDropout"]


def _in_train_phase(noisy: Callable, inputs: Any, training: Any) -> Any:
    training = learning_phase_of(training)
    flag = static_bool(training)
    if flag is False:
        return fg.identity(inputs)
    if flag:
        return noisy()
    return fg.cond(fg.cast(training, fg.bool), noisy, lambda: fg.identity(inputs))


class _Noise(Layer):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.supports_masking = True

    def compute_output_shape(self, input_shape: Any) -> TensorShape:
        return as_shape(input_shape)


class GaussianNoise(_Noise):
    """Adds zero-mean Gaussian noise of standard deviation `stddev` while training."""

    def __init__(self, stddev: float, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.stddev = stddev

    def call(self, inputs: Any, training: Any = None) -> Any:
        def noisy() -> Any:
            return inputs + fg.random.normal(fg.shape(inputs), mean=0., stddev=self.stddev,
                                             dtype=inputs.dtype)
        return _in_train_phase(noisy, inputs, training)

    def get_config(self) -> dict:
        return {**super().get_config(), "stddev": self.stddev}


class GaussianDropout(_Noise):
    """Multiplies by Gaussian noise of mean 1 and standard deviation
    ``sqrt(rate / (1 - rate))`` while training."""

    def __init__(self, rate: float, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.rate = rate

    def call(self, inputs: Any, training: Any = None) -> Any:
        if not 0 < self.rate < 1:
            return fg.identity(inputs)

        def noisy() -> Any:
            stddev = float(np.sqrt(self.rate / (1.0 - self.rate)))
            return inputs * fg.random.normal(fg.shape(inputs), mean=1.0, stddev=stddev,
                                             dtype=inputs.dtype)
        return _in_train_phase(noisy, inputs, training)

    def get_config(self) -> dict:
        return {**super().get_config(), "rate": self.rate}


class AlphaDropout(_Noise):
    """Dropout that keeps the mean and variance of SELU activations: dropped units are set
    to SELU's negative saturation value, then an affine correction is applied."""

    def __init__(self, rate: float, noise_shape: Any = None, seed: Optional[int] = None,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.rate = rate
        self.noise_shape = noise_shape
        self.seed = seed

    def call(self, inputs: Any, training: Any = None) -> Any:
        if not 0. < self.rate < 1.:
            return fg.identity(inputs)
        noise_shape = fg.shape(inputs) if self.noise_shape is None else self.noise_shape

        def noisy() -> Any:
            alpha = 1.6732632423543772848170429916717
            scale = 1.0507009873554804934193349852946
            alpha_p = -alpha * scale
            uniform = fg.random.uniform(noise_shape, seed=self.seed, dtype=inputs.dtype)
            kept = fg.cast(fg.greater_equal(uniform, self.rate), inputs.dtype)
            a = ((1 - self.rate) * (1 + self.rate * alpha_p ** 2)) ** -0.5
            b = -a * alpha_p * self.rate
            x = inputs * kept + alpha_p * (1 - kept)
            return a * x + b
        return _in_train_phase(noisy, inputs, training)

    def get_config(self) -> dict:
        return {**super().get_config(), "rate": self.rate}
