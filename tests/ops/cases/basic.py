"""Cases for constants, placeholders, identity and no_op."""

import numpy as np

import flowgraph as fg
from tests.ops.harness import OpCase

A = np.array([[1.5, -2.0, 3.25]], dtype=np.float32)

CASES = [
    OpCase("Const", lambda: fg.constant([[1, 2], [3, 4]]), expected=np.array([[1, 2], [3, 4]],
                                                                          dtype=np.int32)),
    OpCase("Const", lambda: fg.constant(["ab", b"c"]), expected=np.array([b"ab", b"c"],
                                                                       dtype=object),
           name="string"),
    OpCase("Placeholder", lambda x: x, [A], expected=A),
    OpCase("PlaceholderWithDefault",
           lambda: fg.placeholder_with_default(fg.constant([1.0, 2.0]), [None]),
           expected=np.array([1.0, 2.0], dtype=np.float32)),
    OpCase("PlaceholderWithDefault", lambda x: fg.placeholder_with_default(x, [1, None]), [A],
           expected=A, name="from-input"),
    OpCase("Identity", lambda x: fg.identity(x), [A], expected=A),
    OpCase("NoOp", lambda x: [fg.no_op(), fg.identity(x)], [A], expected=A),
    OpCase("Add", lambda x, y: fg.add(x, y), [A, np.float32([[1], [2]])],
           expected=np.array([[2.5, -1.0, 4.25], [3.5, 0.0, 5.25]], dtype=np.float32)),
]
