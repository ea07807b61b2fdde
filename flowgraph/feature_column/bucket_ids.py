"""Dense integer bucket ids of bucketized and indicator columns, for boosted trees.

This is the internal API the boosted-trees estimators build on (TF1's
``boosted_trees._get_transformed_features`` and its bucket-size helpers)::

    from flowgraph.feature_column import bucket_ids
    columns = bucket_ids.sort_columns(feature_columns)       # by name, as TF1
    ids = bucket_ids.transformed_features(features, columns)  # list of int32 [batch, n]
    sizes = bucket_ids.bucket_sizes(columns)                  # buckets per id, per column
    dims = bucket_ids.feature_dimensions(columns)             # n per column

- A ``bucketized_column(numeric_column(k, shape=(d,)), boundaries)`` gives int32
  ``[batch, d]``: entry j is the bucket of dimension j, in ``[0, len(boundaries) + 1)``.
- An ``indicator_column(categorical)`` gives int32 ``[batch, num_buckets]``: entry j is 1
  when the example has id j (the count for multivalent features), so each of its
  ``num_buckets`` dimensions is a binary feature with 2 buckets.

Other columns raise ValueError naming the column (TF1 accepts only these two kinds).
"""

from __future__ import annotations

from typing import Any, Sequence

from flowgraph import dtypes
from flowgraph.feature_column.builder import _LazyBuilder
from flowgraph.feature_column.dense import IndicatorColumn
from flowgraph.feature_column.layers import normalize_feature_columns
from flowgraph.feature_column.numeric import BucketizedColumn, check_elements

__all__ = ["sort_columns", "transformed_features", "bucket_ids", "bucket_sizes",
           "feature_dimensions"]


def _check_supported(column: Any) -> None:
    if not isinstance(column, (BucketizedColumn, IndicatorColumn)):
        raise ValueError(f"For now, only bucketized_column and indicator_column is supported "
                         f"but got: {column.name!r} ({type(column).__name__}); wrap numeric "
                         f"features in bucketized_column and categorical ones in "
                         f"indicator_column.")


def sort_columns(feature_columns: Any) -> list:
    """The columns sorted by name (the order of TF1's boosted trees), checked to be
    bucketized or indicator columns."""
    columns = normalize_feature_columns(feature_columns)
    for column in columns:
        _check_supported(column)
    return sorted(columns, key=lambda c: c.name)


def bucket_ids(builder_or_features: Any, column: Any) -> Any:
    """int32 [batch, n] dense bucket ids of one bucketized or indicator column.

    `builder_or_features` is the features dict, or a `_LazyBuilder` to share
    transformations between calls.
    """
    from flowgraph.ops.cast import cast
    from flowgraph.ops.shape_ops import reshape
    _check_supported(column)
    builder = builder_or_features if isinstance(builder_or_features, _LazyBuilder) \
        else _LazyBuilder(builder_or_features)
    with builder.transforming(column):
        tensor = builder.get(column)
    if isinstance(column, BucketizedColumn):
        source = builder.get(column.source_column)
        check_elements(column.source_column, source, column.source_column.key)
        dims = column.source_column.shape[0]
    else:
        dims = column.categorical_column._num_buckets
    return reshape(cast(tensor, dtypes.int32), (-1, dims))


def transformed_features(features: Any, sorted_feature_columns: Sequence[Any]) -> list:
    """One int32 [batch, n] tensor of bucket ids per column, in the columns' order."""
    builder = _LazyBuilder(features)
    return [bucket_ids(builder, column) for column in sorted_feature_columns]


def feature_dimensions(sorted_feature_columns: Sequence[Any]) -> list:
    """n (the width of `bucket_ids`) per column."""
    out = []
    for column in sorted_feature_columns:
        _check_supported(column)
        if isinstance(column, BucketizedColumn):
            out.append(column.source_column.shape[0])
        else:
            out.append(column.categorical_column._num_buckets)
    return out


def bucket_sizes(sorted_feature_columns: Sequence[Any]) -> list:
    """The number of buckets of each id per column: len(boundaries) + 1 for a bucketized
    column, 2 (absent / present) for an indicator column."""
    out = []
    for column in sorted_feature_columns:
        _check_supported(column)
        out.append(len(column.boundaries) + 1 if isinstance(column, BucketizedColumn) else 2)
    return out
