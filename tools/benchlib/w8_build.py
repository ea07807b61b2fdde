"""W8: graph construction. Building a 10,000-node elementwise chain (microseconds per node),
and fg.gradients of a 20-layer, width-256 MLP's loss for its 42 Variables (milliseconds).
Targets: at most 20 us per node; at most 30 ms for the gradients."""

from __future__ import annotations

import gc
import time

import numpy as np

import flowgraph as fg
from benchlib.common import chain, dense_params, mean_xent_loss
from benchlib.report import Row, Target, TfSpec
from benchlib.timing import Settings

LAYERS, WIDTH, BATCH = 20, 256, 64


def build_chain(nodes: int) -> float:
    """Seconds per node of building an `nodes`-op chain in a fresh graph."""
    graph = fg.Graph()
    with graph.as_default():
        start = time.perf_counter()
        x = fg.placeholder(fg.float32, (16,))
        half, scale = fg.constant(0.5), fg.constant(0.9)
        chain(x, nodes, lambda v: fg.add(v, half), lambda v: fg.multiply(v, scale), fg.tanh)
        return (time.perf_counter() - start) / nodes


def build_gradients() -> float:
    """Seconds taken by fg.gradients of the MLP's loss for its Variables."""
    graph = fg.Graph()
    with graph.as_default():
        x = fg.placeholder(fg.float32, (BATCH, WIDTH))
        y = fg.placeholder(fg.int32, (BATCH,))
        h, variables = x, []
        for i, (w, b) in enumerate(dense_params((WIDTH,) * (LAYERS + 1) + (10,), seed=6)):
            weight, bias = fg.Variable(w), fg.Variable(b)
            variables += [weight, bias]
            h = fg.matmul(h, weight) + bias
            if i < LAYERS:
                h = fg.nn.relu(h)
        loss = mean_xent_loss(y, h)
        start = time.perf_counter()
        grads = fg.gradients(loss, variables)
        elapsed = time.perf_counter() - start
        if any(g is None for g in grads):
            raise RuntimeError("W8: a Variable of the MLP got no gradient")
        return elapsed


def _collected(fn, *args) -> float:
    gc.collect()
    return fn(*args)


def run(settings: Settings) -> list:
    nodes = 1000 if settings.quick else 10_000
    repeats = 1 if settings.quick else 3
    # Each repetition starts with the previous one's graph collected: its 10,000 nodes are
    # reference cycles that would otherwise stay until a collection in the middle of the
    # next build, scanning them (11-16 instead of 8 us/node, measured).
    per_node = float(np.median([_collected(build_chain, nodes) for _ in range(repeats)]))
    grads = float(np.median([_collected(build_gradients) for _ in range(repeats)]))
    return [Row("W8", f"build a {nodes:,}-node elementwise chain", "us/node", per_node * 1e6,
                targets=[Target("value", 20)],
                tf=TfSpec("w8_graph_build.py", "W8", "build", "build_us_per_node")),
            Row("W8", f"fg.gradients of a {LAYERS}-layer width-{WIDTH} MLP", "ms",
                grads * 1e3, targets=[Target("value", 30)],
                tf=TfSpec("w8_graph_build.py", "W8", f"{LAYERS}-layer", "gradients_s", 1e3))]
