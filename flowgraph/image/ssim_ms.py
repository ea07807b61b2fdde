"""tf.image.ssim_multiscale: the multi-scale structural similarity (MS-SSIM) of two
(batches of) images, as TF1 computes it."""

from __future__ import annotations

from typing import Any, Sequence

from flowgraph import dtypes
from flowgraph.graph import Tensor
from flowgraph.image._util import as_image
from flowgraph.image.convert import convert_image_dtype
from flowgraph.image.quality import _gaussian_filter
from flowgraph.ops.elementwise import op_scope

__all__ = ["ssim_multiscale"]

# TF1's _MSSSIM_WEIGHTS (Wang, Simoncelli and Bovik's exponents for five scales).
MSSSIM_WEIGHTS = (0.0448, 0.2856, 0.3001, 0.2363, 0.1333)


def _ssim_per_channel(x: Tensor, y: Tensor, max_val: Tensor, filter_size: int,
                      filter_sigma: float, k1: float, k2: float) -> tuple:
    """(SSIM, contrast-structure) per image and channel of NHWC float images."""
    from flowgraph.ops.conv_depthwise import depthwise_conv2d
    from flowgraph.ops.reduce import reduce_mean
    from flowgraph.ops.unary import square
    dims = x.shape.as_tuple()
    if dims is None or None in dims[1:]:
        raise ValueError("ssim_multiscale needs the images' height, width and channels "
                         "known when the graph is built")
    if dims[1] < filter_size or dims[2] < filter_size:
        raise ValueError(f"ssim_multiscale: the images ({dims[1]}x{dims[2]} at this scale) "
                         f"must be at least filter_size ({filter_size}) high and wide; use "
                         "larger images or fewer power_factors")
    window = _gaussian_filter(filter_size, filter_sigma, dims[3], x.dtype.np)

    def blur(t: Tensor) -> Tensor:
        return depthwise_conv2d(t, window, [1, 1, 1, 1], "VALID")

    c1 = square(k1 * max_val)
    c2 = square(k2 * max_val)
    mean0, mean1 = blur(x), blur(y)
    num0 = mean0 * mean1 * 2.0
    den0 = square(mean0) + square(mean1)
    luminance = (num0 + c1) / (den0 + c1)
    num1 = blur(x * y) * 2.0
    den1 = blur(square(x) + square(y))
    cs = (num1 - num0 + c2) / (den1 - den0 + c2)
    return reduce_mean(luminance * cs, [-3, -2]), reduce_mean(cs, [-3, -2])


def _downscale(images: Tensor) -> Tensor:
    """2x2 average pooling, after padding odd sizes at the end symmetrically (as TF1)."""
    from flowgraph.ops.pad import pad
    from flowgraph.ops.pool import avg_pool
    _, height, width, _ = images.shape.as_tuple()
    if height % 2 or width % 2:
        images = pad(images, [[0, 0], [0, height % 2], [0, width % 2], [0, 0]],
                     mode="SYMMETRIC")
    return avg_pool(images, [1, 2, 2, 1], [1, 2, 2, 1], "VALID")


def ssim_multiscale(img1: Any, img2: Any, max_val: Any,
                    power_factors: Sequence[float] = MSSSIM_WEIGHTS, filter_size: int = 11,
                    filter_sigma: float = 1.5, k1: float = 0.01, k2: float = 0.03) -> Tensor:
    """The MS-SSIM of img1 and img2 ([batch,] height, width, channels), as TF1's: SSIM's
    contrast-structure term at each of ``len(power_factors)`` scales (halved by 2x2
    averaging) and the full SSIM at the last, each clipped at 0, raised to its power factor
    and multiplied; then averaged over the channels. Uint8 images and `max_val` are
    converted to [0, 1] floats first."""
    from flowgraph.ops.activations import relu
    from flowgraph.ops.array import stack
    from flowgraph.ops.cast import cast
    from flowgraph.ops.math import pow as pow_
    from flowgraph.ops.reduce import reduce_mean, reduce_prod
    from flowgraph.ops.shape_ops import expand_dims
    with op_scope(None, "MS-SSIM", [img1, img2]):
        x = as_image(img1, "img1")
        y = as_image(img2, "img2")
        if not x.shape.is_compatible_with(y.shape):
            raise ValueError(f"ssim_multiscale: img1 and img2 must have the same shape, got "
                             f"{x.shape} and {y.shape}")
        max_val = convert_image_dtype(cast(max_val, x.dtype), dtypes.float32)
        x = convert_image_dtype(x, dtypes.float32)
        y = convert_image_dtype(y, dtypes.float32)
        squeeze = x.shape.ndims == 3
        if squeeze:
            x, y = expand_dims(x, 0), expand_dims(y, 0)
        mcs = []
        for k in range(len(power_factors)):
            if k > 0:
                x, y = _downscale(x), _downscale(y)
            ssim_per_channel, cs = _ssim_per_channel(x, y, max_val, filter_size,
                                                     filter_sigma, k1, k2)
            mcs.append(relu(cs))
        mcs.pop()
        stacked = stack(mcs + [relu(ssim_per_channel)], axis=-1)
        factors = [float(f) for f in power_factors]
        value = reduce_mean(reduce_prod(pow_(stacked, factors), [-1]), [-1])
        return value[0] if squeeze else value
