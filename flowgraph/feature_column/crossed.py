"""`crossed_column` and `weighted_categorical_column` (TF1 v1 ``CrossedColumn``,
``WeightedCategoricalColumn``)."""

from __future__ import annotations

import collections
from typing import Any, Optional, Sequence

from flowgraph import dtypes
from flowgraph.feature_column.base import (
    IdWeightPair,
    _CategoricalColumn,
    _FeatureColumn,
    as_dtype_or_error,
    describe,
)
from flowgraph.feature_column.builder import to_sparse_input_and_drop_ignore_values
from flowgraph.feature_column.categorical import HashedCategoricalColumn
from flowgraph.feature_column.parse_spec import VarLenFeature
from flowgraph.sparse_tensor import SparseTensor, SparseTensorValue


# --------------------------------------------------------------------------- crossed
class CrossedColumn(_CategoricalColumn, collections.namedtuple(
        "CrossedColumn", ["keys", "hash_bucket_size", "hash_key"])):
    """Hashed crosses of several categorical features."""

    @property
    def name(self) -> str:
        names = [key.name if isinstance(key, _FeatureColumn) else key
                 for key in collect_leaf_level_keys(self)]
        return "_X_".join(sorted(names))

    @property
    def _parse_example_spec(self) -> dict:
        config: dict = {}
        for key in self.keys:
            if isinstance(key, _FeatureColumn):
                config.update(key._parse_example_spec)
            else:
                config[key] = VarLenFeature(dtypes.string)
        return config

    @property
    def _num_buckets(self) -> int:
        return self.hash_bucket_size

    def _transform_feature(self, inputs: Any) -> Any:
        from flowgraph.ops.hashing import sparse_cross_hashed
        tensors = []
        for key in collect_leaf_level_keys(self):
            if isinstance(key, str):
                tensor = inputs.get(key)
                if not isinstance(tensor, SparseTensor) and not (
                        tensor.dtype.is_string or tensor.dtype.is_integer):
                    raise ValueError(f"crossed_column {self.name!r}: feature {key!r} must be "
                                     f"string or integer, got {describe(tensor)}; bucketize "
                                     f"real values with bucketized_column first.")
                tensors.append(tensor)
            elif isinstance(key, _CategoricalColumn):
                pair = key._get_sparse_tensors(inputs)
                if pair.weight_tensor is not None:
                    raise ValueError(f"crossed_column does not support weight_tensor, but the "
                                     f"given column populates weight_tensor. Given column: "
                                     f"{key.name}")
                tensors.append(pair.id_tensor)
            else:
                raise ValueError(f"Unsupported column type. Given: {key}")
        return sparse_cross_hashed(tensors, num_buckets=self.hash_bucket_size,
                                   hash_key=self.hash_key)

    def _get_sparse_tensors(self, inputs: Any, weight_collections: Any = None,
                            trainable: Any = None) -> Any:
        return IdWeightPair(inputs.get(self), None)


def collect_leaf_level_keys(cross: CrossedColumn) -> list:
    """The keys of a cross with nested crosses flattened into their own keys."""
    leaves: list = []
    for key in cross.keys:
        if isinstance(key, CrossedColumn):
            leaves.extend(collect_leaf_level_keys(key))
        else:
            leaves.append(key)
    return leaves


def crossed_column(keys: Sequence[Any], hash_bucket_size: int,
                   hash_key: Optional[int] = None) -> CrossedColumn:
    """Crosses of categorical features, hashed into `hash_bucket_size` buckets.

    Each key is a feature key (string or integer feature) or a categorical column other
    than a hashed one (e.g. a bucketized column). Per example, every combination of one
    value of each key becomes one id: TF1's FingerprintCat64 of the values' hashes, so ids
    match TensorFlow's. The name joins the keys' names, sorted, with "_X_" ("a_X_b").
    """
    if not hash_bucket_size or hash_bucket_size < 1:
        raise ValueError(f"hash_bucket_size must be > 1. hash_bucket_size: {hash_bucket_size}")
    if not keys or len(keys) < 2:
        raise ValueError(f"keys must be a list with length > 1. Given: {keys}")
    for key in keys:
        if not isinstance(key, (str, _CategoricalColumn)):
            raise ValueError(f"Unsupported key type. All keys must be either string, or "
                             f"categorical column except HashedCategoricalColumn. Given: {key}")
        if isinstance(key, HashedCategoricalColumn):
            raise ValueError(f"categorical_column_with_hash_bucket is not supported for "
                             f"crossing. Hashing before crossing will increase probability of "
                             f"collision. Instead, use the feature name as a string. Given: "
                             f"{key}")
    return CrossedColumn(tuple(keys), hash_bucket_size, hash_key)


# --------------------------------------------------------------------------- weighted
class WeightedCategoricalColumn(_CategoricalColumn, collections.namedtuple(
        "WeightedCategoricalColumn", ["categorical_column", "weight_feature_key", "dtype"])):
    """A categorical column whose ids carry weights from another feature."""

    @property
    def name(self) -> str:
        return f"{self.categorical_column.name}_weighted_by_{self.weight_feature_key}"

    @property
    def _parse_example_spec(self) -> dict:
        config = dict(self.categorical_column._parse_example_spec)
        if self.weight_feature_key in config:
            raise ValueError(f"Parse config {config[self.weight_feature_key]} already exists "
                             f"for {self.weight_feature_key}.")
        config[self.weight_feature_key] = VarLenFeature(self.dtype)
        return config

    @property
    def _num_buckets(self) -> int:
        return self.categorical_column._num_buckets

    def _transform_feature(self, inputs: Any) -> Any:
        from flowgraph.ops.cast import cast
        weights = inputs.get(self.weight_feature_key)
        if weights is None:
            raise ValueError(f"Missing weights {self.weight_feature_key}.")
        if isinstance(weights, SparseTensorValue):
            weights = SparseTensor.from_value(weights)
        if self.dtype != weights.dtype:
            raise ValueError(f"Bad dtype, expected {self.dtype!r}, but got {weights.dtype!r}. "
                             f"Feature {self.weight_feature_key!r} gives the weights of column "
                             f"{self.name!r}.")
        if not isinstance(weights, SparseTensor):
            weights = to_sparse_input_and_drop_ignore_values(weights, ignore_value=0.0)
        if not weights.dtype.is_floating:
            weights = SparseTensor(weights.indices, cast(weights.values, dtypes.float32),
                                   weights.dense_shape)
        ids = inputs.get(self.categorical_column)
        if isinstance(ids, IdWeightPair):
            ids = ids.id_tensor
        elif not isinstance(ids, SparseTensor):
            ids = self.categorical_column._get_sparse_tensors(inputs).id_tensor
        return ids, weights

    def _get_sparse_tensors(self, inputs: Any, weight_collections: Any = None,
                            trainable: Any = None) -> Any:
        ids, weights = inputs.get(self)
        return IdWeightPair(ids, weights)


def weighted_categorical_column(categorical_column: Any, weight_feature_key: str,
                                dtype: Any = dtypes.float32) -> WeightedCategoricalColumn:
    """Weights for the ids of `categorical_column`, from feature `weight_feature_key` (one
    weight per id, in the same positions). Used by `linear_model` and `embedding_column`
    combiners; the name is ``"<column>_weighted_by_<key>"``."""
    dtype = as_dtype_or_error(dtype, "weighted_categorical_column")
    if dtype is None or not (dtype.is_integer or dtype.is_floating):
        raise ValueError(f"dtype {dtype!r} is not convertible to float.")
    if not isinstance(categorical_column, _CategoricalColumn):
        raise ValueError(f"categorical_column must be a categorical column (e.g. from "
                         f"categorical_column_with_identity). Given: {categorical_column}")
    return WeightedCategoricalColumn(categorical_column, weight_feature_key, dtype)


_CrossedColumn = CrossedColumn  # TF1's v1 class names
_WeightedCategoricalColumn = WeightedCategoricalColumn
