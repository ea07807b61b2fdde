"""Cases for SerializeTensor / ParseTensor (flowgraph.ops.serialize_tensor); the expected
bytes are what TensorFlow 2.21's ``tf.io.serialize_tensor`` returned for the same values."""

import numpy as np

from flowgraph.ops.serialize_tensor import parse_tensor, serialize_tensor
from tests.ops.harness import OpCase


def _scalar_bytes(data):
    out = np.empty((), dtype=object)
    out[()] = data
    return out


def _same_bytes(want):
    def check(values, inputs):
        got = np.asarray(values[0], dtype=object)[()]
        assert got == want, f"SerializeTensor: {got!r} != {want!r}"
    return check


INT_2X2 = (b'\x08\x03\x12\x08\x12\x02\x08\x02\x12\x02\x08\x02"\x10\x01\x00\x00\x00\x02\x00'
           b'\x00\x00\x03\x00\x00\x00\x04\x00\x00\x00')
STRINGS = b"\x08\x07\x12\x04\x12\x02\x08\x02B\x02abB\x01c"

CASES = [
    # A scalar string fetch is a bytes object; np.asarray would drop its trailing NULs, so
    # this case compares the bytes directly.
    OpCase("SerializeTensor", lambda x: serialize_tensor(x), [np.int32([[1, 2], [3, 4]])],
           check=_same_bytes(INT_2X2)),
    OpCase("SerializeTensor", lambda x: serialize_tensor(x),
           [np.array([b"ab", b"c"], dtype=object)], expected=_scalar_bytes(STRINGS),
           name="strings"),
    OpCase("ParseTensor", lambda s: parse_tensor(s, "int32"), [_scalar_bytes(INT_2X2)],
           expected=np.int32([[1, 2], [3, 4]])),
    OpCase("ParseTensor", lambda s: parse_tensor(s, "string"), [_scalar_bytes(STRINGS)],
           expected=np.array([b"ab", b"c"], dtype=object), name="strings"),
]
