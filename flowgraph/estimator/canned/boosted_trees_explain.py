"""Explaining a trained boosted-trees ensemble: gain-based feature importances (TF1's
`experimental_feature_importances`) and the per-example directional feature contributions
of `experimental_predict_with_explanations`, keyed by feature column names."""

from __future__ import annotations

import collections
from typing import Any

import numpy as np

from flowgraph.ops import boosted_trees_kernels as kernels
from flowgraph.ops.boosted_trees_growth import feature_importances

__all__ = ["FeatureImportances"]


class FeatureImportances(collections.OrderedDict):
    """{feature column name: importance}, the most important first.

    TF1 r1.14+ returns this OrderedDict (``pd.Series(importances)``); r1.12-1.13 returned a
    pair of arrays (``names, values = ...``). Both work: iterating it (as unpacking does)
    gives ``(names, values)``; `keys`, `values`, `items` and indexing are the dict's."""

    def __iter__(self):
        names = np.array(list(self.keys()))
        return iter((names, np.array(list(self.values()), dtype=np.float64)))


class _NormalizationError(ValueError, AssertionError):
    """Feature importances that cannot be normalized. TF1 documents a ValueError and its code
    raises an AssertionError: this is both, so code catching either works."""


def importances_from_checkpoint(reader: Any, scope: str, names: list,
                                normalize: bool) -> FeatureImportances:
    """The importances of the ensemble saved under `scope`/ in a checkpoint, per column
    name (`names`: one per feature id); see `experimental_feature_importances`."""
    state = reader.get_tensor(f"{scope}/growing_state")
    if int(state[kernels.STATE_NUM_TREES]) == 0:
        raise ValueError("Found empty serialized string for TreeEnsemble. You should only "
                         "call this method after training.")
    importances = feature_importances(reader.get_tensor(f"{scope}/tree_nodes"),
                                      reader.get_tensor(f"{scope}/node_gains"), len(names))
    if normalize:
        if np.any(importances < 0):
            raise _NormalizationError("feature_importances must be non-negative to "
                                      "normalize them; call with normalize=False.")
        total = importances.sum()
        if not total > 0:
            raise _NormalizationError("Trees are all empty or contain only a root node: "
                                      "there is no split to normalize importances by.")
        importances = importances / total
    return _sum_by_feature_col_name_and_sort(names, importances)


def _sum_by_feature_col_name_and_sort(names: list, importances: np.ndarray
                                      ) -> FeatureImportances:
    """Importances summed per column name (in feature id order), sorted as TF1's
    ``np.argsort(importances)[::-1]``: largest first, equal ones in reverse id order."""
    summed: dict = {}
    for name, value in zip(names, importances):
        summed[name] = summed.get(name, 0.0) + float(value)
    keys = list(summed)
    values = np.array([summed[k] for k in keys], dtype=np.float64)
    order = np.argsort(values, kind="stable")[::-1]
    return FeatureImportances((keys[i], float(values[i])) for i in order)


def dfc_by_column(names: list, contributions: np.ndarray) -> collections.OrderedDict:
    """{column name: contribution}, summed per column, largest magnitude first (as TF1)."""
    summed: dict = {}
    for name, value in zip(names, contributions):
        summed[name] = summed.get(name, 0.0) + float(value)
    ordered = sorted(summed.items(), key=lambda item: -abs(item[1]))  # stable on ties
    return collections.OrderedDict(ordered)
