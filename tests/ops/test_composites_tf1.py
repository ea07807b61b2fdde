"""fg.norm, fg.log_sigmoid, fg.accumulate_n, fg.arg_max / arg_min against numpy written here,
and the gradient of norm against finite differences."""

import numpy as np
import pytest

import flowgraph as fg

X = np.array([[1.0, -2.0, 0.5], [3.0, 4.0, -1.5]])


def run(t, feed=None):
    with fg.Session() as sess:
        return sess.run(t, feed)


@pytest.mark.parametrize("ord_, axis, expected", [
    ("euclidean", None, np.sqrt(np.sum(X ** 2))),
    (2, 1, np.sqrt(np.sum(X ** 2, axis=1))),
    (1, 0, np.sum(np.abs(X), axis=0)),
    (np.inf, None, 4.0),
    (3, -1, np.sum(np.abs(X) ** 3, axis=-1) ** (1 / 3)),
    ("fro", (0, 1), np.sqrt(np.sum(X ** 2))),
    (1, (0, 1), max(np.sum(np.abs(X), axis=0))),
    (np.inf, (0, 1), max(np.sum(np.abs(X), axis=1))),
])
def test_norm_matches_numpy(ord_, axis, expected):
    np.testing.assert_allclose(run(fg.norm(X, ord=ord_, axis=axis)), expected, rtol=1e-12)


def test_norm_keepdims_and_errors():
    assert run(fg.norm(X, axis=1, keepdims=True)).shape == (2, 1)
    assert run(fg.linalg.norm(X, ord=1, axis=(0, 1), keepdims=True)).shape == (1, 1)
    with pytest.raises(ValueError, match="'ord' must be a supported matrix norm"):
        fg.norm(X, ord=2, axis=(0, 1))
    with pytest.raises(ValueError, match="'ord' must be a supported vector norm"):
        fg.norm(X, ord="fro")
    with pytest.raises(ValueError, match="2 unique integers"):
        fg.norm(X, axis=(1, 1))


def test_norm_gradient_matches_finite_differences():
    x = fg.placeholder(fg.float64, [2, 3])
    for ord_ in ("euclidean", 3):
        (g,) = fg.gradients(fg.norm(x, ord=ord_), x)
        got = run(g, {x: X})
        p = 2 if ord_ == "euclidean" else 3
        total = np.sum(np.abs(X) ** p) ** (1 / p)
        expected = np.sign(X) * np.abs(X) ** (p - 1) / total ** (p - 1)
        np.testing.assert_allclose(got, expected, rtol=1e-10)


def test_log_sigmoid_accumulate_n_arg_max():
    v = np.array([-1000.0, -1.0, 0.0, 2.0, 1000.0])
    expected = -np.logaddexp(0.0, -v)
    np.testing.assert_allclose(run(fg.log_sigmoid(v)), expected, rtol=1e-12)
    np.testing.assert_allclose(run(fg.math.log_sigmoid(v)), expected, rtol=1e-12)
    np.testing.assert_allclose(run(fg.accumulate_n([X, X, 2 * X])), 4 * X)
    assert run(fg.arg_max(X, 1)).tolist() == [0, 1]
    assert run(fg.arg_min(X, 0)).tolist() == [0, 0, 1]
    assert fg.arg_max(X, 1, output_type=fg.int32).dtype == fg.int32
