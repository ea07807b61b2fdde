"""Fake quantization and quantize_and_dequantize: values and gradients against TF 2.21
(tf.compat.v1) numbers hard-coded here, an independent numpy reference, and finite
differences of the clamp that the straight-through gradients stand for.

This file checks the gradients of FakeQuantWithMinMaxArgs, FakeQuantWithMinMaxVars,
FakeQuantWithMinMaxVarsPerChannel and QuantizeAndDequantizeV2 (straight-through estimates,
which finite differences of the ops' piecewise-constant outputs cannot check).
"""

import numpy as np
import pytest

import flowgraph as fg

X = np.array([-7.0, -1.0, -0.05, 0.0, 0.1, 0.3, 2.0, 3.0, 6.5], np.float32)
DY = np.arange(1, 10, dtype=np.float32)
P = np.array([[-2.0, 0.2, 0.9], [0.31, -0.7, 4.0], [1.2, 1.9, -0.1], [-0.02, 0.55, 2.6]],
             np.float32)
PDY = np.arange(1, 13, dtype=np.float32).reshape(4, 3)
P_MIN = np.array([-1.0, 0.0, -0.5], np.float32)
P_MAX = np.array([1.0, 1.5, 2.0], np.float32)
Q = np.array([-1.0, -0.5, 0.3, 0.75, 2.0], np.float32)


def run(fetches, feed_dict=None):
    with fg.Session() as sess:
        return sess.run(fetches, feed_dict)


# --------------------------------------------------------------------------- reference
def ref_nudge(lo, hi, num_bits, narrow_range):
    """The documented nudging: (nudged_min, nudged_max, scale). The zero point is found in
    float32, as TF's kernel (with min=-1, max=1, 4 bits it is 7.4999995, not 7.5)."""
    f = np.float32
    q_lo = f(1.0 if narrow_range else 0.0)
    q_hi = f(2.0 ** num_bits - 1)
    scale = (f(hi) - f(lo)) / (q_hi - q_lo)
    zero = q_lo - f(lo) / scale
    zero = float(min(max(zero, q_lo), q_hi))
    zero = np.floor(zero + 0.5)
    scale = float(scale)
    return (float(q_lo) - zero) * scale, (float(q_hi) - zero) * scale, scale


def ref_fake_quant(x, lo, hi, num_bits=8, narrow_range=False):
    x = np.asarray(x, np.float64)
    nmin, nmax, scale = ref_nudge(float(lo), float(hi), num_bits, narrow_range)
    clamped = np.clip(x, nmin, nmax)
    return np.floor((clamped - nmin) / scale + 0.5) * scale + nmin


def away_from_ties(x, lo, hi, num_bits, narrow_range):
    """The values of x that are not within 1e-3 steps of a rounding tie."""
    nmin, _, scale = ref_nudge(lo, hi, num_bits, narrow_range)
    steps = (x.astype(np.float64) - nmin) / scale
    return x[np.abs(steps - np.floor(steps) - 0.5) > 1e-3]


# --------------------------------------------------------------------------- values
@pytest.mark.parametrize("kwargs, tf_values", [
    ({}, [-6.0235295, -0.9882353, -0.047058824, 0.0, 0.09411765, 0.28235295, 2.0235295,
          3.0117648, 5.9764705]),
    ({"min": 0.5, "max": 3.0, "num_bits": 4, "narrow_range": True},
     [0.0, 0.0, 0.0, 0.0, 0.17857143, 0.35714287, 1.9642857, 2.5, 2.5]),
    ({"min": -0.3, "max": 1.7, "num_bits": 3},
     [-0.2857143, -0.2857143, 0.0, 0.0, 0.0, 0.2857143, 1.7142859, 1.7142859, 1.7142859]),
])
def test_args_values_match_tf_and_reference(kwargs, tf_values):
    y = fg.fake_quant_with_min_max_args(X, **kwargs)
    assert y.op.type == "FakeQuantWithMinMaxArgs" and y.dtype == fg.float32
    got = run(y)
    np.testing.assert_allclose(got, tf_values, rtol=1e-6, atol=1e-7)
    # The reference on many inputs away from rounding ties (x = 2.0 above is one: 42.5
    # steps, which float32 rounds up and float64 down).
    args = (kwargs.get("min", -6.0), kwargs.get("max", 6.0), kwargs.get("num_bits", 8),
            kwargs.get("narrow_range", False))
    grid = away_from_ties(np.linspace(-7.3, 7.1, 301).astype(np.float32), *args)
    assert grid.size > 250
    got = run(fg.fake_quant_with_min_max_args(grid, **kwargs))
    np.testing.assert_allclose(got, ref_fake_quant(grid, *args), rtol=1e-5, atol=1e-6)


def test_zero_is_exactly_representable():
    # min=-0.37 does not put 0 on the grid; nudging must, as TF.
    y = run(fg.quantization.fake_quant_with_min_max_args([0.0, -0.0001, 0.0001], min=-0.37,
                                                         max=1.4, num_bits=6))
    np.testing.assert_array_equal(y, [0.0, 0.0, 0.0])


def test_vars_values_and_gradients_match_tf():
    x = fg.constant(X)
    lo = fg.constant(-1.3)
    hi = fg.constant(2.9)
    y = fg.fake_quant_with_min_max_vars(x, lo, hi, num_bits=5)
    grads = fg.gradients(y, [x, lo, hi], grad_ys=fg.constant(DY))
    value, dx, dmin, dmax = run([y] + grads)
    np.testing.assert_allclose(value, [-1.3548386, -0.948387, 0.0, 0.0, 0.13548386,
                                       0.27096772, 2.032258, 2.845161, 2.845161], rtol=1e-6)
    np.testing.assert_allclose(value, ref_fake_quant(X, -1.3, 2.9, 5), rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(dx, [0, 2, 3, 4, 5, 6, 7, 0, 0])
    assert dmin == 1.0 and dmax == 17.0


def test_vars_narrow_range_matches_tf():
    y = run(fg.quantization.fake_quant_with_min_max_vars(X, -1.3, 2.9, num_bits=6,
                                                         narrow_range=True))
    np.testing.assert_allclose(y, [-1.2870967, -1.016129, -0.06774193, 0.0, 0.06774193,
                                   0.27096772, 2.032258, 2.912903, 2.912903], rtol=1e-6)
    np.testing.assert_allclose(y, ref_fake_quant(X, -1.3, 2.9, 6, True), rtol=1e-5,
                               atol=1e-6)


def test_vars_zero_range_gives_zeros_and_passes_gradient():
    y = run(fg.fake_quant_with_min_max_vars(X, 0.0, 0.0))
    np.testing.assert_array_equal(y, np.zeros(9))
    g = run(fg.fake_quant_with_min_max_vars_gradient(DY, X, 0.0, 0.0))
    assert g._fields == ("backprops_wrt_input", "backprop_wrt_min", "backprop_wrt_max")
    np.testing.assert_array_equal(g.backprops_wrt_input, DY)
    assert g.backprop_wrt_min == 0.0 and g.backprop_wrt_max == 0.0


def test_per_channel_values_and_gradients_match_tf():
    p, lo, hi = fg.constant(P), fg.constant(P_MIN), fg.constant(P_MAX)
    y = fg.fake_quant_with_min_max_vars_per_channel(p, lo, hi, num_bits=4)
    value, dx, dmin, dmax = run([y] + fg.gradients(y, [p, lo, hi], fg.constant(PDY)))
    np.testing.assert_allclose(value, [[-0.9333334, 0.2, 0.8333334], [0.26666668, 0.0, 2.0],
                                       [1.0666667, 1.5, -0.16666667], [0.0, 0.6, 2.0]],
                               rtol=1e-6)
    for c in range(3):
        np.testing.assert_allclose(value[:, c], ref_fake_quant(P[:, c], P_MIN[c], P_MAX[c], 4),
                                   rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(dx, [[0, 2, 3], [4, 0, 0], [0, 0, 9], [10, 11, 0]])
    np.testing.assert_array_equal(dmin, [1, 5, 0])
    np.testing.assert_array_equal(dmax, [7, 8, 18])


def test_per_channel_rank4_and_rank1_match_tf():
    p4 = fg.reshape(fg.constant(P), [1, 2, 2, 3])
    y4 = fg.fake_quant_with_min_max_vars_per_channel(p4, P_MIN, P_MAX, num_bits=7,
                                                     narrow_range=True)
    assert y4.shape.as_list() == [1, 2, 2, 3]
    want4 = [[[[-1.0, 0.20238096, 0.8928572], [0.31746033, 0.0, 2.0039682]],
              [[1.0, 1.5, -0.09920635], [-0.015873017, 0.54761904, 2.0039682]]]]
    np.testing.assert_allclose(run(y4), want4, rtol=1e-6, atol=1e-8)
    y1 = fg.fake_quant_with_min_max_vars_per_channel(P[0], P_MIN, P_MAX)
    np.testing.assert_allclose(run(y1), [-0.9960785, 0.2, 0.9019608], rtol=1e-6)
    g = run(fg.fake_quant_with_min_max_vars_per_channel_gradient(PDY[0], P[0], P_MIN, P_MAX))
    np.testing.assert_array_equal(g.backprops_wrt_input, [0, 2, 3])
    np.testing.assert_array_equal(g.backprop_wrt_min, [1, 0, 0])
    np.testing.assert_array_equal(g.backprop_wrt_max, [0, 0, 0])


def test_args_gradient_matches_tf():
    x = fg.constant(X)
    y = fg.fake_quant_with_min_max_args(x, min=-0.3, max=1.7, num_bits=3)
    (dx,) = fg.gradients(y, [x], grad_ys=fg.constant(DY))
    assert dx.op.type == "FakeQuantWithMinMaxArgsGradient"
    direct = fg.fake_quant_with_min_max_args_gradient(DY, X, min=-0.3, max=1.7, num_bits=3)
    got, got_direct = run([dx, direct])
    np.testing.assert_array_equal(got, [0, 0, 3, 4, 5, 6, 0, 0, 0])
    np.testing.assert_array_equal(got_direct, got)


# --------------------------------------------------------------------------- gradients
def _numeric_grad(f, values, delta=1e-6):
    grads = []
    for i, v in enumerate(values):
        g = np.zeros_like(v)
        for j in range(v.size):
            plus = [w.copy() for w in values]
            minus = [w.copy() for w in values]
            plus[i].reshape(-1)[j] += delta
            minus[i].reshape(-1)[j] -= delta
            g.reshape(-1)[j] = (f(*plus) - f(*minus)) / (2 * delta)
        grads.append(g)
    return grads


@pytest.mark.parametrize("per_channel", [False, True])
def test_vars_gradients_are_those_of_the_nudged_clamp(per_channel):
    """The straight-through gradients equal the finite-difference gradients of
    sum(w * clip(x, min + a, max + b)), the nudge offsets a, b held fixed (x away from the
    clamp's kinks)."""
    if per_channel:
        x0, lo0, hi0, bits = P.astype(np.float64), P_MIN.astype(np.float64), \
            P_MAX.astype(np.float64), 4
    else:
        x0, lo0, hi0, bits = X.astype(np.float64), np.float64(-1.3), np.float64(2.9), 5
    x0 = x0 + 0.013  # keep away from the nudged range's ends
    w = np.random.default_rng(3).uniform(0.5, 1.5, x0.shape)
    nudged = [ref_nudge(a, b, bits, False) for a, b in zip(np.atleast_1d(lo0),
                                                          np.atleast_1d(hi0))]
    off_lo = np.array([n[0] for n in nudged]) - np.atleast_1d(lo0)
    off_hi = np.array([n[1] for n in nudged]) - np.atleast_1d(hi0)
    if not per_channel:
        off_lo, off_hi = off_lo[0], off_hi[0]

    def surrogate(x, lo, hi):
        return float(np.sum(w * np.clip(x, lo + off_lo, hi + off_hi)))

    lo0, hi0 = np.array(lo0), np.array(hi0)
    want = _numeric_grad(surrogate, [x0.copy(), lo0.copy(), hi0.copy()])
    x = fg.constant(x0.astype(np.float32))
    lo = fg.constant(lo0.astype(np.float32))
    hi = fg.constant(hi0.astype(np.float32))
    build = (fg.fake_quant_with_min_max_vars_per_channel if per_channel
             else fg.fake_quant_with_min_max_vars)
    y = build(x, lo, hi, num_bits=bits)
    got = run(fg.gradients(y, [x, lo, hi], grad_ys=fg.constant(w.astype(np.float32))))
    for g, n in zip(got, want):
        np.testing.assert_allclose(g, n, rtol=1e-5, atol=1e-5)


def test_args_gradient_is_that_of_the_nudged_clamp():
    x0 = X.astype(np.float64) + 0.013
    nmin, nmax, _ = ref_nudge(-0.3, 1.7, 3, False)
    w = np.random.default_rng(5).uniform(0.5, 1.5, x0.shape)
    (want,) = _numeric_grad(lambda x: float(np.sum(w * np.clip(x, nmin, nmax))), [x0])
    x = fg.constant(x0.astype(np.float32))
    y = fg.fake_quant_with_min_max_args(x, min=-0.3, max=1.7, num_bits=3)
    (got,) = run(fg.gradients(y, [x], grad_ys=fg.constant(w.astype(np.float32))))
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)


def test_gradient_ops_have_no_gradient():
    x = fg.constant(X)
    g = fg.fake_quant_with_min_max_args_gradient(fg.constant(DY), x)
    assert fg.gradients(g, [x]) == [None]


# --------------------------------------------------------------------------- errors
@pytest.mark.parametrize("build", [
    lambda: fg.fake_quant_with_min_max_args(X, num_bits=1),
    lambda: fg.fake_quant_with_min_max_args(X, num_bits=17),
    lambda: fg.fake_quant_with_min_max_args(X, min=1.0, max=-1.0),
    lambda: fg.fake_quant_with_min_max_args(X, min=0.0, max=0.0),
    lambda: fg.fake_quant_with_min_max_vars(X, -1.0, 1.0, num_bits=17),
    lambda: fg.fake_quant_with_min_max_vars_per_channel(X[:3], P_MIN, P_MAX, num_bits=1),
    lambda: fg.fake_quant_with_min_max_args_gradient(
        DY[:2], fg.placeholder_with_default(X, [None])),
])
def test_run_time_errors_as_tf(build):
    y = build()  # TF builds these and fails when run
    with pytest.raises(fg.errors.InvalidArgumentError):
        run(y)


def test_bad_attributes_messages():
    with pytest.raises(fg.errors.InvalidArgumentError, match="between 2 and 16"):
        run(fg.fake_quant_with_min_max_args(X, num_bits=1))
    with pytest.raises(fg.errors.InvalidArgumentError, match="smaller than max"):
        run(fg.fake_quant_with_min_max_args(X, min=1.0, max=-1.0))


def test_build_time_errors_as_tf():
    # TF finds this one only when run; a known shape mismatch fails early here.
    with pytest.raises(ValueError, match="shape of inputs"):
        fg.fake_quant_with_min_max_args_gradient(DY[:2], X)
    with pytest.raises(ValueError, match="scalar"):
        fg.fake_quant_with_min_max_vars(X, [-1.0], [1.0])
    with pytest.raises(ValueError, match="channels"):
        fg.fake_quant_with_min_max_vars_per_channel(X, [-1.0, -1.0], [1.0, 1.0])
    with pytest.raises(ValueError, match="rank >= 1"):
        fg.fake_quant_with_min_max_vars_per_channel(np.float32(1.0), [-1.0], [1.0])
    with pytest.raises(TypeError, match="float32"):
        fg.fake_quant_with_min_max_args(fg.constant([1.0, 2.0], dtype=fg.float64))
    with pytest.raises(ValueError, match="round_mode"):
        fg.quantization.quantize_and_dequantize(Q, -1.0, 1.0, round_mode="X")
    with pytest.raises(TypeError):
        fg.quantization.quantize_and_dequantize(fg.constant([1, 2]), 0, 1)
    with pytest.raises(ValueError, match="scalar"):
        fg.quantization.quantize_and_dequantize(Q, [-1.0], [1.0])
    with pytest.raises(ValueError):
        fg.quantization.quantize_and_dequantize(Q, [-1.0] * 5, [1.0] * 5, axis=1)
    with pytest.raises(ValueError):
        fg.quantization.quantize_and_dequantize(P, [-1.0] * 2, [1.0] * 2, axis=0)


def test_top_level_and_namespace_names():
    for name in ("fake_quant_with_min_max_args", "fake_quant_with_min_max_args_gradient",
                 "fake_quant_with_min_max_vars", "fake_quant_with_min_max_vars_gradient",
                 "fake_quant_with_min_max_vars_per_channel",
                 "fake_quant_with_min_max_vars_per_channel_gradient"):
        assert getattr(fg, name) is getattr(fg.quantization, name)
    assert not hasattr(fg, "quantize_and_dequantize")  # tf.quantization only, as TF1


# ------------------------------------------------------------------ quantize_and_dequantize
def ref_qdq(x, lo, hi, signed=True, bits=8, range_given=False, half_up=False, narrow=False):
    """Independent float64 reference of TF's QuantizeAndDequantizeV2 (one range)."""
    x = np.asarray(x, np.float64)
    if not range_given:
        lo, hi = x.min(), x.max()
    q_lo = (-(2 ** (bits - 1)) + (1 if narrow else 0)) if signed else 0
    q_hi = 2 ** (bits - 1) - 1 if signed else 2 ** bits - 1
    s_lo = q_lo / lo if q_lo * lo > 0 else np.inf
    s_hi = q_hi / hi if q_hi * hi > 0 else np.inf
    if s_lo < s_hi:
        scale, lo, hi = s_lo, lo, q_hi * lo / q_lo
    else:
        scale, lo, hi = s_hi, q_lo * hi / q_hi, hi
    if range_given:
        x = np.clip(x, lo, hi)
    y = x * scale
    r = np.floor(y + 0.5) if half_up else np.round(y)
    return r / scale


@pytest.mark.parametrize("kwargs, tf_values", [
    ({"input_min": -1.0, "input_max": 1.0},
     [-1.007874, -0.503937, 0.2992126, 0.7559055, 2.0]),
    ({"input_min": -1.0, "input_max": 1.0, "range_given": True},
     [-1.0, -0.503937, 0.2992126, 0.7480315, 1.0]),
    ({"input_min": -0.6, "input_max": 1.0, "range_given": True, "narrow_range": True,
      "num_bits": 4}, [-1.0, -0.5714286, 0.2857143, 0.71428573, 1.0]),
])
def test_quantize_and_dequantize_matches_tf(kwargs, tf_values):
    y = fg.quantization.quantize_and_dequantize(Q, **kwargs)
    assert y.op.type == "QuantizeAndDequantizeV2" and y.name == "QuantizeAndDequantizeV2:0"
    got = run(y)
    np.testing.assert_allclose(got, tf_values, rtol=1e-6)
    ref = ref_qdq(Q, kwargs["input_min"], kwargs["input_max"],
                  bits=kwargs.get("num_bits", 8), range_given=kwargs.get("range_given", False),
                  narrow=kwargs.get("narrow_range", False))
    np.testing.assert_allclose(got, ref, rtol=1e-6)


def test_quantize_and_dequantize_unsigned_and_rounding_modes():
    got = run(fg.quantization.quantize_and_dequantize(np.abs(Q), 0.0, 0.0, signed_input=False,
                                                      num_bits=3))
    np.testing.assert_allclose(got, [1.1428572, 0.5714286, 0.2857143, 0.8571429, 2.0],
                               rtol=1e-6)
    np.testing.assert_allclose(got, ref_qdq(np.abs(Q), 0, 0, signed=False, bits=3), rtol=1e-6)
    h = np.array([-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 3.0], np.float32)
    even = run(fg.quantization.quantize_and_dequantize(h, -3.0, 3.0, range_given=True,
                                                       num_bits=3))
    up = run(fg.quantization.quantize_and_dequantize(h, -3.0, 3.0, range_given=True,
                                                     num_bits=3, round_mode="HALF_UP"))
    np.testing.assert_array_equal(even, [-2, -2, 0, 0, 2, 2, 3])
    np.testing.assert_array_equal(up, [-2, -1, 0, 1, 2, 3, 3])
    np.testing.assert_array_equal(up, ref_qdq(h, -3.0, 3.0, bits=3, range_given=True,
                                              half_up=True))


def test_quantize_and_dequantize_per_axis_matches_tf():
    rows = run(fg.quantization.quantize_and_dequantize(P, np.zeros(4, np.float32),
                                                       np.zeros(4, np.float32), axis=0,
                                                       num_bits=4))
    np.testing.assert_allclose(rows, [[-2.0, 0.25, 1.0], [0.5714286, -0.5714286, 4.0],
                                      [1.0857142, 1.8999999, 0.0],
                                      [0.0, 0.37142855, 2.6]], rtol=1e-6)
    cols = run(fg.quantization.quantize_and_dequantize(fg.constant(P), [0.0] * 3, [0.0] * 3,
                                                       axis=-1, num_bits=4))
    np.testing.assert_allclose(cols, [[-2.0, 0.27142856, 1.1428572], [0.25, -0.81428564, 4.0],
                                      [1.25, 1.8999999, 0.0], [0.0, 0.5428571, 2.857143]],
                               rtol=1e-6)
    for c in range(3):
        np.testing.assert_allclose(cols[:, c], ref_qdq(P[:, c], 0, 0, bits=4), rtol=1e-6)


def test_quantize_and_dequantize_per_axis_range_given():
    lo = np.array([-1.0, -1.0, -1.0], np.float32)
    hi = np.array([1.0, 0.5, 2.0], np.float32)
    got = run(fg.quantization.quantize_and_dequantize(fg.constant(P), lo, hi, axis=1,
                                                      range_given=True, num_bits=4))
    for c in range(3):
        want = ref_qdq(P[:, c], lo[c], hi[c], bits=4, range_given=True)
        np.testing.assert_allclose(got[:, c], want, rtol=1e-6)


def test_quantize_and_dequantize_float64_and_gradient():
    q = fg.constant(Q.astype(np.float64) * 1.37)
    y = fg.quantization.quantize_and_dequantize(q, -1.0, 1.0, num_bits=5)
    assert y.dtype == fg.float64
    dy = np.array([1.0, 2.0, 3.0, 4.0, 5.0])
    value, dx = run([y, fg.gradients(y, [q], grad_ys=fg.constant(dy))[0]])
    np.testing.assert_allclose(value, [-1.461333333, -0.730666667, 0.365333333, 1.096, 2.74],
                               rtol=1e-8)
    np.testing.assert_array_equal(dx, dy)  # straight-through, as TF1


def test_quantize_and_dequantize_run_time_errors():
    with pytest.raises(fg.errors.InvalidArgumentError, match="Invalid range"):
        run(fg.quantization.quantize_and_dequantize(Q, 1.0, -1.0, range_given=True))
    with pytest.raises(fg.errors.InvalidArgumentError, match="num_bits is out of range"):
        run(fg.quantization.quantize_and_dequantize(Q, -1.0, 1.0, num_bits=0))
    empty = run(fg.quantization.quantize_and_dequantize(np.zeros([0], np.float32), -1.0, 1.0))
    assert empty.shape == (0,)
