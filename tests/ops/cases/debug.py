"""Cases for debug.py (Print) and py_func.py (PyFunc, PyFuncStateless).

References: the inputs themselves (Print is an identity) and numpy applied to the inputs here.
"""

import numpy as np

import flowgraph as fg
from tests.ops.harness import OpCase

X = np.array([[1.5, -2.0], [0.25, 4.0]])


def _print(x):
    return fg.Print(x, [x, fg.reduce_sum(x)], "cases: ", first_n=1)


def _double_and_count(x):
    return fg.py_func(lambda a: (a * 2, np.int32(a.size)), [x], [x.dtype, fg.int32],
                      stateful=False)


CASES = [
    OpCase("Print", _print, [X], expected=X),
    OpCase("Print", lambda x: fg.Print(x, []), [np.array([1, 2], np.int32)],
           expected=np.array([1, 2], np.int32), name="int-no-data"),
    OpCase("PyFunc", lambda x: fg.py_func(np.square, [x], fg.float64), [X],
           expected=X ** 2, partial_shapes=True),
    OpCase("PyFuncStateless", _double_and_count, [X.astype(np.float32)],
           expected=[(X * 2).astype(np.float32), np.int32(4)], name="two-outputs"),
]
