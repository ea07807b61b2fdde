"""fg.io.SparseFeature in parse_example / parse_single_example, against TensorFlow 2.21
(tf.compat.v1; same Python code as TF 1.15): expected values are TF's, hard-coded."""

import numpy as np
import pytest

import flowgraph as fg
from tests.io.test_parse_example import example, run

RECORDS = [example(idx=("i", [3, 1]), val=("f", [0.5, 1.5])),
           example(idx=("i", [0]), val=("f", [2.0])), example()]


def test_batch_values_sorted_as_tensorflow():
    spec = {"sf": fg.io.SparseFeature("idx", "val", fg.float32, 5),
            "idx2": fg.io.VarLenFeature(fg.int64)}
    got = run(spec, RECORDS)
    assert sorted(got) == ["idx2", "sf"]  # the helper keys idx / val are not returned
    np.testing.assert_array_equal(got["sf"].indices, [[0, 1], [0, 3], [1, 0]])
    np.testing.assert_array_equal(got["sf"].values, np.float32([1.5, 0.5, 2.0]))
    np.testing.assert_array_equal(got["sf"].dense_shape, [3, 5])


def test_single_example_and_static_shapes():
    spec = {"sf": fg.SparseFeature("idx", "val", fg.float32, 5)}
    got = run(spec, RECORDS[0], single=True)
    np.testing.assert_array_equal(got["sf"].indices, [[1], [3]])
    np.testing.assert_array_equal(got["sf"].values, np.float32([1.5, 0.5]))
    np.testing.assert_array_equal(got["sf"].dense_shape, [5])
    with fg.Graph().as_default():
        out = fg.io.parse_example(fg.placeholder(fg.string, [None]), spec)["sf"]
        assert out.indices.shape.as_list() == [None, 2]
        assert out.values.dtype == fg.float32


def test_multi_dimensional_index_keys():
    spec = {"sf": fg.io.SparseFeature(["r", "c"], "val", fg.int64, [2, 3])}
    got = run(spec, [example(r=("i", [1, 0]), c=("i", [2, 1]), val=("i", [7, 8]))])
    np.testing.assert_array_equal(got["sf"].indices, [[0, 0, 1], [0, 1, 2]])
    np.testing.assert_array_equal(got["sf"].values, [8, 7])
    np.testing.assert_array_equal(got["sf"].dense_shape, [1, 2, 3])


def test_already_sorted_keeps_the_given_order():
    spec = {"sf": fg.io.SparseFeature("idx", "val", fg.float32, 5, already_sorted=True)}
    got = run(spec, [example(idx=("i", [3, 1]), val=("f", [1.0, 2.0]))])
    np.testing.assert_array_equal(got["sf"].indices, [[0, 3], [0, 1]])
    np.testing.assert_array_equal(got["sf"].values, np.float32([1.0, 2.0]))


def test_out_of_range_index_is_kept_as_tensorflow_does():
    # TF's sparse_merge does not check indices against size.
    spec = {"sf": fg.io.SparseFeature("idx", "val", fg.float32, 5)}
    got = run(spec, [example(idx=("i", [7]), val=("f", [1.0]))])
    np.testing.assert_array_equal(got["sf"].indices, [[0, 7]])
    np.testing.assert_array_equal(got["sf"].dense_shape, [1, 5])


@pytest.mark.parametrize("idx, val", [([1, 2], [1.0]), ([1], [1.0, 2.0])])
def test_mismatched_index_and_value_counts_fail_at_run_time(idx, val):
    spec = {"sf": fg.io.SparseFeature("idx", "val", fg.float32, 5)}
    with pytest.raises(fg.errors.InvalidArgumentError):
        run(spec, [example(idx=("i", idx), val=("f", val))])


@pytest.mark.parametrize("spec, message", [
    ({"sf": fg.io.SparseFeature("idx", "val", fg.float32, 5),
      "idx": fg.io.VarLenFeature(fg.float32)}, "Conflicting type"),
    ({"sf": fg.io.SparseFeature("idx", "val", fg.float32, 5),
      "val": fg.io.VarLenFeature(fg.int64)}, "Conflicting type"),
    ({"sf": fg.io.SparseFeature("idx", "val", fg.float32, 5),
      "val": fg.io.FixedLenFeature([], fg.float32)}, "Dense and sparse keys must not intersect"),
    ({"sf": fg.io.SparseFeature("", "val", fg.float32, 5)}, "Missing index_key"),
    ({"sf": fg.io.SparseFeature("idx", "", fg.float32, 5)}, "Missing value_key"),
    ({"sf": fg.io.SparseFeature("idx", "val", None, 5)}, "Missing type for feature sf"),
])
def test_build_time_errors_as_tensorflow(spec, message):
    with fg.Graph().as_default():
        with pytest.raises(ValueError, match=message):
            fg.io.parse_example(fg.placeholder(fg.string, [None]), spec)


def test_fields_and_defaults():
    spec = fg.io.SparseFeature("i", "v", fg.float32, 3)
    assert spec._fields == ("index_key", "value_key", "dtype", "size", "already_sorted")
    assert spec.already_sorted is False
