"""A convolutional network on the embedded MNIST digits, built with `fg.layers`.

conv 5x5x16 + ReLU + 2x2 max-pool, conv 5x5x32 + ReLU + 2x2 max-pool, dense 128 + dropout,
dense 10; softmax cross-entropy (`fg.losses`), Adam. Three epochs over the 4,000 training
digits reach at least 95% accuracy on the 1,000 test digits.

Run: python examples/mnist_cnn.py [--epochs 3] [--max-steps N] [--min-accuracy 0.95]
(`--max-steps` stops training early, e.g. for a quick check; pass a lower
`--min-accuracy` with it.)
"""

from __future__ import annotations

import argparse
import time

import numpy as np

import flowgraph as fg
import flowgraph.layers as layers
import flowgraph.losses as losses


def build_cnn(learning_rate: float = 2e-3) -> dict:
    """The model: placeholders, logits, loss, train op and accuracy."""
    images = fg.placeholder(fg.float32, [None, 28, 28, 1], name="images")
    labels = fg.placeholder(fg.int64, [None], name="labels")
    training = fg.placeholder_with_default(False, [], name="training")
    h = layers.conv2d(images, 16, 5, padding="same", activation=fg.nn.relu)
    h = layers.max_pooling2d(h, 2, 2)
    h = layers.conv2d(h, 32, 5, padding="same", activation=fg.nn.relu)
    h = layers.max_pooling2d(h, 2, 2)
    h = layers.dense(layers.flatten(h), 128, activation=fg.nn.relu)
    h = layers.dropout(h, rate=0.3, training=training)
    logits = layers.dense(h, 10)
    loss = losses.sparse_softmax_cross_entropy(labels=labels, logits=logits)
    global_step = fg.train.get_or_create_global_step()
    train_op = fg.train.AdamOptimizer(learning_rate).minimize(loss, global_step=global_step)
    with fg.name_scope("accuracy"):
        correct = fg.equal(fg.argmax(logits, axis=1), labels)
        accuracy = fg.reduce_mean(fg.cast(correct, fg.float32))
    return {"images": images, "labels": labels, "training": training, "loss": loss,
            "train_op": train_op, "accuracy": accuracy, "global_step": global_step}


def evaluate(sess: fg.Session, model: dict, x: np.ndarray, y: np.ndarray) -> float:
    """Accuracy over `x` in batches of 500 (inference mode: no dropout)."""
    correct = 0.0
    for first in range(0, len(x), 500):
        batch = slice(first, first + 500)
        accuracy = sess.run(model["accuracy"], {model["images"]: x[batch],
                                                model["labels"]: y[batch]})
        correct += accuracy * len(x[batch])
    return correct / len(x)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--max-steps", type=int, default=None,
                        help="stop after this many training steps")
    parser.add_argument("--min-accuracy", type=float, default=0.95,
                        help="exit with an error below this test accuracy")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    (x_train, y_train), (x_test, y_test) = fg.datasets.mnist.load_embedded(normalize=True)
    x_train, x_test = x_train[..., None], x_test[..., None]
    y_train, y_test = y_train.astype(np.int64), y_test.astype(np.int64)
    graph = fg.Graph()
    with graph.as_default():
        fg.set_random_seed(args.seed)
        model = build_cnn()
        init = fg.global_variables_initializer()
        params = sum(int(np.prod(v.shape.as_list())) for v in fg.trainable_variables())
    print(f"built a CNN with {params:,} parameters ({len(graph.get_operations())} ops)")
    rng = np.random.default_rng(args.seed)
    start = time.perf_counter()
    steps = 0
    accuracy = None
    with fg.Session(graph=graph) as sess:
        sess.run(init)
        for epoch in range(1, args.epochs + 1):
            order = rng.permutation(len(x_train))
            epoch_start, losses_seen = time.perf_counter(), []
            for first in range(0, len(order), args.batch_size):
                if args.max_steps is not None and steps >= args.max_steps:
                    break
                batch = order[first:first + args.batch_size]
                _, loss = sess.run([model["train_op"], model["loss"]],
                                   {model["images"]: x_train[batch],
                                    model["labels"]: y_train[batch], model["training"]: True})
                losses_seen.append(loss)
                steps += 1
            if not losses_seen:
                break
            seconds = time.perf_counter() - epoch_start
            accuracy = evaluate(sess, model, x_test, y_test)
            print(f"epoch {epoch}  loss {np.mean(losses_seen):.4f}  test accuracy "
                  f"{accuracy:.3f}  {len(losses_seen) * args.batch_size / seconds:,.0f} "
                  "examples/s")
        if accuracy is None:
            accuracy = evaluate(sess, model, x_test, y_test)
    print(f"trained {steps} steps in {time.perf_counter() - start:.1f} s")
    print(f"test accuracy: {accuracy:.1%}")
    if accuracy < args.min_accuracy:
        raise SystemExit(f"expected at least {args.min_accuracy:.0%} test accuracy, got "
                         f"{accuracy:.1%}")


if __name__ == "__main__":
    main()
