"""get_source_inputs, the enqueuers, model_to_dot and plot_model of tf.keras.utils."""

import itertools
import os

import numpy as np
import pytest

import flowgraph as fg

k = fg.keras


def test_get_source_inputs():
    k.backend.clear_session()
    a = k.Input((3,), name="a")
    b = k.Input((2,), name="b")
    x = k.layers.Dense(4)(a)
    y = k.layers.Concatenate()([x, b])
    z = k.layers.Dense(1)(k.layers.Concatenate()([y, x]))
    sources = k.utils.get_source_inputs(z)
    assert len(sources) == 2 and sources[0] is a and sources[1] is b
    assert k.utils.get_source_inputs(x)[0] is a and len(k.utils.get_source_inputs(x)) == 1
    assert k.utils.get_source_inputs(a)[0] is a
    raw = fg.constant(1.0)
    assert k.utils.get_source_inputs(raw) is raw  # no Keras history: returned as is


class _Counting(k.utils.Sequence):
    def __init__(self):
        self.epoch = 0

    def __len__(self):
        return 4

    def __getitem__(self, index):
        return np.array([index + 10 * self.epoch])

    def on_epoch_end(self):
        self.epoch += 1


@pytest.mark.parametrize("use_multiprocessing", [False, True])
def test_ordered_enqueuer(use_multiprocessing):
    enqueuer = k.utils.OrderedEnqueuer(_Counting(), use_multiprocessing=use_multiprocessing)
    assert isinstance(enqueuer, k.utils.SequenceEnqueuer) and not enqueuer.is_running()
    enqueuer.start(workers=2, max_queue_size=3)
    assert enqueuer.is_running()
    got = [int(b[0]) for b in itertools.islice(enqueuer.get(), 10)]
    enqueuer.stop()
    assert not enqueuer.is_running()
    assert got == [0, 1, 2, 3, 10, 11, 12, 13, 20, 21]


def test_ordered_enqueuer_shuffle_covers_each_epoch():
    enqueuer = k.utils.OrderedEnqueuer(_Counting(), shuffle=True)
    enqueuer.start(workers=2, max_queue_size=2)
    got = [int(b[0]) for b in itertools.islice(enqueuer.get(), 8)]
    enqueuer.stop()
    assert sorted(got[:4]) == [0, 1, 2, 3] and sorted(got[4:]) == [10, 11, 12, 13]


def test_ordered_enqueuer_raises_worker_errors():
    class Broken(k.utils.Sequence):
        def __len__(self):
            return 2

        def __getitem__(self, index):
            raise KeyError(f"batch {index} is missing")

    enqueuer = k.utils.OrderedEnqueuer(Broken())
    enqueuer.start()
    with pytest.raises(KeyError, match="batch 0 is missing"):
        next(enqueuer.get())
    assert not enqueuer.is_running()


def test_generator_enqueuer_threads_and_finite_generator():
    enqueuer = k.utils.GeneratorEnqueuer(iter(range(7)))
    enqueuer.start(workers=3, max_queue_size=4)
    got = list(enqueuer.get())
    enqueuer.stop()
    assert sorted(got) == list(range(7))


def test_generator_enqueuer_process():
    def gen():
        yield from range(100)

    enqueuer = k.utils.GeneratorEnqueuer(gen(), use_multiprocessing=True)
    enqueuer.start(workers=1, max_queue_size=4)
    got = list(itertools.islice(enqueuer.get(), 5))
    enqueuer.stop()
    assert got == [0, 1, 2, 3, 4]


def test_enqueuer_bad_workers():
    with pytest.raises(ValueError, match="workers must be >= 1"):
        k.utils.OrderedEnqueuer(_Counting()).start(workers=0)


def _functional_model():
    k.backend.clear_session()
    a = k.Input((3,), name="a")
    b = k.Input((2,), name="b")
    x = k.layers.Dense(4, name="d1")(a)
    y = k.layers.Concatenate(name="cat")([x, b])
    z = k.layers.Dense(1, name="d2")(y)
    return k.Model([a, b], z), (a, b, x, y, z)


def test_model_to_dot_nodes_and_edges():
    model, _ = _functional_model()
    dot = k.utils.model_to_dot(model)
    ids = {layer.name: str(id(layer)) for layer in model.layers}
    source = dot.source
    for name, cls in [("a", "InputLayer"), ("b", "InputLayer"), ("d1", "Dense"),
                      ("cat", "Concatenate"), ("d2", "Dense")]:
        assert f'{ids[name]} [label="{name}: {cls}"]' in source
    edges = {line.strip() for line in source.splitlines() if "->" in line}
    assert edges == {f"{ids['a']} -> {ids['d1']}", f"{ids['d1']} -> {ids['cat']}",
                     f"{ids['b']} -> {ids['cat']}", f"{ids['cat']} -> {ids['d2']}"}
    assert "rankdir=TB" in source and "shape=record" in source


def test_model_to_dot_shapes_and_options():
    model, _ = _functional_model()
    source = k.utils.model_to_dot(model, show_shapes=True, show_layer_names=False,
                                  rankdir="LR").source
    assert "Dense\n|{input:|output:}|{{(None, 3)}|{(None, 4)}}" in source
    assert "Concatenate\n|{input:|output:}|{{[(None, 4), (None, 2)]}|{(None, 6)}}" in source
    assert "rankdir=LR" in source and "d1:" not in source
    with pytest.raises(ValueError, match="rankdir"):
        k.utils.model_to_dot(model, rankdir="XY")


def test_model_to_dot_expand_nested():
    k.backend.clear_session()
    inner = k.Sequential([k.layers.Dense(2, input_shape=(3,), name="inner_dense")],
                         name="inner")
    x = k.Input((3,), name="outer_in")
    model = k.Model(x, k.layers.Dense(1, name="head")(inner(x)))
    flat = k.utils.model_to_dot(model).source
    assert '[label="inner: Sequential"]' in flat and "inner_dense" not in flat
    nested = k.utils.model_to_dot(model, expand_nested=True).source
    assert "subgraph cluster_" in nested and "label=inner" in nested
    inner_dense = inner.layers[0]
    head = model.get_layer("head")
    assert f"{id(inner_dense)} -> {id(head)}" in nested


def test_plot_model_writes_png(tmp_path):
    model, _ = _functional_model()
    path = str(tmp_path / "model.png")
    k.utils.plot_model(model, to_file=path, show_shapes=True)
    with open(path, "rb") as handle:
        assert handle.read(8) == b"\x89PNG\r\n\x1a\n"
    svg = str(tmp_path / "model.svg")
    k.utils.plot_model(model, to_file=svg)
    with open(svg) as handle:
        assert "d1: Dense" in handle.read()


def test_plot_model_without_dot(tmp_path, monkeypatch):
    model, _ = _functional_model()
    monkeypatch.setenv("PATH", str(tmp_path))  # no `dot` on the PATH
    with pytest.raises(ImportError, match="Graphviz `dot` program"):
        k.utils.plot_model(model, to_file=str(tmp_path / "m.png"))
    assert not os.path.exists(tmp_path / "m.png")
