"""Candidate samplers for sampled losses (TF1's UniformCandidateSampler,
LogUniformCandidateSampler) and ComputeAccidentalHits.

A sampler draws `num_sampled` classes from [0, range_max) (distinct ones with unique=True)
and returns, for the true classes and for the samples, the expected number of times each
would be drawn (TF1's RangeSampler::ExpectedCountHelper): p * num_sampled without
uniqueness, else 1 - (1 - p)^tries with `tries` the number of draws it took.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Optional

import numpy as np

from flowgraph import dtypes, errors
from flowgraph.ops.constant import convert_to_tensor
from flowgraph.ops.random import RandomOp, get_seed
from flowgraph.ops.registry import Op, apply_op, register
from flowgraph.shapes import TensorShape

__all__: list = []  # exported as fg.nn.* / fg.random.* (flowgraph.nn.sampled)


@dataclasses.dataclass(frozen=True, kw_only=True)
class _CandidateSampler(RandomOp):
    num_true: int = 1
    num_sampled: int = 1
    unique: bool = True
    range_max: int = 1
    differentiable = False

    def infer(self, op):
        true_classes = op.inputs[0]
        if true_classes.dtype != dtypes.int64:
            raise TypeError(f"{op.type}: true_classes must be int64, got "
                            f"{true_classes.dtype.name}")
        batch = true_classes.shape.with_rank(2)[0].value
        return [(dtypes.int64, TensorShape([self.num_sampled])),
                (dtypes.float32, TensorShape([batch, self.num_true])),
                (dtypes.float32, TensorShape([self.num_sampled]))]

    def probability(self, classes: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def draw(self, rng: np.random.Generator, count: int) -> np.ndarray:
        raise NotImplementedError

    def kernel(self, ctx, true_classes):
        if self.unique and self.num_sampled > self.range_max:
            raise errors.InvalidArgumentError(None, None, "Sampler's range is too small.")
        rng = self.generator(ctx)
        if self.unique:
            sampled: list = []
            seen: set = set()
            tries = 0
            while len(sampled) < self.num_sampled:
                for value in self.draw(rng, self.num_sampled):
                    tries += 1
                    if int(value) not in seen:
                        seen.add(int(value))
                        sampled.append(int(value))
                        if len(sampled) == self.num_sampled:
                            break
            candidates = np.array(sampled, dtype=np.int64)
        else:
            candidates = self.draw(rng, self.num_sampled).astype(np.int64)
            tries = self.num_sampled
        return (candidates, self._expected(true_classes, tries),
                self._expected(candidates, tries))

    def _expected(self, classes: np.ndarray, tries: int) -> np.ndarray:
        p = self.probability(np.asarray(classes, dtype=np.float64))
        if tries == self.num_sampled:
            return (p * self.num_sampled).astype(np.float32)
        return (-np.expm1(tries * np.log1p(-p))).astype(np.float32)


@register
class UniformCandidateSampler(_CandidateSampler):
    """Classes drawn uniformly from [0, range_max)."""

    def probability(self, classes):
        return np.full(np.shape(classes), 1.0 / self.range_max)

    def draw(self, rng, count):
        return rng.integers(0, self.range_max, size=count)


@register
class LogUniformCandidateSampler(_CandidateSampler):
    """Classes drawn from the Zipfian distribution P(k) = log((k + 2) / (k + 1)) /
    log(range_max + 1), which favours small (frequent, when sorted by frequency) ids."""

    def probability(self, classes):
        return (np.log(classes + 2.0) - np.log(classes + 1.0)) / np.log(self.range_max + 1.0)

    def draw(self, rng, count):
        values = np.exp(rng.random(count) * np.log(self.range_max + 1.0)) - 1.0
        return np.minimum(values.astype(np.int64), self.range_max - 1)


@register
class ComputeAccidentalHits(Op):
    """The (row, sample position) pairs where a sampled class equals one of the row's true
    classes, with weight -FLT_MAX (to mask those logits)."""

    num_true: int = 1
    seed: Optional[int] = None
    seed2: Optional[int] = None
    differentiable = False

    def infer(self, op):
        return [(dtypes.int32, TensorShape([None])), (dtypes.int64, TensorShape([None])),
                (dtypes.float32, TensorShape([None]))]

    def kernel(self, true_classes, sampled_candidates):
        index_of: dict = {}
        for position, value in enumerate(sampled_candidates.tolist()):
            index_of.setdefault(value, []).append(position)
        rows, ids = [], []
        for row, classes in enumerate(true_classes.tolist()):
            for value in classes:
                for position in index_of.get(value, ()):
                    rows.append(row)
                    ids.append(position)
        weights = np.full(len(rows), -np.finfo(np.float32).max, dtype=np.float32)
        return (np.array(rows, dtype=np.int32), np.array(ids, dtype=np.int64), weights)


def _sampler(op_class: type, true_classes: Any, num_true: int, num_sampled: int, unique: bool,
             range_max: int, seed: Optional[int], name: Optional[str], default: str) -> tuple:
    from flowgraph.ops.elementwise import op_scope
    true_classes = convert_to_tensor(true_classes, dtype=dtypes.int64)
    with op_scope(name, default, [true_classes]) as scope:
        seed1, seed2 = get_seed(seed)
        outputs = apply_op(op_class(num_true=int(num_true), num_sampled=int(num_sampled),
                                    unique=bool(unique), range_max=int(range_max),
                                    seed=seed1, seed2=seed2),
                           [true_classes], name=scope)
    return tuple(outputs)


def uniform_candidate_sampler(true_classes: Any, num_true: int, num_sampled: int, unique: bool,
                              range_max: int, seed: Optional[int] = None,
                              name: Optional[str] = None) -> tuple:
    """(sampled_candidates, true_expected_count, sampled_expected_count), classes drawn
    uniformly from [0, range_max)."""
    return _sampler(UniformCandidateSampler, true_classes, num_true, num_sampled, unique,
                    range_max, seed, name, "UniformCandidateSampler")


def log_uniform_candidate_sampler(true_classes: Any, num_true: int, num_sampled: int,
                                  unique: bool, range_max: int, seed: Optional[int] = None,
                                  name: Optional[str] = None) -> tuple:
    """(sampled_candidates, true_expected_count, sampled_expected_count), classes drawn
    from the log-uniform (Zipfian) distribution over [0, range_max)."""
    return _sampler(LogUniformCandidateSampler, true_classes, num_true, num_sampled, unique,
                    range_max, seed, name, "LogUniformCandidateSampler")


def compute_accidental_hits(true_classes: Any, sampled_candidates: Any, num_true: int,
                            seed: Optional[int] = None, name: Optional[str] = None) -> tuple:
    """(indices, ids, weights): where sampled candidates hit a row's true classes."""
    outputs = apply_op(ComputeAccidentalHits(num_true=int(num_true)),
                       [convert_to_tensor(true_classes, dtype=dtypes.int64),
                        convert_to_tensor(sampled_candidates, dtype=dtypes.int64)], name=name)
    return tuple(outputs)
