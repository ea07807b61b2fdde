"""Train the MNIST MLP (the model of `flowgraph demo`) on a Dask cluster.

The graph is built as for a local Session; only the Session's target changes. Each
`sess.run` becomes a Dask graph that runs on the cluster's workers; the Variables stay in
the Session, so the training loop is the usual one.

Run: python examples/distributed/mnist_mlp.py [--scheduler tcp://host:8786] [--epochs 3]
Without --scheduler it starts a local cluster of two worker processes.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

import flowgraph as fg
from flowgraph.datasets import mnist
from flowgraph.demo import build_mlp

sys.path.insert(0, str(Path(__file__).resolve().parent))
from cluster import dask_cluster  # noqa: E402


def parse_args(argv: list) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scheduler", default="", help="a Dask scheduler address")
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--max-steps", type=int, default=0, help="stop after this many steps")
    parser.add_argument("--min-accuracy", type=float, default=0.9,
                        help="fail (exit status 1) below this test accuracy")
    return parser.parse_args(argv)


def main(argv: list = None) -> float:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    (x_train, y_train), (x_test, y_test) = mnist.load_embedded(flatten=True, normalize=True)
    graph = fg.Graph()
    with graph.as_default():
        fg.set_random_seed(0)
        model = build_mlp(hidden=(128, 64))
        init = fg.global_variables_initializer()
    rng = np.random.default_rng(0)
    with dask_cluster(args.scheduler) as address, fg.Session(address, graph=graph) as sess:
        sess.run(init)
        steps, start = 0, time.perf_counter()
        for epoch in range(1, args.epochs + 1):
            order = rng.permutation(len(x_train))
            losses = []
            for first in range(0, len(order), args.batch_size):
                batch = order[first:first + args.batch_size]
                _, loss = sess.run([model["train_op"], model["loss"]],
                                   {model["images"]: x_train[batch],
                                    model["labels"]: y_train[batch]})
                losses.append(loss)
                steps += 1
                if steps == args.max_steps:
                    break
            print(f"epoch {epoch}: loss {np.mean(losses):.4f} "
                  f"({(time.perf_counter() - start) / steps * 1e3:.1f} ms per step)")
            if steps == args.max_steps:
                break
        accuracy = sess.run(model["accuracy"], {model["images"]: x_test,
                                                model["labels"]: y_test})
    print(f"trained {steps} steps on the cluster; test accuracy: {accuracy:.1%}")
    if accuracy < args.min_accuracy:
        raise SystemExit(f"expected at least {args.min_accuracy:.0%} test accuracy")
    return float(accuracy)


if __name__ == "__main__":
    main()
