"""The `flowgraph` command: `flowgraph demo` runs the main job on the embedded MNIST data."""

from __future__ import annotations

import argparse
import sys
import time
from typing import Optional, Sequence


def demo(args: argparse.Namespace) -> int:
    """Builds a nearest-centroid MNIST classifier as a graph, runs it, reports what it did."""
    import numpy as np

    import flowgraph as fg
    from flowgraph.mnist import load_mnist

    data = load_mnist()
    print(f"flowgraph {fg.__version__} demo: nearest-centroid digits on the embedded MNIST "
          f"subset ({len(data.train_labels)} training, {len(data.test_labels)} test images)")
    graph = fg.Graph()
    start = time.perf_counter()
    with graph.as_default():
        images = fg.placeholder(fg.float32, [None, 784], name="images")
        labels = fg.placeholder(fg.int64, [None], name="labels")
        with fg.variable_scope("centroids"):
            centroids = fg.get_variable("means", [10, 784], initializer=fg.zeros_initializer())
        with fg.name_scope("fit"):
            onehot = fg.one_hot(labels, 10, dtype=fg.float32)
            sums = fg.matmul(onehot, images, transpose_a=True)
            counts = fg.reduce_sum(onehot, axis=0)
            fit = fg.assign(centroids, sums / fg.expand_dims(fg.maximum(counts, 1.0), 1))
        with fg.name_scope("predict"):
            # squared distance |x|^2 - 2 x.c + |c|^2 to every centroid
            cross = fg.matmul(images, centroids, transpose_b=True)
            norms = fg.reduce_sum(fg.square(centroids), axis=1)
            distances = norms - 2.0 * cross + fg.reduce_sum(fg.square(images), axis=1,
                                                            keepdims=True)
            predictions = fg.argmin(distances, axis=1)
            accuracy = fg.reduce_mean(fg.cast(fg.equal(predictions, labels), fg.float32))
        init = fg.global_variables_initializer()
    built = time.perf_counter() - start
    print(f"built a graph of {len(graph.get_operations())} ops in {built * 1e3:.1f} ms")
    with fg.Session(graph=graph) as sess:
        sess.run(init)
        sess.run(fit, feed_dict={images: data.train_images, labels: data.train_labels})
        metadata = fg.RunMetadata()
        start = time.perf_counter()
        acc, preds = sess.run([accuracy, predictions],
                              feed_dict={images: data.test_images, labels: data.test_labels},
                              options=fg.RunOptions(trace_level=fg.RunOptions.FULL_TRACE),
                              run_metadata=metadata)
        elapsed = time.perf_counter() - start
    executed = sum(len(d.node_stats) for d in metadata.step_stats.dev_stats)
    print(f"fitted 10 class centroids; the evaluation run executed {executed} of the graph's "
          f"ops (the rest were pruned or preloaded constants) in {elapsed * 1e3:.1f} ms")
    print(f"test accuracy: {acc:.3f}  (first predictions {preds[:10].tolist()}, "
          f"labels {data.test_labels[:10].tolist()})")
    per_class = [float(np.mean(preds[data.test_labels == k] == k)) for k in range(10)]
    print("per-digit accuracy: " + " ".join(f"{k}:{a:.2f}" for k, a in enumerate(per_class)))
    return 0


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Entry point of the `flowgraph` console script and `python -m flowgraph`."""
    parser = argparse.ArgumentParser(prog="flowgraph", description="flowgraph command line")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("demo", help="run the main job on the embedded MNIST data")
    args = parser.parse_args(argv)
    if args.command == "demo":
        return demo(args)
    parser.error(f"unknown command {args.command!r}")
    return 2


if __name__ == "__main__":
    sys.exit(main())
