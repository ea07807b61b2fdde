"""Second derivatives through FusedBatchNormV3 / FusedBatchNormGradV3 and LRN / LRNGrad,
compared with the same functions built here from primitive ops (an independent graph)."""

import numpy as np
import pytest

import flowgraph as fg

RNG = np.random.default_rng(8)
X = RNG.normal(0.5, 2.0, (3, 2, 2, 3))
SCALE = np.array([1.5, -0.75, 0.5])
OFFSET = np.array([0.1, 0.2, -0.3])
W = RNG.normal(size=X.shape)
V = RNG.normal(size=X.shape)


def run(fetches):
    with fg.Session() as sess:
        return sess.run(fetches)


def composite_bn(x, scale, offset, training, mean=None, var=None, eps=0.001):
    if training:
        mean = fg.reduce_mean(x, [0, 1, 2])
        var = fg.reduce_mean(fg.square(x - mean), [0, 1, 2])
    return (x - mean) * fg.math.rsqrt(var + eps) * scale + offset


def _second_order(build, sources):
    """d/dsources of sum(V * d/dx sum(W * build(x)))."""
    x = sources[0]
    y = build()
    (g,) = fg.gradients(fg.reduce_sum(y * W), x)
    return fg.gradients(fg.reduce_sum(g * V), sources)


@pytest.mark.parametrize("training", [True, False])
def test_fused_batch_norm_second_order_matches_composite(training):
    x, s, o = fg.constant(X), fg.constant(SCALE), fg.constant(OFFSET)
    m, v = (None, None) if training else (fg.constant(np.array([0.2, 0.4, -1.0])),
                                          fg.constant(np.array([1.5, 0.7, 2.2])))
    sources = [x, s] + ([] if training else [m, v])
    fused = _second_order(lambda: fg.nn.fused_batch_norm(x, s, o, m, v,
                                                         is_training=training)[0], sources)
    composite = _second_order(lambda: composite_bn(x, s, o, training, m, v), sources)
    # In inference, y is linear in x and x's gradient does not depend on the mean: None
    # for both graphs (x and scale are left in training, scale and variance in inference).
    assert [g is None for g in fused] == [g is None for g in composite]
    got, want = run([[g for g in fused if g is not None],
                     [g for g in composite if g is not None]])
    assert len(got) == 2
    for a, b in zip(got, want):
        np.testing.assert_allclose(a, b, rtol=1e-8, atol=1e-10)
    ops = {op.type for op in x.graph.get_operations()}
    assert "FusedBatchNormGradV3" in ops


def test_fused_batch_norm_nchw_second_order():
    nchw = np.ascontiguousarray(np.transpose(X, (0, 3, 1, 2)))
    x = fg.constant(nchw)
    y = fg.nn.fused_batch_norm(x, SCALE, OFFSET, data_format="NCHW")[0]
    w = np.transpose(W, (0, 3, 1, 2))
    (g,) = fg.gradients(fg.reduce_sum(y * w), x)
    (h,) = fg.gradients(fg.reduce_sum(g * np.transpose(V, (0, 3, 1, 2))), x)
    xc = fg.constant(X)
    (gc,) = fg.gradients(fg.reduce_sum(composite_bn(xc, SCALE, OFFSET, True) * W), xc)
    (hc,) = fg.gradients(fg.reduce_sum(gc * V), xc)
    got, want = run([h, hc])
    np.testing.assert_allclose(np.transpose(got, (0, 2, 3, 1)), want, rtol=1e-8, atol=1e-10)


def composite_lrn(x, radius, bias, alpha, beta):
    c = x.shape[-1].value
    band = (np.abs(np.arange(c)[:, None] - np.arange(c)[None, :]) <= radius).astype(float)
    sums = fg.reshape(fg.matmul(fg.reshape(fg.square(x), [-1, c]), band), fg.shape(x))
    return x * fg.pow(bias + alpha * sums, -beta)


def test_lrn_second_order_matches_composite():
    x = fg.constant(RNG.normal(size=(2, 2, 2, 5)))
    w, v = RNG.normal(size=(2, 2, 2, 5)), RNG.normal(size=(2, 2, 2, 5))
    results = []
    for build in (lambda t: fg.nn.lrn(t, 1, 1.5, 0.4, 0.75),
                  lambda t: composite_lrn(t, 1, 1.5, 0.4, 0.75)):
        (g,) = fg.gradients(fg.reduce_sum(build(x) * w), x)
        (h,) = fg.gradients(fg.reduce_sum(g * v), x)
        results.append([g, h])
    got, want = run(results)
    for a, b in zip(got, want):
        np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-12)
