"""Cases for linalg_eig_more.py (EighTridiagonal, MatrixLogarithm). Expected values are
TF 2.21 outputs hard-coded here; eigenvectors (whose signs TF picks from a seeded random
start) are checked by A v = w v and orthonormality against a dense matrix built here."""

import numpy as np

import flowgraph as fg
from tests.ops.harness import OpCase

ALPHA = np.array([1.0, 2.0, 3.0, 4.0])
BETA = np.array([0.5, -1.0, 2.0])
# tf.linalg.eigh_tridiagonal(ALPHA, BETA) in TF 2.21.
EIGS = np.array([0.58756225, 1.16456937, 2.57718238, 5.67068601])
LOG_IN = np.array([[1.0, 2.0], [3.0, 4.0]]) + 0j
# tf.linalg.logm(LOG_IN) in TF 2.21.
LOG_OUT = np.array([[-0.35043981 + 2.39111795j, 0.92935121 - 1.09376217j],
                    [1.39402681 - 1.64064326j, 1.04358699 + 0.7504747j]])


def _check_pairs(outputs, inputs):
    w, v = outputs
    alpha, beta = inputs
    dense = np.diag(alpha) + np.diag(beta, 1) + np.diag(beta, -1)
    np.testing.assert_allclose(w, EIGS[1:3], rtol=1e-7)
    np.testing.assert_allclose(dense @ v, v * w, atol=1e-10)
    np.testing.assert_allclose(v.T @ v, np.eye(2), atol=1e-10)


JORDAN = np.array([[2.0, 1.0], [0.0, 2.0]]) + 0j
JORDAN_LOG = np.array([[np.log(2.0), 0.5], [0.0, np.log(2.0)]])


def _close_complex(want, tol):
    """A check comparing complex outputs in full (real and imaginary parts)."""
    def check(outputs, inputs):
        got = outputs[0] if isinstance(outputs, (list, tuple)) else outputs
        assert np.iscomplexobj(got)
        np.testing.assert_allclose(got, want, rtol=tol, atol=tol)
    return check


CASES = [
    OpCase("EighTridiagonal", lambda a, b: fg.linalg.eigh_tridiagonal(a, b), [ALPHA, BETA],
           expected=EIGS, rtol=1e-7),
    OpCase("EighTridiagonal",
           lambda a, b: list(fg.linalg.eigh_tridiagonal(a, b, eigvals_only=False,
                                                        select="i", select_range=[1, 2])),
           [ALPHA, BETA], check=_check_pairs, name="vectors-index"),
    OpCase("EighTridiagonal",
           lambda a, b: fg.linalg.eigh_tridiagonal(a, b, select="v", select_range=(0.0, 3.0)),
           [ALPHA, BETA], expected=EIGS[:3], rtol=1e-7, name="value-range"),
    OpCase("MatrixLogarithm", lambda x: fg.linalg.logm(x), [LOG_IN],
           check=_close_complex(LOG_OUT, 1e-7)),
    OpCase("MatrixLogarithm", lambda x: fg.linalg.logm(x),
           [np.stack([LOG_IN, JORDAN]).astype(np.complex64)],
           check=_close_complex(np.stack([LOG_OUT, JORDAN_LOG]), 1e-5),
           name="batch-jordan-c64"),
]
