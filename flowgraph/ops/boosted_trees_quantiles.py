"""Bucket boundaries for numeric features of boosted trees: a weighted quantile summary
built from the first batches, then fixed boundaries and bucketization (as TF1).

TF1 bucketizes a `numeric_column` given to its boosted trees by quantiles computed from the
first `n_batches_per_layer` batches: Q = int(1 / quantile_sketch_epsilon) boundaries, the
smallest and largest values included, and an example goes to the bucket of the first
boundary >= its value (the last bucket past the largest), so Q buckets.

Here each numeric feature keeps a bounded weighted summary: (value, weight) pairs, at most
`capacity` of them; when more arrive, the sorted pairs are compressed to `capacity` points
evenly spaced in cumulative weight, so a quantile's rank error stays about
(number of compressions) / capacity. The boundaries are the distinct weighted quantiles
at levels k / (Q - 1), k = 0..Q-1 (all distinct values when there are at most Q), padded
to Q by repeating the largest.

Ops: `BoostedTreesQuantileAccumulate` (stateful: adds a batch, and after enough batches
sets the boundaries and clears the ensemble's "quantiles needed" flag) and
`BoostedTreesBucketize` (pure).
"""

from __future__ import annotations

from typing import Any, Optional

import numpy as np

from flowgraph import dtypes, errors
from flowgraph.ops import boosted_trees_kernels as kernels
from flowgraph.ops.constant import convert_to_tensor
from flowgraph.ops.registry import Op, apply_op, register
from flowgraph.ops.state import _variable_tensor
from flowgraph.shapes import TensorShape

__all__: list = []


# --------------------------------------------------------------------------- numpy
def merge_summary(values: np.ndarray, weights: np.ndarray, size: int, new_values: np.ndarray,
                  new_weights: np.ndarray) -> tuple:
    """One feature's summary (`size` pairs in the [capacity] arrays) with new pairs added:
    (values, weights, size), compressed to the capacity when it overflows."""
    capacity = values.shape[0]
    keep = np.isfinite(new_values) & (new_weights > 0)
    merged_v = np.concatenate([values[:size], new_values[keep]]).astype(np.float64)
    merged_w = np.concatenate([weights[:size], new_weights[keep]]).astype(np.float64)
    order = np.argsort(merged_v, kind="stable")
    merged_v, merged_w = merged_v[order], merged_w[order]
    if merged_v.size > capacity:
        # Keep the points at evenly spaced cumulative weights (the first and last values
        # too), each standing for an equal share of the total weight.
        cum = np.cumsum(merged_w)
        targets = np.linspace(0.0, cum[-1], capacity)
        picks = np.minimum(np.searchsorted(cum, targets, side="left"), merged_v.size - 1)
        merged_v = merged_v[picks]
        merged_w = np.full(capacity, cum[-1] / capacity)
    out_v, out_w = np.zeros_like(values), np.zeros_like(weights)
    out_v[:merged_v.size], out_w[:merged_w.size] = merged_v, merged_w
    return out_v, out_w, merged_v.size


def boundaries_from_summary(values: np.ndarray, weights: np.ndarray, size: int,
                            num_boundaries: int) -> np.ndarray:
    """The distinct weighted quantiles at k / (num_boundaries - 1), k = 0..num_boundaries-1,
    of a summary, padded to `num_boundaries` by repeating the largest (all zeros for an
    empty summary)."""
    out = np.zeros(num_boundaries, dtype=np.float32)
    if size == 0 or num_boundaries == 0:
        return out
    v, w = values[:size].astype(np.float64), weights[:size].astype(np.float64)
    cum = np.cumsum(w)
    levels = np.linspace(0.0, 1.0, num_boundaries) * cum[-1] if num_boundaries > 1 \
        else np.array([cum[-1]])
    picks = np.minimum(np.searchsorted(cum, levels, side="left"), size - 1)
    distinct = np.unique(v[picks].astype(np.float32))
    out[:distinct.size] = distinct
    out[distinct.size:] = distinct[-1]
    return out


def bucketize(values: np.ndarray, boundaries: np.ndarray) -> np.ndarray:
    """int32 [batch, d]: per column j, the index of the first boundary >= the value, and
    the last (distinct) boundary's index for larger values (TF1's BoostedTreesBucketize)."""
    columns = np.ascontiguousarray(np.asarray(values).T)
    bounds = np.asarray(boundaries, dtype=columns.dtype)
    out = np.empty(columns.shape, dtype=np.int32)
    for j in range(columns.shape[0]):
        if bounds.shape[1] == 0:
            out[j] = 0
            continue
        # Padding repeats the largest boundary: its first position is the last bucket.
        last = np.searchsorted(bounds[j], bounds[j, -1], side="left")
        out[j] = np.minimum(np.searchsorted(bounds[j], columns[j], side="left"), last)
    return out.T


# --------------------------------------------------------------------------- ops
@register
class BoostedTreesBucketize(Op):
    """Bucket ids int32 [batch, d] of float values [batch, d] (TF1's BoostedTreesBucketize):
    column j's bucket is the index of its first boundary >= the value (boundaries float32
    [d, K], sorted; a repeated largest boundary is padding), the last one for larger
    values."""

    differentiable = False

    def infer(self, op):
        values, boundaries = op.inputs
        if not values.dtype.is_floating or boundaries.dtype != dtypes.float32:
            raise TypeError(f"{op.type} takes floating values and float32 boundaries, got "
                            f"{values.dtype.name} and {boundaries.dtype.name}")
        if values.shape.ndims not in (None, 2) or boundaries.shape.ndims not in (None, 2):
            raise ValueError(f"{op.type}: values must be [batch, d] and boundaries [d, K], "
                             f"got {values.shape} and {boundaries.shape}")
        return [(dtypes.int32, values.shape if values.shape.ndims == 2 else
                 TensorShape([None, None]))]

    def kernel(self, values, boundaries):
        if values.shape[1] != boundaries.shape[0]:
            raise errors.InvalidArgumentError(
                None, None, f"{values.shape[1]} value columns but boundaries for "
                f"{boundaries.shape[0]}")
        return bucketize(values, boundaries)


@register
class BoostedTreesQuantileAccumulate(Op):
    """While growing_state says quantiles are needed: adds a batch of values [batch, d]
    (with example weights [batch]) to the per-feature summaries, and once
    `n_batches_per_layer` batches are in, sets the boundaries [d, Q] and clears the flag.
    Outputs whether the boundaries are ready (bool).

    Inputs: summary_values, summary_weights (refs, float32 [d, capacity]), summary_size
    (ref, int32 [d]: pairs held per feature), num_batches (ref, int32 scalar), boundaries
    (ref), growing_state (ref), values, weights.
    """

    n_batches_per_layer: int
    stateful = True
    needs_state = True
    differentiable = False
    ref_inputs = (0, 1, 2, 3, 4, 5)

    def check(self):
        if self.n_batches_per_layer < 1:
            raise ValueError(f"n_batches_per_layer must be >= 1, got "
                             f"{self.n_batches_per_layer}")

    def infer(self, op):
        if len(op.inputs) != 8:
            raise ValueError(f"{op.type} takes 8 inputs, got {len(op.inputs)}")
        values, weights = op.inputs[6:]
        if not values.dtype.is_floating or not weights.dtype.is_floating:
            raise TypeError(f"{op.type} takes floating values and weights, got "
                            f"{values.dtype.name} and {weights.dtype.name}")
        return [(dtypes.bool_, [])]

    def kernel(self, ctx, sv_ref, sw_ref, size_ref, batches_ref, bounds_ref, state_ref,
               values, weights):
        with ctx.state.lock:
            state = ctx.read_variable(state_ref.key)
            if not state[kernels.STATE_QUANTILES_NEEDED]:
                return np.bool_(True)
            values = np.asarray(values, dtype=np.float64)
            weights = np.broadcast_to(np.asarray(weights, np.float64).reshape(-1, 1)
                                      if np.ndim(weights) else weights, values.shape)
            with ctx.variable_for_update(sv_ref.key) as sv, \
                    ctx.variable_for_update(sw_ref.key) as sw, \
                    ctx.variable_for_update(size_ref.key) as sizes:
                for j in range(sv.shape[0]):
                    sv[j], sw[j], sizes[j] = merge_summary(sv[j], sw[j], int(sizes[j]),
                                                           values[:, j], weights[:, j])
            batches = int(ctx.read_variable(batches_ref.key)) + 1
            ctx.write_variable(batches_ref.key, np.int32(batches))
            if batches < self.n_batches_per_layer:
                return np.bool_(False)
            sv, sw = ctx.read_variable(sv_ref.key), ctx.read_variable(sw_ref.key)
            sizes = ctx.read_variable(size_ref.key)
            with ctx.variable_for_update(bounds_ref.key) as bounds:
                for j in range(bounds.shape[0]):
                    bounds[j] = boundaries_from_summary(sv[j], sw[j], int(sizes[j]),
                                                        bounds.shape[1])
            with ctx.variable_for_update(state_ref.key) as new_state:
                new_state[kernels.STATE_QUANTILES_NEEDED] = 0
        return np.bool_(True)


# --------------------------------------------------------------------------- builders
def bucketize_features(values: Any, boundaries: Any, name: Optional[str] = None) -> Any:
    """int32 [batch, d] bucket ids of float `values` [batch, d]."""
    return apply_op(BoostedTreesBucketize(), [convert_to_tensor(values),
                                             convert_to_tensor(boundaries)], name=name)


def quantile_accumulate(summary_variables: Any, values: Any, weights: Any,
                        n_batches_per_layer: int, name: Optional[str] = None) -> Any:
    """Adds a batch to the quantile summaries (see BoostedTreesQuantileAccumulate);
    `summary_variables`: (summary_values, summary_weights, summary_size, num_batches,
    boundaries, growing_state)."""
    refs = [_variable_tensor(v) for v in summary_variables]
    return apply_op(BoostedTreesQuantileAccumulate(n_batches_per_layer=n_batches_per_layer),
                    refs + [convert_to_tensor(values), convert_to_tensor(weights)],
                    name=name)
