"""Tests for tf.math.special (special_bessel_more.py): values against scipy.special, gradients
against literal outputs of a real TensorFlow 2.21 run and against central differences."""

import numpy as np
import pytest
import scipy.special as sp

import flowgraph as tf

REFERENCE = {
    "bessel_j0": sp.j0,
    "bessel_j1": sp.j1,
    "bessel_y0": sp.y0,
    "bessel_y1": sp.y1,
    "bessel_k0": sp.k0,
    "bessel_k0e": sp.k0e,
    "bessel_k1": sp.k1,
    "bessel_k1e": sp.k1e,
    "dawsn": sp.dawsn,
    "expint": sp.expi,
    "fresnel_cos": lambda v: sp.fresnel(v)[1],
    "fresnel_sin": lambda v: sp.fresnel(v)[0],
    "spence": sp.spence,
}
# TF: tf.gradients(tf.math.special.<name>(x), x) at x = [0, 0.5, 1, 2] (float64).
TF_GRADS = {
    "bessel_j0": [-0.0, -0.24226845767487387, -0.44005058574493355, -0.5767248077568734],
    "bessel_j1": [0.5, 0.4539328918910652, 0.32514710081303294, -0.06447162473720108],
    "bessel_y0": [np.inf, 1.4714723926702433, 0.7812128213002888, 0.10703243154093756],
    "bessel_y1": [np.nan, 2.49842605183378, 0.8694697855159658, 0.563891888420214],
    "bessel_k0": [-np.inf, -1.6564411200033013, -0.6019072301972348, -0.13986588181652243],
    "bessel_k0e": [np.nan, -1.206900322437876, -0.4916904064563641, -0.19190863199791663],
    "bessel_k1": [-np.inf, -4.237301311234269, -1.022931668437943, -0.1838268136577947],
    "bessel_k1e": [-np.inf, -4.255119093985696, -1.1444630798068947, -0.32482979153642766],
    "dawsn": [1.0, 0.5755636164979777, -0.0761590138255368, -0.20536155569516779],
    "expint": [np.inf, 3.2974425414002564, 2.7182818284590455, 3.694528049465325],
    "fresnel_cos": [1.0, 0.9238795325112867, 6.123233995736766e-17, 1.0],
    "fresnel_sin": [0.0, 0.3826834323650898, 1.0, -2.4492935982947064e-16],
    "spence": [-np.inf, -1.3862943611198906, -1.0, -0.6931471805599453],
}
GRID = np.concatenate([np.linspace(0.01, 3.0, 40), [4.5, 8.0, 12.5, 20.0, 60.0]])


def _run(fetches, feed=None):
    with tf.Session() as sess:
        return sess.run(fetches, feed)


@pytest.mark.parametrize("fn_name", sorted(REFERENCE))
def test_values_against_scipy(fn_name):
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float64, [None])
        y = getattr(tf.math.special, fn_name)(x)
        assert y.op.name == f"{fn_name}/{y.op.type}"
        out = _run(y, {x: GRID})
    np.testing.assert_allclose(out, REFERENCE[fn_name](GRID), rtol=1e-14, atol=0)


@pytest.mark.parametrize(
    "fn_name", ["bessel_j0", "bessel_j1", "dawsn", "fresnel_cos", "fresnel_sin"]
)
def test_odd_or_even_functions_on_negative_inputs(fn_name):
    grid = -GRID[:20]
    with tf.Graph().as_default():
        out = _run(getattr(tf.math.special, fn_name)(grid))
    np.testing.assert_allclose(out, REFERENCE[fn_name](grid), rtol=1e-14, atol=0)


def test_tf_domain_values_for_negative_inputs():
    # TF returns -inf (Y), inf (K) and NaN (Ei) for x < 0 where scipy gives NaN.
    x = np.array([-2.0, -0.5])
    with tf.Graph().as_default():
        ms = tf.math.special
        out = _run(
            [
                ms.bessel_y0(x),
                ms.bessel_y1(x),
                ms.bessel_k0(x),
                ms.bessel_k0e(x),
                ms.bessel_k1(x),
                ms.bessel_k1e(x),
                ms.expint(x),
                ms.spence(x),
            ]
        )
    for v, expected in zip(out, [-np.inf, -np.inf, np.inf, np.inf, np.inf, np.inf, np.nan, np.nan]):
        np.testing.assert_array_equal(v, [expected, expected])


def test_float32_stays_float32():
    x = np.array([0.5, 2.0, 9.0], np.float32)
    with tf.Graph().as_default():
        ys = [f(x) for f in (tf.math.special.bessel_k1e, tf.math.special.spence)]
        assert all(y.dtype == tf.float32 for y in ys)
        out = _run(ys)
    assert all(v.dtype == np.float32 for v in out)
    np.testing.assert_allclose(out[0], sp.k1e(x.astype(np.float64)), rtol=1e-6)
    np.testing.assert_allclose(out[1], sp.spence(x.astype(np.float64)), rtol=1e-6)


@pytest.mark.parametrize("fn_name", sorted(TF_GRADS))
def test_gradients_match_tf_including_zero(fn_name):
    with tf.Graph().as_default():
        x = tf.constant(np.array([0.0, 0.5, 1.0, 2.0]))
        (g,) = tf.gradients(getattr(tf.math.special, fn_name)(x), x)
        out = _run(g)
    np.testing.assert_allclose(out, TF_GRADS[fn_name], rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("fn_name", sorted(REFERENCE))
def test_gradients_against_central_differences(fn_name):
    pts = np.array([0.35, 0.8, 1.7, 3.3])
    h = 1e-6
    fd = (REFERENCE[fn_name](pts + h) - REFERENCE[fn_name](pts - h)) / (2 * h)
    with tf.Graph().as_default():
        x = tf.constant(pts)
        (g,) = tf.gradients(getattr(tf.math.special, fn_name)(x), x)
        out = _run(g)
    np.testing.assert_allclose(out, fd, rtol=1e-6, atol=1e-8)


def test_i_functions_are_exposed_as_in_tf():
    with tf.Graph().as_default():
        out = _run(tf.math.special.bessel_i1e(np.array([1.0, 3.0])))
    np.testing.assert_allclose(out, sp.i1e([1.0, 3.0]), rtol=1e-13)
    assert tf.math.special.bessel_i0 is tf.math.bessel_i0


def test_integer_input_is_rejected():
    with tf.Graph().as_default():
        with pytest.raises(TypeError):
            tf.math.special.dawsn(tf.constant([1, 2]))
