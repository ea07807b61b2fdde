"""`fg.data.experimental.rejection_resample`: TF1's class rebalancing by rejection.

Built, as TF1 builds it, from other dataset transformations: each element is kept with an
acceptance probability of its class, computed from the initial class distribution (given, or
estimated from running class counts) and the target one; a share of the output is drawn from
the original data unchanged so that as few elements as possible are rejected.
"""

from __future__ import annotations

from typing import Any, Callable, Optional

import numpy as np

from flowgraph import dtypes
from flowgraph.data.dataset import Dataset

__all__ = ["rejection_resample"]

_ESTIMATION_BATCH = 32   # TF1's dist_estimation_batch_size
_SMOOTHING = 10          # TF1's smoothing_constant: prior count of every class


def rejection_resample(class_func: Callable, target_dist: Any, initial_dist: Any = None,
                       seed: Optional[int] = None) -> Callable[[Dataset], Dataset]:
    """A transformation resampling a dataset to the class distribution `target_dist`.

    Parameters
    ----------
    class_func : callable
        Maps an element to its class, a scalar int32/int64 tensor in [0, num_classes).
    target_dist : array-like or Tensor
        The wanted class probabilities, shape [num_classes].
    initial_dist : array-like or Tensor, optional
        The input's class probabilities; estimated from the data seen so far when None.
    seed : int, optional
        The seed of the rejection and mixing draws.

    Returns
    -------
    callable
        For `Dataset.apply`; the resulting dataset's elements are `(class, element)` pairs.
    """
    def apply(dataset: Dataset) -> Dataset:
        from flowgraph.data.experimental_ops import sample_from_datasets
        from flowgraph.ops.constant import convert_to_tensor
        from flowgraph.ops.registry import constant_value

        target = convert_to_tensor(target_dist, name="target_dist")
        classes = dataset.map(class_func)
        if initial_dist is not None:
            initial = convert_to_tensor(initial_dist, name="initial_dist")
            accept, original = _acceptance_with_mixing(initial, target)
            initial_ds = Dataset.from_tensors(initial).repeat()
            accept_ds = Dataset.from_tensors(accept).repeat()
            original_ds = Dataset.from_tensors(original).repeat()
            init_static, target_static = constant_value(initial), constant_value(target)
            static = None if init_static is None or target_static is None else \
                float(np.min(np.asarray(target_static) / np.asarray(init_static)))
        else:
            initial_ds = _estimated_initial_dist(target, classes)
            both = initial_ds.map(lambda d: _acceptance_with_mixing(d, target))
            accept_ds = both.map(lambda a, _: a)
            original_ds = both.map(lambda _, m: m)
            static = None
        filtered = _filtered(dataset, accept_ds, classes, seed).prefetch(3)
        if static == 1:
            return Dataset.zip((classes, dataset))
        if static == 0:
            return filtered
        weights = original_ds.map(lambda m: _pair(m))
        return sample_from_datasets([Dataset.zip((classes, dataset)), filtered],
                                    weights=weights, seed=seed)

    return apply


def _pair(prob: Any) -> Any:
    from flowgraph.ops.array import stack
    from flowgraph.ops.cast import cast
    prob = cast(prob, dtypes.float32)
    return stack([prob, 1.0 - prob])


def _acceptance_with_mixing(initial: Any, target: Any) -> tuple:
    """(per-class acceptance probabilities, probability of taking an original element):
    TF1's `_calculate_acceptance_probs_with_mixing`."""
    from flowgraph.ops.fill import zeros_like
    from flowgraph.ops.logic import where
    from flowgraph.ops.reduce import reduce_max, reduce_min
    from flowgraph.ops.rounding import is_nan
    ratio = target / initial
    ratio = where(is_nan(ratio), zeros_like(ratio), ratio)  # 0/0: a class never seen
    low, high = reduce_min(ratio), reduce_max(ratio)
    return (ratio - low) / (high - low), low


def _estimated_initial_dist(target: Any, classes: Dataset) -> Dataset:
    """One estimate of the class distribution per element: running class counts (from a
    prior of `_SMOOTHING` per class), updated every `_ESTIMATION_BATCH` elements."""
    from flowgraph.data.experimental import unbatch
    from flowgraph.data.experimental_ops import scan
    from flowgraph.ops.cast import cast
    from flowgraph.ops.masking import one_hot
    from flowgraph.ops.reduce import reduce_sum
    from flowgraph.ops.reorder import tile
    from flowgraph.ops.shape_ops import expand_dims
    num_classes = target.shape.as_list()[0] if target.shape.is_fully_defined() else None
    if num_classes is None:
        raise ValueError("rejection_resample without initial_dist needs target_dist of a "
                         f"static shape [num_classes], got {target.shape}")
    prior = np.full([num_classes], _SMOOTHING, dtype=np.int64)

    def update(seen: Any, batch: Any) -> tuple:
        seen = seen + reduce_sum(one_hot(batch, num_classes, dtype=dtypes.int64), 0)
        dist = cast(cast(seen, dtypes.float64) / cast(reduce_sum(seen), dtypes.float64),
                    dtypes.float32)
        return seen, tile(expand_dims(dist, 0), [_ESTIMATION_BATCH, 1])

    return classes.batch(_ESTIMATION_BATCH).apply(scan(prior, update)).apply(unbatch())


def _filtered(dataset: Dataset, accept_ds: Dataset, classes: Dataset,
              seed: Optional[int]) -> Dataset:
    """(class, element) pairs kept with the acceptance probability of their class."""
    from flowgraph.ops.gather import gather
    from flowgraph.ops.random import random_uniform

    def with_prob(cls: Any, accept: Any, data: Any) -> tuple:
        return cls, gather(accept, cls), data

    probs = Dataset.zip((classes, accept_ds, dataset)).map(with_prob)
    kept = probs.filter(lambda _c, p, _d: random_uniform([], seed=seed) < p)
    return kept.map(lambda c, _p, d: (c, d))
