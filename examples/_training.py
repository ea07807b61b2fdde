"""The training loop shared by the MNIST examples (mnist_cnn.py, mnist_lstm.py); not an
example itself.

It gives them their common command line (--epochs, --batch-size, --max-steps,
--min-accuracy, --seed), the embedded digits, and a run: the model built in a new graph,
epochs over shuffled mini-batches with a report after each (mean loss, the means of any
monitored tensors, test accuracy, examples per second), and the final check of the test
accuracy against --min-accuracy.
"""

from __future__ import annotations

import argparse
import time
from typing import Callable, Optional

import numpy as np

import flowgraph as fg


def argument_parser(description: str, epochs: int,
                    min_accuracy: float) -> argparse.ArgumentParser:
    """The options every MNIST example takes; an example may add its own."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--epochs", type=int, default=epochs)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--max-steps", type=int, default=None,
                        help="stop after this many training steps")
    parser.add_argument("--min-accuracy", type=float, default=min_accuracy,
                        help="exit with an error below this test accuracy")
    parser.add_argument("--seed", type=int, default=0)
    return parser


def load_mnist() -> tuple:
    """((x_train, y_train), (x_test, y_test)): the embedded digits, pixels in [0, 1] as
    [n, 28, 28] float32, labels int64."""
    (x_train, y_train), (x_test, y_test) = fg.datasets.mnist.load_embedded(normalize=True)
    return (x_train, y_train.astype(np.int64)), (x_test, y_test.astype(np.int64))


def build_graph(build_model: Callable[[], dict], seed: int) -> tuple:
    """(graph, model, init op, number of trainable parameters) for `build_model()` (a dict
    with at least images, labels, loss, train_op and accuracy) built in a new graph with
    the graph-level random seed `seed`."""
    graph = fg.Graph()
    with graph.as_default():
        fg.set_random_seed(seed)
        model = build_model()
        init = fg.global_variables_initializer()
        params = sum(int(np.prod(v.shape.as_list())) for v in fg.trainable_variables())
    return graph, model, init, params


def evaluate(sess: fg.Session, model: dict, x: np.ndarray, y: np.ndarray) -> float:
    """Accuracy over `x` in batches of 500 (inference mode: the model's defaults)."""
    correct = 0.0
    for first in range(0, len(x), 500):
        batch = slice(first, first + 500)
        accuracy = sess.run(model["accuracy"], {model["images"]: x[batch],
                                                model["labels"]: y[batch]})
        correct += accuracy * len(x[batch])
    return correct / len(x)


def train_and_report(graph: fg.Graph, init: fg.Operation, model: dict,
                     args: argparse.Namespace, train: tuple, test: tuple,
                     feed: Optional[dict] = None, monitor: Optional[dict] = None) -> None:
    """Trains on `train` ((x, y)) for ``args.epochs`` epochs (at most ``args.max_steps``
    steps), printing a report after each epoch, then the final test accuracy; exits with an
    error when it is below ``args.min_accuracy``.

    `feed` is added to each training step's feed (e.g. ``{training: True}``); `monitor`
    names tensors fetched at each step whose means the epoch report shows after the loss
    (e.g. ``{"gradient norm": global_norm}``).
    """
    x_train, y_train = train
    monitor = monitor or {}
    fetches = [model["train_op"], model["loss"], list(monitor.values())]
    rng = np.random.default_rng(args.seed)
    start = time.perf_counter()
    steps = 0
    accuracy = None
    with fg.Session(graph=graph) as sess:
        sess.run(init)
        for epoch in range(1, args.epochs + 1):
            order = rng.permutation(len(x_train))
            epoch_start, losses, seen = time.perf_counter(), [], []
            for first in range(0, len(order), args.batch_size):
                if args.max_steps is not None and steps >= args.max_steps:
                    break
                batch = order[first:first + args.batch_size]
                _, loss, values = sess.run(fetches, {model["images"]: x_train[batch],
                                                     model["labels"]: y_train[batch],
                                                     **(feed or {})})
                losses.append(loss)
                seen.append(values)
                steps += 1
            if not losses:
                break
            seconds = time.perf_counter() - epoch_start
            accuracy = evaluate(sess, model, *test)
            means = np.mean(seen, axis=0) if monitor else []
            watched = "".join(f"  {name} {mean:.2f}" for name, mean in zip(monitor, means))
            print(f"epoch {epoch}  loss {np.mean(losses):.4f}{watched}  test accuracy "
                  f"{accuracy:.3f}  {len(losses) * args.batch_size / seconds:,.0f} "
                  "examples/s")
        if accuracy is None:
            accuracy = evaluate(sess, model, *test)
    print(f"trained {steps} steps in {time.perf_counter() - start:.1f} s")
    print(f"test accuracy: {accuracy:.1%}")
    if accuracy < args.min_accuracy:
        raise SystemExit(f"expected at least {args.min_accuracy:.0%} test accuracy, got "
                         f"{accuracy:.1%}")
