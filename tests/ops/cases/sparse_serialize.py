"""Cases for SerializeSparse / SerializeManySparse / DeserializeManySparse
(flowgraph.ops.sparse_serialize); the expected bytes are what TensorFlow 2.21's
tf.compat.v1.serialize_sparse / serialize_many_sparse returned for the same values."""

import numpy as np

from flowgraph import dtypes
from flowgraph.ops.sparse_serialize import (
    deserialize_many_sparse,
    serialize_many_sparse,
    serialize_sparse,
)
from flowgraph.sparse_tensor import SparseTensor
from tests.ops.harness import OpCase

Z8 = b"\x00" * 7
SER_IND = (b'\x08\t\x12\x08\x12\x02\x08\x04\x12\x02\x08\x02"@' + b"\x00" * 8 + b"\x00" * 8
           + b"\x00" * 8 + b"\x02" + Z8 + b"\x01" + Z8 + b"\x01" + Z8 + b"\x02" + Z8
           + b"\x03" + Z8)
SER_VAL = b'\x08\x01\x12\x04\x12\x02\x08\x04"\x10\x00\x00\x80?\x00\x00\x00@\x00\x00@@\x00\x00\x80@'
SER_SHAPE = b'\x08\t\x12\x04\x12\x02\x08\x02"\x10\x03' + Z8 + b"\x04" + Z8
STR_IND = b'\x08\t\x12\x08\x12\x02\x08\x02\x12\x02\x08\x01"\x10' + b"\x00" * 8 + b"\x02" + Z8
STR_VAL = b'\x08\x07\x12\x04\x12\x02\x08\x02"\x05\x02\x01abc'
STR_SHAPE = b'\x08\t\x12\x04\x12\x02\x08\x01"\x08\x04' + Z8


def _row(k):
    ind = (b'\x08\t\x12\x08\x12\x02\x08\x02\x12\x02\x08\x02" ' + b"\x00" * 8 + b"\x01" + Z8
           + b"\x02" + Z8 + b"\x00" * 8)
    ind = ind if k == 0 else ind.replace(b'" \x00', b'" \x01', 1)
    val = b'\x08\x03\x12\x04\x12\x02\x08\x02"\x08' + (b"\x01\x00\x00\x00\x02\x00\x00\x00"
                                                     if k == 0 else
                                                     b"\x03\x00\x00\x00\x04\x00\x00\x00")
    return [ind, val, b'\x08\t\x12\x04\x12\x02\x08\x02"\x10\x03' + Z8 + b"\x02" + Z8]


def _same_bytes(want):
    def check(values, inputs):
        got = np.asarray(values[0], dtype=object)
        assert got.shape == np.asarray(want, dtype=object).shape
        assert [bytes(g) for g in got.reshape(-1)] == \
            [bytes(w) for w in np.asarray(want, dtype=object).reshape(-1)]
    return check


IND = np.array([[0, 0], [0, 2], [1, 1], [2, 3]], np.int64)
VAL = np.float32([1, 2, 3, 4])
IND3 = np.array([[0, 0, 1], [0, 2, 0], [1, 1, 1], [1, 2, 0]], np.int64)
VAL3 = np.int32([1, 2, 3, 4])
MANY = np.array([_row(0), _row(1)], dtype=object)


def parts(st):
    return [st.indices, st.values, st.dense_shape]


CASES = [
    OpCase("SerializeSparse", lambda i, v, s: serialize_sparse(SparseTensor(i, v, s)),
           [IND, VAL, np.int64([3, 4])], check=_same_bytes([SER_IND, SER_VAL, SER_SHAPE])),
    OpCase("SerializeSparse", lambda i, v, s: serialize_sparse(SparseTensor(i, v, s)),
           [np.array([[0], [2]], np.int64), np.array([b"ab", b"c"], dtype=object),
            np.int64([4])], check=_same_bytes([STR_IND, STR_VAL, STR_SHAPE]), name="strings"),
    OpCase("SerializeManySparse",
           lambda i, v, s: serialize_many_sparse(SparseTensor(i, v, s)),
           [IND3, VAL3, np.int64([2, 3, 2])], check=_same_bytes(MANY)),
    OpCase("DeserializeManySparse", lambda m: parts(deserialize_many_sparse(m, dtypes.int32)),
           [MANY], expected=[IND3, VAL3, np.int64([2, 3, 2])]),
    OpCase("DeserializeManySparse",
           lambda m: parts(deserialize_many_sparse(m, dtypes.string, rank=1)),
           [np.array([[STR_IND, STR_VAL, STR_SHAPE],
                      [STR_IND[:-16] + b"\x01" + Z8 + b"\x03" + Z8, STR_VAL, STR_SHAPE]],
                     dtype=object)],
           expected=[np.array([[0, 0], [0, 2], [1, 1], [1, 3]], np.int64),
                     np.array([b"ab", b"c", b"ab", b"c"], dtype=object), np.int64([2, 4])],
           name="strings_rank"),
]
