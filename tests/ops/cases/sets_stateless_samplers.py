"""Cases for sets (flowgraph.ops.sets), EditDistance, the stateless random ops
and the extra candidate samplers. Expected set / edit-distance values are hand-computed
(and equal TF 2.21 compat.v1's for the same inputs); random ops are checked for ranges,
shapes and the seed-determinism they promise; sampler expected counts follow TF1's formula
p * num_sampled (no uniqueness)."""

import numpy as np

import flowgraph as fg
from flowgraph.sparse_tensor import SparseTensor
from tests.ops.harness import OpCase

A = np.array([[1, 2, 2], [3, 0, 4]], np.int64)
B = np.array([[2, 1, 9], [4, 4, 8]], np.int64)
SB_IND = np.array([[0, 0], [1, 0], [1, 3]], np.int64)
SB_VAL = np.array([1, 4, 6], np.int64)
SB_SHAPE = np.array([2, 5], np.int64)
TRUE = np.array([[1, 2], [3, 3]], np.int64)


def parts(sp):
    return [sp.indices, sp.values, sp.dense_shape]


def _check_unit_interval(outputs, inputs):
    (u,) = outputs
    assert u.shape == (3, 4) and u.dtype == np.float32
    assert np.all((u >= 0) & (u < 1)) and len(np.unique(u)) == 12


def _check_normal(outputs, inputs):
    (z,) = outputs
    assert z.shape == (3, 4) and np.all(np.isfinite(z)) and len(np.unique(z)) == 12


def _check_truncated(outputs, inputs):
    (z,) = outputs
    assert z.shape == (3, 4) and np.all(np.abs(z) <= 2.0)


def _check_int(outputs, inputs):
    (v,) = outputs
    assert v.dtype == np.int32 and np.all((v >= 3) & (v < 9))


def _check_multinomial(outputs, inputs):
    (v,) = outputs
    assert v.shape == (2, 6)
    assert np.all(v[0] == 1) and np.all(v[1] == 0)  # logits -inf elsewhere


def _check_fixed(outputs, inputs):
    candidates, true_count, sampled_count = outputs
    p = np.array([1, 2, 3, 4, 5]) / 15.0
    np.testing.assert_allclose(true_count, p[inputs[0]] * 4, rtol=1e-6)
    np.testing.assert_allclose(sampled_count, p[candidates] * 4, rtol=1e-6)


def _check_learned(outputs, inputs):
    candidates, true_count, sampled_count = outputs
    np.testing.assert_allclose(true_count, np.full((2, 2), 0.6), rtol=1e-6)  # 3 * 1/5
    np.testing.assert_allclose(sampled_count, np.full(3, 0.6), rtol=1e-6)
    assert np.all((candidates >= 0) & (candidates < 5))


SEED = np.array([1, 2], np.int32)

CASES = [
    OpCase("SetSize",
           lambda i, v, s: fg.sets.set_size(SparseTensor(i, v, s)),
           [np.array([[0, 0], [0, 1], [0, 2], [1, 1]], np.int64), np.int64([2, 2, 1, 7]),
            np.int64([3, 4])],
           expected=np.int32([2, 1, 0]), grad=False),
    OpCase("DenseToDenseSetOperation", lambda a, b: parts(fg.sets.union(a, b)), [A, B],
           expected=[np.array([[0, 0], [0, 1], [0, 2], [1, 0], [1, 1], [1, 2], [1, 3]]),
                     np.int64([1, 2, 9, 0, 3, 4, 8]), np.int64([2, 4])], grad=False),
    OpCase("DenseToDenseSetOperation",
           lambda a, b: parts(fg.sets.intersection(a, b)), [A, B],
           expected=[np.array([[0, 0], [0, 1], [1, 0]]), np.int64([1, 2, 4]),
                     np.int64([2, 2])], name="intersection", grad=False),
    OpCase("DenseToSparseSetOperation",
           lambda a, i, v, s: parts(fg.sets.difference(a, SparseTensor(i, v, s))),
           [A, SB_IND, SB_VAL, SB_SHAPE],
           expected=[np.array([[0, 0], [1, 0], [1, 1]]), np.int64([2, 0, 3]),
                     np.int64([2, 2])], grad=False),
    OpCase("SparseToSparseSetOperation",
           lambda i, v, s: parts(fg.sets.union(SparseTensor(i, v, s),
                                               SparseTensor(SB_IND, SB_VAL, SB_SHAPE))),
           [np.array([[0, 0], [0, 1], [1, 2]], np.int64), np.int64([5, 1, 6]), SB_SHAPE],
           expected=[np.array([[0, 0], [0, 1], [1, 0], [1, 1]]), np.int64([1, 5, 4, 6]),
                     np.int64([2, 2])], grad=False),
    OpCase("EditDistance",
           lambda hi, hv, hs, ti, tv, ts: fg.edit_distance(SparseTensor(hi, hv, hs),
                                                          SparseTensor(ti, tv, ts)),
           [np.array([[0, 0], [0, 1], [0, 2], [1, 0]], np.int64), np.int64([1, 2, 3, 5]),
            np.int64([3, 3]), np.array([[0, 0], [0, 1], [2, 0]], np.int64),
            np.int64([1, 3, 4]), np.int64([4, 2])],
           expected=np.float32([0.5, np.inf, 1.0, 0.0]), grad=False),
    OpCase("StatelessRandomUniform",
           lambda s: fg.random.stateless_uniform([3, 4], seed=s), [SEED],
           check=_check_unit_interval, grad=False),
    OpCase("StatelessRandomNormal",
           lambda s: fg.random.stateless_normal([3, 4], seed=s), [SEED],
           check=_check_normal, grad=False),
    OpCase("StatelessTruncatedNormal",
           lambda s: fg.random.stateless_truncated_normal([3, 4], seed=s), [SEED],
           check=_check_truncated, grad=False),
    OpCase("StatelessRandomUniformInt",
           lambda s: fg.random.stateless_uniform([50], seed=s, minval=3, maxval=9,
                                                 dtype=fg.int32), [SEED],
           check=_check_int, grad=False),
    OpCase("StatelessMultinomial",
           lambda lg, s: fg.random.stateless_categorical(lg, 6, seed=s),
           [np.array([[-np.inf, 0.0, -np.inf], [0.0, -np.inf, -np.inf]], np.float32), SEED],
           check=_check_multinomial, grad=False),
    OpCase("FixedUnigramCandidateSampler",
           lambda t: list(fg.nn.fixed_unigram_candidate_sampler(
               t, 2, 4, False, 5, unigrams=[1.0, 2.0, 3.0, 4.0, 5.0])), [TRUE],
           check=_check_fixed, grad=False),
    OpCase("LearnedUnigramCandidateSampler",
           lambda t: list(fg.nn.learned_unigram_candidate_sampler(t, 2, 3, False, 5)), [TRUE],
           check=_check_learned, grad=False),
    OpCase("AllCandidateSampler",
           lambda t: list(fg.nn.all_candidate_sampler(t, 2, 5, True)), [TRUE],
           expected=[np.arange(5, dtype=np.int64), np.ones((2, 2), np.float32),
                     np.ones(5, np.float32)], grad=False),
]
