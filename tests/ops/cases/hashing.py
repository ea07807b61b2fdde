"""Cases for the hashing ops. Expected ids are TensorFlow's own published values (its docs
and kernel tests), so they check FarmHash Fingerprint64 / FingerprintCat64 bit for bit."""

import numpy as np

from flowgraph.ops import hashing
from flowgraph.sparse_tensor import SparseTensor
from tests.ops.harness import OpCase


def S(*items):  # noqa: N802 - a short constructor for object arrays of bytes
    return np.array([i.encode("utf-8") for i in items], dtype=object)


def _one(i, v, s):
    return SparseTensor(i, v, s)


def parts(st):
    return [st.indices, st.values, st.dense_shape]


ONE_INDEX = np.array([[0, 0]], dtype=np.int64)
ONE_SHAPE = np.array([1, 1], dtype=np.int64)


def _cross_check(values, inputs):
    indices, ids, shape = values
    np.testing.assert_array_equal(indices, [[0, 0]])
    np.testing.assert_array_equal(ids, [1971693436396284976])  # TF's sparse_cross_op_test
    np.testing.assert_array_equal(shape, [1, 1])


def _cross_rows(values, inputs):
    indices, ids, shape = values
    # Row 0: 2 x 1 crosses (the last input varies fastest); row 1: 1 x 2; row 2: none.
    np.testing.assert_array_equal(indices, [[0, 0], [0, 1], [1, 0], [1, 1]])
    np.testing.assert_array_equal(shape, [3, 2])
    assert ids.dtype == np.int64 and np.all((ids >= 0) & (ids < 50))


DENSE_AS_SPARSE = np.array([[0, 0], [1, 0], [2, 0]], np.int64)


def _dense_like_sparse(values, inputs):
    indices, ids, shape, sparse_ids = values
    np.testing.assert_array_equal(indices, [[0, 0], [0, 1], [1, 0]])
    np.testing.assert_array_equal(shape, [3, 2])
    np.testing.assert_array_equal(ids, sparse_ids)


CASES = [
    # TF docs: tf.strings.to_hash_bucket_fast(["Hello", "TensorFlow", "2.x"], 3) -> [0, 2, 2]
    OpCase("StringToHashBucketFast", lambda s: hashing.string_to_hash_bucket_fast(s, 3),
           [S("Hello", "TensorFlow", "2.x")], expected=np.array([0, 2, 2], np.int64)),
    # TF feature_column_test: 'marlo' -> 3, 'skywalker' -> 2, 'omar' -> 2 in 4 buckets;
    # integers hash as their decimal strings: 101, 201, 301 -> 3, 7, 5 in 10 buckets.
    OpCase("StringToHashBucketFast", lambda s: hashing.string_to_hash_bucket_fast(s, 4),
           [np.array([[b"marlo"], [b"skywalker"], [b"omar"]], dtype=object)],
           expected=np.array([[3], [2], [2]], np.int64), name="rank2"),
    OpCase("StringToHashBucketFast", lambda s: hashing.string_to_hash_bucket_fast(s, 10),
           [S("101", "201", "301")], expected=np.array([3, 7, 5], np.int64), name="digits"),
    # SparseCross hashed, no bucket limit: TF's sparse_cross_op_test exact value.
    OpCase("SparseCross",
           lambda a, b, c, i, s: parts(hashing.sparse_cross_hashed(
               [_one(i, a, s), _one(i, b, s), _one(i, c, s)])),
           [S("batch1-FC1-F1"), S("batch1-FC2-F1"), S("batch1-FC3-F1"), ONE_INDEX, ONE_SHAPE],
           check=_cross_check),
    # A dense [batch, 1] input crosses as a SparseTensor holding the same values would.
    OpCase("SparseCross",
           lambda i, v, s, d: parts(hashing.sparse_cross_hashed([_one(i, v, s), d],
                                                                num_buckets=50))
           + [hashing.sparse_cross_hashed([_one(i, v, s), _one(DENSE_AS_SPARSE, S("x", "y", "z"),
                                                                s)], num_buckets=50).values],
           [np.array([[0, 0], [0, 1], [1, 0]], np.int64), S("a", "b", "c"),
            np.array([3, 2], np.int64),
            np.array([[b"x"], [b"y"], [b"z"]], dtype=object)],
           check=_dense_like_sparse, name="dense_input"),
    OpCase("SparseCross",
           lambda i1, v1, s1, i2, v2, s2: parts(hashing.sparse_cross_hashed(
               [_one(i1, v1, s1), _one(i2, v2, s2)], num_buckets=50)),
           [np.array([[0, 0], [0, 1], [1, 0]], np.int64), np.array([3, 4, 5], np.int64),
            np.array([3, 2], np.int64),
            np.array([[0, 0], [1, 0], [1, 1]], np.int64), S("p", "q", "r"),
            np.array([3, 2], np.int64)],
           check=_cross_rows, name="rows"),
    # Unhashed crosses are the strings joined with "_X_".
    OpCase("SparseCross",
           lambda i, v, s, d: parts(hashing.sparse_cross([_one(i, v, s), d])),
           [np.array([[0, 0], [0, 1], [1, 0]], np.int64), S("a", "b", "c"),
            np.array([2, 2], np.int64), np.array([[b"x"], [b"y"]], dtype=object)],
           expected=[np.array([[0, 0], [0, 1], [1, 0]], np.int64), S("a_X_x", "b_X_x", "c_X_y"),
                     np.array([2, 2], np.int64)], name="strings"),
]
