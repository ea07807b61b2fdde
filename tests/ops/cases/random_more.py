"""Cases for random_more.py: shapes, dtypes and sample means (random values: checks)."""

import numpy as np

import flowgraph as fg
from tests.ops.harness import OpCase


def _check_gamma(outputs, inputs):
    (x,) = outputs
    assert x.shape == (4000, 2) and np.all(x > 0)
    np.testing.assert_allclose(x.mean(axis=0), inputs[0] / 2.0, rtol=0.1)  # mean alpha/beta


def _check_poisson(outputs, inputs):
    (x,) = outputs
    assert x.shape == (4000, 2) and x.dtype == np.int32
    np.testing.assert_allclose(x.mean(axis=0), inputs[0], rtol=0.1)
    assert np.all(x == np.round(x))


CASES = [
    OpCase("RandomGamma", lambda a: fg.random_gamma([4000], a, beta=2.0, seed=3),
           [np.array([1.0, 5.0], np.float32)], check=_check_gamma),
    OpCase("RandomPoissonV2", lambda r: fg.random_poisson(r, [4000], dtype=fg.int32, seed=3),
           [np.array([2.0, 7.0], np.float32)], check=_check_poisson),
]
