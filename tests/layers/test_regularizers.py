"""Weight and activity regularizers: values, collection into REGULARIZATION_LOSSES, once per
Variable even when layers share it, and fg.losses.get_regularization_loss."""

import numpy as np
import pytest

import flowgraph as fg
import flowgraph.layers as layers
import flowgraph.losses as losses
from flowgraph.layers.regularizers import (
    apply_regularization,
    l1_l2_regularizer,
    l1_regularizer,
    l2_regularizer,
    sum_regularizer,
)

W = np.array([[1.0, -2.0], [0.5, 3.0]], np.float32)


def run(fetches, feed_dict=None):
    with fg.Session() as sess:
        sess.run(fg.global_variables_initializer())
        return sess.run(fetches, feed_dict)


def test_regularizer_values():
    w = fg.constant(W)
    l1, l2, both = run([l1_regularizer(0.1)(w), l2_regularizer(0.2)(w),
                        l1_l2_regularizer(0.1, 0.2)(w)])
    np.testing.assert_allclose(l1, 0.1 * 6.5, rtol=1e-6)
    np.testing.assert_allclose(l2, 0.2 * 14.25 / 2, rtol=1e-6)
    np.testing.assert_allclose(both, 0.1 * 6.5 + 0.2 * 14.25 / 2, rtol=1e-6)


def test_regularizer_names_and_scale_checks():
    w = fg.constant(W)
    assert l2_regularizer(0.5)(w).op.name == "l2_regularizer"
    assert l1_l2_regularizer(0.1, 0.1)(w).op.name == "l1_l2_regularizer"
    assert l2_regularizer(0.0)(w) is None
    assert l1_l2_regularizer(0.0, 0.5)(w).op.name == "l1_l2_regularizer_1"
    with pytest.raises(ValueError, match="cannot be an integer"):
        l2_regularizer(1)
    with pytest.raises(ValueError, match="less than 0"):
        l1_regularizer(-0.5)
    assert sum_regularizer([None]) is None


def test_layer_regularizers_are_collected_once_per_variable():
    x = fg.placeholder(fg.float32, [None, 2])
    kernel_init = fg.constant_initializer(W)
    layers.dense(x, 2, name="d", kernel_initializer=kernel_init,
                 kernel_regularizer=l2_regularizer(0.5),
                 bias_initializer=fg.constant_initializer([1.0, -1.0]),
                 bias_regularizer=l1_regularizer(0.25))
    layers.dense(x, 2, name="d", reuse=True, kernel_regularizer=l2_regularizer(0.5))
    collected = fg.get_collection(fg.GraphKeys.REGULARIZATION_LOSSES)
    assert [t.op.name for t in collected] == ["d/kernel/Regularizer/l2_regularizer",
                                              "d/bias/Regularizer/l1_regularizer"]
    assert losses.get_regularization_losses() == collected
    total = losses.get_regularization_loss()
    assert total.op.name == "total_regularization_loss"
    np.testing.assert_allclose(run(total), 0.5 * 14.25 / 2 + 0.25 * 2.0, rtol=1e-6)


def test_layer_losses_property_matches_collection():
    layer = layers.Conv2D(2, 3, kernel_regularizer=l2_regularizer(0.1))
    layer(fg.placeholder(fg.float32, [None, 5, 5, 1]))
    assert layer.losses == fg.get_collection(fg.GraphKeys.REGULARIZATION_LOSSES)
    assert len(layer.losses) == 1


def test_activity_regularizer_is_averaged_over_the_batch():
    x = fg.placeholder(fg.float32, [None, 2])
    layers.dense(x, 2, kernel_initializer=fg.constant_initializer(W), use_bias=False,
                 activity_regularizer=l1_regularizer(1.0))
    (loss,) = fg.get_collection(fg.GraphKeys.REGULARIZATION_LOSSES)
    xv = np.array([[1.0, 0.0], [0.0, 2.0], [1.0, 1.0]], np.float32)
    np.testing.assert_allclose(run(loss, {x: xv}), np.abs(xv @ W).sum() / 3, rtol=1e-6)


def test_scope_regularizer_applies_when_layer_has_none():
    with fg.variable_scope("s", regularizer=l2_regularizer(1.0)):
        layers.dense(fg.placeholder(fg.float32, [None, 2]), 3)
    names = [t.op.name for t in losses.get_regularization_losses()]
    assert names == ["s/dense/kernel/Regularizer/l2_regularizer",
                     "s/dense/bias/Regularizer/l2_regularizer"]
    assert losses.get_regularization_losses(scope="s/dense/bias") == \
        losses.get_regularization_losses()[1:]


def test_get_regularization_loss_without_losses_is_zero():
    assert run(losses.get_regularization_loss()) == 0.0


def test_apply_regularization_sums_and_collects():
    a, b = fg.constant([1.0, -1.0]), fg.constant([2.0])
    penalty = apply_regularization(l1_regularizer(0.5), [a, b])
    assert fg.get_collection(fg.GraphKeys.REGULARIZATION_LOSSES) == [penalty]
    np.testing.assert_allclose(run(penalty), 0.5 * 4.0)
    with pytest.raises(ValueError, match="No weights"):
        apply_regularization(l1_regularizer(0.5))
