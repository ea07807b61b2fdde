"""Sequence feature columns (TF1's ``tf.feature_column.sequence_*``) and
`sequence_input_layer` (TF1's ``tf.contrib.feature_column.sequence_input_layer``).

A sequence feature holds a variable number of time steps per example, as the SparseTensor
``[batch, T]`` (or ``[batch, T, k]``) that ``VarLenFeature`` parsing gives. A sequence
column turns it into ``[batch, T, n]`` plus each example's length, for an RNN:

>>> tokens = fg.feature_column.sequence_categorical_column_with_identity("tokens", 100)
>>> net, lengths = sequence_input_layer(
...     features, [fg.feature_column.embedding_column(tokens, dimension=8)])
>>> outputs, _ = fg.nn.dynamic_rnn(cell, net, sequence_length=lengths, dtype=fg.float32)
"""

from __future__ import annotations

import collections
from typing import Any, Callable, Optional

from flowgraph import dtypes
from flowgraph.feature_column.base import IdWeightPair, _CategoricalColumn, _FeatureColumn
from flowgraph.feature_column.parse_spec import VarLenFeature
from flowgraph.shapes import TensorShape
from flowgraph.sparse_tensor import SparseTensor

TensorSequenceLengthPair = collections.namedtuple("TensorSequenceLengthPair",
                                                  ["dense_tensor", "sequence_length"])


def _rank(sp: SparseTensor) -> int:
    rank = sp.indices.shape.as_list()[1]
    if rank is None:
        rank = sp.shape.ndims
    if rank not in (2, 3):
        raise ValueError(f"A sequence feature must be a SparseTensor of rank 2 ([batch, T]) "
                         f"or 3 ([batch, T, k]), got rank {rank}.")
    return rank


def _as_sparse(value: Any, column: Any) -> SparseTensor:
    if not isinstance(value, SparseTensor):
        raise ValueError(f"Sequence column {column.name!r} needs a SparseTensor feature (as "
                         f"parsed with VarLenFeature), got {type(value).__name__}; make one "
                         f"with fg.sparse.from_dense or fg.SparseTensor.")
    return value


def sequence_length_from_sparse_tensor(sp: SparseTensor, num_elements: int = 1) -> Any:
    """int64 [batch]: per example, 1 + the largest time index holding a value, divided by
    `num_elements` and rounded up (0 for an example without values), as TF1."""
    from flowgraph.graph import name_scope
    from flowgraph.ops import cast, ceil, divide, reduce_max, sparse_tensor_to_dense
    with name_scope(None, "sequence_length"):
        steps = cast(sp.indices[:, 1] + 1, dtypes.int64)
        dense = sparse_tensor_to_dense(SparseTensor(sp.indices, steps, sp.dense_shape),
                                       default_value=0, validate_indices=False)
        longest = reduce_max(dense, axis=list(range(1, _rank(sp))))
        if num_elements == 1:
            return longest
        return cast(ceil(divide(cast(longest, dtypes.float64), float(num_elements))),
                    dtypes.int64)


def _ids_3d(sp: SparseTensor) -> SparseTensor:
    """[batch, T] ids as [batch, T, 1]; [batch, T, k] as they are (TF1's sparse_reshape)."""
    from flowgraph.ops import concat, stack, zeros_like
    if _rank(sp) == 3:
        return sp
    indices = concat([sp.indices, zeros_like(sp.indices[:, :1])], 1)
    shape = stack([sp.dense_shape[0], sp.dense_shape[1], sp.dense_shape[0] * 0 + 1])
    return SparseTensor(indices, sp.values, shape)


def _per_step(sp: SparseTensor) -> SparseTensor:
    """[batch, T, k] -> [batch * T, k]: one row per time step."""
    from flowgraph.ops import stack
    time = sp.dense_shape[1]
    rows = sp.indices[:, 0] * time + sp.indices[:, 1]
    indices = stack([rows, sp.indices[:, 2]], axis=1)
    return SparseTensor(indices, sp.values,
                        stack([sp.dense_shape[0] * time, sp.dense_shape[2]]))


def _per_step_to_sequence(tensor: Any, sp: SparseTensor, width: int) -> Any:
    from flowgraph.ops import cast, reshape, stack
    shape = stack([cast(sp.dense_shape[0], dtypes.int32), cast(sp.dense_shape[1], dtypes.int32),
                   width])
    return reshape(tensor, shape)


# --------------------------------------------------------------------------- columns
class SequenceNumericColumn(_FeatureColumn, collections.namedtuple(
        "SequenceNumericColumn", ["key", "shape", "default_value", "dtype", "normalizer_fn"])):
    """Real values per time step: ``[batch, T, *shape]`` (missing steps: default_value)."""

    @property
    def name(self) -> str:
        return self.key

    @property
    def _parse_example_spec(self) -> dict:
        return {self.key: VarLenFeature(self.dtype)}

    @property
    def _variable_shape(self) -> TensorShape:
        return TensorShape(self.shape)

    @property
    def variable_shape(self) -> TensorShape:
        return self._variable_shape

    def _transform_feature(self, inputs: Any) -> Any:
        tensor = _as_sparse(inputs.get(self.key), self)
        if self.normalizer_fn is not None:
            tensor = self.normalizer_fn(tensor)
        return tensor

    def _get_sequence_dense_tensor(self, inputs: Any, weight_collections: Any = None,
                                   trainable: Any = None) -> TensorSequenceLengthPair:
        from flowgraph.ops import concat, reshape, shape, sparse_tensor_to_dense
        sp = inputs.get(self)
        dense = sparse_tensor_to_dense(sp, default_value=self.default_value,
                                       validate_indices=False)
        target = concat([shape(dense)[:1], [-1], list(self.shape)], axis=0)
        dense = reshape(dense, target)
        # A [batch, n] feature groups its values by the column's element count; a
        # [batch, T, k] one has its steps on axis 1 already.
        per_step = self._variable_shape.num_elements() if _rank(sp) == 2 else 1
        return TensorSequenceLengthPair(dense, sequence_length_from_sparse_tensor(sp,
                                                                                  per_step))


class SequenceCategoricalColumn(_CategoricalColumn, collections.namedtuple(
        "SequenceCategoricalColumn", ["categorical_column"])):
    """A categorical column whose ids are per time step: ``[batch, T, k]`` ids, for
    `embedding_column` and `indicator_column` in `sequence_input_layer`."""

    @property
    def name(self) -> str:
        return self.categorical_column.name

    @property
    def _parse_example_spec(self) -> dict:
        return self.categorical_column._parse_example_spec

    @property
    def _num_buckets(self) -> int:
        return self.categorical_column._num_buckets

    def _transform_feature(self, inputs: Any) -> Any:
        return self.categorical_column._transform_feature(inputs)

    def _get_sparse_tensors(self, inputs: Any, weight_collections: Any = None,
                            trainable: Any = None) -> IdWeightPair:
        pair = self.categorical_column._get_sparse_tensors(inputs)
        weights = pair.weight_tensor
        return IdWeightPair(_ids_3d(pair.id_tensor),
                            None if weights is None else _ids_3d(weights))


def sequence_embedding(column: Any, inputs: Any, weight_collections: Any,
                       trainable: Any) -> TensorSequenceLengthPair:
    """[batch, T, dimension] embeddings of an `embedding_column` over a sequence column."""
    from flowgraph.feature_column.embedding_ops import safe_embedding_lookup_sparse
    pair = column.categorical_column._get_sparse_tensors(inputs)
    table = column._embedding_table(weight_collections, trainable)
    weights = None if pair.weight_tensor is None else _per_step(pair.weight_tensor)
    rows = safe_embedding_lookup_sparse(table, _per_step(pair.id_tensor), weights,
                                        combiner=column.combiner,
                                        name=f"{column.name}_weights", max_norm=column.max_norm)
    dense = _per_step_to_sequence(rows, pair.id_tensor, column.dimension)
    return TensorSequenceLengthPair(dense, sequence_length_from_sparse_tensor(pair.id_tensor))


def sequence_indicator(column: Any, inputs: Any) -> TensorSequenceLengthPair:
    """[batch, T, num_buckets] multi-hot rows of an `indicator_column` over a sequence."""
    from flowgraph.feature_column.dense import multi_hot
    pair = column.categorical_column._get_sparse_tensors(inputs)
    weights = None if pair.weight_tensor is None else _per_step(pair.weight_tensor)
    rows = multi_hot(_per_step(pair.id_tensor), weights, column.categorical_column._num_buckets)
    dense = _per_step_to_sequence(rows, pair.id_tensor, column.categorical_column._num_buckets)
    return TensorSequenceLengthPair(dense, sequence_length_from_sparse_tensor(pair.id_tensor))


# --------------------------------------------------------------------------- constructors
def sequence_numeric_column(key: str, shape: Any = (1,), default_value: float = 0.0,
                            dtype: Any = dtypes.float32,
                            normalizer_fn: Optional[Callable] = None) -> SequenceNumericColumn:
    """Real values per time step, from a SparseTensor feature ``[batch, T * prod(shape)]``;
    missing steps are `default_value` (0.0). The name is `key`."""
    from flowgraph.feature_column.base import as_dtype_or_error
    from flowgraph.feature_column.numeric import _check_shape
    shape = _check_shape(shape, key)
    dtype = as_dtype_or_error(dtype, f"sequence_numeric_column {key!r}")
    if not (dtype.is_integer or dtype.is_floating):
        raise ValueError(f"dtype must be convertible to float. dtype: {dtype!r}, key: {key}")
    if normalizer_fn is not None and not callable(normalizer_fn):
        raise TypeError(f"normalizer_fn must be a callable. Given: {normalizer_fn}")
    return SequenceNumericColumn(key, shape, default_value, dtype, normalizer_fn)


def sequence_categorical_column_with_identity(key: str, num_buckets: int,
                                              default_value: Optional[int] = None
                                              ) -> SequenceCategoricalColumn:
    """`categorical_column_with_identity` per time step."""
    from flowgraph.feature_column.categorical import categorical_column_with_identity
    return SequenceCategoricalColumn(categorical_column_with_identity(
        key=key, num_buckets=num_buckets, default_value=default_value))


def sequence_categorical_column_with_hash_bucket(key: str, hash_bucket_size: int,
                                                 dtype: Any = dtypes.string
                                                 ) -> SequenceCategoricalColumn:
    """`categorical_column_with_hash_bucket` per time step."""
    from flowgraph.feature_column.categorical import categorical_column_with_hash_bucket
    return SequenceCategoricalColumn(categorical_column_with_hash_bucket(
        key=key, hash_bucket_size=hash_bucket_size, dtype=dtype))


def sequence_categorical_column_with_vocabulary_file(
        key: str, vocabulary_file: str, vocabulary_size: Optional[int] = None,
        num_oov_buckets: int = 0, default_value: Optional[int] = None,
        dtype: Any = dtypes.string) -> SequenceCategoricalColumn:
    """`categorical_column_with_vocabulary_file` per time step."""
    from flowgraph.feature_column.categorical import categorical_column_with_vocabulary_file
    return SequenceCategoricalColumn(categorical_column_with_vocabulary_file(
        key=key, vocabulary_file=vocabulary_file, vocabulary_size=vocabulary_size,
        num_oov_buckets=num_oov_buckets, default_value=default_value, dtype=dtype))


def sequence_categorical_column_with_vocabulary_list(
        key: str, vocabulary_list: Any, dtype: Any = None, default_value: int = -1,
        num_oov_buckets: int = 0) -> SequenceCategoricalColumn:
    """`categorical_column_with_vocabulary_list` per time step."""
    from flowgraph.feature_column.categorical import categorical_column_with_vocabulary_list
    return SequenceCategoricalColumn(categorical_column_with_vocabulary_list(
        key=key, vocabulary_list=vocabulary_list, dtype=dtype, default_value=default_value,
        num_oov_buckets=num_oov_buckets))


# --------------------------------------------------------------------------- the layer
def _sequence_dense(column: Any, builder: Any, weight_collections: Any,
                    trainable: Any) -> TensorSequenceLengthPair:
    if hasattr(column, "_get_sequence_dense_tensor"):
        return column._get_sequence_dense_tensor(builder, weight_collections=weight_collections,
                                                 trainable=trainable)
    raise ValueError(f"All feature_columns must be of type _SequenceDenseColumn. You can wrap "
                     f"a sequence_categorical_column with an embedding_column or "
                     f"indicator_column. Given (type {type(column)}): {column}")


def sequence_input_layer(features: Any, feature_columns: Any, weight_collections: Any = None,
                         trainable: bool = True) -> tuple:
    """``(input_layer, sequence_length)``: the sequence columns' ``[batch, T, n_i]`` tensors
    concatenated on the last axis (columns in name order, variables under
    ``sequence_input_layer/<column name>/``), and the int64 [batch] lengths, which must be
    the same for every column (InvalidArgumentError when run otherwise).
    TF1's ``tf.contrib.feature_column.sequence_input_layer``."""
    from flowgraph.feature_column.builder import _LazyBuilder
    from flowgraph.feature_column.layers import (
        _model_collections,
        _verify_static_batch_size_equality,
        normalize_feature_columns,
    )
    from flowgraph.ops import concat, reshape, shape, stack
    from flowgraph.variable_scope import variable_scope
    feature_columns = normalize_feature_columns(feature_columns)
    for column in feature_columns:
        if not hasattr(column, "_get_sequence_dense_tensor"):
            _sequence_dense(column, None, None, None)
    weight_collections = _model_collections(weight_collections)
    builder = _LazyBuilder(features)
    with variable_scope(None, default_name="sequence_input_layer"):
        outputs, lengths, ordered = [], [], []
        for column in sorted(feature_columns, key=lambda c: c.name):
            ordered.append(column)
            with variable_scope(None, default_name=column._var_scope_name):
                with builder.transforming(column):
                    dense, length = _sequence_dense(column, builder, weight_collections,
                                                    trainable)
                dims = shape(dense)
                width = column._variable_shape.num_elements()
                outputs.append(reshape(dense, stack([dims[0], dims[1], width])))
                lengths.append(length)
        _verify_static_batch_size_equality(outputs, ordered)
        return concat(outputs, -1), _all_equal(lengths)


def _all_equal(tensors: list) -> Any:
    """The first tensor, after an assertion that all are equal (TF1's
    ``_assert_all_equal_and_return``)."""
    from flowgraph.graph import control_dependencies, name_scope
    from flowgraph.ops import Assert, equal, identity, reduce_all
    if len(tensors) == 1:
        return tensors[0]
    with name_scope(None, "assert_all_equal"):
        checks = [Assert(reduce_all(equal(tensors[0], t)),
                         ["sequence_length of every column must be equal: ", tensors[0], t])
                  for t in tensors[1:]]
        with control_dependencies(checks):
            return identity(tensors[0])
