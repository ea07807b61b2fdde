"""fg.io.parse_example / parse_single_example against TensorFlow 2.21 (tf.compat.v1).

Serialized inputs were written by TF; expected values, static shapes and error messages are
what TF's ``tf.io.parse_example`` gave for the same inputs.
"""

import numpy as np
import pytest

import flowgraph as fg
from tests.ops.cases.parse_example import SERIALIZED, SPEC

T = fg.train


def example(**features):
    """A serialized Example: key=("f"|"i"|"b", values) or key="empty" (no kind set)."""
    feature = {}
    for key, value in features.items():
        if value == "empty":
            feature[key] = T.Feature()
            continue
        kind, values = value
        feature[key] = {"f": lambda v: T.Feature(float_list=T.FloatList(value=v)),
                        "i": lambda v: T.Feature(int64_list=T.Int64List(value=v)),
                        "b": lambda v: T.Feature(bytes_list=T.BytesList(value=v))}[kind](values)
    return T.Example(features=T.Features(feature=feature)).SerializeToString()


def run(spec, records, single=False, **kwargs):
    with fg.Graph().as_default():
        holder = fg.placeholder(fg.string, [] if single else [None])
        parse = fg.io.parse_single_example if single else fg.io.parse_example
        out = parse(holder, spec, **kwargs)
        with fg.Session() as sess:
            return sess.run(out, {holder: records})


def test_batch_values_equal_tensorflows():
    got = run(SPEC, SERIALIZED)
    np.testing.assert_array_equal(got["a"], np.float32([[1, 2], [7, 8]]))
    assert got["a"].dtype == np.float32 and got["b"].dtype == np.int64
    np.testing.assert_array_equal(got["b"], [3, 5])
    np.testing.assert_array_equal(got["c"].indices, [[0, 0], [0, 1]])
    assert list(got["c"].values) == [b"x", b"yy"]
    np.testing.assert_array_equal(got["c"].dense_shape, [2, 2])
    np.testing.assert_array_equal(got["d"], [[[1, 2], [3, 4]], [[0, 0], [0, 0]]])
    np.testing.assert_array_equal(got["e"].indices, [[1, 0]])
    np.testing.assert_array_equal(got["e"].values, np.float32([0.5]))
    np.testing.assert_array_equal(got["e"].dense_shape, [2, 1])


def test_static_shapes_and_tensor_names_as_tensorflow():
    with fg.Graph().as_default():
        out = fg.io.parse_example(fg.placeholder(fg.string, [None]), SPEC)
        assert out["a"].shape.as_list() == [None, 2]
        assert out["b"].shape.as_list() == [None]
        assert out["d"].shape.as_list() == [None, None, 2]
        assert out["c"].indices.shape.as_list() == [None, 2]
        assert out["c"].dense_shape.shape.as_list() == [2]
        assert out["c"].values.dtype == fg.string
        # TF's output order: sparse indices, values, shapes, then dense, keys sorted.
        assert [out[k].name for k in "abd"] == ["ParseExample/ParseExample:6",
                                                "ParseExample/ParseExample:7",
                                                "ParseExample/ParseExample:8"]
        single = fg.io.parse_single_example(fg.placeholder(fg.string, []), SPEC)
        assert single["a"].shape.as_list() == [2]
        assert single["b"].shape.as_list() == []
        assert single["d"].shape.as_list() == [None, 2]
        assert single["c"].indices.shape.as_list() == [None, 1]
        assert fg.io.parse_example(fg.constant(list(SERIALIZED)), {
            "b": fg.io.FixedLenFeature([], fg.int64)})["b"].shape.as_list() == [2]


def test_single_example_values():
    got = run(SPEC, SERIALIZED[0], single=True)
    np.testing.assert_array_equal(got["a"], np.float32([1, 2]))
    assert got["b"] == 3 and np.shape(got["b"]) == ()
    np.testing.assert_array_equal(got["c"].indices, [[0], [1]])
    np.testing.assert_array_equal(got["c"].dense_shape, [2])
    np.testing.assert_array_equal(got["d"], [[1, 2], [3, 4]])
    assert got["e"].indices.shape == (0, 1) and list(got["e"].dense_shape) == [0]


def test_defaults_padding_and_empty_features():
    records = [example(b=("i", [1, 2]), s=("b", [b"q"])), example(b="empty")]
    got = run({"b": fg.io.FixedLenSequenceFeature([], fg.int64, allow_missing=True,
                                                  default_value=-1),
               "s": fg.io.FixedLenSequenceFeature([], fg.string, allow_missing=True),
               "k": fg.io.FixedLenFeature([], fg.string, default_value="zz"),
               "m": fg.io.FixedLenFeature([2, 3], fg.float32, default_value=np.ones([2, 3])),
               "v": fg.io.VarLenFeature(fg.int64)}, records)
    np.testing.assert_array_equal(got["b"], [[1, 2], [-1, -1]])
    assert got["s"].tolist() == [[b"q"], [b""]]
    assert got["k"].tolist() == [b"zz", b"zz"]
    np.testing.assert_array_equal(got["m"], np.ones([2, 2, 3], np.float32))
    assert got["v"].indices.shape == (0, 2) and list(got["v"].dense_shape) == [2, 0]
    # An empty Feature (no kind) counts as missing: the default is used (TF gives [9]).
    assert list(run({"b": fg.io.FixedLenFeature([], fg.int64, default_value=9)},
                    [example(b="empty")])["b"]) == [9]


def test_empty_batch():
    got = run({"b": fg.io.FixedLenFeature([2], fg.float32), "c": fg.io.VarLenFeature(fg.string)},
              np.zeros(0, dtype=object))
    assert got["b"].shape == (0, 2) and got["b"].dtype == np.float32
    assert list(got["c"].dense_shape) == [0, 0]


@pytest.mark.parametrize("spec, records, message", [
    ({"b": fg.io.FixedLenFeature([], fg.int64)}, [example(a=("f", [1.0]))],
     r"Name: <unknown>, Feature: b \(data type: int64\) is required but could not be found."),
    ({"b": fg.io.FixedLenFeature([], fg.float32)}, [example(b="empty")],
     r"Feature: b \(data type: float\) is required"),
    ({"b": fg.io.FixedLenFeature([], fg.int64)}, [example(b=("f", [1.0]))],
     r"Name: <unknown>, Key: b, Index: 0.  Data types don't match. Data type: float but "
     r"expected type: int64"),
    ({"b": fg.io.FixedLenFeature([2], fg.float32)}, [example(b=("f", [1.0, 2.0]))] * 2
     + [example(b=("f", [1, 2, 3]))],
     r"Key: b, Index: 2.  Number of float values != expected.  Values size: 3 but output "
     r"shape: \[2\]"),
    ({"b": fg.io.FixedLenFeature([], fg.int64, default_value=9)}, [example(b=("i", []))],
     r"Values size: 0 but output shape: \[\]"),
    ({"b": fg.io.VarLenFeature(fg.int64)}, [example(b=("f", [1.0]))],
     r"Key: b, Index: 0.  Data types don't match. Expected type: int64, Actual type: float"),
    ({"b": fg.io.FixedLenSequenceFeature([2], fg.int64, allow_missing=True)},
     [example(b=("i", [1, 2, 3]))],
     r"Number of int64 values is not a multiple of stride length. Saw 3 values but output "
     r"shape is: \[\?,2\]"),
    ({"b": fg.io.VarLenFeature(fg.int64)}, [b"\n\x05abc"], r"Could not parse example input"),
])
def test_run_time_errors_name_the_feature(spec, records, message):
    with pytest.raises(fg.errors.InvalidArgumentError, match=message):
        run(spec, records)


def test_example_names_in_errors():
    spec = {"b": fg.io.FixedLenFeature([], fg.int64)}
    with pytest.raises(fg.errors.InvalidArgumentError, match="Name: ex0, Feature: b"):
        run(spec, [example()], example_names=["ex0"])
    with pytest.raises(fg.errors.InvalidArgumentError, match=r"name.shape=\[2\], "
                                                            r"serialized.shape=\[1\]"):
        run(spec, [example()], example_names=["ex0", "ex1"])


@pytest.mark.parametrize("spec, error, message", [
    ({}, ValueError, "cannot be None or falsy"),
    ({"b": fg.io.FixedLenFeature([None], fg.int64)}, ValueError,
     "First dimension of shape for feature b unknown"),
    ({"b": fg.io.FixedLenSequenceFeature([], fg.int64)}, ValueError,
     "requires allow_missing to be True"),
    ({"b": fg.io.FixedLenFeature([2], fg.float64)}, TypeError, "float32, int64, string"),
    ({"b": fg.io.FixedLenFeature([2], fg.float32, default_value=1.0)}, ValueError,
     r"Cannot reshape a tensor with 1 elements to shape \[2\]"),
    ({"b": 3}, ValueError, "Unsupported int 3 for key 'b'"),
])
def test_build_time_errors(spec, error, message):
    with fg.Graph().as_default():
        with pytest.raises(error, match=message):
            fg.io.parse_example(fg.placeholder(fg.string, [None]), spec)


def test_rank_checks():
    with fg.Graph().as_default():
        with pytest.raises(ValueError, match="must be a scalar"):
            fg.io.parse_single_example(fg.placeholder(fg.string, [None]), SPEC)
        with pytest.raises(ValueError, match="at most rank 1"):
            fg.io.parse_example(fg.placeholder(fg.string, [2, 2]), SPEC)


def test_feature_column_spec_parses():
    fc = fg.feature_column
    columns = [fc.numeric_column("x", shape=[2]),
               fc.categorical_column_with_vocabulary_list("color", ["red", "blue"])]
    spec = fc.make_parse_example_spec(columns)
    got = run(spec, [example(x=("f", [1, 2]), color=("b", [b"blue"])),
                     example(x=("f", [3, 4]))])
    np.testing.assert_array_equal(got["x"], np.float32([[1, 2], [3, 4]]))
    assert list(got["color"].values) == [b"blue"]
    np.testing.assert_array_equal(got["color"].dense_shape, [2, 1])
