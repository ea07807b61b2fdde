"""tf.keras.callbacks (flowgraph.keras.callbacks) with fit, and on hand-made logs."""

import csv
import os

import numpy as np
import pytest

from flowgraph.keras import backend as K
from flowgraph.keras import callbacks as cbks
from flowgraph.keras import layers, optimizers
from flowgraph.keras.models import Sequential


def _model(lr=0.1):
    model = Sequential([layers.Dense(1, input_shape=(2,))])
    model.compile(optimizers.SGD(learning_rate=lr), "mse")
    return model


def _data(n=8):
    x = np.arange(2 * n, dtype=np.float32).reshape(n, 2) / (2 * n)
    return x, x.sum(axis=1, keepdims=True)


class _Recorder(cbks.Callback):
    def __init__(self):
        super().__init__()
        self.events = []

    def on_train_begin(self, logs=None):
        self.events.append("train_begin")

    def on_epoch_begin(self, epoch, logs=None):
        self.events.append(f"epoch_begin {epoch}")

    def on_batch_begin(self, batch, logs=None):
        self.events.append(f"batch_begin {batch} size={logs['size']}")

    def on_batch_end(self, batch, logs=None):
        self.events.append(f"batch_end {batch} loss={'loss' in logs}")

    def on_epoch_end(self, epoch, logs=None):
        self.events.append(f"epoch_end {epoch} {sorted(logs)}")

    def on_train_end(self, logs=None):
        self.events.append("train_end")


def test_callbacks_called_in_order_with_params():
    model = _model()
    x, y = _data(5)
    recorder = _Recorder()
    model.fit(x, y, batch_size=3, epochs=2, verbose=0, callbacks=[recorder],
              validation_data=(x, y))
    assert recorder.events == [
        "train_begin",
        "epoch_begin 0", "batch_begin 0 size=3", "batch_end 0 loss=True",
        "batch_begin 1 size=2", "batch_end 1 loss=True",
        "epoch_end 0 ['loss', 'val_loss']",
        "epoch_begin 1", "batch_begin 0 size=3", "batch_end 0 loss=True",
        "batch_begin 1 size=2", "batch_end 1 loss=True",
        "epoch_end 1 ['loss', 'val_loss']",
        "train_end"]
    assert recorder.model is model
    assert recorder.params["epochs"] == 2 and recorder.params["samples"] == 5
    assert recorder.params["metrics"] == ["loss", "val_loss"]


def test_history_epoch_loss_is_size_weighted_mean_of_batches():
    model = _model(lr=0.0)  # weights never change: every batch loss is known in advance
    x, y = _data(5)
    w, b = model.get_weights()
    per_sample = ((x @ w + b - y) ** 2)[:, 0]
    history = model.fit(x, y, batch_size=2, epochs=3, verbose=0, shuffle=False)
    assert history.epoch == [0, 1, 2]
    np.testing.assert_allclose(history.history["loss"], [per_sample.mean()] * 3, rtol=1e-5)


def _run_early_stopping(values, **kwargs):
    class FakeModel:
        stop_training = False

    stopper = cbks.EarlyStopping(**kwargs)
    model = FakeModel()
    stopper.set_model(model)
    stopper.on_train_begin()
    for epoch, value in enumerate(values):
        stopper.on_epoch_end(epoch, {"val_loss": value, "val_acc": value})
        if model.stop_training:
            return epoch, stopper.wait, stopper.best
    return None, stopper.wait, stopper.best


def test_early_stopping_on_hand_made_sequences():
    # reference values from tf_keras (Keras 2) in graph mode
    assert _run_early_stopping([1.0, 0.8, 0.9, 0.85, 0.7], patience=2) == (3, 2, 0.8)
    assert _run_early_stopping([1.0, 0.8, 0.79, 0.78, 0.7], patience=1,
                               min_delta=0.05) == (2, 1, 0.8)
    assert _run_early_stopping([0.5, 0.6, 0.7, 0.6], patience=1,
                               monitor="val_acc") == (3, 1, 0.7)
    assert _run_early_stopping([1.0, 1.0], patience=0) == (1, 1, 1.0)
    # TF 1.15: the baseline is the initial best
    assert _run_early_stopping([0.5, 0.4, 0.3], patience=2, baseline=0.2) == (1, 2, 0.2)


def test_early_stopping_in_fit_and_restore_best_weights():
    model = _model(lr=0.0)
    x, y = _data()
    losses = iter([3.0, 1.0, 2.0, 2.5, 0.5, 0.1])

    class FakeVal(cbks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            logs["val_loss"] = next(losses)
            # change the weights each epoch so restoring is observable
            K.set_value(self.model.weights[1], np.array([float(epoch)], np.float32))

    stopper = cbks.EarlyStopping(patience=2, restore_best_weights=True)
    history = model.fit(x, y, epochs=6, verbose=0, callbacks=[FakeVal(), stopper])
    assert history.epoch == [0, 1, 2, 3]
    assert history.history["val_loss"] == [3.0, 1.0, 2.0, 2.5]
    assert stopper.stopped_epoch == 3
    np.testing.assert_array_equal(model.get_weights()[1], [1.0])


def test_learning_rate_scheduler_sets_lr():
    model = _model()
    x, y = _data()
    seen = []
    spy = cbks.LambdaCallback(
        on_epoch_begin=lambda epoch, logs: seen.append(float(
            K.get_value(model.optimizer.lr))))
    sched = cbks.LearningRateScheduler(lambda epoch: 0.1 / (epoch + 1))
    history = model.fit(x, y, epochs=3, verbose=0, callbacks=[sched, spy])
    np.testing.assert_allclose(seen, [0.1, 0.05, 0.1 / 3], rtol=1e-6)
    np.testing.assert_allclose(history.history["lr"], [0.1, 0.05, 0.1 / 3], rtol=1e-6)


def test_reduce_lr_on_plateau():
    model = _model(lr=0.4)
    values = iter([1.0, 1.0, 1.0, 0.5, 0.5])

    class FakeVal(cbks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            logs["val_loss"] = next(values)

    reducer = cbks.ReduceLROnPlateau(patience=1, factor=0.5)
    x, y = _data()
    history = model.fit(x, y, epochs=5, verbose=0, callbacks=[FakeVal(), reducer])
    # lr logged before each reduction: 1.0 best; 1.0 -> wait 1 -> halve; 1.0 -> halve again
    np.testing.assert_allclose(history.history["lr"], [0.4, 0.4, 0.2, 0.1, 0.1], rtol=1e-6)
    np.testing.assert_allclose(K.get_value(model.optimizer.lr), 0.05, rtol=1e-6)


def test_terminate_on_nan():
    model = _model(lr=1e30)
    x, y = _data()
    history = model.fit(x * 1e10, y, epochs=5, batch_size=2, verbose=0,
                        callbacks=[cbks.TerminateOnNaN()])
    assert len(history.epoch) == 1


def test_csv_logger(tmp_path):
    model = _model()
    x, y = _data()
    path = str(tmp_path / "log.csv")
    history = model.fit(x, y, epochs=2, verbose=0, validation_data=(x, y),
                        callbacks=[cbks.CSVLogger(path)])
    with open(path) as f:
        rows = list(csv.reader(f))
    assert rows[0] == ["epoch", "loss", "val_loss"]
    assert [r[0] for r in rows[1:]] == ["0", "1"]
    np.testing.assert_allclose(float(rows[2][1]), history.history["loss"][1], rtol=1e-6)


def test_model_checkpoint_saves_formatted_weights(tmp_path):
    model = _model()
    x, y = _data()
    pattern = str(tmp_path / "w.{epoch:02d}-{loss:.3f}")
    history = model.fit(x, y, epochs=2, verbose=0,
                        callbacks=[cbks.ModelCheckpoint(pattern, monitor="loss",
                                                        save_weights_only=True)])
    first = pattern.format(epoch=1, loss=history.history["loss"][0])
    assert any(name.startswith(os.path.basename(first)) for name in os.listdir(tmp_path))
    weights = model.get_weights()
    model.set_weights([np.zeros_like(w) for w in weights])
    model.load_weights(pattern.format(epoch=2, loss=history.history["loss"][1]))
    for got, want in zip(model.get_weights(), weights):
        np.testing.assert_array_equal(got, want)


def test_model_checkpoint_save_best_only(tmp_path):
    model = _model()
    values = iter([1.0, 2.0, 0.5])

    class FakeVal(cbks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            logs["val_loss"] = next(values)

    pattern = str(tmp_path / "best{epoch}")
    x, y = _data()
    model.fit(x, y, epochs=3, verbose=0, callbacks=[
        FakeVal(), cbks.ModelCheckpoint(pattern, save_best_only=True, save_weights_only=True)])
    saved = sorted({name.split(".")[0] for name in os.listdir(tmp_path)
                    if name.startswith("best")})
    assert saved == ["best1", "best3"]


def test_tensorboard_writes_event_file(tmp_path):
    model = _model()
    x, y = _data()
    model.fit(x, y, epochs=2, verbose=0, callbacks=[cbks.TensorBoard(str(tmp_path))])
    files = [name for name in os.listdir(tmp_path) if "tfevents" in name]
    assert len(files) == 1
    assert os.path.getsize(tmp_path / files[0]) > 0


def test_callback_list_rejects_non_callbacks():
    with pytest.raises(TypeError, match="Callback instances"):
        cbks.CallbackList([object()])
