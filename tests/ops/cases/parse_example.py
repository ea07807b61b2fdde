"""Cases for ParseExample (flowgraph.ops.parse_example); serialized inputs were made by
TensorFlow 2.21 and the expected values are what its ``tf.io.parse_example`` returned."""

import numpy as np

import flowgraph as fg
from flowgraph.io.example_parsing import parse_example, parse_single_example
from tests.ops.harness import OpCase

# Two tf.Examples: {a: [1, 2], b: [3], c: [b"x", b"yy"], d: [1, 2, 3, 4]} and
# {b: [5], e: [0.5], d: []} (TF wrote the second one's keys unsorted).
SERIALIZED = np.array([
    b"\n>\n\x11\n\x01a\x12\x0c\x12\n\n\x08\x00\x00\x80?\x00\x00\x00@\n\n\n\x01b\x12\x05\x1a"
    b"\x03\n\x01\x03\n\x0e\n\x01c\x12\t\n\x07\n\x01x\n\x02yy\n\r\n\x01d\x12\x08\x1a\x06\n\x04"
    b"\x01\x02\x03\x04",
    b"\n$\n\n\n\x01b\x12\x05\x1a\x03\n\x01\x05\n\r\n\x01e\x12\x08\x12\x06\n\x04\x00\x00\x00?"
    b"\n\x07\n\x01d\x12\x02\x1a\x00"], dtype=object)
SPEC = {"a": fg.io.FixedLenFeature([2], fg.float32, default_value=[7.0, 8.0]),
        "b": fg.io.FixedLenFeature([], fg.int64),
        "c": fg.io.VarLenFeature(fg.string),
        "d": fg.io.FixedLenSequenceFeature([2], fg.int64, allow_missing=True),
        "e": fg.io.VarLenFeature(fg.float32)}


def _flat(parsed):
    out = []
    for key in sorted(parsed):
        value = parsed[key]
        out.extend([value.indices, value.values, value.dense_shape]
                   if isinstance(value, fg.SparseTensor) else [value])
    return out


def _strings(*items):
    out = np.empty(len(items), dtype=object)
    out[:] = list(items)
    return out


CASES = [
    OpCase("ParseExample", lambda s: _flat(parse_example(s, SPEC)), [SERIALIZED],
           expected=[np.float32([[1, 2], [7, 8]]), np.int64([3, 5]),
                     np.int64([[0, 0], [0, 1]]), _strings(b"x", b"yy"), np.int64([2, 2]),
                     np.int64([[[1, 2], [3, 4]], [[0, 0], [0, 0]]]),
                     np.int64([[1, 0]]).reshape(1, 2), np.float32([0.5]), np.int64([2, 1])]),
    OpCase("ParseExample", lambda s: _flat(parse_single_example(s, SPEC)),
           [np.array(SERIALIZED[0], dtype=object)],
           expected=[np.float32([1, 2]), np.int64(3), np.int64([[0], [1]]),
                     _strings(b"x", b"yy"), np.int64([2]), np.int64([[1, 2], [3, 4]]),
                     np.zeros((0, 1), np.int64), np.zeros(0, np.float32), np.int64([0])],
           name="single"),
]
