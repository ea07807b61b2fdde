"""Categorical columns: vocabulary list / file, identity and hash bucket ids, as TF1."""

import numpy as np
import pytest

import flowgraph as fg
from flowgraph import feature_column as fc
from flowgraph.feature_column.builder import _LazyBuilder
from tests.feature_column.helpers import run


def ids_of(column, features):
    """(indices, values, dense_shape) of the column's id SparseTensor."""
    with fg.Graph().as_default():
        pair = column._get_sparse_tensors(_LazyBuilder(features))
        assert pair.weight_tensor is None
        value = run(pair.id_tensor)
    return value.indices.tolist(), value.values.tolist(), value.dense_shape.tolist()


def test_vocabulary_list_properties_and_validation():
    col = fc.categorical_column_with_vocabulary_list("color", ["red", "green"],
                                                     num_oov_buckets=3)
    assert col.name == "color" and col.key == "color" and col.dtype == fg.string
    assert col._num_buckets == 5 and col.vocabulary_list == ("red", "green")
    assert fc.categorical_column_with_vocabulary_list("n", [1, 2]).dtype == fg.int64
    with pytest.raises(ValueError, match="must be non-empty, column_name: c"):
        fc.categorical_column_with_vocabulary_list("c", [])
    with pytest.raises(ValueError, match="Duplicate keys"):
        fc.categorical_column_with_vocabulary_list("c", ["a", "a"])
    with pytest.raises(ValueError, match="both num_oov_buckets and default_value in c"):
        fc.categorical_column_with_vocabulary_list("c", ["a"], default_value=0,
                                                   num_oov_buckets=1)
    with pytest.raises(ValueError, match="do not match, column_name: c"):
        fc.categorical_column_with_vocabulary_list("c", ["a"], dtype=fg.int64)


def test_vocabulary_list_dense_strings_drop_empty_and_default_minus_one():
    col = fc.categorical_column_with_vocabulary_list("color", ["red", "green", "blue"])
    features = {"color": np.array([["blue", ""], ["pink", "red"]])}
    # b"" is a missing value (dropped); unknown "pink" gets -1.
    assert ids_of(col, features) == ([[0, 0], [1, 0], [1, 1]], [2, -1, 0], [2, 2])


def test_vocabulary_list_oov_buckets_match_tensorflow():
    col = fc.categorical_column_with_vocabulary_list(
        "wire", ("omar", "stringer", "marlo"), num_oov_buckets=100)
    sparse = fg.SparseTensorValue(indices=[[0, 0], [1, 0], [1, 1], [2, 0]],
                                  values=np.array([b"marlo", b"skywalker", b"omar",
                                                   b"heisenberg"], dtype=object),
                                  dense_shape=[3, 2])
    # TF's feature_column_test expects (2, 33, 0, 62).
    assert ids_of(col, {"wire": sparse})[1] == [2, 33, 0, 62]


def test_vocabulary_list_int_keys_and_default_value():
    col = fc.categorical_column_with_vocabulary_list("n", [10, 20, 30], default_value=1)
    # -1 is a missing integer value (dropped); 99 is unknown -> default 1.
    assert ids_of(col, {"n": [30, -1, 99]}) == ([[0, 0], [2, 0]], [2, 1], [3, 1])


def test_vocabulary_list_wrong_input_dtype_names_the_key():
    col = fc.categorical_column_with_vocabulary_list("color", ["red"])
    with pytest.raises(ValueError, match="key: color, column dtype: fg.string"):
        ids_of(col, {"color": [[1], [2]]})
    with pytest.raises(ValueError, match="column_name: color input_tensor dtype must be "
                                         "string or integer"):
        ids_of(col, {"color": [[1.5]]})


def test_vocabulary_file(tmp_path):
    path = tmp_path / "vocab.txt"
    path.write_text("red\ngreen\nblue\n")
    col = fc.categorical_column_with_vocabulary_file("color", str(path))
    assert col.vocabulary_size == 3 and col._num_buckets == 3 and col.default_value == -1
    assert ids_of(col, {"color": ["green", "blue", "nope"]})[1] == [1, 2, -1]
    short = fc.categorical_column_with_vocabulary_file("color", str(path), vocabulary_size=2,
                                                       num_oov_buckets=1)
    assert short._num_buckets == 3
    # "blue" is past vocabulary_size: it falls into the single OOV bucket, id 2.
    assert ids_of(short, {"color": ["red", "blue"]})[1] == [0, 2]
    with pytest.raises(ValueError, match="vocabulary_file in c does not exist"):
        fc.categorical_column_with_vocabulary_file("c", str(tmp_path / "missing.txt"))
    ints = tmp_path / "ints.txt"
    ints.write_text("7\n3\n")
    col = fc.categorical_column_with_vocabulary_file("n", str(ints), dtype=fg.int64)
    assert ids_of(col, {"n": np.array([3, 7, 5], np.int64)})[1] == [1, 0, -1]


def test_identity_column():
    col = fc.categorical_column_with_identity("id", num_buckets=4)
    assert col.name == "id" and col._num_buckets == 4
    assert ids_of(col, {"id": [[3, -1], [0, 2]]}) == ([[0, 0], [1, 0], [1, 1]], [3, 0, 2],
                                                       [2, 2])
    with_default = fc.categorical_column_with_identity("id", 4, default_value=1)
    # Only -1 means "missing"; other out-of-range ids (5, -7) become the default.
    assert ids_of(with_default, {"id": [5, 2, -7]})[1] == [1, 2, 1]
    with pytest.raises(ValueError, match="num_buckets 0 < 1, column_name id"):
        fc.categorical_column_with_identity("id", 0)
    with pytest.raises(ValueError, match="default_value 4 not in range"):
        fc.categorical_column_with_identity("id", 4, default_value=4)


def test_identity_out_of_range_fails_when_run_naming_the_feature():
    col = fc.categorical_column_with_identity("user_id", num_buckets=4)
    with pytest.raises(fg.errors.InvalidArgumentError, match="Id 9 of feature 'user_id' is "
                                                             "out of range \\[0, 4\\)"):
        ids_of(col, {"user_id": [1, 9]})
    with pytest.raises(ValueError, match="Invalid input, not integer. key: user_id"):
        ids_of(col, {"user_id": ["a"]})


def test_hash_bucket_matches_tensorflow():
    col = fc.categorical_column_with_hash_bucket("wire", 4)
    assert col.name == "wire" and col._num_buckets == 4 and col.dtype == fg.string
    sparse = fg.SparseTensorValue(indices=[[0, 0], [1, 0], [1, 1]],
                                  values=np.array([b"marlo", b"skywalker", b"omar"], object),
                                  dense_shape=[2, 2])
    # TF: 'marlo' -> 3, 'skywalker' -> 2, 'omar' -> 2.
    assert ids_of(col, {"wire": sparse})[1] == [3, 2, 2]
    ints = fc.categorical_column_with_hash_bucket("wire", 10, dtype=fg.int64)
    # TF: integers 101, 201, 301 -> 3, 7, 5 (hashed as decimal strings).
    assert ids_of(ints, {"wire": np.array([101, 201, 301], np.int32)})[1] == [3, 7, 5]
    with pytest.raises(ValueError, match="hash_bucket_size must be at least 1"):
        fc.categorical_column_with_hash_bucket("wire", 0)
    with pytest.raises(ValueError, match="dtype must be string or integer"):
        fc.categorical_column_with_hash_bucket("wire", 3, dtype=fg.float32)


def test_str_and_bytes_inputs_give_the_same_ids():
    col = fc.categorical_column_with_vocabulary_list("c", ["a", "b"])
    assert ids_of(col, {"c": ["b", "a"]}) == ids_of(col, {"c": [b"b", b"a"]})
