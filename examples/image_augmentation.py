"""Data augmentation with fg.image on the embedded MNIST digits, drawn as one PNG grid.

Each row of the picture is one augmentation of the same test digits (one per column):

  1. the originals              6. a quarter turn (rot90) and a transpose
  2. random rotations (+-30 deg)   7. hue-rotated colours (grayscale_to_rgb + adjust_hue)
  3. left-right flips            8. random hue and saturation, brightness and contrast
  4. random shifts (+-5 px)      9. everything at random: flip, rotate, zoom, shift, colour
  5. random zooms (0.6x - 1.4x)

All of them are ordinary graph ops (seeded, so every run draws the same picture); the PNG
is written with zlib and struct, no imaging library.

Run: python examples/image_augmentation.py [OUTPUT.png] [--digits 10] [--zoom 3] [--seed 0]
"""

from __future__ import annotations

import argparse
import math
import struct
import zlib

import numpy as np

import flowgraph as fg
import flowgraph.image  # noqa: F401 - fg.image

ROWS = ["originals", "random rotations", "left-right flips", "random shifts",
        "random zooms", "rot90 / transpose", "hue-rotated colours",
        "random hue, saturation, brightness, contrast", "all at random"]


def write_png(path: str, pixels: np.ndarray) -> None:
    """Writes an [height, width, 3] uint8 array as an 8-bit RGB PNG."""
    height, width, _ = pixels.shape

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB
    rows = b"".join(b"\x00" + pixels[r].tobytes() for r in range(height))
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
                + chunk(b"IDAT", zlib.compress(rows, 9)) + chunk(b"IEND", b""))


def image_grid(rows: list, pad: int = 2) -> np.ndarray:
    """Lays out rows of [n, 28, 28, 3] images in [0, 1] as one uint8 RGB picture on a
    light gray background."""
    n = len(rows[0])
    size = 28 + pad
    grid = np.full((len(rows) * size + pad, n * size + pad, 3), 200, np.uint8)
    for r, images in enumerate(rows):
        for c, image in enumerate(images):
            top, left = pad + r * size, pad + c * size
            grid[top:top + 28, left:left + 28] = np.clip(image * 255 + 0.5, 0, 255)
    return grid


def colour(gray: fg.Tensor, tint=(1.0, 0.3, 0.15)) -> fg.Tensor:
    """Gray digits [n, 28, 28, 1] as RGB strokes of the `tint` colour on black."""
    return fg.image.grayscale_to_rgb(gray) * fg.constant(np.float32(tint))


def build(digits: int, seed: int) -> tuple:
    """(placeholder for [digits, 28, 28, 1] images in [0, 1], list of the grid's rows)."""
    fg.set_random_seed(seed)
    x = fg.placeholder(fg.float32, [digits, 28, 28, 1], name="digits")
    image = fg.image
    limit = math.radians(30)
    rotated = image.rotate(x, fg.random_uniform([digits], -limit, limit), "BILINEAR")
    shifted = image.translate(x, fg.random_uniform([digits, 2], -5.0, 5.0))
    zoomed = image.zoom(x, fg.random_uniform([digits], 0.6, 1.4), "BILINEAR")
    half = digits // 2
    turned = fg.concat([image.rot90(x[:half]), image.transpose_image(x[half:])], 0)
    tinted = colour(x)
    hues = fg.concat([image.adjust_hue(tinted[i:i + 1], i / digits) for i in range(digits)],
                     0)
    jittered = []
    for i in range(digits):
        one = colour(x[i:i + 1], (0.2, 0.5, 1.0))
        one = image.random_hue(one, 0.5)
        one = image.random_saturation(one, 0.3, 1.0)
        one = image.random_brightness(one, 0.2)
        jittered.append(image.random_contrast(one, 0.6, 1.4))
    everything = image.random_flip_left_right(x)
    everything = image.rotate(everything, fg.random_uniform([digits], -limit, limit),
                              "BILINEAR")
    everything = image.zoom(everything, fg.random_uniform([digits], 0.7, 1.3), "BILINEAR")
    everything = image.translate(everything, fg.random_uniform([digits, 2], -4.0, 4.0))
    everything = fg.concat([image.random_hue(colour(everything[i:i + 1]), 0.5)
                            for i in range(digits)], 0)
    rows = [colour(x, (1, 1, 1)), colour(rotated, (1, 1, 1)),
            colour(image.flip_left_right(x), (1, 1, 1)), colour(shifted, (1, 1, 1)),
            colour(zoomed, (1, 1, 1)), colour(turned, (1, 1, 1)), hues,
            fg.clip_by_value(fg.concat(jittered, 0), 0.0, 1.0),
            fg.clip_by_value(everything, 0.0, 1.0)]
    return x, rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("output", nargs="?", default="augmentation.png",
                        help="where to write the PNG grid (default: ./augmentation.png)")
    parser.add_argument("--digits", type=int, default=10, help="digits per row (columns)")
    parser.add_argument("--zoom", type=int, default=3, help="pixel size in the PNG")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    _, (x_test, y_test) = fg.datasets.mnist.load_embedded(normalize=True)
    # One digit of each class 0, 1, 2, ... in turn.
    picks = [int(np.flatnonzero(y_test == d % 10)[d // 10]) for d in range(args.digits)]
    sample = x_test[picks][..., None]
    graph = fg.Graph()
    with graph.as_default():
        x, rows = build(args.digits, args.seed)
    with fg.Session(graph=graph) as sess:
        values = sess.run(rows, {x: sample})
    grid = image_grid(values)
    grid = np.repeat(np.repeat(grid, args.zoom, axis=0), args.zoom, axis=1)
    write_png(args.output, grid)
    print(f"wrote {args.output} ({grid.shape[1]}x{grid.shape[0]}): {len(rows)} rows of "
          f"{args.digits} digits")
    for number, name in enumerate(ROWS, 1):
        print(f"  row {number}: {name}")


if __name__ == "__main__":
    main()
