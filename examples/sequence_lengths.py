"""Variable-length sequences with `fg.nn.dynamic_rnn(..., sequence_length=...)`.

Each example is a sequence of 1 to 19 bits (an odd number, so there is no tie), padded with
random bits up to 20 steps; the label says whether the valid part holds more ones than
zeros.
With `sequence_length`, the LSTM ignores the padding: its outputs past each sequence's end
are zeros, its final state is the state at the sequence's last step, and no gradient comes
from the padding. The same model fed the padded sequences without their lengths reads the
padding as data and does much worse.

Run: python examples/sequence_lengths.py [--steps 600]
"""

from __future__ import annotations

import argparse
import time

import numpy as np

import flowgraph as fg

MAX_TIME = 20
UNITS = 24


def make_batch(rng: np.random.Generator, size: int) -> tuple:
    """(bits [size, MAX_TIME, 1] padded with random bits, lengths [size], labels [size])."""
    lengths = rng.integers(0, MAX_TIME // 2, size) * 2 + 1
    bits = rng.integers(0, 2, (size, MAX_TIME)).astype(np.float32)
    valid = np.arange(MAX_TIME)[None, :] < lengths[:, None]
    labels = ((bits * valid).sum(axis=1) * 2 > lengths).astype(np.int32)
    return bits[..., None], lengths.astype(np.int32), labels


def build(use_lengths: bool, scope: str) -> dict:
    """An LSTM classifier; with `use_lengths`, dynamic_rnn gets the sequence lengths."""
    with fg.variable_scope(scope):
        bits = fg.placeholder(fg.float32, [None, MAX_TIME, 1], name="bits")
        lengths = fg.placeholder(fg.int32, [None], name="lengths")
        labels = fg.placeholder(fg.int32, [None], name="labels")
        cell = fg.nn.rnn_cell.BasicLSTMCell(UNITS)
        outputs, state = fg.nn.dynamic_rnn(cell, bits * 2.0 - 1.0,
                                           sequence_length=lengths if use_lengths else None,
                                           dtype=fg.float32)
        logits = fg.layers.dense(state.h, 2)
        loss = fg.reduce_mean(fg.nn.sparse_softmax_cross_entropy_with_logits(
            labels=labels, logits=logits))
        train_op = fg.train.AdamOptimizer(1e-2).minimize(loss)
        correct = fg.equal(fg.argmax(logits, axis=1, output_type=fg.int32), labels)
        accuracy = fg.reduce_mean(fg.cast(correct, fg.float32))
    return {"bits": bits, "lengths": lengths, "labels": labels, "outputs": outputs,
            "state": state, "loss": loss, "train_op": train_op, "accuracy": accuracy}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=600)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    rng = np.random.default_rng(args.seed)
    fg.set_random_seed(args.seed)
    models = {"with sequence_length": build(True, "masked"),
              "without sequence_length": build(False, "unmasked")}
    test_bits, test_lengths, test_labels = make_batch(rng, 2000)
    start = time.perf_counter()
    with fg.Session() as sess:
        sess.run(fg.global_variables_initializer())
        # What sequence_length guarantees, seen on a few test sequences.
        masked = models["with sequence_length"]
        feeds = {masked["bits"]: test_bits[:8], masked["lengths"]: test_lengths[:8]}
        outputs, state = sess.run([masked["outputs"], masked["state"]], feeds)
        past_end = np.arange(MAX_TIME)[None, :] >= test_lengths[:8, None]
        print(f"outputs past each sequence's end are all zero: "
              f"{bool(np.all(outputs[past_end] == 0))}")
        last = outputs[np.arange(8), test_lengths[:8] - 1]
        print(f"final state h equals the output at each sequence's last step: "
              f"{bool(np.allclose(state.h, last))}")
        for step in range(1, args.steps + 1):
            bits, lengths, labels = make_batch(rng, args.batch_size)
            for model in models.values():
                sess.run(model["train_op"], {model["bits"]: bits, model["lengths"]: lengths,
                                             model["labels"]: labels})
            if step % 200 == 0 or step == args.steps:
                losses = [sess.run(m["loss"], {m["bits"]: bits, m["lengths"]: lengths,
                                               m["labels"]: labels}) for m in models.values()]
                print(f"step {step}  loss with lengths {losses[0]:.3f}, without "
                      f"{losses[1]:.3f}")
        for name, model in models.items():
            accuracy = sess.run(model["accuracy"], {model["bits"]: test_bits,
                                                    model["lengths"]: test_lengths,
                                                    model["labels"]: test_labels})
            print(f"{name}: test accuracy {accuracy:.3f}")
    print(f"trained {args.steps} steps in {time.perf_counter() - start:.1f} s")


if __name__ == "__main__":
    main()
