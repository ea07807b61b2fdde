"""Cases for ParseSingleSequenceExample (flowgraph.ops.parse_sequence_example): the bytes
are a SequenceExample serialized by TensorFlow 2.21; the expected values are written by
hand from what it holds (and match TF's parse)."""

import numpy as np

import flowgraph as fg
from flowgraph.io.sequence_example_parsing import parse_single_sequence_example
from tests.ops.harness import OpCase

# context: length=int64 [3], title=bytes [b"ab"], weight=float [0.5, 1.5];
# feature_lists: tokens=int64 steps [1] [2] [3], tags=bytes steps [a b] [] [c],
# vec=float steps [1 2] [3 4].
SEQ = (b"\n:\n\x0f\n\x05title\x12\x06\n\x04\n\x02ab\n\x0f\n\x06length\x12\x05\x1a\x03\n\x01"
       b"\x03\n\x16\n\x06weight\x12\x0c\x12\n\n\x08\x00\x00\x00?\x00\x00\xc0?\x12e\n\x1f\n"
       b"\x06tokens\x12\x15\n\x05\x1a\x03\n\x01\x01\n\x05\x1a\x03\n\x01\x02\n\x05\x1a\x03\n"
       b"\x01\x03\n\x1d\n\x04tags\x12\x15\n\x08\n\x06\n\x01a\n\x01b\n\x02\n\x00\n\x05\n\x03"
       b"\n\x01c\n#\n\x03vec\x12\x1c\n\x0c\x12\n\n\x08\x00\x00\x80?\x00\x00\x00@\n\x0c\x12\n"
       b"\n\x08\x00\x00@@\x00\x00\x80@")


def _scalar(data):
    out = np.empty((), dtype=object)
    out[()] = data
    return out


def S(*items):  # noqa: N802 - string arrays of bytes
    out = np.empty(len(items), dtype=object)
    out[:] = list(items)
    return out


def _build(serialized):
    context, sequence = parse_single_sequence_example(
        serialized,
        context_features={"length": fg.io.FixedLenFeature([], fg.int64),
                          "title": fg.io.VarLenFeature(fg.string),
                          "missing": fg.io.FixedLenFeature([], fg.int64, default_value=7)},
        sequence_features={"tokens": fg.io.FixedLenSequenceFeature([], fg.int64),
                           "tags": fg.io.VarLenFeature(fg.string),
                           "vec": fg.io.FixedLenSequenceFeature([2], fg.float32),
                           "none": fg.io.FixedLenSequenceFeature([3], fg.float32,
                                                                 allow_missing=True)})
    tags = sequence["tags"]
    return [context["length"], context["missing"], context["title"].values,
            context["title"].dense_shape, sequence["tokens"], sequence["vec"],
            sequence["none"], tags.indices, tags.values, tags.dense_shape]


CASES = [
    OpCase("ParseSingleSequenceExample", _build, [_scalar(SEQ)],
           expected=[np.int64(3), np.int64(7), S(b"ab"), np.int64([1]), np.int64([1, 2, 3]),
                     np.float32([[1, 2], [3, 4]]), np.zeros((0, 3), np.float32),
                     np.int64([[0, 0], [0, 1], [2, 0]]), S(b"a", b"b", b"c"),
                     np.int64([3, 2])],
           grad=False),
]
