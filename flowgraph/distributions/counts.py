"""Shared parts of the count distributions (Multinomial, DirichletMultinomial): drawing
class counts, the multinomial coefficient, and checks on counts."""

from __future__ import annotations

from typing import Any, Optional

import flowgraph as fg

__all__ = ["draw_counts", "log_combinations", "embed_check_nonnegative_integer_form"]


def draw_counts(logits_2d: fg.Tensor, n_draws: fg.Tensor, k: fg.Tensor,
                seed: Optional[int], dtype: Any) -> fg.Tensor:
    """Counts [rows, k] of `n_draws[row]` categorical draws from each row of `logits_2d`.

    Every row draws max(n_draws) classes at once; draws past a row's own count are masked
    out, so rows may have different trial counts without a loop.
    """
    max_draws = fg.reduce_max(fg.concat([n_draws, [0]], 0))
    draws = fg.multinomial(logits_2d, max_draws, seed=seed, output_dtype=fg.int32)
    mask = fg.sequence_mask(n_draws, max_draws, dtype=dtype)
    one_hot = fg.one_hot(draws, depth=k, dtype=dtype)
    return fg.reduce_sum(one_hot * fg.expand_dims(mask, -1), -2)


def log_combinations(n: Any, counts: Any, name: str = "log_combinations") -> fg.Tensor:
    """log(n! / prod(counts_i!)), the log multinomial coefficient (over the last axis)."""
    with fg.name_scope(name):
        n = fg.convert_to_tensor(n, name="n")
        counts = fg.convert_to_tensor(counts, name="counts")
        total_permutations = fg.lgamma(n + 1)
        redundant_permutations = fg.reduce_sum(fg.lgamma(counts + 1), axis=[-1])
        return total_permutations - redundant_permutations


def embed_check_nonnegative_integer_form(
        x: Any, name: str = "embed_check_nonnegative_integer_form") -> fg.Tensor:
    """`x` with run-time checks that it is non-negative and whole."""
    with fg.name_scope(name):
        x = fg.convert_to_tensor(x, name="x")
        assertions = [fg.assert_non_negative(x, message=f"'{x.name}' must be non-negative.")]
        if not x.dtype.is_integer:
            assertions.append(fg.assert_equal(
                x, fg.round(x), message=f"'{x.name}' cannot contain fractional components."))
        return fg.with_dependencies(assertions, x)


def check_counts(dist: Any, counts: fg.Tensor) -> fg.Tensor:
    """With validate_args: counts are whole, non-negative and sum to total_count."""
    if not dist.validate_args:
        return counts
    counts = embed_check_nonnegative_integer_form(counts)
    return fg.with_dependencies([
        fg.assert_equal(dist.total_count, fg.reduce_sum(counts, -1),
                        message="counts must sum to `self.total_count`")], counts)


def convert_total_count(total_count: Any, dtype: Any, validate_args: bool, dist: str
                        ) -> fg.Tensor:
    """total_count as a tensor of the distribution's float `dtype` (checked to be whole and
    non-negative when validate_args)."""
    total_count = fg.convert_to_tensor(total_count, name="total_count", preferred_dtype=dtype)
    if total_count.dtype != dtype:
        raise ValueError(f"{dist}: total_count has dtype {total_count.dtype.name} but the "
                         f"other parameters are {dtype.name}; pass floats of one dtype "
                         f"(e.g. total_count=5.)")
    if validate_args:
        total_count = embed_check_nonnegative_integer_form(total_count)
    return total_count
