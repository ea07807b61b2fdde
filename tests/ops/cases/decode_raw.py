"""Cases for DecodeRaw (flowgraph.ops.decode_raw); expected values are what TensorFlow
2.21's ``tf.io.decode_raw`` returned for the same bytes."""

import numpy as np

from flowgraph.ops.decode_raw import decode_raw
from tests.ops.harness import OpCase


def S(*items):  # noqa: N802 - object arrays of bytes
    out = np.empty(len(items), dtype=object)
    out[:] = list(items)
    return out


CASES = [
    OpCase("DecodeRaw", lambda s: decode_raw(s, "int32"),
           [S(b"\x01\x00\x00\x00\x02\x00\x00\x00", b"\xff\xff\xff\xff\x00\x00\x00\x80")],
           expected=np.int32([[1, 2], [-1, -2147483648]])),
    OpCase("DecodeRaw", lambda s: decode_raw(s, "int32", little_endian=False),
           [S(b"\x01\x00\x00\x00\x02\x00\x00\x00")], expected=np.int32([[16777216, 33554432]]),
           name="big_endian"),
    OpCase("DecodeRaw", lambda s: decode_raw(s, "uint8"), [np.array(b"abc", dtype=object)],
           expected=np.uint8([97, 98, 99]), name="scalar"),
    OpCase("DecodeRaw", lambda s: decode_raw(s, "bool"), [S(b"\x00\x01\x02")],
           expected=np.array([[False, True, True]]), name="bool"),
    OpCase("DecodeRaw", lambda s: decode_raw(s, "float16", little_endian=False), [S(b"\x3c\x00")],
           expected=np.float16([[1.0]]), name="half_big_endian"),
    OpCase("DecodeRaw", lambda s: decode_raw(s, "int16", little_endian=False), [S(b"\x01\x02")],
           expected=np.int16([[258]]), name="int16_big_endian"),
    OpCase("DecodeRaw", lambda s: decode_raw(s, "float64"),
           [S(b"\x00\x00\x00\x00\x00\x00\xf8?")], expected=np.float64([[1.5]]), name="double"),
    OpCase("DecodeRaw", lambda s: decode_raw(s, "int32"), [S(b"", b"")],
           expected=np.zeros((2, 0), np.int32), name="empty"),
]
