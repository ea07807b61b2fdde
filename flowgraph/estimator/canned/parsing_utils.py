"""`classifier_parse_example_spec` and `regressor_parse_example_spec` (TF1's
``tf.estimator`` parsing utilities): the feature columns' parse spec plus the label's and
the example weight's, for ``fg.io.parse_example`` on tf.Example protos."""

from __future__ import annotations

from typing import Any

from flowgraph import dtypes


def classifier_parse_example_spec(feature_columns: Any, label_key: str,
                                  label_dtype: Any = dtypes.int64, label_default: Any = None,
                                  weight_column: Any = None) -> dict:
    """The parse spec of `feature_columns` with the label ``FixedLenFeature((1,),
    label_dtype, label_default)`` under `label_key` and, if given, the weight column's spec.

    `weight_column` is a key (a float32 numeric column of that key) or a numeric column.
    ValueError when `label_key` is also a feature, or for another kind of weight column.

    >>> spec = fg.estimator.classifier_parse_example_spec(columns, label_key="y")
    """
    from flowgraph.feature_column.layers import make_parse_example_spec
    from flowgraph.feature_column.parse_spec import FixedLenFeature
    spec = make_parse_example_spec(feature_columns)
    label_spec = FixedLenFeature((1,), label_dtype, label_default)
    return _add_label_and_weight(spec, label_key, label_spec, weight_column)


def regressor_parse_example_spec(feature_columns: Any, label_key: str,
                                 label_dtype: Any = dtypes.float32, label_default: Any = None,
                                 label_dimension: int = 1, weight_column: Any = None) -> dict:
    """As `classifier_parse_example_spec`, with the label ``FixedLenFeature(
    (label_dimension,), label_dtype, label_default)`` (float32 by default)."""
    from flowgraph.feature_column.layers import make_parse_example_spec
    from flowgraph.feature_column.parse_spec import FixedLenFeature
    spec = make_parse_example_spec(feature_columns)
    label_spec = FixedLenFeature((label_dimension,), label_dtype, label_default)
    return _add_label_and_weight(spec, label_key, label_spec, weight_column)


def _add_label_and_weight(spec: dict, label_key: str, label_spec: Any,
                          weight_column: Any) -> dict:
    from flowgraph.feature_column.numeric import NumericColumn, numeric_column
    if label_key in spec:
        raise ValueError(f"label should not be used as feature. label_key: {label_key}, "
                         f"features: {list(spec)}")
    spec[label_key] = label_spec
    if weight_column is None:
        return spec
    if isinstance(weight_column, str):
        weight_column = numeric_column(weight_column)
    if not isinstance(weight_column, NumericColumn):
        raise ValueError(f"weight_column should be an instance of "
                         f"tf.feature_column.numeric_column. Given type: "
                         f"{type(weight_column)} value: {weight_column}")
    spec.update(weight_column._parse_example_spec)
    return spec
