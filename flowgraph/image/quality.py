"""Image measures and filters built from other ops, as TF1's image_ops_impl builds them:
total_variation, image_gradients, sobel_edges, psnr, ssim, and the YIQ / YUV colour
spaces. All are differentiable where TF1's are."""

from __future__ import annotations

import math
from typing import Any, Optional

import numpy as np

from flowgraph import dtypes
from flowgraph.graph import Tensor
from flowgraph.image._util import as_image
from flowgraph.ops.elementwise import op_scope

__all__ = ["total_variation", "image_gradients", "sobel_edges", "psnr", "ssim", "rgb_to_yiq",
           "yiq_to_rgb", "rgb_to_yuv", "yuv_to_rgb"]


def total_variation(images: Any, name: Optional[str] = None) -> Tensor:
    """The sum of absolute differences of neighbouring pixels (vertically and
    horizontally): a scalar for a 3-D image, one value per image for a 4-D batch."""
    from flowgraph.ops.math import add, subtract
    from flowgraph.ops.reduce import reduce_sum
    from flowgraph.ops.unary import abs as abs_
    with op_scope(name, "total_variation", [images]):
        images = as_image(images, "images")
        ndims = images.shape.ndims
        if ndims == 3:
            dif1 = subtract(images[1:, :, :], images[:-1, :, :])
            dif2 = subtract(images[:, 1:, :], images[:, :-1, :])
            axis = None
        elif ndims == 4:
            dif1 = subtract(images[:, 1:, :, :], images[:, :-1, :, :])
            dif2 = subtract(images[:, :, 1:, :], images[:, :, :-1, :])
            axis = [1, 2, 3]
        else:
            raise ValueError("'images' must be either 3 or 4-dimensional.")
        return add(reduce_sum(abs_(dif1), axis=axis), reduce_sum(abs_(dif2), axis=axis))


def image_gradients(image: Any) -> tuple:
    """(dy, dx): forward differences of a 4-D batch along height and width, zero in the last
    row / column (shapes equal the input's)."""
    from flowgraph.ops.array import concat
    from flowgraph.ops.fill import zeros_like
    from flowgraph.ops.math import subtract
    image = as_image(image)
    if image.shape.ndims != 4:
        raise ValueError(f"image_gradients expects a 4D tensor [batch_size, h, w, d], not "
                         f"{image.shape}.")
    dy = subtract(image[:, 1:, :, :], image[:, :-1, :, :])
    dx = subtract(image[:, :, 1:, :], image[:, :, :-1, :])
    dy = concat([dy, zeros_like(image[:, :1, :, :])], 1)
    dx = concat([dx, zeros_like(image[:, :, :1, :])], 2)
    return dy, dx


def sobel_edges(image: Any) -> Tensor:
    """The Sobel responses of each channel of a 4-D batch: [batch, h, w, d, 2] (vertical
    then horizontal), with the image REFLECT-padded by one pixel."""
    from flowgraph.ops.array import concat
    from flowgraph.ops.conv_depthwise import depthwise_conv2d
    from flowgraph.ops.pad import pad
    from flowgraph.ops.shape_ops import reshape, shape
    image = as_image(image)
    channels = image.shape[-1].value if image.shape.ndims else None
    if channels is None:
        raise ValueError("sobel_edges needs the number of channels known when the graph "
                         "is built")
    kernels = np.array([[[-1, -2, -1], [0, 0, 0], [1, 2, 1]],
                        [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]]], np.float64)
    filters = np.transpose(kernels, (1, 2, 0))[:, :, None, :]          # [3, 3, 1, 2]
    filters = np.tile(filters, (1, 1, channels, 1)).astype(image.dtype.np)
    padded = pad(image, [[0, 0], [1, 1], [1, 1], [0, 0]], mode="REFLECT")
    edges = depthwise_conv2d(padded, filters, [1, 1, 1, 1], "VALID")
    return reshape(edges, concat([shape(image), [2]], 0))


def _float_images(a: Tensor) -> Tensor:
    from flowgraph.image.convert import convert_image_dtype
    return convert_image_dtype(a, dtypes.float32) if not a.dtype.is_floating else a


def _float_max(max_val: Tensor) -> Tensor:
    """`max_val` (already in the images' dtype) on the float scale the images are converted
    to, as TF1: 255 for uint8 images becomes 1.0."""
    return _float_images(max_val)


def psnr(a: Any, b: Any, max_val: Any, name: Optional[str] = None) -> Tensor:
    """The peak signal-to-noise ratio (dB) between images a and b (over the last three
    dimensions), for pixel values in [0, max_val]."""
    from flowgraph.ops.cast import cast
    from flowgraph.ops.math import multiply, squared_difference, subtract
    from flowgraph.ops.reduce import reduce_mean
    from flowgraph.ops.unary import log
    with op_scope(name, "PSNR", [a, b]):
        a, b = as_image(a, "a"), as_image(b, "b")
        max_val = _float_max(cast(max_val, a.dtype))
        a, b = _float_images(a), _float_images(b)
        mse = reduce_mean(squared_difference(a, b), [-3, -2, -1])
        return subtract(multiply(20.0 / math.log(10.0), log(max_val)),
                        multiply(10.0 / math.log(10.0), log(mse)))


def _gaussian_filter(size: int, sigma: float, channels: int, dtype: Any) -> np.ndarray:
    coords = np.arange(size, dtype=np.float64) - (size - 1) / 2.0
    g = np.exp(-(coords[:, None] ** 2 + coords[None, :] ** 2) / (2 * sigma ** 2))
    g /= g.sum()
    return np.tile(g[:, :, None, None], (1, 1, channels, 1)).astype(dtype)


def ssim(img1: Any, img2: Any, max_val: Any, filter_size: int = 11, filter_sigma: float = 1.5,
         k1: float = 0.01, k2: float = 0.03) -> Tensor:
    """The structural similarity of two (batches of) images, averaged over their pixels and
    channels: TF1's SSIM with a Gaussian window (VALID, so images must be at least
    filter_size pixels high and wide)."""
    from flowgraph.ops.cast import cast
    from flowgraph.ops.conv_depthwise import depthwise_conv2d
    from flowgraph.ops.math import add, multiply, subtract
    from flowgraph.ops.reduce import reduce_mean
    from flowgraph.ops.shape_ops import expand_dims
    from flowgraph.ops.unary import square
    with op_scope(None, "SSIM", [img1, img2]):
        x, y = as_image(img1, "img1"), as_image(img2, "img2")
        max_val = _float_max(cast(max_val, x.dtype))
        x, y = _float_images(x), _float_images(y)
        squeeze = x.shape.ndims == 3
        if squeeze:
            x, y = expand_dims(x, 0), expand_dims(y, 0)
        channels = x.shape[-1].value
        if channels is None:
            raise ValueError("ssim needs the number of channels known when the graph is "
                             "built")
        window = _gaussian_filter(filter_size, filter_sigma, channels, x.dtype.np)

        def blur(t):
            return depthwise_conv2d(t, window, [1, 1, 1, 1], "VALID")

        max_val = cast(max_val, x.dtype)  # float64 images keep float64
        c1 = square(multiply(k1, max_val))
        c2 = square(multiply(k2, max_val))
        mu1, mu2 = blur(x), blur(y)
        mu1_mu2 = multiply(mu1, mu2)
        mu_sq = add(square(mu1), square(mu2))
        luminance = (2.0 * mu1_mu2 + c1) / (mu_sq + c1)
        cross = subtract(blur(multiply(x, y)), mu1_mu2)
        variances = subtract(blur(add(square(x), square(y))), mu_sq)
        contrast = (2.0 * cross + c2) / (variances + c2)
        value = reduce_mean(multiply(luminance, contrast), [-3, -2, -1])
        return value[0] if squeeze else value


_YIQ = np.array([[0.299, 0.59590059, 0.2115], [0.587, -0.27455667, -0.52273617],
                 [0.114, -0.32134392, 0.31119955]])
_YUV = np.array([[0.299, -0.14714119, 0.61497538], [0.587, -0.28886916, -0.51496512],
                 [0.114, 0.43601035, -0.10001026]])
# TF1's inverse kernels (rounded as TF1 has them).
_YIQ_INV = np.array([[1.0, 1.0, 1.0], [0.95598634, -0.27201283, -1.10674021],
                     [0.6208248, -0.64720424, 1.70423049]])
_YUV_INV = np.array([[1.0, 1.0, 1.0], [0.0, -0.394642334, 2.03206185],
                     [1.13988303, -0.58062185, 0.0]])


def _colour(images: Any, matrix: np.ndarray, name: str) -> Tensor:
    from flowgraph.ops.contraction import tensordot
    with op_scope(None, name, [images]):
        images = as_image(images, "images")
        kernel = matrix.astype(images.dtype.np)
        return tensordot(images, kernel, axes=[[images.shape.ndims - 1], [0]])


def rgb_to_yiq(images: Any) -> Tensor:
    """RGB to YIQ (last dimension of size 3)."""
    return _colour(images, _YIQ, "rgb_to_yiq")


def yiq_to_rgb(images: Any) -> Tensor:
    """YIQ to RGB (last dimension of size 3)."""
    return _colour(images, _YIQ_INV, "yiq_to_rgb")


def rgb_to_yuv(images: Any) -> Tensor:
    """RGB to YUV (last dimension of size 3)."""
    return _colour(images, _YUV, "rgb_to_yuv")


def yuv_to_rgb(images: Any) -> Tensor:
    """YUV to RGB (last dimension of size 3)."""
    return _colour(images, _YUV_INV, "yuv_to_rgb")
