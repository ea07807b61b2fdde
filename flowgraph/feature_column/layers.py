"""`input_layer`, `linear_model` and `make_parse_example_spec` (TF1 v1)."""

from __future__ import annotations

import collections.abc
from typing import Any, Optional

from flowgraph.feature_column.base import _CategoricalColumn, _DenseColumn, _FeatureColumn
from flowgraph.feature_column.builder import _LazyBuilder
from flowgraph.graph import GraphKeys


def normalize_feature_columns(feature_columns: Any) -> list:
    """The columns as a list; ValueError for a dict, an empty list, a non-column or two
    columns of one name (as TF1)."""
    if isinstance(feature_columns, _FeatureColumn):
        feature_columns = [feature_columns]
    if isinstance(feature_columns, dict):
        raise ValueError("Expected feature_columns to be iterable, found dict.")
    if isinstance(feature_columns, collections.abc.Iterator):
        feature_columns = list(feature_columns)
    if not isinstance(feature_columns, collections.abc.Iterable):
        raise ValueError(f"Expected feature_columns to be iterable, found "
                         f"{type(feature_columns).__name__}.")
    feature_columns = list(feature_columns)
    for column in feature_columns:
        if not isinstance(column, _FeatureColumn):
            raise ValueError(f"Items of feature_columns must be a _FeatureColumn. Given (type "
                             f"{type(column)}): {column}.")
    if not feature_columns:
        raise ValueError("feature_columns must not be empty.")
    by_name: dict = {}
    for column in feature_columns:
        if column.name in by_name:
            raise ValueError(f"Duplicate feature column name found for columns: {column} and "
                             f"{by_name[column.name]}. This usually means that these columns "
                             f"refer to same base feature. Either one must be discarded or a "
                             f"duplicated but renamed item must be inserted in features dict.")
        by_name[column.name] = column
    return feature_columns


def _model_collections(weight_collections: Any) -> list:
    collections_ = list(weight_collections or [])
    for key in (GraphKeys.GLOBAL_VARIABLES, GraphKeys.MODEL_VARIABLES):
        if key not in collections_:
            collections_.append(key)
    return collections_


def _flatten_to_batch(tensor: Any, column: Any) -> Any:
    """[batch, ...] -> [batch, num_elements of the column's variable shape]."""
    from flowgraph.ops.array import stack
    from flowgraph.ops.shape_ops import reshape, shape
    num_elements = column._variable_shape.num_elements()
    dims = tensor.shape.as_tuple()
    # Always a Reshape, as TF1 (``input_layer/<column>/Reshape:0``).
    if dims is not None and dims[0] is not None:
        return reshape(tensor, (dims[0], num_elements))
    return reshape(tensor, stack([shape(tensor)[0], num_elements]))


def _verify_static_batch_size_equality(tensors: list, columns: list) -> None:
    expected, expected_column = None, None
    for tensor, column in zip(tensors, columns):
        dims = tensor.shape.as_tuple()
        batch = dims[0] if dims else None
        if batch is None:
            continue
        if expected is None:
            expected, expected_column = batch, column
        elif batch != expected:
            raise ValueError(f"Batch size (first dimension) of each feature must be same. "
                             f"Batch size of columns ({expected_column.name}, {column.name}): "
                             f"({expected}, {batch})")


def input_layer(features: Any, feature_columns: Any, weight_collections: Any = None,
                trainable: bool = True, cols_to_vars: Optional[dict] = None,
                cols_to_output_tensors: Optional[dict] = None) -> Any:
    """The dense input of a model: every dense column's tensor, flattened to [batch, n] and
    concatenated along axis 1 in order of column name (as TF1).

    Parameters
    ----------
    features : dict of feature key -> Tensor, SparseTensor, numpy array or list
    feature_columns : dense columns (numeric, bucketized, indicator, embedding); wrap
        categorical columns in `indicator_column` or `embedding_column`
    weight_collections : extra collections for the variables created (they are always in
        GLOBAL_VARIABLES and MODEL_VARIABLES)
    trainable : whether the variables go to TRAINABLE_VARIABLES
    cols_to_vars : optional dict filled with {column: [its variables]}

    Variables live under ``input_layer/<column name>/`` (e.g.
    ``input_layer/color_embedding/embedding_weights``).
    """
    from flowgraph.ops.array import concat
    from flowgraph.variable_scope import get_variable_scope, variable_scope
    feature_columns = normalize_feature_columns(feature_columns)
    for column in feature_columns:
        if not isinstance(column, _DenseColumn):
            raise ValueError(f"Items of feature_columns must be a _DenseColumn. You can wrap "
                             f"a categorical column with an embedding_column or "
                             f"indicator_column. Given: {column}")
    weight_collections = _model_collections(weight_collections)
    builder = _LazyBuilder(features)
    with variable_scope(None, default_name="input_layer"):
        outputs, ordered = [], []
        for column in sorted(feature_columns, key=lambda c: c.name):
            ordered.append(column)
            with variable_scope(None, default_name=column._var_scope_name):
                with builder.transforming(column):
                    tensor = column._get_dense_tensor(builder,
                                                      weight_collections=weight_collections,
                                                      trainable=trainable)
                output = _flatten_to_batch(tensor, column)
                outputs.append(output)
                if cols_to_vars is not None:
                    from flowgraph.graph import get_collection
                    cols_to_vars[column] = get_collection(GraphKeys.GLOBAL_VARIABLES,
                                                          scope=get_variable_scope().name)
                if cols_to_output_tensors is not None:
                    cols_to_output_tensors[column] = output
        _verify_static_batch_size_equality(outputs, ordered)
        return concat(outputs, 1)


def linear_model(features: Any, feature_columns: Any, units: int = 1,
                 sparse_combiner: str = "sum", weight_collections: Any = None,
                 trainable: bool = True, cols_to_vars: Optional[dict] = None) -> Any:
    """A linear model's logits [batch, units]: the sum over columns of their weighted
    inputs, plus ``bias_weights`` (as TF1).

    A categorical column (including bucketized and crossed ones) gets one weight row per
    bucket, ``linear_model/<column name>/weights`` [num_buckets, units], and an example's
    ids are combined with `sparse_combiner` ("sum", "mean" or "sqrtn"); a dense column gets
    weights [num_elements, units] and a matmul. Weights and ``linear_model/bias_weights``
    [units] start at zero. `cols_to_vars` is filled with {column: [weights]} and
    {"bias": [bias_weights]}.
    """
    from flowgraph.graph import get_collection, name_scope
    from flowgraph.initializers import zeros_initializer
    from flowgraph.ops.math import add_n
    from flowgraph.ops.nn_basic import bias_add
    from flowgraph.variable_scope import get_variable, variable_scope
    feature_columns = normalize_feature_columns(feature_columns)
    for column in feature_columns:
        if not isinstance(column, (_DenseColumn, _CategoricalColumn)):
            raise ValueError(f"Items of feature_columns must be either a _DenseColumn or "
                             f"_CategoricalColumn. Given: {column}")
    # As TF1, `sparse_combiner` is checked where a categorical column is combined.
    weight_collections = _model_collections(weight_collections)
    # TF1 builds linear_model as a layer: the model's and each column's scope names are
    # made unique in the caller's variable scope first (so a second model in one graph has
    # ``linear_model_1/a_1/weights``), then the ops go under a new name scope of the model
    # (``linear_model_1/linear_model/weighted_sum``) and the variables under the model's
    # variable scope (``linear_model/a/weights``).
    model_name = _unique_scope_name("linear_model")
    column_names = [(_unique_scope_name(column._var_scope_name), column)
                    for column in sorted(feature_columns, key=lambda c: c.name)]
    builder = _LazyBuilder(features)
    with name_scope(model_name), variable_scope(model_name):
        sums, ordered, variables = [], [], {}
        for column_name, column in sorted(column_names, key=lambda pair: pair[0]):
            ordered.append(column)
            with variable_scope(None, default_name=column_name) as column_scope:
                with builder.transforming(column):
                    total = _weighted_sum(column, builder, units, sparse_combiner,
                                          weight_collections, trainable)
            # As TF1: every global variable under the column's scope (an embedding column's
            # table too), matched by scope-name prefix.
            variables[column] = get_collection(GraphKeys.GLOBAL_VARIABLES,
                                               scope=column_scope.name)
            sums.append(total)
        _verify_static_batch_size_equality(sums, ordered)
        bias = get_variable("bias_weights", shape=[units], initializer=zeros_initializer(),
                            trainable=trainable, collections=weight_collections)
        variables["bias"] = [bias]
        predictions_no_bias = add_n(sums, name="weighted_sum_no_bias")
        predictions = bias_add(predictions_no_bias, bias, name="weighted_sum")
    if cols_to_vars is not None:
        cols_to_vars.update(variables)
    return predictions


def _unique_scope_name(default_name: str) -> str:
    """The last part of ``variable_scope(None, default_name)``'s name, with the name scope
    TF1 opens for it (named after `default_name`, made unique among name scopes)."""
    from flowgraph.graph import name_scope
    from flowgraph.variable_scope import variable_scope
    with name_scope(None, default_name):
        with variable_scope(None, default_name=default_name,
                            auxiliary_name_scope=False) as scope:
            return scope.name.rsplit("/", 1)[-1]


def _weighted_sum(column: Any, builder: Any, units: int, sparse_combiner: str,
                  weight_collections: list, trainable: bool) -> tuple:
    """One column's [batch, units] contribution to `linear_model` (with its ``weights``)."""
    from flowgraph.feature_column.embedding_ops import safe_embedding_lookup_sparse
    from flowgraph.initializers import zeros_initializer
    from flowgraph.ops.linalg import matmul
    from flowgraph.variable_scope import get_variable
    if isinstance(column, _CategoricalColumn):
        rows = column._num_buckets
    else:
        rows = column._variable_shape.num_elements()
    weights = get_variable("weights", shape=[rows, units], initializer=zeros_initializer(),
                           trainable=trainable, collections=weight_collections)
    if isinstance(column, _CategoricalColumn):
        pair = column._get_sparse_tensors(builder, weight_collections=weight_collections,
                                          trainable=trainable)
        total = safe_embedding_lookup_sparse(weights, pair.id_tensor, pair.weight_tensor,
                                             combiner=sparse_combiner, name="weighted_sum")
    else:
        tensor = column._get_dense_tensor(builder, weight_collections=weight_collections,
                                          trainable=trainable)
        total = matmul(_flatten_to_batch(tensor, column), weights, name="weighted_sum")
    return total


def make_parse_example_spec(feature_columns: Any) -> dict:
    """{feature key: FixedLenFeature / VarLenFeature} for parsing tf.Example protos with
    the raw features the columns read; ValueError when two columns disagree on a key."""
    result: dict = {}
    for column in feature_columns:
        if not isinstance(column, _FeatureColumn):
            raise ValueError(f"All feature_columns must be _FeatureColumn instances. Given: "
                             f"{column}")
        for key, value in column._parse_example_spec.items():
            if key in result and result[key] != value:
                raise ValueError(f"feature_columns contain different parse_spec for key "
                                 f"{key}. Given {value} and {result[key]}")
        result.update(column._parse_example_spec)
    return result


def transform_features(features: Any, feature_columns: Any) -> dict:
    """{column: its transformed tensor} (TF1's ``_transform_features``): dense bucket ids for
    bucketized columns, multi-hot for indicator columns, id SparseTensors for categorical
    columns, float32 for numeric columns."""
    feature_columns = normalize_feature_columns(feature_columns)
    builder = _LazyBuilder(features)
    outputs = {}
    from flowgraph.graph import name_scope
    with name_scope(None, "transform_features"):
        for column in feature_columns:
            with name_scope(None, column.name):
                outputs[column] = builder.get(column)
    return outputs
