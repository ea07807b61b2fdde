"""W2: a chain of 200 elementwise ops (add, multiply, tanh in turn) on a (16,) float32
placeholder, against the same 200 numpy calls and TF1. Targets: without fusion at most
TF1's cost per run; with elementwise fusion (the runtime's default) at most half of numpy's
op-by-op cost."""

from __future__ import annotations

import numpy as np

import flowgraph as fg
from benchlib.common import chain, has_fusion_option, session
from benchlib.report import Row, Target, TfSpec
from benchlib.timing import Settings, compare

LENGTH = 200


def run(settings: Settings) -> list:
    arr = np.random.default_rng(0).standard_normal(16, dtype=np.float32)
    graph = fg.Graph()
    with graph.as_default():
        x = fg.placeholder(fg.float32, (16,))
        half, scale = fg.constant(0.5), fg.constant(0.9)
        y = chain(x, LENGTH, lambda v: fg.add(v, half), lambda v: fg.multiply(v, scale),
                  fg.tanh)
    ops = (lambda v: np.add(v, np.float32(0.5)), lambda v: np.multiply(v, np.float32(0.9)),
           np.tanh)
    expect = chain(arr, LENGTH, *ops)
    plain, fused = session(graph, fusion=False), session(graph, fusion=True)
    for sess in (plain, fused):
        np.testing.assert_allclose(sess.run(y, {x: arr}), expect, rtol=1e-5, atol=1e-6)
    t = compare({"plain": lambda: plain.run(y, {x: arr}), "fused": lambda: fused.run(y, {x: arr}),
                 "np": lambda: chain(arr, LENGTH, *ops)}, settings, warmup=20)
    plain.close()
    fused.close()
    spec = TfSpec("w2_per_op.py", "W2", "Session.run(feed_dict)", "median", 1e6)
    fused_label = "same, elementwise fusion on" if has_fusion_option() else \
        "same, default config (no fusion option)"
    return [Row("W2", f"{LENGTH}-op elementwise chain on (16,), fusion off", "us/run",
                t["plain"] * 1e6, numpy=t["np"] * 1e6, targets=[Target("tf1", 1.0)], tf=spec),
            Row("W2", fused_label, "us/run", t["fused"] * 1e6, numpy=t["np"] * 1e6,
                targets=[Target("numpy", 0.5)], tf=spec)]
