"""Cases for Fingerprint. Expected bytes are TensorFlow's own output (tf.fingerprint run in
TF 2.21's compat.v1), so they check FarmHash Fingerprint64 and the row layout bit for bit."""

import numpy as np

from flowgraph.ops.fingerprint_op import fingerprint
from tests.ops.harness import OpCase


def S(*items):  # noqa: N802 - a short constructor for object arrays of bytes
    return np.array([i.encode("utf-8") for i in items], dtype=object)


CASES = [
    OpCase("Fingerprint", fingerprint, [S("", "a", "hello world")],
           expected=np.array([[79, 64, 144, 47, 59, 106, 225, 154],
                              [227, 117, 223, 182, 101, 66, 69, 179],
                              [27, 176, 214, 139, 71, 183, 143, 88]], np.uint8)),
    OpCase("Fingerprint", fingerprint, [np.array([[1, 2, 3], [4, 5, 6]], np.int32)],
           expected=np.array([[197, 243, 108, 84, 102, 77, 162, 216],
                              [168, 91, 168, 112, 25, 85, 121, 5]], np.uint8),
           name="int32_rows"),
    OpCase("Fingerprint", fingerprint,
           [np.array([[b"ab", b"c"], [b"", b"xyz"]], dtype=object)],
           expected=np.array([[65, 83, 39, 149, 164, 245, 170, 22],
                              [193, 32, 210, 152, 167, 221, 186, 228]], np.uint8),
           name="string_rows"),
]
