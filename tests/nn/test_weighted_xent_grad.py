"""tf.nn.weighted_cross_entropy_with_logits: values and gradients as TF 1.15 gives them
(reference numbers from TF with tf.compat.v1, pos_weight=3), at logits 0 and |logits| > 50."""

import numpy as np

import flowgraph as tf

LOGITS = [0.0, -60.0, 60.0, 1.5, -2.0, 0.0]
LABELS = [0.0, 1.0, 0.0, 0.3, 0.7, 1.0]
TF_LOSS = [0.69314718, 180.0, 60.0, 1.37226124, 4.50462723, 2.07944154]
TF_DLOGITS = [1.0, -3.0, 1.0, 0.40811916, -1.81391299, 0.0]
TF_DLABELS = [1.38629436, 180.0, -60.0, -1.09717344, 6.25385602, 1.38629436]


def _run(**kwargs):
    with tf.Graph().as_default():
        x = tf.constant(LOGITS, tf.float64)
        z = tf.constant(LABELS, tf.float64)
        loss = tf.nn.weighted_cross_entropy_with_logits(logits=x, pos_weight=3.0,
                                                        **{kwargs["arg"]: z})
        gx, gz = tf.gradients(loss, [x, z])
        with tf.Session() as sess:
            return loss.name, sess.run([loss, gx, gz])


def test_values_and_gradients_match_tf1():
    name, (loss, gx, gz) = _run(arg="targets")
    assert name == "logistic_loss:0"
    np.testing.assert_allclose(loss, TF_LOSS, rtol=1e-7)
    np.testing.assert_allclose(gx, TF_DLOGITS, rtol=1e-7, atol=1e-12)
    np.testing.assert_allclose(gz, TF_DLABELS, rtol=1e-7)


def test_labels_argument_gives_same_gradient():
    _, (_, gx, _) = _run(arg="labels")
    np.testing.assert_allclose(gx, TF_DLOGITS, rtol=1e-7, atol=1e-12)


def test_gradient_away_from_zero_matches_finite_differences():
    x0 = np.array([0.7, -1.3, 4.0, -55.0])
    z0 = np.array([0.2, 0.9, 0.5, 1.0])
    q = 2.5

    def loss_np(x):
        return (1 - z0) * x + (1 + (q - 1) * z0) * np.logaddexp(0.0, -x)

    with tf.Graph().as_default():
        x = tf.constant(x0)
        loss = tf.nn.weighted_cross_entropy_with_logits(tf.constant(z0), x, q)
        (gx,) = tf.gradients(loss, [x])
        with tf.Session() as sess:
            got = sess.run(gx)
    eps = 1e-6
    numeric = (loss_np(x0 + eps) - loss_np(x0 - eps)) / (2 * eps)
    np.testing.assert_allclose(got, numeric, rtol=1e-6, atol=1e-9)
