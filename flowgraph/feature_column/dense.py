"""Dense views of categorical columns: `indicator_column` (multi-hot) and
`embedding_column` (TF1 v1 ``IndicatorColumn``, ``EmbeddingColumn``)."""

from __future__ import annotations

import collections
import math
from typing import Any, Callable, Optional

from flowgraph import dtypes
from flowgraph.feature_column.base import _CategoricalColumn, _DenseColumn
from flowgraph.feature_column.embedding_ops import safe_embedding_lookup_sparse
from flowgraph.shapes import TensorShape


# --------------------------------------------------------------------------- indicator
class IndicatorColumn(_DenseColumn, collections.namedtuple(
        "IndicatorColumn", ["categorical_column"])):
    """The multi-hot [batch, num_buckets] float32 form of a categorical column: entry i
    counts the example's ids equal to i (or sums their weights for a weighted column)."""

    @property
    def name(self) -> str:
        return f"{self.categorical_column.name}_indicator"

    @property
    def _parse_example_spec(self) -> dict:
        return self.categorical_column._parse_example_spec

    @property
    def _variable_shape(self) -> TensorShape:
        return TensorShape([1, self.categorical_column._num_buckets])

    def _transform_feature(self, inputs: Any) -> Any:
        pair = self.categorical_column._get_sparse_tensors(inputs)
        return multi_hot(pair.id_tensor, pair.weight_tensor,
                         self.categorical_column._num_buckets)

    def _get_dense_tensor(self, inputs: Any, weight_collections: Any = None,
                          trainable: Any = None) -> Any:
        _refuse_sequence_column("indicator_column", self)
        return inputs.get(self)

    def _get_sequence_dense_tensor(self, inputs: Any, weight_collections: Any = None,
                                   trainable: Any = None) -> Any:
        """``([batch, T, num_buckets], sequence_length)`` over a sequence column."""
        from flowgraph.feature_column.sequence import sequence_indicator
        _need_sequence_column("indicator_column", self)
        return sequence_indicator(self, inputs)


def multi_hot(ids: Any, weights: Any, num_buckets: int) -> Any:
    """[rows, num_buckets] float32: per row of the [rows, k] ids, the count of each id (or
    the sum of its weights); ids < 0 set nothing."""
    from flowgraph.ops.cast import cast
    from flowgraph.ops.masking import one_hot
    from flowgraph.ops.math import multiply
    from flowgraph.ops.segment import unsorted_segment_sum
    from flowgraph.ops.shape_ops import expand_dims
    # Ids < 0 (unknown keys) set no bucket: one_hot gives them an all-zero row.
    hot = one_hot(ids.values, depth=num_buckets, on_value=1.0, off_value=0.0)
    if weights is not None:
        w = weights.values
        if w.dtype != dtypes.float32:
            w = cast(w, dtypes.float32)
        hot = multiply(hot, expand_dims(w, -1))
    return unsorted_segment_sum(hot, ids.indices[:, 0], ids.dense_shape[0])


def _is_sequence(column: Any) -> bool:
    from flowgraph.feature_column.sequence import SequenceCategoricalColumn
    return isinstance(column.categorical_column, SequenceCategoricalColumn)


def _refuse_sequence_column(kind: str, column: Any) -> None:
    if _is_sequence(column):
        raise ValueError(f"In {kind}: {column.name}. categorical_column must not be of type "
                         f"_SequenceCategoricalColumn. Suggested fix A: If you wish to use "
                         f"input_layer, use a non-sequence categorical_column_with_*. "
                         f"Suggested fix B: If you wish to create sequence input, use "
                         f"sequence_input_layer instead of input_layer. Given (type "
                         f"{type(column.categorical_column)}): {column.categorical_column}")


def _need_sequence_column(kind: str, column: Any) -> None:
    if not _is_sequence(column):
        raise ValueError(f"In {kind}: {column.name}. categorical_column must be of type "
                         f"_SequenceCategoricalColumn to use sequence_input_layer. Suggested "
                         f"fix: Use one of sequence_categorical_column_with_*. Given (type "
                         f"{type(column.categorical_column)}): {column.categorical_column}")


def indicator_column(categorical_column: Any) -> IndicatorColumn:
    """The multi-hot form of a categorical column, for `input_layer`: [batch, num_buckets]
    with the count of each id per example. The name is ``"<column>_indicator"``."""
    if not isinstance(categorical_column, _CategoricalColumn):
        raise ValueError(f"categorical_column must be a categorical column (e.g. from "
                         f"categorical_column_with_vocabulary_list). Given: "
                         f"{categorical_column}")
    return IndicatorColumn(categorical_column)


# --------------------------------------------------------------------------- embedding
class EmbeddingColumn(_DenseColumn, collections.namedtuple(
        "EmbeddingColumn",
        ["categorical_column", "dimension", "combiner", "initializer", "ckpt_to_load_from",
         "tensor_name_in_ckpt", "max_norm", "trainable", "use_safe_embedding_lookup"],
        defaults=(True,))):
    """A learned [num_buckets, dimension] table; each example gets the combination of the
    rows of its ids."""

    @property
    def name(self) -> str:
        return f"{self.categorical_column.name}_embedding"

    @property
    def _parse_example_spec(self) -> dict:
        return self.categorical_column._parse_example_spec

    @property
    def _variable_shape(self) -> TensorShape:
        return TensorShape([self.dimension])

    def _transform_feature(self, inputs: Any) -> Any:
        return inputs.get(self.categorical_column)

    def _get_dense_tensor(self, inputs: Any, weight_collections: Any = None,
                          trainable: Any = None) -> Any:
        _refuse_sequence_column("embedding_column", self)
        pair = self.categorical_column._get_sparse_tensors(
            inputs, weight_collections=weight_collections, trainable=trainable)
        table = self._embedding_table(weight_collections, trainable)
        return safe_embedding_lookup_sparse(table, pair.id_tensor, pair.weight_tensor,
                                            combiner=self.combiner,
                                            name=f"{self.name}_weights",
                                            max_norm=self.max_norm)

    def _get_sequence_dense_tensor(self, inputs: Any, weight_collections: Any = None,
                                   trainable: Any = None) -> Any:
        """``([batch, T, dimension], sequence_length)`` over a sequence column."""
        from flowgraph.feature_column.sequence import sequence_embedding
        _need_sequence_column("embedding_column", self)
        return sequence_embedding(self, inputs, weight_collections, trainable)

    def _embedding_table(self, weight_collections: Any, trainable: Any) -> Any:
        creator = EmbeddingTableCreator(
            (self.categorical_column._num_buckets, self.dimension), self.initializer,
            self.trainable, self.ckpt_to_load_from, self.tensor_name_in_ckpt, self.name)
        return creator(weight_collections=weight_collections, trainable=trainable)


class EmbeddingTableCreator:
    """Creates (or reuses) the ``embedding_weights`` variable of an embedding column in the
    current variable scope, loading it from a checkpoint when asked."""

    def __init__(self, shape: tuple, initializer: Callable, trainable: bool,
                 ckpt_to_load_from: Optional[str], tensor_name_in_ckpt: Optional[str],
                 column_name: str) -> None:
        self.shape = shape
        self.initializer = initializer
        self.trainable = trainable
        self.ckpt_to_load_from = ckpt_to_load_from
        self.tensor_name_in_ckpt = tensor_name_in_ckpt
        self.column_name = column_name

    def __call__(self, weight_collections: Any = None, trainable: Any = None) -> Any:
        from flowgraph.variable_scope import get_variable
        initializer = self.initializer
        if self.ckpt_to_load_from is not None:
            initializer = self._checkpoint_value()
        return get_variable("embedding_weights", shape=self.shape, dtype=dtypes.float32,
                            initializer=initializer,
                            trainable=self.trainable and (trainable is not False),
                            collections=weight_collections)

    def _checkpoint_value(self) -> Any:
        """The table's initial value read from the checkpoint (TF1's init_from_checkpoint)."""
        import numpy as np

        from flowgraph.train.reader import load_variable
        value = np.asarray(load_variable(self.ckpt_to_load_from, self.tensor_name_in_ckpt))
        if tuple(value.shape) != tuple(self.shape):
            raise ValueError(f"embedding_column {self.column_name!r}: tensor "
                             f"{self.tensor_name_in_ckpt!r} in {self.ckpt_to_load_from!r} has "
                             f"shape {list(value.shape)}, expected {list(self.shape)}")
        from flowgraph.initializers import constant_initializer
        return constant_initializer(value.astype(np.float32))


def check_embedding_args(dimension: Any, combiner: str, initializer: Any,
                         ckpt_to_load_from: Any, tensor_name_in_ckpt: Any) -> None:
    if dimension is None or isinstance(dimension, bool) or not isinstance(dimension, int) \
            or dimension < 1:
        raise ValueError(f"Invalid dimension {dimension}.")
    if (ckpt_to_load_from is None) != (tensor_name_in_ckpt is None):
        raise ValueError("Must specify both `ckpt_to_load_from` and `tensor_name_in_ckpt` or "
                         "none of them.")
    if initializer is not None and not callable(initializer):
        raise ValueError(f"initializer must be callable if specified. Embedding of column_name: "
                         f"{initializer}")
    # As TF1, `combiner` is checked when the column is looked up (safe_embedding_lookup_sparse
    # raises ValueError there), not here.


def default_embedding_initializer(dimension: int) -> Any:
    """TF1's default: truncated normal, mean 0, stddev 1 / sqrt(dimension)."""
    from flowgraph.initializers import truncated_normal_initializer
    return truncated_normal_initializer(mean=0.0, stddev=1.0 / math.sqrt(dimension))


def embedding_column(categorical_column: Any, dimension: int, combiner: str = "mean",
                     initializer: Optional[Callable] = None,
                     ckpt_to_load_from: Optional[str] = None,
                     tensor_name_in_ckpt: Optional[str] = None, max_norm: Any = None,
                     trainable: bool = True,
                     use_safe_embedding_lookup: bool = True) -> EmbeddingColumn:
    """A dense embedding of a categorical column: a [num_buckets, dimension] variable
    ``<scope>/<name>/embedding_weights`` whose rows for an example's ids are combined by
    `combiner` ("mean", "sqrtn" or "sum"; ids of -1 are ignored, rows without ids give
    zeros). The default initializer is truncated normal with stddev 1 / sqrt(dimension).
    The name is ``"<column>_embedding"``. `use_safe_embedding_lookup` is accepted as TF's
    (flowgraph's lookup always drops invalid ids and fills empty rows with zeros).

    >>> color = fg.feature_column.categorical_column_with_identity("color", 5)
    >>> color_emb = fg.feature_column.embedding_column(color, dimension=3)
    """
    if not isinstance(categorical_column, _CategoricalColumn):
        raise ValueError(f"categorical_column must be a categorical column (e.g. from "
                         f"categorical_column_with_identity). Given: {categorical_column}")
    check_embedding_args(dimension, combiner, initializer, ckpt_to_load_from,
                         tensor_name_in_ckpt)
    if initializer is None:
        initializer = default_embedding_initializer(dimension)
    return EmbeddingColumn(categorical_column, dimension, combiner, initializer,
                           ckpt_to_load_from, tensor_name_in_ckpt, max_norm, trainable,
                           use_safe_embedding_lookup)


_IndicatorColumn = IndicatorColumn  # TF1's v1 class names
_EmbeddingColumn = EmbeddingColumn
