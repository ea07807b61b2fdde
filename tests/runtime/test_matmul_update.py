"""The matmul_update rewrite (part of matmul slicing): ApplyGradientDescent(var, alpha,
matmul(a, b)) computes the product by slices of rows into the update. Values against numpy
updates written here and against the same graph with the pass off."""

import numpy as np
import pytest

import flowgraph as fg
from flowgraph import errors
from flowgraph.runtime.passes import matmul_update
from tests.runtime.passes_util import only

RNG = np.random.default_rng(5)
LR = 0.05


def _counts(sess):
    total = {}
    for plan in sess._plans.values():
        for key, value in plan.pass_counts.items():
            total[key] = total.get(key, 0) + value
    return total


def _train(config, a_value, b_value, w0, transpose_a, transpose_b, steps=2, locking=False,
           fetch_delta=False):
    graph = fg.Graph()
    with graph.as_default():
        a = fg.placeholder(a_value.dtype, [None, None])
        b = fg.placeholder(b_value.dtype, [None, None])
        w = fg.Variable(w0)
        delta = fg.matmul(a, b, transpose_a=transpose_a, transpose_b=transpose_b)
        opt = fg.train.GradientDescentOptimizer(LR, use_locking=locking)
        train = opt.apply_gradients([(delta, w)])
        with fg.Session(config=config) as sess:
            sess.run(w.initializer)
            for _ in range(steps):
                fetched = sess.run([train, delta] if fetch_delta else train,
                                   {a: a_value, b: b_value})
            return sess.run(w), _counts(sess), fetched


@pytest.mark.parametrize("transpose_a,transpose_b", [(True, False), (False, False),
                                                     (False, True), (True, True)])
def test_sliced_update_matches_numpy_and_the_unfused_graph(monkeypatch, transpose_a,
                                                           transpose_b):
    # 700 x 300 weights (more than one slice of rows, a partial last slice)
    monkeypatch.setattr(matmul_update, "MIN_ELEMENTS", 1000)
    left = RNG.standard_normal((700, 40)).astype(np.float32)
    right = RNG.standard_normal((40, 300)).astype(np.float32)
    a_value = left.T.copy() if transpose_a else left
    b_value = right.T.copy() if transpose_b else right
    w0 = RNG.standard_normal((700, 300)).astype(np.float32)
    fused, counts, _ = _train(only("matmul_slicing"), a_value, b_value, w0, transpose_a,
                              transpose_b)
    plain, plain_counts, _ = _train(only(None), a_value, b_value, w0, transpose_a,
                                    transpose_b)
    assert counts.get("matmul_update", 0) > 0 and plain_counts.get("matmul_update", 0) == 0
    want = w0.astype(np.float64) - 2 * LR * (left.astype(np.float64) @ right)
    np.testing.assert_allclose(fused, want, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(fused, plain, rtol=1e-6, atol=1e-6)


def test_slices_split_over_helper_threads_and_locking(monkeypatch):
    monkeypatch.setattr(matmul_update, "SLICE_BYTES", 8 * 300)  # 8-row slices
    left = RNG.standard_normal((4000, 16))
    right = RNG.standard_normal((16, 300))
    w0 = RNG.standard_normal((4000, 300))
    fused, counts, _ = _train(only("matmul_slicing"), left, right, w0, False, False,
                              steps=3, locking=True)
    assert counts.get("matmul_update", 0) > 0
    np.testing.assert_allclose(fused, w0 - 3 * LR * (left @ right), rtol=1e-12, atol=1e-12)


def test_not_rewritten_when_the_product_is_fetched_too():
    left = RNG.standard_normal((300, 10)).astype(np.float32)
    right = RNG.standard_normal((10, 300)).astype(np.float32)
    w0 = np.zeros((300, 300), np.float32)
    w, counts, fetched = _train(only("matmul_slicing"), left, right, w0, False, False,
                                steps=1, fetch_delta=True)
    assert counts.get("matmul_update", 0) == 0
    np.testing.assert_allclose(fetched[1], left @ right, rtol=1e-5)
    np.testing.assert_allclose(w, -LR * (left @ right), rtol=1e-5, atol=1e-6)


def test_small_variables_and_wrong_shapes_take_the_original_kernels():
    left = RNG.standard_normal((6, 3)).astype(np.float32)
    right = RNG.standard_normal((3, 5)).astype(np.float32)
    w0 = np.ones((6, 5), np.float32)
    w, counts, _ = _train(only("matmul_slicing"), left, right, w0, False, False, steps=1)
    assert counts.get("matmul_update", 0) > 0
    np.testing.assert_allclose(w, 1 - LR * (left @ right), rtol=1e-6)
    with pytest.raises(errors.InvalidArgumentError, match="same shape"):
        _train(only("matmul_slicing"), left[:4], right, w0, False, False, steps=1)
