"""Data-parallel training on a Dask cluster: replicas of a model on different workers, each
on its own shard of every batch, their gradients averaged into one update of shared weights.

This is the synchronous data parallelism that TF1 users build with one replica (tower) per
device, or with between-graph replication and SyncReplicasOptimizer: every replica computes
the gradients of the shared Variables on its shard, and the averaged gradients update the
Variables once per step. Here each replica's nodes are pinned to a Dask worker with
`fg.device("/job:worker/task:N")`; the Session holds the shared Variables (TF1 would keep them
on parameter servers). With equal shards, the averaged gradient is the gradient of the whole
batch, which the script checks before it trains.

Run: python examples/distributed/data_parallel.py [--scheduler tcp://host:8786]
     [--workers 2] [--replicas 4] [--epochs 2]
Without --scheduler it starts a local cluster of --workers worker processes.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

import flowgraph as fg
from flowgraph.datasets import mnist

sys.path.insert(0, str(Path(__file__).resolve().parent))
from cluster import dask_cluster  # noqa: E402


def parse_args(argv: list) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scheduler", default="", help="a Dask scheduler address")
    parser.add_argument("--workers", type=int, default=2, help="Dask workers to spread over")
    parser.add_argument("--replicas", type=int, default=4)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=128, help="split over the replicas")
    parser.add_argument("--max-steps", type=int, default=0, help="stop after this many steps")
    parser.add_argument("--min-accuracy", type=float, default=0.85,
                        help="fail (exit status 1) below this test accuracy")
    return parser.parse_args(argv)


def logits_of(images: fg.Tensor, hidden: int = 128) -> fg.Tensor:
    """The model: 784-hidden-10, its Variables shared by every replica (AUTO_REUSE)."""
    with fg.variable_scope("model", reuse=fg.AUTO_REUSE):
        w1 = fg.get_variable("w1", [784, hidden])
        b1 = fg.get_variable("b1", [hidden], initializer=fg.zeros_initializer())
        w2 = fg.get_variable("w2", [hidden, 10])
        b2 = fg.get_variable("b2", [10], initializer=fg.zeros_initializer())
    return fg.matmul(fg.nn.relu(fg.matmul(images, w1) + b1), w2) + b2


def mean_loss(images: fg.Tensor, labels: fg.Tensor) -> fg.Tensor:
    return fg.reduce_mean(fg.nn.sparse_softmax_cross_entropy_with_logits(
        labels=labels, logits=logits_of(images)))


def build(replicas: int, workers: int, learning_rate: float = 0.1) -> dict:
    optimizer = fg.train.GradientDescentOptimizer(learning_rate)
    shards, replica_grads = [], []
    for i in range(replicas):
        with fg.device(f"/job:worker/task:{i % workers}"), fg.name_scope(f"replica_{i}"):
            images = fg.placeholder(fg.float32, [None, 784], name="images")
            labels = fg.placeholder(fg.int64, [None], name="labels")
            replica_grads.append(optimizer.compute_gradients(mean_loss(images, labels)))
        shards.append((images, labels))
    with fg.name_scope("average"):
        averaged = [(fg.add_n([grads[j][0] for grads in replica_grads]) / float(replicas), var)
                    for j, (_, var) in enumerate(replica_grads[0])]
    global_step = fg.train.get_or_create_global_step()
    train_op = optimizer.apply_gradients(averaged, global_step=global_step)
    # Not replicated: the whole batch's gradient (to check the average) and the accuracy.
    images = fg.placeholder(fg.float32, [None, 784], name="images")
    labels = fg.placeholder(fg.int64, [None], name="labels")
    variables = [var for _, var in averaged]
    whole = fg.gradients(mean_loss(images, labels), variables)
    correct = fg.equal(fg.argmax(logits_of(images), axis=1), labels)
    return {"shards": shards, "averaged": [g for g, _ in averaged], "whole": whole,
            "images": images, "labels": labels, "train_op": train_op,
            "accuracy": fg.reduce_mean(fg.cast(correct, fg.float32))}


def shard_feed(model: dict, images: np.ndarray, labels: np.ndarray) -> dict:
    feed = {}
    replicas = len(model["shards"])
    for (x, y), xs, ys in zip(model["shards"], np.array_split(images, replicas),
                              np.array_split(labels, replicas)):
        feed[x], feed[y] = xs, ys
    return feed


def main(argv: list = None) -> float:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if args.batch_size % args.replicas:
        raise SystemExit("--batch-size must be a multiple of --replicas (equal shards)")
    (x_train, y_train), (x_test, y_test) = mnist.load_embedded(flatten=True, normalize=True)
    graph = fg.Graph()
    with graph.as_default():
        fg.set_random_seed(0)
        model = build(args.replicas, args.workers)
        init = fg.global_variables_initializer()
    rng = np.random.default_rng(0)
    with dask_cluster(args.scheduler, args.workers) as address, \
            fg.Session(address, graph=graph) as sess:
        sess.run(init)
        batch = rng.permutation(len(x_train))[:args.batch_size]
        feed = shard_feed(model, x_train[batch], y_train[batch])
        feed.update({model["images"]: x_train[batch], model["labels"]: y_train[batch]})
        averaged, whole = sess.run([model["averaged"], model["whole"]], feed)
        gap = max(float(np.max(np.abs(a - w))) for a, w in zip(averaged, whole))
        print(f"{args.replicas} replicas on {args.workers} workers: averaged gradients vs "
              f"the whole batch's gradient: max |difference| {gap:.2e}")
        if gap > 1e-5:
            raise SystemExit("the averaged gradients should equal the whole batch's")
        steps, start = 0, time.perf_counter()
        for epoch in range(1, args.epochs + 1):
            order = rng.permutation(len(x_train))
            for first in range(0, len(order) - args.batch_size + 1, args.batch_size):
                batch = order[first:first + args.batch_size]
                sess.run(model["train_op"], shard_feed(model, x_train[batch], y_train[batch]))
                steps += 1
                if steps == args.max_steps:
                    break
            accuracy = sess.run(model["accuracy"], {model["images"]: x_test,
                                                    model["labels"]: y_test})
            print(f"epoch {epoch}: test accuracy {accuracy:.1%} "
                  f"({(time.perf_counter() - start) / steps * 1e3:.1f} ms per step)")
            if steps == args.max_steps:
                break
    print(f"trained {steps} synchronous data-parallel steps; test accuracy: {accuracy:.1%}")
    if accuracy < args.min_accuracy:
        raise SystemExit(f"expected at least {args.min_accuracy:.0%} test accuracy")
    return float(accuracy)


if __name__ == "__main__":
    main()
