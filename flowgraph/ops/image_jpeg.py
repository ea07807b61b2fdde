"""JPEG, BMP and GIF ops of tf.image beyond decode/encode: ExtractJpegShape,
DecodeAndCropJpeg, DecodeBmp and DecodeGif (decoding needs Pillow, as decode_jpeg)."""

from __future__ import annotations

import io
from typing import Any, Optional

import numpy as np

from flowgraph import dtypes, errors
from flowgraph.graph import Tensor
from flowgraph.ops.constant import convert_to_tensor
from flowgraph.ops.image_codecs import _decode_any, _pillow, _with_channels
from flowgraph.ops.registry import Op, apply_op, register
from flowgraph.shapes import TensorShape

__all__: list = []  # exported as fg.image.* (flowgraph.image)

_JPEG_MAGIC = b"\xff\xd8\xff"


def _bytes(contents: Any) -> bytes:
    return bytes(contents.item() if isinstance(contents, np.ndarray) else contents)


def _open(data: bytes, what: str) -> Any:
    try:
        image = _pillow().open(io.BytesIO(data))
        image.load()
    except errors.OpError:
        raise
    except Exception as exc:  # Pillow raises many kinds for a damaged file
        raise errors.InvalidArgumentError(None, None, f"Invalid {what} data or crop window, "
                                          f"could not decode it: {exc}") from None
    return image


@register
class ExtractJpegShape(Op):
    """The [height, width, channels] of the JPEG image in a string scalar (reading only its
    header)."""

    output_type: str = "int32"

    differentiable = False

    def infer(self, op):
        return [(dtypes.as_dtype(self.output_type), TensorShape([3]))]

    def kernel(self, contents):
        data = _bytes(contents)
        if not data.startswith(_JPEG_MAGIC):
            raise errors.InvalidArgumentError(None, None, "Could not parse the JPEG header: "
                                              "not a JPEG file")
        image = _open(data, "JPEG")
        channels = {"L": 1, "1": 1, "CMYK": 4}.get(image.mode, 3)
        width, height = image.size
        return np.array([height, width, channels], dtype=dtypes.as_dtype(self.output_type).np)


@register
class DecodeAndCropJpeg(Op):
    """The crop [y, x, height, width] (crop_window, int32) of a decoded JPEG image."""

    channels: int = 0

    differentiable = False

    def infer(self, op):
        return [(dtypes.uint8, TensorShape([None, None, self.channels or None]))]

    def kernel(self, contents, crop_window):
        image = _decode_any(_bytes(contents), self.channels).astype(np.uint8)
        y, x, h, w = (int(v) for v in np.asarray(crop_window).reshape(-1))
        if y < 0 or x < 0 or h <= 0 or w <= 0 or y + h > image.shape[0] or \
                x + w > image.shape[1]:
            raise errors.InvalidArgumentError(
                None, None, f"Invalid JPEG data or crop window: crop [{y}, {x}, {h}, {w}] of "
                f"an image of {image.shape[0]}x{image.shape[1]}")
        return image[y:y + h, x:x + w]


@register
class DecodeBmp(Op):
    """The uint8 [h, w, channels] image of a BMP file."""

    channels: int = 0

    differentiable = False

    def infer(self, op):
        return [(dtypes.uint8, TensorShape([None, None, self.channels or None]))]

    def kernel(self, contents):
        data = _bytes(contents)
        if not data.startswith(b"BM"):
            raise errors.InvalidArgumentError(None, None, "Not a BMP file (no 'BM' header)")
        image = _open(data, "BMP")
        array = np.asarray(image.convert("RGBA" if "A" in image.mode else "RGB"))
        return _with_channels(array, self.channels).astype(np.uint8)


@register
class DecodeGif(Op):
    """The uint8 [num_frames, h, w, 3] frames of a GIF file."""

    differentiable = False

    def infer(self, op):
        return [(dtypes.uint8, TensorShape([None, None, None, 3]))]

    def kernel(self, contents):
        data = _bytes(contents)
        if not data.startswith(b"GIF"):
            raise errors.InvalidArgumentError(None, None, "Not a GIF file (no 'GIF' header)")
        image = _open(data, "GIF")
        frames = []
        for index in range(getattr(image, "n_frames", 1)):
            image.seek(index)
            frames.append(np.asarray(image.convert("RGB")))
        return np.stack(frames).astype(np.uint8)


def _contents(contents: Any) -> Tensor:
    return convert_to_tensor(contents, dtype=dtypes.string)


def is_jpeg(contents: Any, name: Optional[str] = None) -> Tensor:
    """A bool scalar: whether `contents` starts as a JPEG file (its first three bytes)."""
    from flowgraph.ops.compare import equal
    from flowgraph.ops.elementwise import op_scope
    from flowgraph.ops.strings_extra import substr
    with op_scope(name, "is_jpeg", [contents]):
        return equal(substr(_contents(contents), 0, 3), _JPEG_MAGIC, name=name)


def extract_jpeg_shape(contents: Any, output_type: Any = dtypes.int32,
                       name: Optional[str] = None) -> Tensor:
    """The [height, width, channels] of a JPEG image (int32 or int64)."""
    op_def = ExtractJpegShape(output_type=dtypes.as_dtype(output_type).name)
    return apply_op(op_def, [_contents(contents)], name=name or "ExtractJpegShape")


def decode_and_crop_jpeg(contents: Any, crop_window: Any, channels: int = 0, ratio: int = 1,
                         fancy_upscaling: bool = True, try_recover_truncated: bool = False,
                         acceptable_fraction: float = 1, dct_method: str = "",
                         name: Optional[str] = None) -> Tensor:
    """The crop [y, x, height, width] of a JPEG image (uint8 [height, width, channels])."""
    from flowgraph.ops.registry import constant_value
    window = convert_to_tensor(crop_window, dtype=dtypes.int32)
    image = apply_op(DecodeAndCropJpeg(channels=int(channels)), [_contents(contents), window],
                     name=name or "DecodeAndCropJpeg")
    known = constant_value(window)
    if known is not None and np.size(known) == 4:  # as TF1: the crop's size is known
        _, _, height, width = (int(v) for v in np.asarray(known).reshape(-1))
        image.set_shape([height, width, int(channels) or None])
    return image


def decode_bmp(contents: Any, channels: int = 0, name: Optional[str] = None) -> Tensor:
    """The uint8 [h, w, channels] image of a BMP file's contents (needs Pillow)."""
    return apply_op(DecodeBmp(channels=int(channels)), [_contents(contents)],
                    name=name or "DecodeBmp")


def decode_gif(contents: Any, name: Optional[str] = None) -> Tensor:
    """The uint8 [num_frames, h, w, 3] frames of a GIF file's contents (needs Pillow)."""
    return apply_op(DecodeGif(), [_contents(contents)], name=name or "DecodeGif")


@register
class EncodeJpegVariableQuality(Op):
    """The JPEG file (a string scalar) of a uint8 [h, w, 1 or 3] image at the quality
    (int32 scalar, 0-100) of input 1."""

    differentiable = False

    def infer(self, op):
        op.inputs[0].shape.with_rank(3)
        return [(dtypes.string, TensorShape([]))]

    def kernel(self, image, quality):
        quality = int(quality)
        if not 0 <= quality <= 100:
            raise errors.InvalidArgumentError(None, None, f"quality must be in [0,100], got "
                                              f"{quality}")
        array = np.asarray(image)
        if array.dtype != np.uint8 or array.shape[-1] not in (1, 3):
            raise errors.InvalidArgumentError(None, None, "image must be uint8 with 1 or 3 "
                                              f"channels, got {array.dtype} {array.shape}")
        picture = _pillow().fromarray(array[..., 0] if array.shape[-1] == 1 else array,
                                      "L" if array.shape[-1] == 1 else "RGB")
        buffer = io.BytesIO()
        picture.save(buffer, format="JPEG", quality=quality)
        out = np.empty((), dtype=object)
        out[()] = buffer.getvalue()
        return out
