"""A bidirectional LSTM tags each step of a sequence using context from both sides.

The input is a sequence of random bits; the tag of step t is the majority of
``x[t-1], x[t], x[t+1]`` (with zeros beyond the ends). A forward LSTM has not seen
``x[t+1]`` when it tags step t: when ``x[t-1] != x[t]`` it can only guess, so it cannot do
much better than 75%. `fg.nn.bidirectional_dynamic_rnn` runs a second LSTM backwards over
the sequence, and the concatenated outputs of both directions tag every step correctly.

Run: python examples/bidirectional_rnn.py [--steps 300]
"""

from __future__ import annotations

import argparse
import time

import numpy as np

import flowgraph as fg

TIME = 12
UNITS = 16


def make_batch(rng: np.random.Generator, size: int) -> tuple:
    """(bits [size, TIME, 1] float32, tags [size, TIME] int32)."""
    bits = rng.integers(0, 2, (size, TIME))
    padded = np.pad(bits, ((0, 0), (1, 1)))
    tags = (padded[:, :-2] + bits + padded[:, 2:]) >= 2
    return bits[..., None].astype(np.float32), tags.astype(np.int32)


def build(bidirectional: bool, scope: str) -> dict:
    """A per-step tagger: LSTM outputs (both directions concatenated) -> dense 2."""
    with fg.variable_scope(scope):
        bits = fg.placeholder(fg.float32, [None, TIME, 1], name="bits")
        tags = fg.placeholder(fg.int32, [None, TIME], name="tags")
        if bidirectional:
            (out_fw, out_bw), _ = fg.nn.bidirectional_dynamic_rnn(
                fg.nn.rnn_cell.BasicLSTMCell(UNITS), fg.nn.rnn_cell.BasicLSTMCell(UNITS),
                bits, dtype=fg.float32)
            outputs = fg.concat([out_fw, out_bw], axis=2)  # [batch, time, 2 * UNITS]
        else:
            outputs, _ = fg.nn.dynamic_rnn(fg.nn.rnn_cell.BasicLSTMCell(2 * UNITS), bits,
                                           dtype=fg.float32)
        logits = fg.layers.dense(outputs, 2)  # [batch, time, 2]
        loss = fg.reduce_mean(fg.nn.sparse_softmax_cross_entropy_with_logits(
            labels=tags, logits=logits))
        train_op = fg.train.AdamOptimizer(1e-2).minimize(loss)
        correct = fg.equal(fg.argmax(logits, axis=2, output_type=fg.int32), tags)
        accuracy = fg.reduce_mean(fg.cast(correct, fg.float32))
    return {"bits": bits, "tags": tags, "loss": loss, "train_op": train_op,
            "accuracy": accuracy}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=300)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    rng = np.random.default_rng(args.seed)
    fg.set_random_seed(args.seed)
    models = {"forward LSTM": build(False, "forward"),
              "bidirectional LSTM": build(True, "bidirectional")}
    names = [v.op.name for v in fg.trainable_variables() if v.op.name.endswith("kernel")]
    print("kernels:", ", ".join(names))
    test_bits, test_tags = make_batch(rng, 1000)
    start = time.perf_counter()
    with fg.Session() as sess:
        sess.run(fg.global_variables_initializer())
        for step in range(1, args.steps + 1):
            bits, tags = make_batch(rng, args.batch_size)
            losses = [sess.run([m["train_op"], m["loss"]], {m["bits"]: bits, m["tags"]: tags})[1]
                      for m in models.values()]
            if step % 100 == 0 or step == args.steps:
                print(f"step {step}  loss forward {losses[0]:.3f}, bidirectional "
                      f"{losses[1]:.3f}")
        for name, model in models.items():
            accuracy = sess.run(model["accuracy"], {model["bits"]: test_bits,
                                                    model["tags"]: test_tags})
            print(f"{name}: per-step test accuracy {accuracy:.3f}")
    print(f"trained {args.steps} steps in {time.perf_counter() - start:.1f} s")


if __name__ == "__main__":
    main()
