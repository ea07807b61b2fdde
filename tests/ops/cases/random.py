"""Cases for the random ops: statistical checks with tolerances from the sample size.

With n samples, a sample mean has standard error sigma / sqrt(n) and a sample standard
deviation about sigma / sqrt(2 n); a frequency has standard error at most 0.5 / sqrt(n).
The tolerances below are 5 or more standard errors, so a correct kernel fails with
probability < 1e-6 (and the seeds are fixed, so the draws are reproducible anyway).

Gradients (grad=False here): successive runs of one Session draw new values, so the
registry's finite-difference check cannot hold the draws fixed; the gradients with respect
to mean / stddev / minval / maxval are checked in tests/ops/test_random_grad.py.
"""

import math

import numpy as np

import flowgraph as fg
from tests.ops.harness import OpCase

N = 100_000
SHAPE = np.array([N], dtype=np.int32)


def _tol_mean(sigma, n=N):
    return 5 * sigma / math.sqrt(n)


def _tol_std(sigma, n=N):
    return 5 * sigma / math.sqrt(2 * n)


def _check_normal(mean, std, dtype=np.float32):
    def check(values, inputs):
        x = np.asarray(values[0])
        assert x.dtype == dtype and x.shape == (N,)
        assert abs(x.mean() - mean) < _tol_mean(std)
        assert abs(x.std() - std) < _tol_std(std)
    return check


# Truncated at 2 sigma: the standard deviation is sigma * sqrt(1 - 2 a phi(a) / Z), with
# a = 2, phi the standard normal density and Z = P(|z| < 2) = erf(2 / sqrt 2).
_A = 2.0
_Z = math.erf(_A / math.sqrt(2.0))
_PHI = math.exp(-_A * _A / 2.0) / math.sqrt(2.0 * math.pi)
TRUNC_STD = math.sqrt(1.0 - 2.0 * _A * _PHI / _Z)  # about 0.8796


def _check_truncated(mean, std):
    def check(values, inputs):
        x = np.asarray(values[0], dtype=np.float64)
        assert np.all(np.abs(x - mean) <= 2 * std * (1 + 1e-6))
        assert abs(x.mean() - mean) < _tol_mean(std)
        assert abs(x.std() - std * TRUNC_STD) < _tol_std(std)
    return check


def _check_uniform(low, high, dtype=np.float32):
    def check(values, inputs):
        x = np.asarray(values[0])
        assert x.dtype == dtype
        assert x.min() >= low and x.max() < high
        width = high - low
        assert abs(x.mean() - (low + high) / 2) < _tol_mean(width / math.sqrt(12))
        assert abs(x.std() - width / math.sqrt(12)) < _tol_std(width / math.sqrt(12))
    return check


def _check_uniform_int(low, high, dtype):
    def check(values, inputs):
        x = np.asarray(values[0])
        assert x.dtype == dtype
        assert x.min() == low and x.max() == high - 1
        counts = np.bincount(x - low, minlength=high - low) / x.size
        assert np.all(np.abs(counts - 1.0 / (high - low)) < 5 * 0.5 / math.sqrt(N))
    return check


def _check_shuffle(values, inputs):
    x, original = np.asarray(values[0]), inputs[0]
    assert x.shape == original.shape
    # A permutation of the rows: same multiset of rows, rows kept whole.
    assert sorted(map(tuple, x.reshape(len(x), -1))) == \
        sorted(map(tuple, original.reshape(len(original), -1)))
    assert not np.array_equal(x, original)  # 20! orders: unchanged with p = 4e-19


LOGITS = np.array([[0.0, 1.0, 2.0], [np.log(0.7), np.log(0.3), -np.inf]], dtype=np.float32)


def _softmax_rows(logits):
    e = np.exp(logits.astype(np.float64) - logits.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def _check_multinomial(dtype):
    def check(values, inputs):
        x = np.asarray(values[0])
        assert x.dtype == dtype and x.shape == (2, N)
        probs = _softmax_rows(LOGITS)
        for row in range(2):
            freq = np.bincount(x[row], minlength=3) / N
            assert np.all(np.abs(freq - probs[row]) < 5 * 0.5 / math.sqrt(N)), (freq, probs)
        assert not np.any(x[1] == 2)  # a -inf logit has probability 0
    return check


CASES = [
    OpCase("RandomStandardNormal", lambda s: fg.random_normal(s, seed=1), [SHAPE],
           check=_check_normal(0.0, 1.0)),
    OpCase("RandomStandardNormal",
           lambda m, sd: fg.random_normal([N], mean=m, stddev=sd, seed=2),
           [np.float32(3.0), np.float32(0.5)], check=_check_normal(3.0, 0.5),
           name="mean_stddev_inputs", grad=False),
    OpCase("RandomStandardNormal",
           lambda s: fg.random_normal(s, mean=-1.0, stddev=2.0, dtype=fg.float64, seed=3),
           [SHAPE], check=_check_normal(-1.0, 2.0, np.float64), name="float64"),
    OpCase("RandomStandardNormal", lambda: fg.random_normal([0, 3], seed=4),
           expected=np.zeros((0, 3), np.float32), name="empty"),
    OpCase("TruncatedNormal", lambda s: fg.truncated_normal(s, seed=5), [SHAPE],
           check=_check_truncated(0.0, 1.0)),
    OpCase("TruncatedNormal",
           lambda m: fg.truncated_normal([N], mean=m, stddev=3.0, seed=6),
           [np.float32(10.0)], check=_check_truncated(10.0, 3.0), name="scaled", grad=False),
    OpCase("RandomUniform", lambda s: fg.random_uniform(s, seed=7), [SHAPE],
           check=_check_uniform(0.0, 1.0)),
    OpCase("RandomUniform",
           lambda lo, hi: fg.random_uniform([N], lo, hi, dtype=fg.float64, seed=8),
           [np.float64(-3.0), np.float64(5.0)], check=_check_uniform(-3.0, 5.0, np.float64),
           name="bounds", grad=False),
    OpCase("RandomUniformInt",
           lambda s: fg.random_uniform(s, minval=-2, maxval=5, dtype=fg.int32, seed=9),
           [SHAPE], check=_check_uniform_int(-2, 5, np.int32)),
    OpCase("RandomUniformInt",
           lambda lo, hi: fg.random_uniform([N], lo, hi, dtype=fg.int64, seed=10),
           [np.int64(10), np.int64(14)], check=_check_uniform_int(10, 14, np.int64),
           name="int64_inputs"),
    OpCase("RandomShuffle", lambda x: fg.random_shuffle(x, seed=11),
           [np.arange(40, dtype=np.float32).reshape(20, 2)], check=_check_shuffle),
    OpCase("RandomShuffle", lambda x: fg.random_shuffle(x, seed=12),
           [np.array([b"a", b"b", b"c", b"d", b"e", b"f", b"g", b"h", b"i", b"j", b"k", b"l",
                      b"m", b"n", b"o", b"p", b"q", b"r", b"s", b"t"], dtype=object)],
           check=_check_shuffle, name="strings"),
    OpCase("RandomShuffle", lambda x: fg.random_shuffle(x, seed=13),
           [np.float32(4.5)], expected=np.float32(4.5), name="scalar"),
    OpCase("Multinomial", lambda logits: fg.multinomial(logits, N, seed=14), [LOGITS],
           check=_check_multinomial(np.int64)),
    OpCase("Multinomial",
           lambda logits: fg.multinomial(logits, N, seed=15, output_dtype=fg.int32),
           [LOGITS], check=_check_multinomial(np.int32), name="int32"),
]
