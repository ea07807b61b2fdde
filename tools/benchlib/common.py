"""Pieces shared by the workloads: sessions with optional settings, the anchors' problem
data, and the numpy softmax cross-entropy of the hand-written baselines."""

from __future__ import annotations

from typing import Any, Callable, Optional

import numpy as np

import flowgraph as fg


def session(graph: fg.Graph, fusion: Optional[bool] = None, **config: Any) -> fg.Session:
    """A Session on `graph` with ConfigProto fields `config`. ``fusion=False`` turns the
    runtime's elementwise fusion off the TF1 way (``optimizer_options.global_jit_level =
    OFF``); None and True keep the default (fusion on, where this build has it)."""
    proto = fg.ConfigProto(**config)
    options = getattr(proto.graph_options, "optimizer_options", None)
    if fusion is False and options is not None and hasattr(options, "global_jit_level"):
        options.global_jit_level = type(options).OFF
    return fg.Session(graph=graph, config=proto)


def has_fusion_option() -> bool:
    """Whether this build fuses elementwise chains (and can switch it off)."""
    rewrite = getattr(fg.ConfigProto().graph_options, "rewrite_options", None)
    return rewrite is not None and hasattr(rewrite, "elementwise_fusion")


def dense_params(sizes: tuple, seed: int = 0) -> list:
    """He-normal float32 weights and zero biases of a stack of dense layers, drawn exactly
    as the anchors' ``common.dense_params`` draws them (so losses can be compared with
    TF1's)."""
    rng = np.random.default_rng(seed)
    return [(rng.standard_normal((a, b), dtype=np.float32) * np.float32(np.sqrt(2.0 / a)),
             np.zeros(b, np.float32)) for a, b in zip(sizes[:-1], sizes[1:])]


def chain(y: Any, n: int, add: Callable, mul: Callable, tanh: Callable) -> Any:
    """n elementwise ops applied in turn: add, multiply, tanh, add, ..."""
    for i in range(n):
        kind = i % 3
        y = add(y) if kind == 0 else (mul(y) if kind == 1 else tanh(y))
    return y


def numpy_xent(logits: np.ndarray, labels: np.ndarray) -> tuple:
    """(mean sparse softmax cross-entropy, its gradient for the logits) in numpy."""
    rows = np.arange(len(labels))
    top = logits.max(axis=1, keepdims=True)
    exp = np.exp(logits - top)
    total = exp.sum(axis=1, keepdims=True)
    loss = float(np.mean(np.log(total[:, 0]) + top[:, 0] - logits[rows, labels]))
    delta = exp / total
    delta[rows, labels] -= 1
    delta *= np.float32(1.0 / len(labels))
    return loss, delta


def mean_xent_loss(labels: Any, logits: Any) -> Any:
    """The workloads' loss: the mean sparse softmax cross-entropy."""
    return fg.reduce_mean(fg.nn.sparse_softmax_cross_entropy_with_logits(labels=labels,
                                                                         logits=logits))


def mlp_logits(x: Any, params: list) -> Any:
    """A ReLU MLP on `x` with one Variable per weight and bias of `params` (logits out)."""
    h = x
    for i, (w, b) in enumerate(params):
        h = fg.matmul(h, fg.Variable(w)) + fg.Variable(b)
        if i < len(params) - 1:
            h = fg.nn.relu(h)
    return h
