"""Behaviour of the incomplete gamma / beta, Bessel and cumulative log-sum-exp ops beyond
the registry cases: TF1's shape and dtype rules, the gradient formulas at their special
points, and the composites bessel_i0 / bessel_i1. References are written independently."""

import math

import numpy as np
import pytest

import flowgraph as fg
from flowgraph.ops.cumulative_log import cumulative_logsumexp
from flowgraph.ops.special_gamma import (
    bessel_i0,
    bessel_i0e,
    bessel_i1,
    bessel_i1e,
    betainc,
    igamma,
    igammac,
)


def _run(fetches, feed=None):
    with fg.Session() as sess:
        return sess.run(fetches, feed)


def test_top_level_names_as_tf1():
    # TF1 has tf.igamma, tf.igammac and tf.betainc at top level (bessel_* only in tf.math).
    assert fg.igamma is igamma and fg.igammac is igammac and fg.betainc is betainc


def test_igamma_broadcasts_and_keeps_float32():
    with fg.Graph().as_default():
        out = igamma(fg.ones([2, 1]), fg.constant([0.5, 1.0, 2.0]))
        assert out.shape.as_list() == [2, 3] and out.dtype == fg.float32
        value = _run(out)
    assert value.dtype == np.float32
    np.testing.assert_allclose(value[1], 1 - np.exp(-np.array([0.5, 1.0, 2.0])), rtol=1e-6)


def test_igamma_betainc_reject_integers_and_half():
    with fg.Graph().as_default():
        with pytest.raises(TypeError):
            igamma(fg.constant([1]), fg.constant([2]))
        with pytest.raises(TypeError, match="float32 or float64"):
            igammac(fg.constant([1.0], fg.float16), fg.constant([2.0], fg.float16))
        with pytest.raises(TypeError, match="float32 or float64"):
            betainc(fg.constant(1.0, fg.float16), 1.0, 0.5)


def test_betainc_needs_equal_shapes_or_scalars():
    with fg.Graph().as_default():
        with pytest.raises(ValueError, match="equal or scalars"):
            betainc(fg.ones([2]), fg.ones([3]), fg.ones([2]))
        out = betainc(fg.ones([2, 3]), 2.0, fg.fill([2, 3], 0.25))
        assert out.shape.as_list() == [2, 3]
        # I_x(1, 2) = 1 - (1 - x)^2.
        np.testing.assert_allclose(_run(out), np.full((2, 3), 1 - 0.75 ** 2), rtol=1e-6)


def test_gradients_reach_only_the_inputs_tf1_differentiates():
    with fg.Graph().as_default():
        a, b, x = (fg.constant(v, fg.float64) for v in (2.0, 3.0, 0.4))
        ga, gb, gx = fg.gradients(betainc(a, b, x), [a, b, x])
        assert ga is None and gb is None
        # dI/dx = x^(a-1) (1-x)^(b-1) / B(a, b) = 0.4 * 0.36 * 12.
        np.testing.assert_allclose(_run(gx), 0.4 * 0.36 * 12, rtol=1e-12)
        ga, gx = fg.gradients(igammac(a, x), [a, x])
        assert ga is not None
        # dQ(2, x)/dx = -x e^-x.
        np.testing.assert_allclose(_run(gx), -0.4 * math.exp(-0.4), rtol=1e-12)


def test_bessel_i1e_gradient_at_zero_is_half():
    with fg.Graph().as_default():
        x = fg.constant([0.0, -0.0], fg.float64)
        np.testing.assert_array_equal(_run(fg.gradients(bessel_i1e(x), x)[0]), [0.5, 0.5])


def test_bessel_i0_i1_composites():
    # I0(1) and I1(1) (Abramowitz & Stegun table 9.8); I1 is odd, I0 even.
    with fg.Graph().as_default():
        x = fg.constant([1.0, -1.0], fg.float64)
        i0, i1 = _run([bessel_i0(x), bessel_i1(x)])
    np.testing.assert_allclose(i0, [1.2660658777520082] * 2, rtol=1e-12)
    np.testing.assert_allclose(i1, [0.5651591039924851, -0.5651591039924851], rtol=1e-12)


def test_bessel_node_names_as_tf1():
    with fg.Graph().as_default():
        assert bessel_i0e(fg.constant([1.0]), name="q").op.name == "q"
        assert bessel_i1e(fg.constant([1.0])).op.type == "BesselI1e"


def test_cumulative_logsumexp_exclusive_gradient():
    # y_j = log sum_{i < j} exp(x_i), so d(sum_j w_j y_j)/dx_i = sum_{j > i} w_j e^(x_i - y_j).
    x = np.array([1.0, 2.0, -3.0, 0.5])
    w = np.array([1.0, -2.0, 0.5, 0.3])
    y = np.array([-np.inf] + [np.log(np.sum(np.exp(x[:j]))) for j in range(1, 4)])
    want = np.array([sum(w[j] * np.exp(x[i] - y[j]) for j in range(i + 1, 4))
                     for i in range(4)])
    with fg.Graph().as_default():
        xt = fg.constant(x, fg.float64)
        out = cumulative_logsumexp(xt, exclusive=True)
        got = _run(fg.gradients(out * fg.constant(w), xt)[0])
    np.testing.assert_allclose(got, want, rtol=1e-12)


def test_cumulative_logsumexp_does_not_overflow():
    with fg.Graph().as_default():
        out = _run(cumulative_logsumexp(fg.constant([1000.0, 1000.0]), reverse=True))
    np.testing.assert_allclose(out, [1000 + math.log(2), 1000.0], rtol=1e-6)
