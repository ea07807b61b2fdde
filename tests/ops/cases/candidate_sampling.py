"""Cases for candidate_sampling.py: samplers are random, so the cases check shapes, ranges
and the expected counts (deterministic without uniqueness: p * num_sampled, with the
uniform p = 1 / range_max and the log-uniform p = log((k + 2) / (k + 1)) / log(range + 1))."""

import math

import numpy as np

import flowgraph as fg
from tests.ops.harness import OpCase

TRUE = np.array([[1, 2], [3, 7]], np.int64)


def _check_uniform(outputs, inputs):
    candidates, true_count, sampled_count = outputs
    assert candidates.shape == (4,) and np.all((candidates >= 0) & (candidates < 10))
    np.testing.assert_allclose(true_count, np.full((2, 2), 0.4), rtol=1e-6)
    np.testing.assert_allclose(sampled_count, np.full(4, 0.4), rtol=1e-6)


def _check_log_uniform(outputs, inputs):
    candidates, true_count, sampled_count = outputs
    p = [[math.log((k + 2) / (k + 1)) / math.log(11) for k in row] for row in TRUE]
    np.testing.assert_allclose(true_count, np.array(p) * 4, rtol=1e-5)
    assert np.all((candidates >= 0) & (candidates < 10))
    np.testing.assert_allclose(sampled_count, [4 * math.log((k + 2) / (k + 1)) / math.log(11)
                                               for k in candidates], rtol=1e-5)


def _check_unique(outputs, inputs):
    assert sorted(outputs[0].tolist()) == list(range(5))


CASES = [
    OpCase("UniformCandidateSampler",
           lambda t: list(fg.nn.uniform_candidate_sampler(t, 2, 4, False, 10)), [TRUE],
           check=_check_uniform),
    OpCase("UniformCandidateSampler",
           lambda t: list(fg.nn.uniform_candidate_sampler(t, 2, 5, True, 5)), [TRUE],
           check=_check_unique, name="unique"),
    OpCase("LogUniformCandidateSampler",
           lambda t: list(fg.nn.log_uniform_candidate_sampler(t, 2, 4, False, 10)), [TRUE],
           check=_check_log_uniform),
    OpCase("ComputeAccidentalHits",
           lambda t, s: list(fg.nn.compute_accidental_hits(t, s, 2)),
           [TRUE, np.array([7, 0, 2, 2], np.int64)],
           expected=[np.array([0, 0, 1], np.int32), np.array([2, 3, 0], np.int64),
                     np.full(3, -np.finfo(np.float32).max, np.float32)]),
]
