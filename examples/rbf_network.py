"""A radial-basis-function network on problems no linear classifier can solve.

The data are two concentric noisy circles (inner ring class 0, outer ring class 1) and two
interleaved half-moons, generated with numpy. The RBF network computes Gaussian bumps
``exp(-gamma * |x - c_j|^2)`` around learned centres c_j (`fg.nn.rbf`), with a learned
width, and a logistic output layer on top (`fg.layers.dense`, `fg.losses`). A logistic
regression on the raw coordinates is trained the same way for comparison: on the circles it
can do no better than chance, while the RBF network separates both problems.

Run: python examples/rbf_network.py [--centers 16] [--steps 600]
"""

from __future__ import annotations

import argparse

import numpy as np

import flowgraph as fg
import flowgraph.layers as layers
import flowgraph.losses as losses


def circles(n: int, rng: np.random.Generator) -> tuple:
    """Points on rings of radius 0.5 (label 0) and 1.0 (label 1), with Gaussian noise."""
    labels = rng.integers(0, 2, n)
    angles = rng.uniform(0, 2 * np.pi, n)
    radius = np.where(labels == 1, 1.0, 0.5) + rng.normal(0, 0.08, n)
    points = np.stack([radius * np.cos(angles), radius * np.sin(angles)], axis=1)
    return points.astype(np.float32), labels.astype(np.float32)


def moons(n: int, rng: np.random.Generator) -> tuple:
    """Two interleaved half circles (scikit-learn's make_moons), with Gaussian noise."""
    labels = rng.integers(0, 2, n)
    t = rng.uniform(0, np.pi, n)
    x = np.where(labels == 0, np.cos(t), 1 - np.cos(t))
    y = np.where(labels == 0, np.sin(t), 0.5 - np.sin(t))
    points = np.stack([x, y], axis=1) + rng.normal(0, 0.1, (n, 2))
    return points.astype(np.float32), labels.astype(np.float32)


def train(points: np.ndarray, labels: np.ndarray, test: tuple, rbf_centers: int,
          steps: int, seed: int) -> float:
    """Trains an RBF network (or, with 0 centres, logistic regression); returns the test
    accuracy."""
    graph = fg.Graph()
    with graph.as_default():
        fg.set_random_seed(seed)
        x = fg.placeholder(fg.float32, [None, 2], name="x")
        y = fg.placeholder(fg.float32, [None], name="y")
        features = x
        if rbf_centers:
            # Centres start on random training points; the width is learned as a log.
            start = points[np.random.default_rng(seed).choice(len(points), rbf_centers)]
            centers = fg.Variable(start, name="centers")
            log_gamma = fg.Variable(np.log(4.0), dtype=fg.float32, name="log_gamma")
            features = fg.nn.rbf(x, centers, fg.exp(log_gamma))
        logits = fg.squeeze(layers.dense(features, 1), axis=[1])
        loss = losses.sigmoid_cross_entropy(y, logits)
        train_op = fg.train.AdamOptimizer(0.05).minimize(loss)
        correct = fg.equal(fg.cast(logits > 0, fg.float32), y)
        accuracy = fg.reduce_mean(fg.cast(correct, fg.float32))
        init = fg.global_variables_initializer()
    with fg.Session(graph=graph) as sess:
        sess.run(init)
        for _ in range(steps):
            sess.run(train_op, {x: points, y: labels})
        return float(sess.run(accuracy, {x: test[0], y: test[1]}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--centers", type=int, default=16)
    parser.add_argument("--steps", type=int, default=600)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    failures = []
    for name, make in [("circles", circles), ("moons", moons)]:
        points, labels = make(400, rng)
        test = make(400, rng)
        linear = train(points, labels, test, 0, args.steps, args.seed)
        rbf = train(points, labels, test, args.centers, args.steps, args.seed)
        print(f"{name}: linear model test accuracy {linear:.3f}, RBF network "
              f"({args.centers} centres) test accuracy {rbf:.3f}")
        if rbf < 0.95:
            failures.append(f"the RBF network reached only {rbf:.1%} on {name}")
        if name == "circles" and linear > 0.75:
            failures.append(f"the linear model unexpectedly reached {linear:.1%} on circles")
    if failures:
        raise SystemExit("; ".join(failures))
    print("the RBF network separates both problems; a linear model cannot separate the "
          "circles")


if __name__ == "__main__":
    main()
