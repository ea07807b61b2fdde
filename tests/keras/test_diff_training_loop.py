"""TF 1.15's fit / evaluate loop semantics: stateful metrics (functions wrapped in
MeanMetricWrapper, per-output losses as Means over batches), history key order and value
types, callback hooks of validation / evaluate / predict, unique metric names and models fed
by tensors (Input(tensor=...), compile(target_tensors=...))."""

import numpy as np

import flowgraph as fg
from flowgraph.keras import callbacks as cbks
from flowgraph.keras import initializers, layers, metrics, optimizers
from flowgraph.keras.input_layer import Input
from flowgraph.keras.models import Model, Sequential


def _data(n=100):
    rng = np.random.RandomState(0)
    return rng.rand(n, 4).astype("float32"), rng.randint(0, 3, size=(n,))


def _weights():
    rng = np.random.RandomState(1)
    return rng.randn(4, 3).astype("float32"), rng.randn(3).astype("float32")


def _classifier():
    """A softmax classifier with fixed weights and a zero learning rate (nothing moves)."""
    model = Sequential([layers.Dense(3, input_shape=(4,), activation="softmax")])
    model.set_weights(list(_weights()))
    model.compile(optimizers.SGD(lr=0.0), "sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    return model


def _numpy_probs(x):
    w, b = _weights()
    z = x @ w + b
    e = np.exp(z - z.max(1, keepdims=True))
    return e / e.sum(1, keepdims=True)


def test_batch_metrics_accumulate_over_the_epoch_and_history_order():
    x, y = _data()
    model = _classifier()
    seen = []
    rec = cbks.LambdaCallback(on_batch_end=lambda b, logs: seen.append(
        dict(logs)))
    hist = model.fit(x, y, epochs=1, batch_size=30, verbose=0, shuffle=False,
                     validation_split=0.2, callbacks=[rec])
    correct = (_numpy_probs(x[:80]).argmax(1) == y[:80]).astype(float)
    ce = -np.log(_numpy_probs(x[:80])[np.arange(80), y[:80]])
    ends = [30, 60, 80]
    for batch_logs, end in zip(seen, ends):
        start = end - batch_logs["size"]
        assert abs(batch_logs["acc"] - correct[:end].mean()) < 1e-6  # all so far
        assert abs(batch_logs["loss"] - ce[start:end].mean()) < 1e-5  # this batch
    assert list(hist.history) == ["loss", "acc", "val_loss", "val_acc"]
    assert isinstance(hist.history["acc"][0], np.float32)
    assert abs(hist.history["loss"][0] - ce.mean()) < 1e-5
    val_correct = (_numpy_probs(x[80:]).argmax(1) == y[80:]).mean()
    assert abs(hist.history["val_acc"][0] - val_correct) < 1e-6


def test_train_on_batch_after_evaluate_keeps_accumulating_as_tf115():
    x, y = _data()
    model = _classifier()
    model.evaluate(x, y, verbose=0)
    loss, acc = model.train_on_batch(x[:10], y[:10])
    assert isinstance(loss, np.float32) and isinstance(acc, np.float32)
    correct = (_numpy_probs(x).argmax(1) == y).astype(float)
    # TF 1.15 resets metrics at the start of a loop and after train_on_batch, not after
    # evaluate: the batch's accuracy is counted with evaluate's 100 samples
    assert abs(acc - (correct.sum() + correct[:10].sum()) / 110) < 1e-6
    _, acc = model.train_on_batch(x[:10], y[:10])
    assert abs(acc - correct[:10].mean()) < 1e-6


def test_per_output_losses_are_means_over_batches():
    x, _ = _data()
    inp = Input(shape=(4,))
    o1 = layers.Dense(1, kernel_initializer=initializers.Constant(0.1), name="p")(inp)
    o2 = layers.Dense(1, kernel_initializer=initializers.Constant(-0.2), name="q")(inp)
    model = Model(inp, [o1, o2])
    model.compile(optimizers.SGD(lr=0.0), "mse", loss_weights=[1.0, 0.5])
    t1, t2 = x[:, :1], x.sum(1, keepdims=True)
    hist = model.fit(x, [t1, t2], epochs=1, batch_size=30, verbose=0, shuffle=False)
    p1, p2 = x.sum(1) * 0.1, x.sum(1) * -0.2
    se1, se2 = (p1 - t1[:, 0]) ** 2, (p2 - t2[:, 0]) ** 2
    batches = [slice(0, 30), slice(30, 60), slice(60, 90), slice(90, 100)]
    assert model.metrics_names == ["loss", "p_loss", "q_loss"]
    # per-output losses: unweighted means of the 4 batch losses; total: per sample
    assert abs(hist.history["p_loss"][0] - np.mean([se1[b].mean() for b in batches])) < 1e-5
    assert abs(hist.history["q_loss"][0] - np.mean([se2[b].mean() for b in batches])) < 1e-4
    assert abs(hist.history["loss"][0] - (se1.mean() + 0.5 * se2.mean())) < 1e-4
    loss, p_loss, q_loss = model.evaluate(x, [t1, t2], batch_size=30, verbose=0)
    assert abs(p_loss - np.mean([se1[b].mean() for b in batches])) < 1e-5


def test_callback_hooks_of_validation_evaluate_and_predict():
    x, y = _data(10)
    model = _classifier()
    calls = []

    class Recorder(cbks.Callback):
        def __getattribute__(self, name):
            if name.startswith("on_"):
                def hook(*args):
                    calls.append((name, sorted(args[-1]) if args else None))
                return hook
            return object.__getattribute__(self, name)

    model.fit(x, y, epochs=1, batch_size=6, verbose=0, callbacks=[Recorder()],
              validation_data=(x[:3], y[:3]))
    names = [c[0] for c in calls]
    assert names == ["on_train_begin", "on_epoch_begin", "on_train_batch_begin",
                     "on_train_batch_end", "on_train_batch_begin", "on_train_batch_end",
                     "on_test_begin", "on_test_batch_begin", "on_test_batch_end",
                     "on_test_end", "on_epoch_end", "on_train_end"]
    assert calls[8][1] == ["acc", "batch", "loss", "size"]
    assert calls[10][1] == ["acc", "loss", "val_acc", "val_loss"]
    calls.clear()
    model.evaluate(x, y, batch_size=5, verbose=0, callbacks=[Recorder()])
    assert [c[0] for c in calls] == ["on_test_begin"] + [
        "on_test_batch_begin", "on_test_batch_end"] * 2 + ["on_test_end"]
    assert calls[-1][1] == []
    calls.clear()
    model.predict(x, batch_size=5, callbacks=[Recorder()])
    assert calls[1] == ("on_predict_batch_begin", ["batch", "size"])
    assert calls[2] == ("on_predict_batch_end", ["batch", "outputs", "size"])


def test_duplicate_metric_names_get_a_suffix():
    model = Sequential([layers.Dense(1, input_shape=(4,))])
    model.compile("sgd", "mse", metrics=["mse", metrics.MeanSquaredError(), "mae"])
    assert model.metrics_names == ["loss", "mean_squared_error", "mean_squared_error_1",
                                   "mean_absolute_error"]


def test_fit_and_evaluate_a_model_fed_by_tensors():
    x, y = _data()
    onehot = np.eye(3, dtype="float32")[y]
    inp = Input(tensor=fg.constant(x))
    out = layers.Dense(3, activation="softmax")(inp)
    model = Model(inp, out)
    model.set_weights(list(_weights()))
    model.compile(optimizers.SGD(lr=0.0), "categorical_crossentropy",
                  target_tensors=[fg.constant(onehot)], metrics=["accuracy"])
    hist = model.fit(steps_per_epoch=2, epochs=2, verbose=0)
    ce = -np.log(_numpy_probs(x)[np.arange(100), y]).mean()
    acc = (_numpy_probs(x).argmax(1) == y).mean()
    assert np.allclose(hist.history["loss"], [ce, ce], atol=1e-5)
    assert np.allclose(hist.history["acc"], [acc, acc], atol=1e-6)
    loss, acc2 = model.evaluate(steps=3, verbose=0)
    assert abs(loss - ce) < 1e-5 and abs(acc2 - acc) < 1e-6
    assert model.predict(steps=1).shape == (100, 3)


def test_model_checkpoint_saves_whole_models_by_default(tmp_path):
    import os

    from flowgraph.keras.models import load_model
    x, y = _data()
    model = _classifier()
    pattern = str(tmp_path / "m.{epoch:02d}-{val_loss:.2f}.fgkeras")
    hist = model.fit(x, y, epochs=2, verbose=0, validation_split=0.2,
                     callbacks=[cbks.ModelCheckpoint(pattern)])
    names = sorted(os.listdir(tmp_path))
    assert names == [os.path.basename(pattern.format(epoch=e + 1, val_loss=v))
                     for e, v in enumerate(hist.history["val_loss"])]
    loaded = load_model(str(tmp_path / names[-1]))
    np.testing.assert_allclose(loaded.predict(x[:5]), _numpy_probs(x[:5]), rtol=1e-5)


def test_lr_schedulers_log_numpy_float32_lr(tmp_path):
    x, y = _data()
    model = _classifier()
    path = str(tmp_path / "log.csv")
    hist = model.fit(x, y, epochs=2, verbose=0, callbacks=[
        cbks.LearningRateScheduler(lambda epoch: 0.01 / (epoch + 1)),
        cbks.CSVLogger(path)])
    assert [type(v) for v in hist.history["lr"]] == [np.float32, np.float32]
    with open(path) as f:
        rows = f.read().splitlines()
    assert rows[0] == "epoch,acc,loss,lr"
    assert rows[1].split(",")[3] == "0.01" and rows[2].split(",")[3] == "0.005"
