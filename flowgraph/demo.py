"""The main job: train an MLP on the embedded MNIST digits and report test accuracy."""

from __future__ import annotations

import os
import time
from typing import Any, Callable, Optional

import numpy as np

import flowgraph as fg


def build_mlp(hidden: tuple = (256, 128), learning_rate: float = 1e-3) -> dict:
    """A 784-256-128-10 ReLU network with softmax cross-entropy, trained by Adam."""
    images = fg.placeholder(fg.float32, [None, 784], name="images")
    labels = fg.placeholder(fg.int64, [None], name="labels")
    layer = images
    for i, units in enumerate(hidden + (10,)):
        with fg.variable_scope(f"dense_{i}" if i else "dense"):
            fan_in = layer.shape[1].value
            weights = fg.get_variable("kernel", [fan_in, units])
            bias = fg.get_variable("bias", [units], initializer=fg.zeros_initializer())
            layer = fg.nn.bias_add(fg.matmul(layer, weights), bias)
            if i < len(hidden):
                layer = fg.nn.relu(layer)
    logits = layer
    with fg.name_scope("loss"):
        loss = fg.reduce_mean(fg.nn.sparse_softmax_cross_entropy_with_logits(
            labels=labels, logits=logits))
    global_step = fg.train.get_or_create_global_step()
    train_op = fg.train.AdamOptimizer(learning_rate).minimize(loss, global_step=global_step)
    with fg.name_scope("accuracy"):
        correct = fg.equal(fg.argmax(logits, axis=1), labels)
        accuracy = fg.reduce_mean(fg.cast(correct, fg.float32))
    return {"images": images, "labels": labels, "logits": logits, "loss": loss,
            "train_op": train_op, "accuracy": accuracy, "global_step": global_step}


def train_mnist(epochs: int = 10, batch_size: int = 64, seed: int = 0,
                log: Callable[[str], None] = print, out_dir: Optional[str] = None) -> float:
    """Trains the MLP on the 4,000 training digits; returns accuracy on the 1,000 test ones.

    With `out_dir`, also writes TensorBoard logs (`out_dir/logs`, needs tensorboardX) and a
    picture of the model's graph (`out_dir/mnist_mlp.png`, needs Graphviz's `dot`).
    """
    (x_train, y_train), (x_test, y_test) = fg.datasets.mnist.load_embedded(
        flatten=True, normalize=True)
    y_train = y_train.astype(np.int64)
    y_test = y_test.astype(np.int64)
    graph = fg.Graph()
    with graph.as_default():
        fg.set_random_seed(seed)
        model = build_mlp()
        init = fg.global_variables_initializer()
        fg.summary.scalar("loss", model["loss"])
        fg.summary.scalar("test_accuracy", model["accuracy"], collections=["evaluation"])
        train_summary = fg.summary.merge_all()
        eval_summary = fg.summary.merge_all(key="evaluation")
    log(f"built a graph of {len(graph.get_operations())} ops (forward, gradients and Adam "
        "updates)")
    writer = _draw_and_open_logs(graph, out_dir, log) if out_dir else None
    rng = np.random.default_rng(seed)
    start = time.perf_counter()
    with fg.Session(graph=graph) as sess:
        sess.run(init)
        for epoch in range(1, epochs + 1):
            order = rng.permutation(len(x_train))
            epoch_start = time.perf_counter()
            losses = []
            for first in range(0, len(order), batch_size):
                batch = order[first:first + batch_size]
                feed = {model["images"]: x_train[batch], model["labels"]: y_train[batch]}
                if writer is not None and first == 0:
                    _, loss, summary, step = sess.run(
                        [model["train_op"], model["loss"], train_summary,
                         model["global_step"]], feed_dict=feed)
                    writer.add_summary(summary, step)
                else:
                    _, loss = sess.run([model["train_op"], model["loss"]], feed_dict=feed)
                losses.append(loss)
            seconds = time.perf_counter() - epoch_start
            test_feed = {model["images"]: x_test, model["labels"]: y_test}
            if writer is not None:
                accuracy, summary = sess.run([model["accuracy"], eval_summary], test_feed)
                writer.add_summary(summary, epoch)
            else:
                accuracy = sess.run(model["accuracy"], feed_dict=test_feed)
            log(f"epoch {epoch:2d}  loss {np.mean(losses):.4f}  test accuracy {accuracy:.3f}  "
                f"{len(order) / seconds:,.0f} examples/s")
        steps = sess.run(model["global_step"])
    log(f"trained {steps} steps in {time.perf_counter() - start:.1f} s")
    if writer is not None:
        writer.close()
    return float(accuracy)


def _draw_and_open_logs(graph: fg.Graph, out_dir: str, log: Callable[[str], None]) -> Any:
    """Renders the graph's picture and opens a TensorBoard writer; each is skipped with a
    note when its optional tool is missing."""
    os.makedirs(out_dir, exist_ok=True)
    picture = os.path.join(out_dir, "mnist_mlp.png")
    try:
        fg.viz.render(graph, picture, depth=1)
        log(f"drew the graph: {picture}")
    except fg.errors.UnavailableError as exc:
        log(f"skipped the graph picture: {str(exc).splitlines()[0]}")
    logdir = os.path.join(out_dir, "logs")
    try:
        writer = fg.summary.FileWriter(logdir, graph)
    except ImportError as exc:
        log(f"skipped TensorBoard logs: {exc}")
        return None
    log(f"writing TensorBoard logs to {logdir} (view them: tensorboard --logdir {logdir})")
    return writer
