"""Image file codecs of tf.image: PNG encoding and decoding in numpy + zlib (8- and 16-bit
gray, gray-alpha, RGB, RGBA and palette images, not interlaced), and JPEG / GIF / BMP
decoding and JPEG encoding through Pillow when it is installed (`pip install pillow`)."""

from __future__ import annotations

import dataclasses
import io
import struct
import zlib
from typing import Any, Optional

import numpy as np

from flowgraph import dtypes, errors
from flowgraph.ops.constant import convert_to_tensor
from flowgraph.ops.registry import Op, apply_op, register
from flowgraph.shapes import TensorShape

__all__: list = []  # exported as fg.image.* / fg.io.*

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_PNG_CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}


def _invalid(message: str) -> errors.InvalidArgumentError:
    return errors.InvalidArgumentError(None, None, message)


def _chunk(kind: bytes, data: bytes) -> bytes:
    return (struct.pack(">I", len(data)) + kind + data +
            struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))


def encode_png_bytes(image: np.ndarray, compression: int = -1) -> bytes:
    """The PNG file of an [h, w, c] uint8 or uint16 image (c = 1, 2, 3 or 4)."""
    if image.ndim != 3 or image.shape[2] not in (1, 2, 3, 4):
        raise _invalid(f"encode_png needs an image of shape [height, width, 1-4], got "
                       f"{list(image.shape)}")
    height, width, channels = image.shape
    depth = 16 if image.dtype == np.uint16 else 8
    color = {1: 0, 2: 4, 3: 2, 4: 6}[channels]
    rows = image.astype(">u2" if depth == 16 else np.uint8).reshape(height, -1)
    raw = b"".join(b"\x00" + row.tobytes() for row in rows)
    header = struct.pack(">IIBBBBB", width, height, depth, color, 0, 0, 0)
    level = 6 if compression is None or compression < 0 else min(int(compression), 9)
    return (_PNG_SIGNATURE + _chunk(b"IHDR", header) +
            _chunk(b"IDAT", zlib.compress(raw, level)) + _chunk(b"IEND", b""))


def _unfilter(data: bytes, height: int, stride: int, bpp: int) -> np.ndarray:
    out = np.zeros((height, stride), dtype=np.uint8)
    view = np.frombuffer(data, dtype=np.uint8)
    if view.size < height * (stride + 1):
        raise _invalid("PNG image data is truncated")
    prior = np.zeros(stride, dtype=np.int32)
    for y in range(height):
        kind = view[y * (stride + 1)]
        line = view[y * (stride + 1) + 1:(y + 1) * (stride + 1)].astype(np.int32)
        if kind == 0:
            row = line
        elif kind == 2:
            row = (line + prior) & 0xFF
        elif kind in (1, 3, 4):
            row = np.zeros(stride, dtype=np.int32)
            for x in range(stride):
                left = row[x - bpp] if x >= bpp else 0
                if kind == 1:
                    predictor = left
                elif kind == 3:
                    predictor = (left + prior[x]) >> 1
                else:
                    up_left = prior[x - bpp] if x >= bpp else 0
                    p = left + prior[x] - up_left
                    pa, pb, pc = abs(p - left), abs(p - prior[x]), abs(p - up_left)
                    predictor = left if pa <= pb and pa <= pc else (
                        prior[x] if pb <= pc else up_left)
                row[x] = (line[x] + predictor) & 0xFF
        else:
            raise _invalid(f"Unknown PNG filter type {int(kind)}")
        out[y] = row
        prior = row
    return out


def png_bit_depth(data: bytes) -> int:
    """The bit depth a PNG file declares (8 if it has no readable header)."""
    if data.startswith(_PNG_SIGNATURE) and data[12:16] == b"IHDR":
        return data[24]
    return 8


def decode_png_bytes(data: bytes) -> np.ndarray:
    """An [h, w, c] uint8 (or uint16, for 16-bit files) array from a PNG file."""
    if not data.startswith(_PNG_SIGNATURE):
        raise _invalid("Invalid PNG data: the PNG signature is missing")
    pos, header, palette, compressed = 8, None, None, []
    while pos + 8 <= len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"PLTE":
            palette = np.frombuffer(body, dtype=np.uint8).reshape(-1, 3)
        elif kind == b"IDAT":
            compressed.append(body)
        elif kind == b"IEND":
            break
    if header is None:
        raise _invalid("Invalid PNG data: no IHDR chunk")
    width, height, depth, color, _, _, interlace = header
    if interlace:
        raise errors.UnimplementedError(None, None, "Interlaced PNG images are not supported")
    if color not in _PNG_CHANNELS or depth not in (1, 2, 4, 8, 16):
        raise _invalid(f"Unsupported PNG color type {color} / bit depth {depth}")
    channels = _PNG_CHANNELS[color]
    bits = channels * depth
    stride = (width * bits + 7) // 8
    try:
        raw = zlib.decompress(b"".join(compressed))
    except zlib.error as e:
        raise _invalid(f"Invalid PNG data: {e}") from None
    rows = _unfilter(raw, height, stride, max(bits // 8, 1))
    if depth == 16:
        pixels = rows.view(">u2").astype(np.uint16).reshape(height, width, channels)
    elif depth == 8:
        pixels = rows.reshape(height, width, channels)
    else:
        unpacked = np.unpackbits(rows, axis=1).reshape(height, -1, depth)[:, :width * channels]
        weights = 1 << np.arange(depth - 1, -1, -1)
        pixels = (unpacked * weights).sum(axis=2).astype(np.uint8).reshape(
            height, width, channels)
        if color == 0:  # scale low-depth gray to 0..255, as libpng with TF1's settings
            pixels = (pixels.astype(np.uint16) * 255 // ((1 << depth) - 1)).astype(np.uint8)
    if color == 3:
        if palette is None:
            raise _invalid("Invalid PNG data: palette image without a PLTE chunk")
        pixels = palette[pixels[..., 0]]
    return pixels


def _with_channels(image: np.ndarray, channels: int, filler: Optional[int] = None
                   ) -> np.ndarray:
    """The image converted to `channels` channels (0: as stored), as TF1's decoders; an
    added alpha channel holds `filler` (TF1 uses (1 << the file's bit depth) - 1)."""
    have = image.shape[-1]
    if channels in (0, have):
        return image
    gray = have in (1, 2)
    rgb = image[..., :1].repeat(3, axis=-1) if gray else image[..., :3]
    fill = np.iinfo(image.dtype).max if filler is None else filler
    alpha = image[..., -1:] if have in (2, 4) else np.full(image.shape[:-1] + (1,), fill,
                                                           image.dtype)
    if channels == 1:
        if gray:
            return image[..., :1]
        # libpng's fixed-point rgb_to_gray with TF1's weights 0.299, 0.587 (truncating)
        wide = rgb.astype(np.int64)
        luma = (wide[..., 0] * 9798 + wide[..., 1] * 19235 + wide[..., 2] * 3735) >> 15
        return luma[..., None].astype(image.dtype)
    if channels == 3:
        return rgb
    if channels == 4:
        return np.concatenate([rgb, alpha], axis=-1)
    raise _invalid(f"channels must be 0, 1, 3 or 4, got {channels}")


def _pillow() -> Any:
    try:
        from PIL import Image
    except ImportError:
        raise errors.UnimplementedError(
            None, None, "Decoding JPEG, GIF and BMP images needs Pillow: "
            "pip install pillow (PNG needs nothing)") from None
    return Image


def _decode_any(data: bytes, channels: int) -> np.ndarray:
    if data.startswith(_PNG_SIGNATURE):
        return _with_channels(decode_png_bytes(data), channels, (1 << png_bit_depth(data)) - 1)
    image = _pillow().open(io.BytesIO(data))
    if image.mode in ("L", "1"):  # as TF1: a grayscale file decodes to one channel
        return _with_channels(np.asarray(image.convert("L"))[..., None], channels)
    array = np.asarray(image.convert("RGBA" if "A" in image.mode else "RGB"))
    return _with_channels(array, channels)


@dataclasses.dataclass(frozen=True, kw_only=True)
class _DecodeOp(Op):
    channels: int = 0
    dtype: str = "uint8"
    differentiable = False

    def infer(self, op):
        return [(dtypes.as_dtype(self.dtype),
                 TensorShape([None, None, self.channels or None]))]


@register
class DecodePng(_DecodeOp):
    """An [h, w, channels] image from the PNG file in a string scalar."""

    def kernel(self, contents):
        data = bytes(contents.item() if isinstance(contents, np.ndarray) else contents)
        image = _with_channels(decode_png_bytes(data), self.channels,
                               (1 << png_bit_depth(data)) - 1)
        if self.dtype == "uint16" and image.dtype == np.uint8:
            image = image.astype(np.uint16) * 257
        elif self.dtype == "uint8" and image.dtype == np.uint16:
            image = (image // 257).astype(np.uint8)
        return image


@register
class DecodeJpeg(_DecodeOp):
    """An [h, w, channels] uint8 image from a JPEG (or any format Pillow reads)."""

    def kernel(self, contents):
        data = contents.item() if isinstance(contents, np.ndarray) else contents
        return _decode_any(bytes(data), self.channels).astype(np.uint8)


@register
class EncodePng(Op):
    """The PNG file (a string scalar) of an [h, w, c] uint8 or uint16 image."""

    compression: int = -1
    differentiable = False

    def infer(self, op):
        image = op.inputs[0]
        if image.dtype not in (dtypes.uint8, dtypes.uint16):
            raise TypeError(f"encode_png takes uint8 or uint16 images, got "
                            f"{image.dtype.name}")
        image.shape.with_rank(3)
        return [(dtypes.string, TensorShape([]))]

    def kernel(self, image):
        return np.array(encode_png_bytes(np.asarray(image), self.compression), dtype=object)


@register
class EncodeJpeg(Op):
    """The JPEG file (a string scalar) of an [h, w, 1 or 3] uint8 image (needs Pillow)."""

    quality: int = 95
    differentiable = False

    def infer(self, op):
        if op.inputs[0].dtype != dtypes.uint8:
            raise TypeError("encode_jpeg takes uint8 images")
        op.inputs[0].shape.with_rank(3)
        return [(dtypes.string, TensorShape([]))]

    def kernel(self, image):
        array = np.asarray(image)
        mode = "L" if array.shape[-1] == 1 else "RGB"
        picture = _pillow().fromarray(array[..., 0] if mode == "L" else array, mode)
        buffer = io.BytesIO()
        picture.save(buffer, format="JPEG", quality=self.quality)
        return np.array(buffer.getvalue(), dtype=object)


def decode_png(contents: Any, channels: int = 0, dtype: Any = dtypes.uint8,
               name: Optional[str] = None) -> Any:
    """The image (uint8 or uint16 [h, w, channels]) of a PNG file's contents."""
    return apply_op(DecodePng(channels=int(channels), dtype=dtypes.as_dtype(dtype).name),
                    [convert_to_tensor(contents, dtype=dtypes.string)],
                    name=name or "DecodePng")


def decode_jpeg(contents: Any, channels: int = 0, ratio: int = 1,
                fancy_upscaling: bool = True, try_recover_truncated: bool = False,
                acceptable_fraction: float = 1, dct_method: str = "",
                name: Optional[str] = None) -> Any:
    """The uint8 image [h, w, channels] of a JPEG file's contents (needs Pillow)."""
    return apply_op(DecodeJpeg(channels=int(channels)),
                    [convert_to_tensor(contents, dtype=dtypes.string)],
                    name=name or "DecodeJpeg")


def decode_image(contents: Any, channels: Optional[int] = None, dtype: Any = dtypes.uint8,
                 name: Optional[str] = None, expand_animations: bool = True) -> Any:
    """The image of a PNG (or, with Pillow, JPEG / GIF / BMP) file's contents: uint8 [h, w,
    channels], or float in [0, 1] for a float dtype (convert_image_dtype)."""
    image = apply_op(DecodeJpeg(channels=int(channels or 0)),
                     [convert_to_tensor(contents, dtype=dtypes.string)],
                     name=name or "decode_image")
    if dtypes.as_dtype(dtype) != dtypes.uint8:
        from flowgraph.image.convert import convert_image_dtype
        image = convert_image_dtype(image, dtype)
    return image


def encode_png(image: Any, compression: int = -1, name: Optional[str] = None) -> Any:
    """The PNG file (string scalar) of a uint8 or uint16 [h, w, c] image."""
    return apply_op(EncodePng(compression=int(compression)), [convert_to_tensor(image)],
                    name=name or "EncodePng")


def encode_jpeg(image: Any, format: str = "", quality: int = 95,  # noqa: A002
                progressive: bool = False, optimize_size: bool = False,
                chroma_downsampling: bool = True, density_unit: str = "in",
                x_density: int = 300, y_density: int = 300, xmp_metadata: str = "",
                name: Optional[str] = None) -> Any:
    """The JPEG file (string scalar) of a uint8 [h, w, 1 or 3] image (needs Pillow)."""
    return apply_op(EncodeJpeg(quality=int(quality)), [convert_to_tensor(image)],
                    name=name or "EncodeJpeg")
