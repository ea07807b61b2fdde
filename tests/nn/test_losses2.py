"""`fg.nn.weighted_cross_entropy_with_logits` and `fg.nn.log_poisson_loss`: values against
naive numpy formulas, stability for logits of +-1000, gradients, argument handling."""

import math

import numpy as np
import pytest

import flowgraph as fg

LOGITS = np.array([[-2.0, -0.5, 0.0], [0.3, 1.5, 4.0]])
LABELS = np.array([[0.0, 1.0, 0.5], [1.0, 0.0, 0.25]])


def run(fetches, feed_dict=None):
    with fg.Session() as sess:
        return sess.run(fetches, feed_dict)


def naive_weighted(z, x, q):
    s = 1 / (1 + np.exp(-x))
    return -q * z * np.log(s) - (1 - z) * np.log(1 - s)


# --------------------------------------------------------------------------- weighted xent
def test_weighted_cross_entropy_matches_the_naive_formula():
    got = run(fg.nn.weighted_cross_entropy_with_logits(LABELS, LOGITS, 3.0))
    np.testing.assert_allclose(got, naive_weighted(LABELS, LOGITS, 3.0), rtol=1e-12)
    q = np.array([0.5, 2.0, 1.0])
    got = run(fg.nn.weighted_cross_entropy_with_logits(labels=LABELS, logits=LOGITS,
                                                       pos_weight=fg.constant(q)))
    np.testing.assert_allclose(got, naive_weighted(LABELS, LOGITS, q), rtol=1e-12)


def test_pos_weight_one_is_the_sigmoid_cross_entropy():
    a = fg.nn.weighted_cross_entropy_with_logits(LABELS, LOGITS, 1.0)
    b = fg.nn.sigmoid_cross_entropy_with_logits(labels=LABELS, logits=LOGITS)
    np.testing.assert_allclose(*run([a, b]), rtol=1e-12)


def test_weighted_cross_entropy_is_stable_for_large_logits():
    x = fg.constant(np.array([-1000.0, 1000.0, -1000.0, 1000.0], np.float32))
    z = np.array([1.0, 0.0, 0.0, 1.0], np.float32)
    loss = fg.nn.weighted_cross_entropy_with_logits(z, x, 2.0)
    (g,) = fg.gradients(loss, x)
    value, grad = run([loss, g])
    np.testing.assert_allclose(value, [2000.0, 1000.0, 0.0, 0.0])
    # d/dx = (1 - z) - (1 + (q - 1) z) * sigmoid(-x)
    np.testing.assert_allclose(grad, [-2.0, 1.0, 0.0, 0.0])


def test_weighted_cross_entropy_gradient_at_zero_is_exact():
    # As TF1, softplus(-x) is log1p(exp(-|x|)) + relu(-x), whose abs and relu gradients
    # are 0 at x == 0: d/dx at 0 is 1 - z (TF 1.15 gives [0, 1] here).
    x = fg.constant(np.zeros(2))
    (g,) = fg.gradients(fg.nn.weighted_cross_entropy_with_logits([1.0, 0.0], x, 3.0), x)
    np.testing.assert_allclose(run(g), [0.0, 1.0])


def test_weighted_cross_entropy_arguments():
    loss = fg.nn.weighted_cross_entropy_with_logits(targets=LABELS, logits=LOGITS,
                                                    pos_weight=2.0)
    assert loss.name == "logistic_loss:0"
    np.testing.assert_allclose(run(loss), naive_weighted(LABELS, LOGITS, 2.0), rtol=1e-12)
    with pytest.raises(ValueError, match="same shape"):
        fg.nn.weighted_cross_entropy_with_logits(LABELS[0], LOGITS, 2.0)
    with pytest.raises(ValueError, match="both"):
        fg.nn.weighted_cross_entropy_with_logits(LABELS, LOGITS, 2.0, targets=LABELS)
    with pytest.raises(ValueError, match="pos_weight"):
        fg.nn.weighted_cross_entropy_with_logits(LABELS, LOGITS)


# --------------------------------------------------------------------------- log_poisson_loss
def _stirling(t):
    return t * np.log(t) - t + 0.5 * np.log(2 * np.pi * t)


def test_log_poisson_loss_values():
    targets = np.array([0.0, 0.5, 1.0, 2.0, 7.0])
    log_input = np.array([0.1, -1.0, 2.0, 0.5, 1.7])
    plain, full = run([fg.nn.log_poisson_loss(targets, log_input),
                       fg.nn.log_poisson_loss(targets, log_input, compute_full_loss=True)])
    base = np.exp(log_input) - log_input * targets
    np.testing.assert_allclose(plain, base)
    extra = np.array([0.0, 0.0, 0.0, _stirling(2.0), _stirling(7.0)])
    np.testing.assert_allclose(full, base + extra)
    # The full loss approximates the exact negative log-likelihood for large targets.
    exact = base[-1] + math.lgamma(8.0)
    assert abs(full[-1] - exact) < 0.02


def test_log_poisson_loss_gradients_are_finite_for_small_targets():
    targets = fg.constant(np.array([0.0, 0.5, 3.0]))
    log_input = fg.constant(np.array([0.2, -0.3, 1.0]))
    loss = fg.nn.log_poisson_loss(targets, log_input, compute_full_loss=True)
    g_t, g_x = run(fg.gradients(loss, [targets, log_input]))
    assert np.all(np.isfinite(g_t))
    np.testing.assert_allclose(g_t[:2], [-0.2, 0.3])
    np.testing.assert_allclose(g_t[2], -1.0 + np.log(3.0) + 0.5 / 3.0)
    np.testing.assert_allclose(g_x, np.exp([0.2, -0.3, 1.0]) - [0.0, 0.5, 3.0])


def test_log_poisson_loss_arguments():
    assert fg.nn.log_poisson_loss([1.0], [0.0]).name.startswith("log_poisson_loss/")
    with pytest.raises(ValueError, match="same shape"):
        fg.nn.log_poisson_loss([1.0, 2.0], [0.0, 1.0, 2.0])
    value = run(fg.nn.log_poisson_loss(np.float32(1.0), np.float32(-1000.0)))
    assert value == pytest.approx(1000.0)
