"""More candidate samplers (TF1's FixedUnigramCandidateSampler,
LearnedUnigramCandidateSampler, AllCandidateSampler), built on the sampling and expected-count
code of `flowgraph.ops.candidate_sampling`.

- fixed unigram: class k is drawn with probability weight[k] / sum(weights), the weights
  read from `unigrams` or a vocabulary file (last comma-separated field of each line),
  raised to the power `distortion`, with `num_reserved_ids` leading ids of weight 0, and
  only the ids of this `shard` kept (TF1's id numbering within a shard is reproduced);
- learned unigram: every class starts with weight 1; after each draw the true classes of
  the batch add 1 to their weights (per Session, as TF1);
- all: the classes 0 .. num_sampled - 1, each with expected count 1.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Optional

import numpy as np

from flowgraph import errors
from flowgraph.ops.candidate_sampling import _CandidateSampler, _sampler
from flowgraph.ops.registry import register

__all__ = ["fixed_unigram_candidate_sampler", "learned_unigram_candidate_sampler",
           "all_candidate_sampler"]


def _invalid(message: str) -> errors.InvalidArgumentError:
    return errors.InvalidArgumentError(None, None, message)


@dataclasses.dataclass(frozen=True, kw_only=True)
class _WeightedDraw(_CandidateSampler):
    """Not registered: the shared candidate-sampling kernel with class weights given at run
    time (probability weight / total)."""

    weights: Any = None

    def probability(self, classes):
        classes = np.asarray(classes).astype(np.int64)
        inside = (classes >= 0) & (classes < len(self.weights))
        p = np.zeros(classes.shape)
        p[inside] = self.weights[classes[inside]] / self.weights.sum()
        return p

    def draw(self, rng, count):
        cdf = np.cumsum(self.weights)
        picks = np.searchsorted(cdf, rng.random(count) * cdf[-1], side="right")
        return np.minimum(picks, len(self.weights) - 1)


def _weighted(op: Any, ctx: Any, true_classes: np.ndarray, weights: np.ndarray) -> tuple:
    sampler = _WeightedDraw(num_true=op.num_true, num_sampled=op.num_sampled,
                            unique=op.unique, range_max=op.range_max, seed=op.seed,
                            seed2=op.seed2, weights=weights)
    return sampler.kernel(ctx, true_classes)


@register
class FixedUnigramCandidateSampler(_CandidateSampler):
    """Classes drawn in proportion to fixed unigram weights (`unigrams` or `vocab_file`),
    raised to `distortion`; see the module docstring for reserved ids and shards."""

    vocab_file: str = ""
    distortion: float = 1.0
    num_reserved_ids: int = 0
    num_shards: int = 1
    shard: int = 0
    unigrams: tuple = ()

    def check(self) -> None:
        super().check()
        if self.num_shards < 1 or not 0 <= self.shard < self.num_shards:
            raise ValueError(f"FixedUnigramCandidateSampler needs num_shards >= 1 and "
                             f"0 <= shard < num_shards, got num_shards={self.num_shards}, "
                             f"shard={self.shard}")

    def _counts(self) -> list:
        if self.unigrams:
            return [float(w) for w in self.unigrams]
        counts = []
        with open(self.vocab_file, encoding="utf-8") as f:
            for line in f:
                line = line.rstrip("\r\n")
                if not line:
                    continue
                try:
                    counts.append(float(line.split(",")[-1]))
                except ValueError:
                    raise _invalid(f"Wrong vocabulary format at line: {line} (in "
                                   f"{self.vocab_file}; the last comma-separated field must "
                                   "be the count)") from None
        return counts

    def weights(self) -> np.ndarray:
        """The weights of this shard's classes, numbered as TF1 does."""
        if bool(self.vocab_file) == bool(self.unigrams):
            raise _invalid("Must provide either vocab_file or unigrams (exactly one).")
        weights = [0.0 for word in range(self.num_reserved_ids)
                   if word % self.num_shards == self.shard]
        word = len(weights)  # TF1 numbers the unigrams from here
        for count in self._counts():
            if word % self.num_shards == self.shard:
                weights.append(count ** self.distortion)
            word += 1
        if len(weights) != self.range_max:
            raise _invalid(f"range is {self.range_max} must be equal to weights size "
                           f"{len(weights)}: range_max must equal the number of this shard's "
                           "ids (reserved ids + unigrams)")
        return np.asarray(weights, dtype=np.float64)

    def kernel(self, ctx, true_classes):
        weights = ctx.state.resources.get(("FixedUnigramCandidateSampler", ctx.op.name))
        if weights is None:
            weights = self.weights()
            with ctx.state.lock:
                ctx.state.resources[("FixedUnigramCandidateSampler", ctx.op.name)] = weights
        return _weighted(self, ctx, true_classes, weights)


class _Counts:
    """A learned sampler's class weights in one Session (a Session resource)."""

    def __init__(self, range_max: int) -> None:
        self.weights = np.ones(range_max, dtype=np.float64)


@register
class LearnedUnigramCandidateSampler(_CandidateSampler):
    """Classes drawn in proportion to 1 + the number of times they were seen among the true
    classes of earlier runs in this Session."""

    def kernel(self, ctx, true_classes):
        classes = np.asarray(true_classes, dtype=np.int64).reshape(-1)
        bad = classes[(classes < 0) | (classes >= self.range_max)]
        if bad.size:
            raise _invalid(f"`true_candidate` out of range [0, {self.range_max}), received "
                           f"{int(bad[0])}")
        key = ("LearnedUnigramCandidateSampler", ctx.op.name)
        with ctx.state.lock:
            counts = ctx.state.resources.get(key)
            if counts is None:
                counts = ctx.state.resources[key] = _Counts(self.range_max)
            result = _weighted(self, ctx, true_classes, counts.weights.copy())
            np.add.at(counts.weights, classes, 1.0)
        return result


@register
class AllCandidateSampler(_CandidateSampler):
    """The classes 0 .. num_sampled - 1 (needs unique=True), expected counts all 1."""

    def kernel(self, ctx, true_classes):
        if not self.unique:
            raise _invalid("AllCandidateSampler samples every class once: unique must be "
                           "True")
        return (np.arange(self.num_sampled, dtype=np.int64),
                np.ones(np.shape(true_classes), dtype=np.float32),
                np.ones(self.num_sampled, dtype=np.float32))


# --------------------------------------------------------------------------- builders
def fixed_unigram_candidate_sampler(true_classes: Any, num_true: int, num_sampled: int,
                                    unique: bool, range_max: int, vocab_file: str = "",
                                    distortion: float = 1.0, num_reserved_ids: int = 0,
                                    num_shards: int = 1, shard: int = 0,
                                    unigrams: Any = (), seed: Optional[int] = None,
                                    name: Optional[str] = None) -> tuple:
    """(sampled_candidates, true_expected_count, sampled_expected_count), classes drawn in
    proportion to fixed unigram counts (`unigrams`, or the last field of each line of
    `vocab_file`) raised to `distortion`."""
    op_class = _fixed(vocab_file, distortion, num_reserved_ids, num_shards, shard, unigrams)
    return _sampler(op_class, true_classes, num_true, num_sampled, unique, range_max, seed,
                    name, "FixedUnigramCandidateSampler")


def _fixed(vocab_file: str, distortion: float, num_reserved_ids: int, num_shards: int,
           shard: int, unigrams: Any) -> Any:
    """The op class with the fixed-unigram attributes bound (for `_sampler`)."""
    unigrams = tuple(float(u) for u in unigrams)

    def make(**attrs: Any) -> FixedUnigramCandidateSampler:
        return FixedUnigramCandidateSampler(
            vocab_file=str(vocab_file), distortion=float(distortion),
            num_reserved_ids=int(num_reserved_ids), num_shards=int(num_shards),
            shard=int(shard), unigrams=unigrams, **attrs)
    return make


def learned_unigram_candidate_sampler(true_classes: Any, num_true: int, num_sampled: int,
                                      unique: bool, range_max: int,
                                      seed: Optional[int] = None,
                                      name: Optional[str] = None) -> tuple:
    """(sampled_candidates, true_expected_count, sampled_expected_count), classes drawn in
    proportion to 1 + how often they appeared among the true classes of earlier runs."""
    return _sampler(LearnedUnigramCandidateSampler, true_classes, num_true, num_sampled,
                    unique, range_max, seed, name, "LearnedUnigramCandidateSampler")


def all_candidate_sampler(true_classes: Any, num_true: int, num_sampled: int, unique: bool,
                          seed: Optional[int] = None, name: Optional[str] = None) -> tuple:
    """(sampled_candidates, true_expected_count, sampled_expected_count): all the classes
    0 .. num_sampled - 1, with expected counts 1 (for testing sampled losses)."""
    return _sampler(AllCandidateSampler, true_classes, num_true, num_sampled, unique,
                    num_sampled, seed, name, "AllCandidateSampler")

