"""Cases for flowgraph/ops/assertions.py."""

import numpy as np

import flowgraph as fg
from tests.ops.harness import OpCase

X3 = np.float32([1.0, 4.0, 9.0])


def _checked_sqrt(x):
    check = fg.Assert(fg.reduce_all(x >= 0.0), ["x must be >= 0:", x])
    with fg.control_dependencies([check]):
        return fg.sqrt(x)


CASES = [
    OpCase("Assert", _checked_sqrt, [X3], expected=np.float32([1.0, 2.0, 3.0]), grad=False),
]
