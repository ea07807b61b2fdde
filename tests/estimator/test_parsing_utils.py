"""fg.estimator.classifier_parse_example_spec / regressor_parse_example_spec, against the
TF1 documentation's example and its source's rules (TF's shapes are tuples: (1,))."""

import pytest

import flowgraph as fg
from flowgraph.io.example_spec import FixedLenFeature, VarLenFeature

fc = fg.feature_column


def _columns():
    feature_b = fc.numeric_column("feature_b")
    feature_c = fc.bucketized_column(fc.numeric_column("feature_c"), [1.0, 2.0])
    crossed = fc.crossed_column(["feature_a", feature_c], 10)
    return [feature_b, feature_c, crossed]


def test_classifier_spec_matches_the_tf1_doc_example():
    spec = fg.estimator.classifier_parse_example_spec(_columns(), label_key="my-label",
                                                      label_dtype=fg.string)
    assert spec == {"feature_a": VarLenFeature(fg.string),
                    "feature_b": FixedLenFeature((1,), dtype=fg.float32),
                    "feature_c": FixedLenFeature((1,), dtype=fg.float32),
                    "my-label": FixedLenFeature((1,), dtype=fg.string)}


def test_regressor_spec_label_dimension_and_weight_column():
    spec = fg.estimator.regressor_parse_example_spec(
        _columns(), label_key="y", label_dimension=3, weight_column="w")
    assert spec["y"] == FixedLenFeature((3,), dtype=fg.float32)
    assert spec["w"] == FixedLenFeature((1,), dtype=fg.float32)
    default = fg.estimator.classifier_parse_example_spec(_columns(), "y")
    assert default["y"] == FixedLenFeature((1,), dtype=fg.int64)


def test_parse_spec_errors():
    with pytest.raises(ValueError, match="label should not be used as feature"):
        fg.estimator.classifier_parse_example_spec(_columns(), label_key="feature_b")
    with pytest.raises(ValueError, match="weight_column should be an instance of"):
        fg.estimator.classifier_parse_example_spec(
            _columns(), "y", weight_column=fc.categorical_column_with_identity("w", 3))
