"""The dense bucket ids boosted trees use (flowgraph.feature_column.bucket_ids)."""

import numpy as np
import pytest

import flowgraph as fg
from flowgraph import feature_column as fc
from flowgraph.feature_column import bucket_ids
from tests.feature_column.helpers import run


def test_bucketized_and_indicator_bucket_ids():
    age = fc.bucketized_column(fc.numeric_column("age"), [18.0, 30.0, 65.0])
    xy = fc.bucketized_column(fc.numeric_column("xy", shape=(2,)), [0.0])
    color = fc.indicator_column(fc.categorical_column_with_vocabulary_list(
        "color", ["red", "green", "blue"]))
    features = {"age": np.array([10.0, 30.0, 70.0], np.float32),
                "xy": [[-1.0, 1.0], [0.0, -0.5], [3.0, 2.0]],
                "color": [["blue"], ["red"], ["pink"]]}
    columns = bucket_ids.sort_columns([xy, color, age])
    assert [c.name for c in columns] == ["age_bucketized", "color_indicator", "xy_bucketized"]
    assert bucket_ids.bucket_sizes(columns) == [4, 2, 2]
    assert bucket_ids.feature_dimensions(columns) == [1, 3, 2]
    with fg.Graph().as_default():
        tensors = bucket_ids.transformed_features(features, columns)
        assert all(t.dtype == fg.int32 for t in tensors)
        values = run(tensors)
    edges = [18.0, 30.0, 65.0]
    expected_age = [[sum(e <= a for e in edges)] for a in features["age"]]
    np.testing.assert_array_equal(values[0], expected_age)
    np.testing.assert_array_equal(values[1], [[0, 0, 1], [1, 0, 0], [0, 0, 0]])
    np.testing.assert_array_equal(values[2], [[0, 1], [1, 0], [1, 1]])


def test_other_columns_are_rejected_by_name():
    with pytest.raises(ValueError, match="only bucketized_column and indicator_column.*'x'"):
        bucket_ids.sort_columns([fc.numeric_column("x")])
    with fg.Graph().as_default():
        with pytest.raises(ValueError, match="Feature age is not in features dictionary"):
            bucket_ids.bucket_ids({}, fc.bucketized_column(fc.numeric_column("age"), [1.0]))
