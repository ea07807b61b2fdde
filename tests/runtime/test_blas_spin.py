"""Shortening OpenBLAS's spin (flowgraph.runtime.blas_spin): the setting's parsing, and a
restarted OpenBLAS thread server still computing right with its thread count unchanged."""

import os

import numpy as np
import pytest

from flowgraph.runtime import blas_spin


@pytest.mark.parametrize("text, exponent", [("", blas_spin.SPIN_EXPONENT), ("0", 0),
                                            ("-3", 0), ("2", 4), ("20", 20), ("99", 30)])
def test_the_spin_setting(monkeypatch, text, exponent):
    monkeypatch.setenv("FLOWGRAPH_BLAS_SPIN", text)
    assert blas_spin.spin_exponent() == exponent


def test_a_bad_spin_setting_says_what_is_expected(monkeypatch):
    monkeypatch.setenv("FLOWGRAPH_BLAS_SPIN", "short")
    with pytest.raises(ValueError, match="FLOWGRAPH_BLAS_SPIN='short'.*integer"):
        blas_spin.spin_exponent()


def test_a_restarted_openblas_computes_right_with_the_same_threads(monkeypatch):
    threadpoolctl = pytest.importorskip("threadpoolctl")
    libraries = blas_spin._openblas_libraries()
    if not libraries:
        pytest.skip("numpy here is not linked with OpenBLAS")
    monkeypatch.delenv("OPENBLAS_THREAD_TIMEOUT", raising=False)
    before = [d["num_threads"] for d in threadpoolctl.threadpool_info()
              if d["internal_api"] == "openblas"]
    assert all(blas_spin._restart(path, 12) for path in libraries)
    assert "OPENBLAS_THREAD_TIMEOUT" not in os.environ  # only set for the restart
    after = [d["num_threads"] for d in threadpoolctl.threadpool_info()
             if d["internal_api"] == "openblas"]
    assert after == before
    rng = np.random.default_rng(0)
    a = rng.standard_normal((300, 200))
    b = rng.standard_normal((200, 100))
    expected = np.einsum("ik,kj->ij", a, b)  # not BLAS
    for _ in range(3):  # several products: the restarted worker threads take part
        np.testing.assert_allclose(a @ b, expected, rtol=1e-10, atol=1e-10)
    assert blas_spin._restart("/no/such/libopenblas.so", 12) is False
