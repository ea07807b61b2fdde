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


def main() -> None:
    # Imported here so that other scripts can load build_lstm from this file by its path.
    from _training import argument_parser, build_graph, load_mnist, train_and_report

    parser = argument_parser(__doc__.splitlines()[0], epochs=4, min_accuracy=0.90)
    parser.add_argument("--rnn", choices=("dynamic", "static"), default="dynamic")
    args = parser.parse_args()
    train, test = load_mnist()
    graph, model, init, params = build_graph(lambda: build_lstm(args.rnn), args.seed)
    print(f"built an LSTM ({args.rnn}_rnn) with {params:,} parameters "
          f"({len(graph.get_operations())} ops)")
    train_and_report(graph, init, model, args, train, test,
                     monitor={"gradient norm": model["global_norm"]})


if __name__ == "__main__":
    main()
