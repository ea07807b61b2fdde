"""Train the MNIST MLP briefly, export it to ONNX, and check it with ONNX Runtime.

The exported model holds the forward pass only (images -> logits and probabilities), with
the trained weights frozen into it. ONNX Runtime's predictions on the 1,000 test digits
must be those of flowgraph's Session.

Run: python examples/onnx_export.py [--steps 300] [--out mnist_mlp.onnx]
Needs the ONNX extra: pip install "flowgraph[onnx]".
"""

from __future__ import annotations

import argparse
import os
import tempfile

import numpy as np

import flowgraph as fg
import flowgraph.onnx  # noqa: F401  (fg.onnx)
from flowgraph.demo import build_mlp


def train(steps: int, batch_size: int = 64, seed: int = 0) -> tuple:
    """The MLP after `steps` Adam steps: (session, model dict, test images, test labels)."""
    (x_train, y_train), (x_test, y_test) = fg.datasets.mnist.load_embedded(
        flatten=True, normalize=True)
    graph = fg.Graph()
    with graph.as_default():
        fg.set_random_seed(seed)
        model = build_mlp()
        model["probabilities"] = fg.nn.softmax(model["logits"], name="probabilities")
        init = fg.global_variables_initializer()
    sess = fg.Session(graph=graph)
    sess.run(init)
    rng = np.random.default_rng(seed)
    for _ in range(steps):
        batch = rng.integers(0, len(x_train), batch_size)
        sess.run(model["train_op"], {model["images"]: x_train[batch],
                                     model["labels"]: y_train[batch].astype(np.int64)})
    return sess, model, x_test, y_test.astype(np.int64)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=300, help="training steps")
    parser.add_argument("--out", default=None, help="the .onnx file to write (default: a "
                        "temporary folder)")
    args = parser.parse_args()
    import onnxruntime as ort

    sess, model, x_test, y_test = train(args.steps)
    accuracy = sess.run(model["accuracy"], {model["images"]: x_test, model["labels"]: y_test})
    print(f"trained {args.steps} steps: flowgraph test accuracy {accuracy:.1%}")
    with tempfile.TemporaryDirectory() as folder:
        path = args.out or os.path.join(folder, "mnist_mlp.onnx")
        exported = fg.onnx.export(sess, inputs={"images": model["images"]},
                                  outputs={"logits": model["logits"],
                                           "probabilities": model["probabilities"]},
                                  path=path)
        ops = sorted({node.op_type for node in exported.graph.node})
        print(f"exported {path}: {len(exported.graph.node)} nodes ({', '.join(ops)}), "
              f"{len(exported.graph.initializer)} initializers, "
              f"{os.path.getsize(path):,} bytes")
        runtime = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
        logits, probabilities = runtime.run(["logits", "probabilities"], {"images": x_test})
    want_logits, want_probabilities = sess.run([model["logits"], model["probabilities"]],
                                               {model["images"]: x_test})
    sess.close()
    same = np.mean(np.argmax(logits, 1) == np.argmax(want_logits, 1))
    largest = float(np.max(np.abs(probabilities - want_probabilities)))
    onnx_accuracy = np.mean(np.argmax(logits, 1) == y_test)
    print(f"ONNX Runtime test accuracy {onnx_accuracy:.1%}; same predictions as flowgraph: "
          f"{same:.1%}; largest probability difference {largest:.1e}")
    if same < 1.0 or largest > 1e-5:
        raise SystemExit("ONNX Runtime does not reproduce flowgraph's predictions")
    print("ONNX Runtime agrees with flowgraph")


if __name__ == "__main__":
    main()
