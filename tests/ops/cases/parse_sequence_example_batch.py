"""Cases for ParseSequenceExample (flowgraph.ops.parse_sequence_example_batch): records
serialized by TensorFlow 2.21; expected values are what TF's parse_sequence_example gave."""

import numpy as np

import flowgraph as fg
from tests.io.test_parse_sequence_example_batch import RECORDS
from tests.ops.harness import OpCase


def _strings(*items):
    out = np.empty(len(items), dtype=object)
    out[:] = list(items)
    return out


def _build(serialized):
    context, sequence, lengths = fg.io.parse_sequence_example(
        serialized, context_features={"len": fg.io.FixedLenFeature([], fg.int64)},
        sequence_features={"tok": fg.io.FixedLenSequenceFeature([], fg.int64,
                                                                allow_missing=True),
                           "tags": fg.io.VarLenFeature(fg.string)})
    tags = sequence["tags"]
    return [context["len"], sequence["tok"], lengths["tok"], tags.indices, tags.values,
            tags.dense_shape]


CASES = [
    OpCase("ParseSequenceExample", _build, [_strings(*RECORDS)],
           expected=[np.int64([2, 3, 0]), np.int64([[1, 2, 0], [5, 6, 7], [0, 0, 0]]),
                     np.int64([2, 3, 0]),
                     np.int64([[0, 0, 0], [0, 1, 0], [0, 1, 1], [1, 1, 0]]),
                     _strings(b"x", b"y", b"z", b"w"), np.int64([3, 3, 2])],
           grad=False),
]
