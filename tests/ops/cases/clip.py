"""Cases for the norm-clipping composites (named by one op they build); numpy references.

They also check, in tests/ops/test_registry_gradients.py, that gradients flow through the
composites (inputs stay away from the kinks where a norm equals the clip norm).
"""

import numpy as np

import flowgraph as fg
from tests.ops.harness import OpCase

X = np.array([[3.0, -4.0], [1.0, 2.0]], dtype=np.float32)   # norm sqrt(30)
Y = np.array([0.5, -1.0, 2.0], dtype=np.float32)           # norm sqrt(5.25)
SMALL = np.array([0.3, -0.4], dtype=np.float32)              # norm 0.5


def _norm(*arrays, axis=None):
    return np.sqrt(sum(np.sum(np.square(a.astype(np.float64)), axis=axis, keepdims=True)
                       for a in arrays))


def _clip_rows(x):
    norms = _norm(x, axis=1)
    return x * 2.0 / np.maximum(norms, 2.0)


def _global(x, y):
    norm = np.sqrt(np.sum(x.astype(np.float64) ** 2) + np.sum(y.astype(np.float64) ** 2))
    scale = 3.0 / max(norm, 3.0)
    return [x * scale, y * scale, norm]


CASES = [
    OpCase("Maximum", lambda x: fg.clip_by_norm(x, 2.0), [X],
           expected=X * 2.0 / np.sqrt(30.0), name="clip_by_norm", rtol=1e-5),
    OpCase("Maximum", lambda x: fg.clip_by_norm(x, 1.0), [SMALL], expected=SMALL,
           name="clip_by_norm_inside"),
    OpCase("Maximum", lambda x: fg.clip_by_norm(x, 2.0, axes=[1]), [X],
           expected=_clip_rows(X), name="clip_by_norm_axes", rtol=1e-5),
    OpCase("Sqrt", lambda x, y: fg.global_norm([x, None, y]), [X, Y],
           expected=np.sqrt(30.0 + 5.25), name="global_norm", rtol=1e-5),
    OpCase("Minimum", lambda x, y: [*[t for t in fg.clip_by_global_norm([x, y], 3.0)[0]],
                                    fg.clip_by_global_norm([x, y], 3.0)[1]],
           [X, Y], expected=_global(X, Y), name="clip_by_global_norm", rtol=1e-5),
    OpCase("Rsqrt", lambda x: fg.clip_by_average_norm(x, 0.5), [X],
           expected=X * 0.5 / (np.sqrt(30.0) / 4), name="clip_by_average_norm", rtol=1e-5),
]
