"""tf.image's JPEG helpers: is_jpeg, extract_jpeg_shape, decode_and_crop_jpeg, decode_bmp,
decode_gif (ops in flowgraph.ops.image_jpeg) and the JPEG-artifact augmentations
adjust_jpeg_quality and random_jpeg_quality."""

from __future__ import annotations

from typing import Any, Optional

from flowgraph import dtypes
from flowgraph.graph import Tensor
from flowgraph.image._util import as_image
from flowgraph.image.convert import convert_image_dtype
from flowgraph.ops.elementwise import op_scope
from flowgraph.ops.image_jpeg import (
    decode_and_crop_jpeg,
    decode_bmp,
    decode_gif,
    extract_jpeg_shape,
    is_jpeg,
)

__all__ = ["adjust_jpeg_quality", "decode_and_crop_jpeg", "decode_bmp", "decode_gif",
           "extract_jpeg_shape", "is_jpeg", "random_jpeg_quality"]


def adjust_jpeg_quality(image: Any, jpeg_quality: Any, name: Optional[str] = None) -> Tensor:
    """The image after a round trip through JPEG at `jpeg_quality` (0-100, an int or int32
    scalar tensor), as TF1: converted to uint8, encoded, decoded and converted back to its
    dtype. One [h, w, 1 or 3] image."""
    from flowgraph.ops.constant import convert_to_tensor
    from flowgraph.ops.image_codecs import decode_jpeg
    from flowgraph.ops.image_jpeg import EncodeJpegVariableQuality
    from flowgraph.ops.registry import apply_op
    with op_scope(name, "adjust_jpeg_quality", [image]):
        image = as_image(image)
        image.shape.with_rank(3)
        orig_dtype = image.dtype
        channels = image.shape.as_tuple()[-1]
        quality = convert_to_tensor(jpeg_quality, dtype=dtypes.int32, name="jpeg_quality")
        encoded = apply_op(EncodeJpegVariableQuality(),
                           [convert_image_dtype(image, dtypes.uint8), quality])
        decoded = decode_jpeg(encoded, channels=channels or 0)
        return convert_image_dtype(decoded, orig_dtype)


def random_jpeg_quality(image: Any, min_jpeg_quality: int, max_jpeg_quality: int,
                        seed: Optional[int] = None) -> Tensor:
    """`adjust_jpeg_quality` at a quality drawn uniformly from
    [min_jpeg_quality, max_jpeg_quality)."""
    from flowgraph.ops.random import random_uniform
    if not (0 <= min_jpeg_quality <= 100 and 0 <= max_jpeg_quality <= 100):
        raise ValueError("jpeg encoding range must be between 0 and 100.")
    if min_jpeg_quality >= max_jpeg_quality:
        raise ValueError("`min_jpeg_quality` must be less than `max_jpeg_quality`.")
    quality = random_uniform([], min_jpeg_quality, max_jpeg_quality, seed=seed,
                             dtype=dtypes.int32)
    return adjust_jpeg_quality(image, quality)
