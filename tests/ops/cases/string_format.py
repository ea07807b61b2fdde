"""Cases for StringFormat (flowgraph.ops.string_format); expected strings are what
TensorFlow 2.21's ``tf.strings.format`` returned for the same values."""

import numpy as np

from flowgraph.ops.string_format import string_format
from tests.ops.harness import OpCase


def _scalar(data):
    out = np.empty((), dtype=object)
    out[()] = data
    return out


CASES = [
    OpCase("StringFormat", lambda x, s: string_format("x={} y={}", [x, s]),
           [np.arange(10, dtype=np.int64), _scalar(b"hi")],
           expected=_scalar(b'x=[0 1 2 ... 7 8 9] y="hi"'), grad=False),
    OpCase("StringFormat", lambda x: string_format("{}", x, summarize=2),
           [np.arange(70, dtype=np.int32).reshape(7, 2, 5)],
           expected=_scalar(b"[[[0 1 ... 3 4]\n  [5 6 ... 8 9]]\n\n [[10 11 ... 13 14]\n  "
                            b"[15 16 ... 18 19]]\n\n ...\n\n [[50 51 ... 53 54]\n  [55 56 ... "
                            b"58 59]]\n\n [[60 61 ... 63 64]\n  [65 66 ... 68 69]]]"),
           grad=False, name="summarize_3d"),
    OpCase("StringFormat", lambda x: string_format("<%s>", x, placeholder="%s"),
           [np.float32([[1.5, 2.0], [3.25, 4e-7]])],
           expected=_scalar(b"<[[1.5 2]\n [3.25 4e-07]]>"), grad=False, name="floats"),
]
