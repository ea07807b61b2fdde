"""ReLU's kernel against a zeros array (flowgraph/ops/relu_kernel.py) gives exactly what
numpy's maximum with the scalar 0 gives, for every dtype, size and layout."""

import numpy as np
import pytest

from flowgraph.ops import relu_kernel

SPECIAL = [np.nan, -np.nan, -0.0, 0.0, -1.5, 2.5, np.inf, -np.inf, 1e-30, -1e-30]


def _same(got, want):
    assert got.dtype == want.dtype and got.shape == want.shape
    np.testing.assert_array_equal(got, want)
    np.testing.assert_array_equal(np.signbit(got), np.signbit(want))


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
@pytest.mark.parametrize("size", [5, 64, 1000])
def test_matches_numpy_scalar_maximum(dtype, size):
    values = np.resize(np.array(SPECIAL, dtype), size)
    np.random.default_rng(size).shuffle(values)
    x = values.reshape(-1, 5) if size % 5 == 0 else values
    _same(relu_kernel.relu(x), np.maximum(x, 0))
    out = np.full_like(x, 7)
    assert relu_kernel.relu(x, out=out) is out
    _same(out, np.maximum(x, 0))


def test_integers_and_views():
    ints = np.arange(-100, 100, dtype=np.int32).reshape(20, 10)
    _same(relu_kernel.relu(ints), np.maximum(ints, 0))
    x = np.random.default_rng(0).standard_normal((40, 30)).astype(np.float32)
    view = x.T[::2]  # non-contiguous
    _same(relu_kernel.relu(view), np.maximum(view, 0))
    view_out = np.zeros((30, 40), np.float32).T  # a transposed output buffer
    relu_kernel.relu(x, out=view_out)
    _same(view_out, np.maximum(x, 0))


def test_zeros_block_is_shared_read_only_and_capped(monkeypatch):
    z = relu_kernel.zeros_view((3, 4), np.dtype(np.float32))
    assert not z.flags.writeable and not z.any() and z.flags.c_contiguous
    monkeypatch.setattr(relu_kernel, "MAX_ZEROS", 100)
    big = np.linspace(-1, 1, 1000, dtype=np.float32)
    _same(relu_kernel.relu(big), np.maximum(big, 0))
