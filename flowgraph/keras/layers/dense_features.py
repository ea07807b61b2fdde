"""`tf.keras.layers.DenseFeatures` (TF 1.15): `fg.feature_column.input_layer` as a Keras layer.

The layer is called on a dict of features (feature key -> Tensor, SparseTensor or array) and
returns the dense columns' tensors, each flattened to [batch, n], concatenated along axis 1 in
order of column name. Its variables (an embedding column's table) live under the layer's
scope, ``dense_features/<column name>/embedding_weights``, and are its weights; a second call
reuses them (its ops go under ``dense_features_1/``).
"""

from __future__ import annotations

from typing import Any, Optional

from flowgraph.feature_column.base import _DenseColumn
from flowgraph.feature_column.builder import _LazyBuilder
from flowgraph.feature_column.layers import (
    _flatten_to_batch,
    _verify_static_batch_size_equality,
    normalize_feature_columns,
)
from flowgraph.keras.base_layer import Layer

__all__ = ["DenseFeatures"]


class DenseFeatures(Layer):
    """A layer producing a dense Tensor from `feature_columns` (as TF 1.15's
    ``tf.keras.layers.DenseFeatures``)::

        price = fg.feature_column.numeric_column("price")
        layer = fg.keras.layers.DenseFeatures([price, embedding_column(color, 4)])
        net = layer({"price": ..., "color": ...})          # [batch, 1 + 4]

    Parameters
    ----------
    feature_columns : dense columns (numeric, bucketized, indicator, embedding)
    trainable : whether the columns' variables are trainable
    name : the layer's name (default ``dense_features``, made unique)
    """

    def __init__(self, feature_columns: Any, trainable: bool = True,
                 name: Optional[str] = None, **kwargs: Any) -> None:
        super().__init__(name=name, trainable=trainable, **kwargs)
        columns = normalize_feature_columns(feature_columns)
        for column in columns:
            self._check_column(column)
        self._feature_columns = columns

    def _check_column(self, column: Any) -> None:
        if not isinstance(column, _DenseColumn):
            raise ValueError(f"Items of feature_columns must be a _DenseColumn. You can "
                             f"wrap a categorical column with an embedding_column or "
                             f"indicator_column. Given: {column}")

    def _column_output(self, column: Any, builder: Any, collections: list) -> tuple:
        """One column's [batch, width] tensor (and nothing else to combine)."""
        with builder.transforming(column):
            tensor = column._get_dense_tensor(builder, weight_collections=collections,
                                              trainable=self.trainable)
        return _flatten_to_batch(tensor, column), None

    def _combine(self, outputs: list, extras: list) -> Any:
        from flowgraph.ops.array import concat
        return concat(outputs, 1)

    def __call__(self, features: Any, cols_to_output_tensors: Optional[dict] = None,
                 **kwargs: Any) -> Any:
        """The [batch, total width] dense input for `features` (a dict); fills
        `cols_to_output_tensors` with {column: its [batch, width] tensor} when given."""
        if not isinstance(features, dict):
            raise ValueError(f"We expected a dictionary here. Instead we got: {features!r}")
        if kwargs:
            raise TypeError(f"DenseFeatures got unexpected call arguments {sorted(kwargs)}; "
                            f"it takes (features, cols_to_output_tensors=None).")
        from flowgraph.graph import GraphKeys, get_collection
        from flowgraph.variable_scope import variable_scope
        builder = _LazyBuilder(features)
        collections = [GraphKeys.GLOBAL_VARIABLES]
        with variable_scope(self.name, reuse=True if self.built else None) as scope:
            outputs, extras, ordered = [], [], []
            for column in sorted(self._feature_columns, key=lambda c: c.name):
                with variable_scope(column._var_scope_name):
                    output, extra = self._column_output(column, builder, collections)
                outputs.append(output)
                extras.append(extra)
                ordered.append(column)
                if cols_to_output_tensors is not None:
                    cols_to_output_tensors[column] = output
            _verify_static_batch_size_equality(outputs, ordered)
            result = self._combine(outputs, extras)
            if not self.built:
                trainable = {id(v) for v in get_collection(GraphKeys.TRAINABLE_VARIABLES,
                                                           scope=scope.name + "/")}
                for variable in get_collection(GraphKeys.GLOBAL_VARIABLES,
                                               scope=scope.name + "/"):
                    if id(variable) in trainable:
                        self._trainable_weights.append(variable)
                    else:
                        self._non_trainable_weights.append(variable)
                self.built = True
        return result

    def call(self, features: Any, cols_to_output_tensors: Optional[dict] = None) -> Any:
        """The same as calling the layer (TF 1.15's ``call`` signature)."""
        return self.__call__(features, cols_to_output_tensors=cols_to_output_tensors)

    def compute_output_shape(self, input_shape: Any) -> tuple:
        """(batch, sum of the columns' widths); `input_shape` is a dict of feature shapes."""
        batch = None
        if isinstance(input_shape, dict) and input_shape:
            first = list(input_shape.values())[0]
            dims = list(first) if first is not None else [None]
            batch = dims[0] if dims else None
        width = sum(column._variable_shape.num_elements() for column in self._feature_columns)
        return (batch, width)

    def get_config(self) -> dict:
        return {"name": self.name, "trainable": self.trainable,
                "feature_columns": list(self._feature_columns)}
