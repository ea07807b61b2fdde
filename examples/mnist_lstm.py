"""An LSTM reads each embedded MNIST digit as a sequence of 28 rows of 28 pixels.

`fg.nn.dynamic_rnn` runs a BasicLSTMCell (64 units) over the rows; its last output goes
through a dense layer to 10 logits. Adam (its learning rate halving every 150 steps) with
gradients clipped by their global norm (`fg.clip_by_global_norm`). Four epochs over the
4,000 training digits reach at least 90% accuracy on the 1,000 test digits.

Run: python examples/mnist_lstm.py [--epochs 4] [--rnn dynamic|static] [--max-steps N]
[--min-accuracy 0.9]
(`--max-steps` stops training early, e.g. for a quick check; pass a lower `--min-accuracy`
with it. `--rnn static` unrolls the 28 steps in the graph with `fg.nn.static_rnn` instead.)
"""

from __future__ import annotations

import argparse
import time

import numpy as np

import flowgraph as fg

UNITS = 64


def build_lstm(rnn: str = "dynamic", learning_rate: float = 1e-2,
               clip_norm: float = 5.0) -> dict:
    """The model: placeholders, logits, loss, train op and accuracy."""
    images = fg.placeholder(fg.float32, [None, 28, 28], name="images")  # [batch, time, depth]
    labels = fg.placeholder(fg.int64, [None], name="labels")
    cell = fg.nn.rnn_cell.BasicLSTMCell(UNITS)
    if rnn == "dynamic":
        outputs, state = fg.nn.dynamic_rnn(cell, images, dtype=fg.float32)
    else:
        outputs, state = fg.nn.static_rnn(cell, fg.unstack(images, axis=1), dtype=fg.float32)
    logits = fg.layers.dense(state.h, 10, name="classifier")
    loss = fg.reduce_mean(fg.nn.sparse_softmax_cross_entropy_with_logits(labels=labels,
                                                                         logits=logits))
    global_step = fg.train.get_or_create_global_step()
    # The learning rate halves every 150 steps (125 steps make an epoch of batch 32).
    rate = fg.train.exponential_decay(learning_rate, global_step, 150, 0.5)
    optimizer = fg.train.AdamOptimizer(rate)
    grads, variables = zip(*optimizer.compute_gradients(loss))
    clipped, global_norm = fg.clip_by_global_norm(grads, clip_norm)
    train_op = optimizer.apply_gradients(zip(clipped, variables), global_step=global_step)
    with fg.name_scope("accuracy"):
        correct = fg.equal(fg.argmax(logits, axis=1), labels)
        accuracy = fg.reduce_mean(fg.cast(correct, fg.float32))
    return {"images": images, "labels": labels, "loss": loss, "train_op": train_op,
            "accuracy": accuracy, "global_norm": global_norm, "global_step": global_step}


def evaluate(sess: fg.Session, model: dict, x: np.ndarray, y: np.ndarray) -> float:
    """Accuracy over `x` in batches of 500."""
    correct = 0.0
    for first in range(0, len(x), 500):
        batch = slice(first, first + 500)
        accuracy = sess.run(model["accuracy"], {model["images"]: x[batch],
                                                model["labels"]: y[batch]})
        correct += accuracy * len(x[batch])
    return correct / len(x)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--rnn", choices=("dynamic", "static"), default="dynamic")
    parser.add_argument("--max-steps", type=int, default=None,
                        help="stop after this many training steps")
    parser.add_argument("--min-accuracy", type=float, default=0.90,
                        help="exit with an error below this test accuracy")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    (x_train, y_train), (x_test, y_test) = fg.datasets.mnist.load_embedded(normalize=True)
    y_train, y_test = y_train.astype(np.int64), y_test.astype(np.int64)
    graph = fg.Graph()
    with graph.as_default():
        fg.set_random_seed(args.seed)
        model = build_lstm(args.rnn)
        init = fg.global_variables_initializer()
        params = sum(int(np.prod(v.shape.as_list())) for v in fg.trainable_variables())
    print(f"built an LSTM ({args.rnn}_rnn) with {params:,} parameters "
          f"({len(graph.get_operations())} ops)")
    rng = np.random.default_rng(args.seed)
    start = time.perf_counter()
    steps = 0
    accuracy = None
    with fg.Session(graph=graph) as sess:
        sess.run(init)
        for epoch in range(1, args.epochs + 1):
            order = rng.permutation(len(x_train))
            epoch_start, losses, norms = time.perf_counter(), [], []
            for first in range(0, len(order), args.batch_size):
                if args.max_steps is not None and steps >= args.max_steps:
                    break
                batch = order[first:first + args.batch_size]
                _, loss, norm = sess.run(
                    [model["train_op"], model["loss"], model["global_norm"]],
                    {model["images"]: x_train[batch], model["labels"]: y_train[batch]})
                losses.append(loss)
                norms.append(norm)
                steps += 1
            if not losses:
                break
            seconds = time.perf_counter() - epoch_start
            accuracy = evaluate(sess, model, x_test, y_test)
            print(f"epoch {epoch}  loss {np.mean(losses):.4f}  gradient norm "
                  f"{np.mean(norms):.2f}  test accuracy {accuracy:.3f}  "
                  f"{len(losses) * args.batch_size / seconds:,.0f} examples/s")
        if accuracy is None:
            accuracy = evaluate(sess, model, x_test, y_test)
    print(f"trained {steps} steps in {time.perf_counter() - start:.1f} s")
    print(f"test accuracy: {accuracy:.1%}")
    if accuracy < args.min_accuracy:
        raise SystemExit(f"expected at least {args.min_accuracy:.0%} test accuracy, got "
                         f"{accuracy:.1%}")


if __name__ == "__main__":
    main()
