"""Cases for image_jpeg.py: JPEG headers and crops of flat images, BMP and GIF files made
with Pillow (flat colours survive both exactly)."""

import io

import numpy as np

import flowgraph as fg
from tests.ops.harness import OpCase

try:
    from PIL import Image
except ImportError:  # pragma: no cover - Pillow comes with tensorboard here
    Image = None

FLAT = np.full((5, 7, 3), 100, np.uint8)


def _near_100(outputs, inputs):
    (image,) = outputs
    assert image.shape == (3, 4, 3) and np.abs(image.astype(int) - 100).max() <= 2


def _file(fmt: str, frames: list) -> np.ndarray:
    buffer = io.BytesIO()
    pictures = [Image.fromarray(f) for f in frames]
    if fmt == "GIF":
        pictures[0].save(buffer, format="GIF", save_all=True, append_images=pictures[1:])
    else:
        pictures[0].save(buffer, format=fmt)
    out = np.empty((), dtype=object)
    out[()] = buffer.getvalue()
    return out


RED = np.zeros((2, 3, 3), np.uint8)
RED[..., 0] = 255
BLUE = np.zeros((2, 3, 3), np.uint8)
BLUE[..., 2] = 255

CASES = [
    OpCase("ExtractJpegShape", lambda x: fg.image.extract_jpeg_shape(fg.image.encode_jpeg(x)),
           [FLAT], expected=np.int32([5, 7, 3]), partial_shapes=False),
    OpCase("DecodeAndCropJpeg",
           lambda x: fg.image.decode_and_crop_jpeg(fg.image.encode_jpeg(x), [1, 2, 3, 4]),
           [FLAT], check=_near_100, partial_shapes=False),
    OpCase("EncodeJpegVariableQuality",
           lambda x: fg.image.adjust_jpeg_quality(x, 80)[1:4, 2:6], [FLAT], check=_near_100,
           partial_shapes=False),
]
if Image is not None:
    CASES += [
        OpCase("DecodeBmp", lambda c: fg.image.decode_bmp(c), [_file("BMP", [RED])],
               expected=RED),
        OpCase("DecodeGif", lambda c: fg.image.decode_gif(c), [_file("GIF", [RED, BLUE])],
               expected=np.stack([RED, BLUE])),
    ]
