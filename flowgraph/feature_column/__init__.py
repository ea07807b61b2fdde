"""`fg.feature_column`: TF1's feature columns (``tf.feature_column``, v1 semantics).

Describe how raw features become model input, then build the input with `input_layer`
(dense columns) or `linear_model` (any columns)::

    price = fg.feature_column.numeric_column("price")
    color = fg.feature_column.categorical_column_with_vocabulary_list(
        "color", ["red", "green", "blue"])
    net = fg.feature_column.input_layer(
        features, [price, fg.feature_column.embedding_column(color, 4)])

Names, variable names, defaults, ordering (by column name) and hash bucket ids follow
TF1 r1.15. For boosted trees, `flowgraph.feature_column.bucket_ids` turns bucketized and
indicator columns into dense integer bucket ids. The ``sequence_*`` columns feed
`flowgraph.feature_column.sequence.sequence_input_layer` (TF1's
``tf.contrib.feature_column.sequence_input_layer``).
"""

from flowgraph.feature_column.categorical import (
    categorical_column_with_hash_bucket,
    categorical_column_with_identity,
    categorical_column_with_vocabulary_file,
    categorical_column_with_vocabulary_list,
)
from flowgraph.feature_column.crossed import crossed_column, weighted_categorical_column
from flowgraph.feature_column.dense import embedding_column, indicator_column
from flowgraph.feature_column.layers import input_layer, linear_model, make_parse_example_spec
from flowgraph.feature_column.numeric import bucketized_column, numeric_column
from flowgraph.feature_column.sequence import (
    sequence_categorical_column_with_hash_bucket,
    sequence_categorical_column_with_identity,
    sequence_categorical_column_with_vocabulary_file,
    sequence_categorical_column_with_vocabulary_list,
    sequence_numeric_column,
)
from flowgraph.feature_column.shared import shared_embedding_columns

__all__ = [
    "bucketized_column",
    "categorical_column_with_hash_bucket",
    "categorical_column_with_identity",
    "categorical_column_with_vocabulary_file",
    "categorical_column_with_vocabulary_list",
    "crossed_column",
    "embedding_column",
    "indicator_column",
    "input_layer",
    "linear_model",
    "make_parse_example_spec",
    "numeric_column",
    "sequence_categorical_column_with_hash_bucket",
    "sequence_categorical_column_with_identity",
    "sequence_categorical_column_with_vocabulary_file",
    "sequence_categorical_column_with_vocabulary_list",
    "sequence_numeric_column",
    "shared_embedding_columns",
    "weighted_categorical_column",
]
