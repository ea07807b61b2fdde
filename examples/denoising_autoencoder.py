"""A denoising autoencoder with tied weights on the embedded MNIST digits.

The encoder is ``h = sigmoid(noisy @ W + b)``, the decoder ``x' = sigmoid(h @ W^T + c)``
with the same W (tied weights); a third of each input's pixels are zeroed at random (masking
noise, made in the graph) and the network learns to restore the clean digit. It reports
the test reconstruction error falling, and writes a PNG grid: clean digits, their noisy
versions and the reconstructions (a tiny PNG writer with zlib, no imaging library).

Run: python examples/denoising_autoencoder.py [OUTPUT.png] [--epochs 8] [--zoom 2]
"""

from __future__ import annotations

import argparse
import struct
import zlib

import numpy as np

import flowgraph as fg
import flowgraph.losses as losses


def write_png(path: str, pixels: np.ndarray) -> None:
    """Writes a 2-D uint8 array as an 8-bit grayscale PNG."""
    height, width = pixels.shape

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit gray, no filter
    rows = b"".join(b"\x00" + pixels[r].tobytes() for r in range(height))
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
                + chunk(b"IDAT", zlib.compress(rows, 9)) + chunk(b"IEND", b""))


def image_grid(rows: list, pad: int = 2) -> np.ndarray:
    """Lays out rows of [n, 28, 28] images in [0, 1] as one uint8 picture."""
    n = len(rows[0])
    grid = np.full((len(rows) * (28 + pad) + pad, n * (28 + pad) + pad), 255, np.uint8)
    for r, images in enumerate(rows):
        for c, image in enumerate(images):
            top, left = pad + r * (28 + pad), pad + c * (28 + pad)
            grid[top:top + 28, left:left + 28] = np.clip(image * 255, 0, 255).astype(np.uint8)
    return grid


def build(hidden: int = 256, corruption: float = 1 / 3, learning_rate: float = 3e-3) -> dict:
    """The tied-weight autoencoder; `noisy` is the corrupted input (fed back for the grid)."""
    images = fg.placeholder(fg.float32, [None, 784], name="images")
    keep = fg.cast(fg.random_uniform(fg.shape(images)) >= corruption, fg.float32)
    noisy = fg.identity(images * keep, name="noisy")
    weights = fg.get_variable("W", [784, hidden])
    encoded = fg.sigmoid(fg.matmul(noisy, weights)
                         + fg.get_variable("b", [hidden], initializer=fg.zeros_initializer()))
    logits = fg.matmul(encoded, fg.transpose(weights)) + fg.get_variable(
        "c", [784], initializer=fg.zeros_initializer())
    reconstruction = fg.sigmoid(logits, name="reconstruction")
    loss = losses.sigmoid_cross_entropy(images, logits)
    error = fg.reduce_mean(fg.square(reconstruction - images), name="reconstruction_error")
    train_op = fg.train.AdamOptimizer(learning_rate).minimize(loss)
    return {"images": images, "noisy": noisy, "reconstruction": reconstruction,
            "loss": loss, "error": error, "train_op": train_op}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("output", nargs="?", default="autoencoder.png",
                        help="where to write the PNG grid (default: ./autoencoder.png)")
    parser.add_argument("--epochs", type=int, default=8)
    parser.add_argument("--zoom", type=int, default=2, help="pixel size in the PNG")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    (x_train, _), (x_test, _) = fg.datasets.mnist.load_embedded(flatten=True, normalize=True)
    graph = fg.Graph()
    with graph.as_default():
        fg.set_random_seed(args.seed)
        model = build()
        init = fg.global_variables_initializer()
    rng = np.random.default_rng(args.seed)
    with fg.Session(graph=graph) as sess:
        sess.run(init)
        errors = [sess.run(model["error"], {model["images"]: x_test})]
        print(f"before training: test reconstruction error (MSE) {errors[0]:.4f}")
        for epoch in range(1, args.epochs + 1):
            order = rng.permutation(len(x_train))
            for first in range(0, len(order), 64):
                sess.run(model["train_op"], {model["images"]: x_train[order[first:first + 64]]})
            errors.append(sess.run(model["error"], {model["images"]: x_test}))
            print(f"epoch {epoch}: test reconstruction error (MSE) {errors[-1]:.4f}")
        sample = x_test[::100][:10]
        noisy, restored = sess.run([model["noisy"], model["reconstruction"]],
                                   {model["images"]: sample})
    grid = image_grid([sample.reshape(-1, 28, 28), noisy.reshape(-1, 28, 28),
                       restored.reshape(-1, 28, 28)])
    grid = np.repeat(np.repeat(grid, args.zoom, axis=0), args.zoom, axis=1)
    write_png(args.output, grid)
    print(f"wrote {args.output} ({grid.shape[1]}x{grid.shape[0]}): clean digits, noisy "
          "inputs, reconstructions")
    falling = all(b < a for a, b in zip(errors, errors[1:]))
    if not falling or errors[-1] > 0.5 * errors[0]:
        raise SystemExit(f"expected the reconstruction error to fall every epoch to under "
                         f"half its start; got {[round(float(e), 4) for e in errors]}")
    print(f"reconstruction error fell from {errors[0]:.4f} to {errors[-1]:.4f}")


if __name__ == "__main__":
    main()
