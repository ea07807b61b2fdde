"""`tf.keras.experimental.SequenceFeatures` (TF 1.15): `sequence_input_layer` as a layer."""

from __future__ import annotations

from typing import Any

from flowgraph.feature_column.sequence import _all_equal, _sequence_dense
from flowgraph.keras.layers.dense_features import DenseFeatures

__all__ = ["SequenceFeatures"]


class SequenceFeatures(DenseFeatures):
    """A layer for sequence feature columns (as TF 1.15's
    ``tf.keras.experimental.SequenceFeatures``)::

        watches = sequence_categorical_column_with_identity("watches", 100)
        layer = fg.keras.experimental.SequenceFeatures([embedding_column(watches, 8)])
        sequence_input, sequence_length = layer(features)   # [batch, T, 8], [batch]

    Called on a dict of features, it returns the columns' ``[batch, T, n_i]`` tensors
    concatenated on the last axis (columns in name order) and the int64 [batch] sequence
    lengths (InvalidArgumentError when run if the columns' lengths differ). Variables live
    under ``sequence_features/<column name>/``.
    """

    def _check_column(self, column: Any) -> None:
        if not hasattr(column, "_get_sequence_dense_tensor"):
            raise ValueError(f"All feature_columns must be of type _SequenceDenseColumn. You "
                             f"can wrap a sequence_categorical_column with an "
                             f"embedding_column or indicator_column. Given (type "
                             f"{type(column)}): {column}")

    def _column_output(self, column: Any, builder: Any, collections: list) -> tuple:
        from flowgraph.ops import reshape, shape, stack
        with builder.transforming(column):
            dense, length = _sequence_dense(column, builder, collections, self.trainable)
        dims = shape(dense)
        width = column._variable_shape.num_elements()
        return reshape(dense, stack([dims[0], dims[1], width])), length

    def _combine(self, outputs: list, extras: list) -> tuple:
        from flowgraph.ops import concat
        return concat(outputs, -1), _all_equal(extras)

    def compute_output_shape(self, input_shape: Any) -> tuple:
        """((batch, T, total width), (batch,)) with batch and T unknown."""
        width = sum(column._variable_shape.num_elements() for column in self._feature_columns)
        return (None, None, width), (None,)
