"""Cases for check_ops.py: CheckNumerics passes finite values through."""

import numpy as np

import flowgraph as fg
from tests.ops.harness import OpCase

CASES = [
    OpCase("CheckNumerics", lambda x: fg.check_numerics(x, "bad"),
           [np.array([[1.5, -2.0], [0.0, 3.0]], np.float32)],
           expected=np.array([[1.5, -2.0], [0.0, 3.0]], np.float32)),
]
