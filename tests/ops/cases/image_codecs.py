"""Cases for image_codecs.py: PNG round trips (exact; gray as TF1: libpng's fixed-point
weights) and JPEG of a flat image (Pillow, which tensorboard brings)."""

import numpy as np

import flowgraph as fg
from tests.ops.harness import OpCase

IMAGE = (np.arange(2 * 3 * 3) * 7 % 256).astype(np.uint8).reshape(2, 3, 3)


def _check_jpeg(outputs, inputs):
    (image,) = outputs
    assert image.shape == (4, 4, 3) and np.abs(image.astype(int) - 100).max() <= 2


CASES = [
    OpCase("EncodePng", lambda x: fg.image.decode_png(fg.image.encode_png(x)), [IMAGE],
           expected=IMAGE, partial_shapes=False),
    OpCase("DecodePng", lambda x: fg.image.decode_png(fg.image.encode_png(x), channels=4),
           [IMAGE], expected=np.concatenate([IMAGE, np.full((2, 3, 1), 255, np.uint8)], -1),
           partial_shapes=False),
    OpCase("EncodeJpeg", lambda x: fg.image.decode_jpeg(fg.image.encode_jpeg(x)),
           [np.full((4, 4, 3), 100, np.uint8)], check=_check_jpeg, partial_shapes=False),
    # decode_image reads PNG without Pillow (JPEG needs it: EncodeJpeg's case).
    OpCase("DecodeJpeg", lambda x: fg.image.decode_image(fg.image.encode_png(x), channels=1),
           [IMAGE], expected=((IMAGE.astype(int) @ [9798, 19235, 3735]) >> 15)
           .astype(np.uint8)[..., None], partial_shapes=False),
]
