"""TF 1.15's printed training progress: `Progbar`, the ``Train on ...`` line, ``Epoch i/n``
(only with several epochs), the verbose=2 epoch line and evaluate / predict bars."""

import re

import numpy as np

import flowgraph as fg
from flowgraph.keras import callbacks as cbks
from flowgraph.keras import initializers, layers, optimizers
from flowgraph.keras.generic_utils import Progbar
from flowgraph.keras.models import Sequential


def _model(lr=0.0):
    model = Sequential([layers.Dense(3, input_shape=(4,), activation="softmax",
                                     kernel_initializer=initializers.Constant(0.1))])
    model.compile(optimizers.SGD(lr=lr), "sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    return model


def _data(n=100):
    rng = np.random.RandomState(0)
    return rng.rand(n, 4).astype("float32"), rng.randint(0, 3, size=(n,))


def test_progbar_verbose2_one_line_with_step_weighted_means(capsys):
    bar = Progbar(target=10, verbose=2, stateful_metrics=["acc"])
    bar.update(4, [("loss", 1.0), ("acc", 0.5), ("tiny", 0.0005)])
    assert capsys.readouterr().out == ""
    bar.update(10, [("loss", 2.0), ("acc", 0.25), ("tiny", 0.0005)])
    # loss: (4 * 1.0 + 6 * 2.0) / 10; acc as given; small values in e-format
    assert capsys.readouterr().out == \
        "10/10 - 0s - loss: 1.6000 - acc: 0.2500 - tiny: 5.0000e-04\n"


def test_progbar_verbose1_bar_eta_and_time_per_unit(capsys):
    bar = Progbar(target=100, verbose=1, interval=0.0, unit_name="sample")
    bar.update(32, [("loss", 0.5)])
    first = capsys.readouterr().out
    assert first == "\r 32/100 [========>.....................] - ETA: 0s - loss: 0.5000"
    bar.update(100, [("loss", 1.5)])
    out = capsys.readouterr().out
    # the previous line is erased with one backspace per character, then redrawn
    assert out.startswith("\b" * (len(first) - 1) + "\r100/100 [" + "=" * 30 + "] - 0s ")
    # (32 * 0.5 + 68 * 1.5) / 100 = 1.18
    assert re.search(r" - 0s \d+(us|ms)/sample - loss: 1\.1800\n$", out), out


def test_fit_verbose2_lines_as_tf115(capsys):
    x, y = _data()
    model = _model()
    seen = []
    rec = cbks.LambdaCallback(on_batch_end=lambda b, logs: seen.append(
        (logs["size"], float(logs["loss"]))))
    hist = model.fit(x, y, epochs=2, batch_size=32, verbose=2, shuffle=False,
                     validation_split=0.2, callbacks=[rec])
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "Train on 80 samples, validate on 20 samples"
    assert lines[1] == "Epoch 1/2" and lines[3] == "Epoch 2/2"
    pattern = r"^80/80 - \d+s - loss: (\S+) - acc: (\S+) - val_loss: (\S+) - val_acc: (\S+)$"
    match = re.match(pattern, lines[2])
    assert match, lines[2]
    # TF 1.15's ProgbarLogger: the last batch is shown with the epoch logs, both weighted
    # by the last batch's size
    sizes = [s for s, _ in seen[:3]]
    losses = [v for _, v in seen[:3]]
    assert sizes == [32, 32, 16]
    epoch_loss = np.dot(sizes, losses) / 80
    assert abs(hist.history["loss"][0] - epoch_loss) < 1e-6
    shown = (np.dot(sizes, losses) + epoch_loss * 16) / (80 + 16)
    assert match.group(1) == f"{shown:.4f}"
    assert match.group(2) == f"{hist.history['acc'][0]:.4f}"
    assert match.group(3) == f"{hist.history['val_loss'][0]:.4f}"


def test_fit_one_epoch_prints_no_epoch_line(capsys):
    x, y = _data(50)
    _model().fit(x, y, epochs=1, batch_size=50, verbose=2)
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "Train on 50 samples"
    assert len(lines) == 2 and lines[1].startswith("50/50 - ")


def test_fit_verbose1_prints_a_bar(capsys):
    x, y = _data(50)
    _model().fit(x, y, epochs=1, batch_size=20, verbose=1)
    out = capsys.readouterr().out
    assert out.startswith("Train on 50 samples\n\r20/50 [===========>..................]"
                          " - ETA: ")
    assert re.search(r"\r50/50 \[={30}\] - \d+s \d+(us|ms)/sample - loss: \d\.\d{4} - "
                     r"acc: \d\.\d{4}\n$", out), repr(out)


def test_evaluate_and_predict_verbose_print_bars(capsys):
    x, y = _data(50)
    model = _model()
    loss, acc = model.evaluate(x, y, verbose=2)
    assert capsys.readouterr().out == f"50/50 - 0s - loss: {loss:.4f} - acc: {acc:.4f}\n"
    model.evaluate(x, y, verbose=1, batch_size=50)
    out = capsys.readouterr().out
    assert re.match(r"^\r50/50 \[={30}\] - 0s \d+(us|ms)/sample - loss: \d\.\d{4} - "
                    r"acc: \d\.\d{4}\n$", out), repr(out)
    model.predict(x, verbose=1, batch_size=50)
    assert re.match(r"^\r50/50 \[={30}\] - 0s \d+(us|ms)/sample\n$",
                    capsys.readouterr().out)
    model.predict(x, verbose=0)
    model.evaluate(x, y, verbose=0)
    assert capsys.readouterr().out == ""


def test_fit_dataset_prints_steps(capsys):
    x, y = _data(64)
    model = _model()
    ds = fg.data.Dataset.from_tensor_slices((x, y.astype("int64"))).batch(16).repeat()
    model.fit(ds, steps_per_epoch=4, epochs=1, verbose=2)
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "Train on 4 steps"
    assert re.match(r"^4/4 - \d+s - loss: \d\.\d{4} - acc: \d\.\d{4}$", lines[1]), lines


def test_progbar_is_exported_as_keras_utils_progbar(capsys):
    bar = fg.keras.utils.Progbar(3, verbose=2)
    bar.add(1, [("loss", 3.0)])
    bar.add(2, [("loss", 0.0)])
    assert capsys.readouterr().out == "3/3 - 0s - loss: 1.0000\n"


def test_dataset_read_to_its_end_finishes_the_line(capsys):
    x, y = _data(40)
    model = _model()
    ds = fg.data.Dataset.from_tensor_slices((x, y.astype("int64"))).batch(16)
    loss, acc = model.evaluate(ds, verbose=2)
    assert capsys.readouterr().out == f"3/3 - 0s - loss: {loss:.4f} - acc: {acc:.4f}\n"
