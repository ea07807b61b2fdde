"""Freezing (``trainable = False``) and common-mistake errors of tf.keras models as TF 1.15
shows them (expected values printed by TF's graph-mode Keras, tf.compat.v1 + tf_keras)."""

import numpy as np
import pytest

from flowgraph import keras


def test_model_trainable_false_propagates_to_its_layers():
    inp = keras.Input((4,))
    d1 = keras.layers.Dense(3, name="frozen")
    d2 = keras.layers.Dense(1, name="top")
    m = keras.Model(inp, d2(d1(inp)))
    m.trainable = False
    assert d1.trainable is False and d2.trainable is False
    assert len(m.trainable_weights) == 0 and len(m.non_trainable_weights) == 4
    m.trainable = True
    assert d1.trainable is True
    assert [w.name for w in m.trainable_weights] == [
        "frozen/kernel:0", "frozen/bias:0", "top/kernel:0", "top/bias:0"]


def test_nested_sequential_frozen_counts():
    base = keras.Sequential([keras.layers.Dense(4, input_shape=(3,), name="b1"),
                             keras.layers.Dense(2, name="b2")], name="base")
    inp = keras.Input((3,))
    m = keras.Model(inp, keras.layers.Dense(1, name="head")(base(inp)))
    base.trainable = False
    assert [layer.trainable for layer in base.layers] == [False, False]
    assert len(m.trainable_weights) == 2 and len(m.non_trainable_weights) == 4
    lines = []
    m.summary(print_fn=lines.append)
    assert "Total params: 29" in lines
    assert "Trainable params: 3" in lines
    assert "Non-trainable params: 26" in lines
    assert base.input_shape == (None, 3) and base.output_shape == (None, 2)
    assert base.get_output_shape_at(1) == (None, 2)


def test_frozen_layer_not_trained_by_fit():
    np.random.seed(0)
    inp = keras.Input((4,))
    d1 = keras.layers.Dense(3, name="frozen")
    d2 = keras.layers.Dense(1, name="top")
    m = keras.Model(inp, d2(d1(inp)))
    d1.trainable = False
    m.compile("sgd", "mse")
    before, top_before = d1.get_weights()[0].copy(), d2.get_weights()[0].copy()
    m.fit(np.random.rand(16, 4), np.random.rand(16, 1), epochs=2, verbose=0)
    np.testing.assert_array_equal(d1.get_weights()[0], before)
    assert not np.allclose(d2.get_weights()[0], top_before)


def test_duplicate_layer_names_are_an_error():
    inp = keras.Input((4,))
    a = keras.layers.Dense(2, name="same")(inp)
    b = keras.layers.Dense(2, name="same")(inp)
    with pytest.raises(ValueError, match='The name "same" is used 2 times in the model. All '
                                         "layer names should be unique."):
        keras.Model(inp, [a, b])


def test_concatenate_shape_error_lists_tuples():
    with pytest.raises(ValueError, match=r"Got inputs shapes: \[\(None, 4\), "
                                         r"\(None, 3, 2\)\]"):
        keras.layers.Concatenate()([keras.Input((4,)), keras.Input((3, 2))])


def test_layer_losses_list_activity_before_weight_regularization():
    inp = keras.Input((4,), name="in")
    layer = keras.layers.Dense(3, kernel_regularizer=keras.regularizers.l2(0.01),
                               activity_regularizer="l1", name="reg")
    m = keras.Model(inp, layer(inp))
    names = [t.name for t in m.losses]
    assert len(names) == 2 and len(layer.losses) == 2
    assert names[0].startswith("reg/ActivityRegularizer/")
    assert names[1].startswith("reg/kernel/Regularizer/")
    x = np.array([[1.0, -2.0, 0.5, 3.0]], np.float32)
    kernel, bias = layer.get_weights()
    y = x @ kernel + bias
    got = keras.backend.get_session().run(m.losses, {inp: x})
    np.testing.assert_allclose(got[0], 0.01 * np.abs(y).sum() / 1.0, rtol=1e-5)
    np.testing.assert_allclose(got[1], 0.01 * np.square(kernel).sum(), rtol=1e-5)


def test_custom_layer_with_init_arguments_must_override_get_config():
    class NoConfig(keras.layers.Layer):
        def __init__(self, units, **kwargs):
            super().__init__(**kwargs)
            self.units = units

        def call(self, x):
            return x

    class Plain(keras.layers.Layer):
        def call(self, x):
            return x

    with pytest.raises(NotImplementedError, match="Layers with arguments in `__init__` must "
                                                  "override `get_config`"):
        NoConfig(3).get_config()
    assert Plain().get_config() == {"name": "plain", "trainable": True, "dtype": None}


def test_deferred_sequential_trainable_false_reaches_its_layers():
    m = keras.Sequential([keras.layers.Dense(2), keras.layers.Dense(1)])
    m.trainable = False
    assert [layer.trainable for layer in m.layers] == [False, False]
    m.build((None, 3))
    assert m.trainable_weights == [] and len(m.non_trainable_weights) == 4
