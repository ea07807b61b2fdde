"""`Model.compile` keeps its arguments as TF 1.15's public attributes (`model.loss`,
`model.loss_weights`, `model.sample_weight_mode`), which user code reads back."""

from __future__ import annotations

import flowgraph as fg


def _model():
    inputs = fg.keras.Input((3,))
    return fg.keras.Model(inputs, fg.keras.layers.Dense(2)(inputs))


def test_compile_keeps_loss_and_its_settings():
    with fg.Graph().as_default():
        model = _model()
        model.compile(optimizer="sgd", loss="mse", loss_weights=[0.5],
                      sample_weight_mode=None)
        assert model.loss == "mse"
        assert model.loss_weights == [0.5]
        assert model.sample_weight_mode is None


def test_compile_without_a_loss_gives_an_empty_list():
    with fg.Graph().as_default():
        model = _model()
        model.add_loss(fg.reduce_sum(model.outputs[0]))  # (no loss at all is an error)
        model.compile(optimizer="sgd")
        assert model.loss == []  # TF 1.15: `self.loss = loss or []`
