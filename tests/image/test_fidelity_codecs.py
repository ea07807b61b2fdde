"""PNG / JPEG codecs of fg.image. PNG files are written here by a small independent encoder
using each of the five PNG row filters; the TF1 quirks checked (gray weights, the alpha
filler of low-bit-depth files) were observed on a real TF1 run."""

import io
import struct
import zlib

import numpy as np
import pytest

import flowgraph as fg


def _png(image: np.ndarray, color: int, filters: list, depth: int = 8, palette=None) -> bytes:
    """A PNG file of `image` ([h, w, c] uint8) with row i filtered by filters[i % 5]."""
    height, width = image.shape[:2]
    rows = image.reshape(height, -1).astype(np.int32)
    bpp = max(image.shape[2] if image.ndim == 3 else 1, 1)
    raw = b""
    prior = np.zeros(rows.shape[1], np.int32)
    for y, row in enumerate(rows):
        kind = filters[y % len(filters)]
        left = np.concatenate([np.zeros(bpp, np.int32), row[:-bpp]])
        up_left = np.concatenate([np.zeros(bpp, np.int32), prior[:-bpp]])
        if kind == 0:
            pred = np.zeros_like(row)
        elif kind == 1:
            pred = left
        elif kind == 2:
            pred = prior
        elif kind == 3:
            pred = (left + prior) // 2
        else:
            p = left + prior - up_left
            pa, pb, pc = abs(p - left), abs(p - prior), abs(p - up_left)
            pred = np.where((pa <= pb) & (pa <= pc), left, np.where(pb <= pc, prior, up_left))
        raw += bytes([kind]) + ((row - pred) & 0xFF).astype(np.uint8).tobytes()
        prior = row

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(
            ">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, depth, color, 0, 0, 0)
    extra = chunk(b"PLTE", palette.tobytes()) if palette is not None else b""
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + extra +
            chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def _decode(data: bytes, channels: int = 0, dtype=fg.uint8):
    with fg.Session() as sess:
        return sess.run(fg.image.decode_png(fg.constant(data), channels=channels, dtype=dtype))


IMAGE = (np.random.RandomState(0).rand(6, 5, 3) * 255).astype(np.uint8)


@pytest.mark.parametrize("filters", [[0], [1], [2], [3], [4], [0, 1, 2, 3, 4]])
def test_decode_png_undoes_every_row_filter(filters):
    np.testing.assert_array_equal(_decode(_png(IMAGE, 2, filters)), IMAGE)


def test_decode_png_channel_conversions_as_tf1():
    rgb = _png(IMAGE, 2, [4])
    gray = _decode(rgb, channels=1)[..., 0].astype(int)
    wide = IMAGE.astype(int)
    # TF1 (libpng): (299 R + 587 G + 114 B) in 15-bit fixed point, truncated.
    np.testing.assert_array_equal(gray, (wide[..., 0] * 9798 + wide[..., 1] * 19235 +
                                         wide[..., 2] * 3735) >> 15)
    rgba = _decode(rgb, channels=4)
    assert rgba.shape == (6, 5, 4) and np.all(rgba[..., 3] == 255)
    palette = np.array([[0, 0, 0], [10, 20, 30], [200, 100, 50], [255, 255, 255]], np.uint8)
    indices = (np.arange(30) % 4).astype(np.uint8).reshape(6, 5, 1)
    packed = np.zeros((6, 5, 1), np.uint8)
    packed[...] = indices
    paletted = _png(packed, 3, [0], palette=palette)
    decoded = _decode(paletted, channels=4)
    np.testing.assert_array_equal(decoded[..., :3], palette[indices[..., 0]])
    assert np.all(decoded[..., 3] == 255)  # an 8-bit file: (1 << 8) - 1


def test_encode_png_round_trip_and_names():
    x = fg.constant(IMAGE)
    encoded = fg.image.encode_png(x)
    decoded = fg.image.decode_png(encoded, channels=3)
    assert encoded.name == "EncodePng:0" and decoded.name == "DecodePng:0"
    assert decoded.shape.as_list() == [None, None, 3]
    with fg.Session() as sess:
        data, image = sess.run([encoded, decoded])
    assert data.startswith(b"\x89PNG")
    np.testing.assert_array_equal(image, IMAGE)
    wide = (np.arange(24, dtype=np.uint16) * 1000).reshape(2, 4, 3)
    with fg.Session() as sess:
        back = sess.run(fg.image.decode_png(fg.image.encode_png(fg.constant(wide)),
                                            dtype=fg.uint16))
    np.testing.assert_array_equal(back, wide)


def test_low_bit_depth_alpha_filler_as_tf1():
    pil = pytest.importorskip("PIL.Image")
    buffer = io.BytesIO()
    pil.fromarray(IMAGE[..., 0] > 128).save(buffer, format="PNG")  # a 1-bit gray file
    decoded = _decode(buffer.getvalue(), channels=4)
    np.testing.assert_array_equal(decoded[..., 0], np.where(IMAGE[..., 0] > 128, 255, 0))
    assert np.all(decoded[..., 3] == 1)  # TF1: (1 << bit depth) - 1


def test_jpeg_round_trip_with_pillow():
    pytest.importorskip("PIL.Image")
    flat = fg.fill([8, 8, 3], fg.constant(128, fg.uint8))
    with fg.Session() as sess:
        image = sess.run(fg.image.decode_jpeg(fg.image.encode_jpeg(flat)))
        any_image = sess.run(fg.image.decode_image(fg.image.encode_png(flat)))
    assert image.shape == (8, 8, 3) and np.abs(image.astype(int) - 128).max() <= 2
    assert any_image.shape == (8, 8, 3)
