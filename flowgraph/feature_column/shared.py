"""`shared_embedding_columns`: several categorical columns looked up in one embedding
table (TF1 v1 ``_SharedEmbeddingColumn``)."""

from __future__ import annotations

import collections
from typing import Any, Callable, Optional, Sequence

from flowgraph.feature_column.base import _CategoricalColumn, _DenseColumn
from flowgraph.feature_column.dense import (
    check_embedding_args,
    default_embedding_initializer,
)
from flowgraph.feature_column.embedding_ops import safe_embedding_lookup_sparse
from flowgraph.shapes import TensorShape


class _SharedEmbeddingColumn(_DenseColumn, collections.namedtuple(
        "_SharedEmbeddingColumn",
        ["categorical_column", "dimension", "combiner", "initializer",
         "shared_embedding_collection_name", "ckpt_to_load_from", "tensor_name_in_ckpt",
         "max_norm", "trainable", "use_safe_embedding_lookup"], defaults=(True,))):
    """One column of a group sharing the table ``<scope>/<collection name>/
    embedding_weights``; the table is found again through the graph collection named
    `shared_embedding_collection_name`."""

    @property
    def name(self) -> str:
        return f"{self.categorical_column.name}_shared_embedding"

    @property
    def _var_scope_name(self) -> str:
        return self.shared_embedding_collection_name

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
        from flowgraph.graph import get_default_graph, name_scope
        graph = get_default_graph()
        # The variable scope is shared by the group; a name scope keeps each column's ops
        # apart.
        with name_scope(None, default_name=self.name):
            pair = self.categorical_column._get_sparse_tensors(
                inputs, weight_collections=weight_collections, trainable=trainable)
            shape = (self.categorical_column._num_buckets, self.dimension)
            shared = graph.get_collection(self.shared_embedding_collection_name)
            if shared:
                if len(shared) > 1:
                    raise ValueError(f"Collection {self.shared_embedding_collection_name} can "
                                     f"only contain one variable. Suggested fix A: Choose a "
                                     f"unique name for this collection. Suggested fix B: "
                                     f"remove all other variables from this collection. "
                                     f"Found: {shared}")
                table = shared[0]
                if tuple(table.shape.as_list()) != shape:
                    raise ValueError(f"Shared embedding collection "
                                     f"{self.shared_embedding_collection_name} contains "
                                     f"variable {table.name} of unexpected shape "
                                     f"{table.shape}. Expected shape is {list(shape)}.")
            else:
                table = _create_table(self, shape, weight_collections, trainable)
                graph.add_to_collection(self.shared_embedding_collection_name, table)
            return safe_embedding_lookup_sparse(table, pair.id_tensor, pair.weight_tensor,
                                                combiner=self.combiner,
                                                name=f"{self.name}_weights",
                                                max_norm=self.max_norm)


def _create_table(column: _SharedEmbeddingColumn, shape: tuple, weight_collections: Any,
                  trainable: Any) -> Any:
    from flowgraph.feature_column.dense import EmbeddingTableCreator
    creator = EmbeddingTableCreator(shape, column.initializer, column.trainable,
                                    column.ckpt_to_load_from, column.tensor_name_in_ckpt,
                                    column.name)
    return creator(weight_collections=weight_collections, trainable=trainable)


def shared_embedding_columns(categorical_columns: Sequence[Any], dimension: int,
                             combiner: str = "mean", initializer: Optional[Callable] = None,
                             shared_embedding_collection_name: Optional[str] = None,
                             ckpt_to_load_from: Optional[str] = None,
                             tensor_name_in_ckpt: Optional[str] = None, max_norm: Any = None,
                             trainable: bool = True,
                             use_safe_embedding_lookup: bool = True) -> list:
    """Embedding columns, one per categorical column, that share one embedding table.

    The columns must have the same number of buckets. The table is the variable
    ``<scope>/<collection name>/embedding_weights`` where the collection name defaults to
    the sorted column names joined by "_" plus ``"_shared_embedding"``; each column's name
    is ``"<column>_shared_embedding"``. Returns the columns in the order given.
    """
    check_embedding_args(dimension, combiner, initializer, ckpt_to_load_from,
                         tensor_name_in_ckpt)
    if initializer is None:
        initializer = default_embedding_initializer(dimension)
    columns = list(categorical_columns)
    if not columns:
        raise ValueError("categorical_columns must not be empty.")
    for column in columns:
        if not isinstance(column, _CategoricalColumn):
            raise ValueError(f"All categorical_columns must be subclasses of "
                             f"_CategoricalColumn. Given: {column}, of type "
                             f"{type(column).__name__}")
    from flowgraph.feature_column.crossed import WeightedCategoricalColumn

    def unweighted(column: Any) -> Any:
        return column.categorical_column if isinstance(
            column, WeightedCategoricalColumn) else column

    c0 = sorted(columns, key=lambda c: c.name)[0]
    for column in columns:
        if not isinstance(unweighted(column), type(unweighted(c0))):
            raise ValueError(f"To use shared_embedding_column, all categorical_columns must "
                             f"have the same type, or be weighted_categorical_column of the "
                             f"same type. Given column: {c0} of type: {type(c0).__name__} "
                             f"does not match given column: {column} of type: "
                             f"{type(column).__name__}")
        if column._num_buckets != c0._num_buckets:
            raise ValueError(f"To use shared_embedding_column, all categorical_columns must "
                             f"have the same number of buckets. Given column: {c0} with "
                             f"buckets: {c0._num_buckets}. Given column: {column} with "
                             f"buckets: {column._num_buckets}")
    if not shared_embedding_collection_name:
        names = sorted(c.name for c in columns)
        shared_embedding_collection_name = "_".join(names) + "_shared_embedding"
    return [_SharedEmbeddingColumn(column, dimension, combiner, initializer,
                                   shared_embedding_collection_name, ckpt_to_load_from,
                                   tensor_name_in_ckpt, max_norm, trainable,
                                   use_safe_embedding_lookup)
            for column in columns]

