"""A convolutional network on the embedded MNIST digits, built with `fg.layers`.

conv 5x5x16 + ReLU + 2x2 max-pool, conv 5x5x32 + ReLU + 2x2 max-pool, dense 128 + dropout,
dense 10; softmax cross-entropy (`fg.losses`), Adam. Three epochs over the 4,000 training
digits reach at least 95% accuracy on the 1,000 test digits.

Run: python examples/mnist_cnn.py [--epochs 3] [--max-steps N] [--min-accuracy 0.95]
(`--max-steps` stops training early, e.g. for a quick check; pass a lower
`--min-accuracy` with it.)
"""

from __future__ import annotations

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


def main() -> None:
    # Imported here so that other scripts can load build_cnn from this file by its path.
    from _training import argument_parser, build_graph, load_mnist, train_and_report

    args = argument_parser(__doc__.splitlines()[0], epochs=3, min_accuracy=0.95).parse_args()
    (x_train, y_train), (x_test, y_test) = load_mnist()
    graph, model, init, params = build_graph(build_cnn, args.seed)
    print(f"built a CNN with {params:,} parameters ({len(graph.get_operations())} ops)")
    train_and_report(graph, init, model, args, (x_train[..., None], y_train),
                     (x_test[..., None], y_test), feed={model["training"]: True})


if __name__ == "__main__":
    main()
