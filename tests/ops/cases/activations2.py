"""Cases for flowgraph's Step activation (activations.py) and Erf / Erfc (erf.py).

References: literal values, and Python's math.erf / math.erfc element by element.
"""

import math

import numpy as np

import flowgraph as fg
from tests.ops.harness import OpCase

F32 = np.float32
X = np.array([[1.5, -2.0, 0.25], [4.0, -0.25, 7.0]])
WIDE = np.array([-30.0, -5.0, -4.0, -1.0, -0.46875, -1e-9, 0.0, 0.3, 0.46875, 0.5, 2.0, 4.0,
                 4.5, 10.0, 26.0, 27.0])


def _map(fn, values, dtype=np.float64):
    flat = np.asarray(values, np.float64).reshape(-1)
    return np.array([fn(float(v)) for v in flat], dtype).reshape(np.shape(values))


CASES = [
    # ------------------------------------------------------------------ Step
    OpCase("Step", lambda x: fg.nn.step(x), [X],
           expected=np.array([[1.0, 0.0, 1.0], [1.0, 0.0, 1.0]])),
    OpCase("Step", lambda x: fg.nn.step(x, threshold=1.0), [X.astype(F32)],
           expected=np.array([[1.0, 0.0, 0.0], [1.0, 0.0, 1.0]], F32), name="threshold"),
    OpCase("Step", lambda x: fg.nn.step(x), [np.array([0.0, -0.0, 1e-30], F32)],
           expected=np.array([0.0, 0.0, 1.0], F32), name="at-zero", grad=False),
    OpCase("Step", lambda x: fg.nn.step(x, 2), [np.array([[1, 2, 3]], np.int32)],
           expected=np.array([[0, 0, 1]], np.int32), name="int32"),
    # ------------------------------------------------------------------ Erf / Erfc
    OpCase("Erf", lambda x: fg.erf(x), [X], expected=_map(math.erf, X)),
    OpCase("Erf", lambda x: fg.erf(x), [WIDE], expected=_map(math.erf, WIDE), rtol=1e-14,
           atol=0, name="ranges", grad=False),
    OpCase("Erf", lambda x: fg.erf(x), [WIDE.astype(F32)], name="float32", grad=False,
           expected=_map(math.erf, WIDE.astype(F32), F32)),
    OpCase("Erf", lambda x: fg.erf(x), [np.array(0.7)], expected=np.float64(math.erf(0.7)),
           name="scalar"),
    OpCase("Erfc", lambda x: fg.erfc(x), [X], expected=_map(math.erfc, X)),
    # erfc(27) = 5e-319 is subnormal: flowgraph (as Cody) flushes it to 0.
    OpCase("Erfc", lambda x: fg.erfc(x), [WIDE], expected=_map(math.erfc, WIDE), rtol=1e-13,
           atol=1e-300, name="ranges", grad=False),
]
