"""The main job: train an MLP on the embedded MNIST digits and report test accuracy."""

from __future__ import annotations

import time
from typing import Callable

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
                log: Callable[[str], None] = print) -> float:
    """Trains the MLP on the 4,000 training digits; returns accuracy on the 1,000 test ones."""
    (x_train, y_train), (x_test, y_test) = fg.datasets.mnist.load_embedded(
        flatten=True, normalize=True)
    y_train = y_train.astype(np.int64)
    y_test = y_test.astype(np.int64)
    graph = fg.Graph()
    with graph.as_default():
        fg.set_random_seed(seed)
        model = build_mlp()
        init = fg.global_variables_initializer()
    log(f"built a graph of {len(graph.get_operations())} ops (forward, gradients and Adam "
        "updates)")
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
                _, loss = sess.run([model["train_op"], model["loss"]],
                                   feed_dict={model["images"]: x_train[batch],
                                              model["labels"]: y_train[batch]})
                losses.append(loss)
            seconds = time.perf_counter() - epoch_start
            accuracy = sess.run(model["accuracy"], feed_dict={model["images"]: x_test,
                                                             model["labels"]: y_test})
            log(f"epoch {epoch:2d}  loss {np.mean(losses):.4f}  test accuracy {accuracy:.3f}  "
                f"{len(order) / seconds:,.0f} examples/s")
        steps = sess.run(model["global_step"])
    log(f"trained {steps} steps in {time.perf_counter() - start:.1f} s")
    return float(accuracy)
