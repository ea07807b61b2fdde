"""Cases for the feature lookup ops. References: numpy written here (np.digitize), and
TensorFlow's published ids for out-of-vocabulary hash buckets."""

import numpy as np

from flowgraph.ops import feature_lookup as lookup
from tests.ops.harness import OpCase

X = np.array([[-3.0, 0.0, 0.5], [1.0, 2.0, 9.0]], dtype=np.float32)
EDGES = [0.0, 1.0, 2.0]


def _digitize(x):
    # bucket i holds edges[i-1] <= x < edges[i]: count the edges at or below x
    return np.array([[sum(e <= v for e in EDGES) for v in row] for row in x], dtype=np.int32)


CASES = [
    OpCase("Bucketize", lambda x: lookup.bucketize(x, EDGES), [X], expected=_digitize(X)),
    OpCase("Bucketize", lambda x: lookup.bucketize(x, [10, 20]),
           [np.array([5, 10, 15, 20, 25], np.int64)],
           expected=np.array([0, 1, 1, 2, 2], np.int32), name="int64"),
    OpCase("Bucketize", lambda x: lookup.bucketize(x, []), [np.array([1.5, -2.0])],
           expected=np.array([0, 0], np.int32), name="no_boundaries"),
    # In-vocabulary keys get their position; unknown keys the default value.
    OpCase("VocabularyLookup", lambda k: lookup.vocabulary_lookup(k, ["a", "b", "c"]),
           [np.array([[b"c", b"a"], [b"zz", b"b"]], dtype=object)],
           expected=np.array([[2, 0], [-1, 1]], np.int64)),
    OpCase("VocabularyLookup",
           lambda k: lookup.vocabulary_lookup(k, [10, 20, 30], default_value=7),
           [np.array([30, 11, 10], np.int64)], expected=np.array([2, 7, 0], np.int64),
           name="int_keys"),
    # TF feature_column_test: vocabulary ('omar', 'stringer', 'marlo') with 100 OOV
    # buckets maps ('marlo', 'skywalker', 'omar', 'heisenberg') to (2, 33, 0, 62).
    OpCase("VocabularyLookup",
           lambda k: lookup.vocabulary_lookup(k, ["omar", "stringer", "marlo"],
                                              num_oov_buckets=100),
           [np.array([b"marlo", b"skywalker", b"omar", b"heisenberg"], dtype=object)],
           expected=np.array([2, 33, 0, 62], np.int64), name="oov_buckets"),
    OpCase("CheckIdsInRange", lambda i: lookup.check_ids_in_range(i, 5, "ids"),
           [np.array([0, 4, 2], np.int64)], expected=np.array([0, 4, 2], np.int64)),
]
