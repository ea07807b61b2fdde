"""fg.image: TF1's `tf.image` functions on NHWC images (4-D batches or 3-D single images).

Everything here builds ordinary graph ops (usable in any graph, and in `Dataset.map`),
with gradients where TF1 has them: resizes (bilinear, nearest, bicubic), flips,
transposes, rotations, crops and pads, projective transforms, brightness and contrast,
grayscale conversion.

- Geometry: flip_left_right, flip_up_down, random_flip_left_right, random_flip_up_down,
  rot90, transpose_image (transpose), rotate, translate, transform (TF1's
  `tf.contrib.image`), and zoom (a flowgraph extension: scaling about the centre).
- Size: resize_images (resize), resize_bilinear, resize_nearest_neighbor, resize_bicubic,
  resize_area, ResizeMethod, central_crop, random_crop, crop_to_bounding_box,
  pad_to_bounding_box, resize_image_with_crop_or_pad, resize_image_with_pad.
- Colour: adjust_brightness / contrast / saturation / hue / gamma, their random_
  versions, per_image_standardization, rgb_to_grayscale, grayscale_to_rgb, rgb_to_hsv,
  hsv_to_rgb, convert_image_dtype.

>>> flipped = fg.image.random_flip_left_right(images, seed=1)
>>> small = fg.image.resize_images(images, [14, 14])
"""

from flowgraph.image.adjust import (
    adjust_brightness,
    adjust_contrast,
    adjust_gamma,
    adjust_hue,
    adjust_saturation,
    per_image_standardization,
    random_brightness,
    random_contrast,
    random_hue,
    random_saturation,
)
from flowgraph.image.convert import (
    convert_image_dtype,
    grayscale_to_rgb,
    hsv_to_rgb,
    rgb_to_grayscale,
    rgb_to_hsv,
)
from flowgraph.image.crops import (
    central_crop,
    crop_to_bounding_box,
    pad_to_bounding_box,
    random_crop,
    resize_image_with_crop_or_pad,
    resize_with_crop_or_pad,
)
from flowgraph.image.flips import (
    flip_left_right,
    flip_up_down,
    random_flip_left_right,
    random_flip_up_down,
    rot90,
    transpose,
    transpose_image,
)
from flowgraph.image.resize import (
    ResizeMethod,
    resize,
    resize_area,
    resize_bicubic,
    resize_bilinear,
    resize_image_with_pad,
    resize_images,
    resize_nearest_neighbor,
)
from flowgraph.image.transforms import (
    angles_to_projective_transforms,
    rotate,
    transform,
    translate,
    translations_to_projective_transforms,
    zoom,
)

__all__ = [
    "adjust_brightness", "adjust_contrast", "adjust_gamma", "adjust_hue", "adjust_saturation",
    "per_image_standardization", "random_brightness", "random_contrast", "random_hue",
    "random_saturation", "convert_image_dtype", "grayscale_to_rgb", "hsv_to_rgb",
    "rgb_to_grayscale", "rgb_to_hsv", "central_crop", "crop_to_bounding_box",
    "pad_to_bounding_box", "random_crop", "resize_image_with_crop_or_pad",
    "resize_with_crop_or_pad", "flip_left_right", "flip_up_down", "random_flip_left_right",
    "random_flip_up_down", "rot90", "transpose", "transpose_image", "ResizeMethod", "resize",
    "resize_area", "resize_bicubic", "resize_bilinear", "resize_image_with_pad",
    "resize_images", "resize_nearest_neighbor", "angles_to_projective_transforms", "rotate",
    "transform", "translate", "translations_to_projective_transforms", "zoom",
]

# Added by the TF1 fidelity pass.
from flowgraph.image.boxes import (  # noqa: E402,F401
    crop_and_resize,
    draw_bounding_boxes,
    extract_image_patches,
    extract_patches,
    non_max_suppression,
)
from flowgraph.image.jpeg import (  # noqa: E402,F401
    adjust_jpeg_quality,
    decode_and_crop_jpeg,
    decode_bmp,
    decode_gif,
    extract_jpeg_shape,
    is_jpeg,
    random_jpeg_quality,
)
from flowgraph.image.quality import (  # noqa: E402,F401
    image_gradients,
    psnr,
    rgb_to_yiq,
    rgb_to_yuv,
    sobel_edges,
    ssim,
    total_variation,
    yiq_to_rgb,
    yuv_to_rgb,
)
from flowgraph.image.ssim_ms import ssim_multiscale  # noqa: E402,F401
from flowgraph.ops.image_boxes import sample_distorted_bounding_box  # noqa: E402,F401
from flowgraph.ops.image_codecs import (  # noqa: E402,F401
    decode_image,
    decode_jpeg,
    decode_png,
    encode_jpeg,
    encode_png,
)
from flowgraph.ops.image_nms import (  # noqa: E402,F401
    combined_non_max_suppression,
    extract_glimpse,
    non_max_suppression_overlaps,
    non_max_suppression_padded,
    non_max_suppression_with_scores,
)
