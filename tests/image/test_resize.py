"""fg.image.resize_images (TF1's v1 semantics) and the per-method resize functions:
dtypes, shapes, methods, aspect ratio, and errors."""

import numpy as np
import pytest

import flowgraph as fg
import flowgraph.image  # noqa: F401 - fg.image
from tests.image import reference as ref

_rng = np.random.default_rng(3)
IMAGE = _rng.uniform(0, 1, (2, 6, 5, 3)).astype(np.float32)


@pytest.fixture(autouse=True)
def fresh_graph():
    with fg.Graph().as_default() as graph:
        yield graph


def run(tensors, feed=None):
    with fg.Session() as sess:
        return sess.run(tensors, feed)


@pytest.mark.parametrize("method, reference", [
    (fg.image.ResizeMethod.BILINEAR, ref.bilinear),
    (fg.image.ResizeMethod.NEAREST_NEIGHBOR, ref.nearest),
    (fg.image.ResizeMethod.BICUBIC, ref.bicubic),
    (fg.image.ResizeMethod.AREA, ref.area),
])
@pytest.mark.parametrize("size", [(9, 4), (3, 8)])
def test_resize_images_methods_against_references(method, reference, size):
    out = fg.image.resize_images(IMAGE, size, method=method)
    assert out.shape.as_list() == [2, *size, 3]
    np.testing.assert_allclose(run(out), reference(IMAGE, *size), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("method", ["bilinear", "nearest", "bicubic"])
def test_align_corners_keeps_the_corner_pixels(method):
    out = run(fg.image.resize_images(IMAGE, [11, 9], method=method, align_corners=True))
    for r, c in [(0, 0), (0, -1), (-1, 0), (-1, -1)]:
        np.testing.assert_allclose(out[:, r, c], IMAGE[:, r, c], rtol=1e-6)


def test_single_images_and_dtypes():
    image = (IMAGE[0] * 255).astype(np.uint8)
    bilinear = fg.image.resize_images(image, [3, 3])
    nearest = fg.image.resize_images(image, [3, 3], method=fg.image.ResizeMethod.NEAREST_NEIGHBOR)
    assert bilinear.dtype == fg.float32 and bilinear.shape.as_list() == [3, 3, 3]
    assert nearest.dtype == fg.uint8
    np.testing.assert_array_equal(run(nearest), ref.nearest(image[None], 3, 3)[0])
    # float64 images stay float64 (TF1 gives float32).
    assert fg.image.resize_images(IMAGE.astype(np.float64), [3, 3]).dtype == fg.float64


def test_unchanged_size_returns_the_images_themselves():
    image = (IMAGE * 255).astype(np.uint8)
    same = fg.image.resize_images(image, [6, 5])
    assert same.dtype == fg.uint8
    np.testing.assert_array_equal(run(same), image)


def test_dynamic_sizes():
    size = fg.placeholder(fg.int32, [2])
    x = fg.placeholder(fg.float32, [None, None, None, 3])
    out = fg.image.resize_images(x, size)
    assert out.shape.as_list() == [None, None, None, 3]
    value = run(out, {x: IMAGE, size: [4, 7]})
    np.testing.assert_allclose(value, ref.bilinear(IMAGE, 4, 7), rtol=1e-5)
    with pytest.raises(fg.errors.InvalidArgumentError, match="output dimensions must be positive"):
        run(out, {x: IMAGE, size: [0, 7]})


def test_preserve_aspect_ratio():
    out = fg.image.resize_images(IMAGE, [12, 20], preserve_aspect_ratio=True)
    assert out.shape.as_list() == [2, 12, 10, 3]
    x = fg.placeholder(fg.float32, [None, None, None, 3])
    dynamic = fg.image.resize_images(x, [3, 100], preserve_aspect_ratio=True)
    assert run(dynamic, {x: IMAGE}).shape == (2, 3, 2, 3)   # 5 * 0.5 = 2.5 rounds to even


def test_resize_aliases_and_raw_functions():
    assert fg.image.resize is fg.image.resize_images
    half = run(fg.image.resize_bilinear(IMAGE, [4, 3], half_pixel_centers=True))
    np.testing.assert_allclose(half, ref.bilinear(IMAGE, 4, 3, half=True), rtol=1e-5)
    nn = run(fg.image.resize_nearest_neighbor(IMAGE, [4, 3], half_pixel_centers=True))
    np.testing.assert_array_equal(nn, ref.nearest(IMAGE, 4, 3, half=True))
    assert fg.image.resize_bilinear(IMAGE, [4, 3], name="small").name == "small:0"


def test_resize_image_with_pad():
    out = fg.image.resize_image_with_pad(IMAGE, 12, 20)
    assert out.shape.as_list() == [2, 12, 20, 3]
    value = run(out)
    # 6x5 fits 12x20 at ratio 1/2: 12x10, padded by 5 columns on each side.
    np.testing.assert_allclose(value[:, :, 5:15], ref.bilinear(IMAGE, 12, 10), rtol=1e-5)
    assert value[:, :, :5].sum() == 0 and value[:, :, 15:].sum() == 0


def test_resize_errors():
    with pytest.raises(ValueError, match="Resize method is not implemented"):
        fg.image.resize_images(IMAGE, [3, 3], method=7)
    with pytest.raises(ValueError, match="'images' contains no shape"):
        fg.image.resize_images(fg.placeholder(fg.float32), [3, 3])
    with pytest.raises(ValueError, match="3 or 4 dimensions"):
        fg.image.resize_images(IMAGE[0, 0], [3, 3])
    with pytest.raises(ValueError, match="2 elements"):
        fg.image.resize_images(IMAGE, [3, 3, 3])
    with pytest.raises(ValueError, match="must be positive"):
        fg.image.resize_images(IMAGE, [3, -1])
    with pytest.raises(ValueError, match="half_pixel_centers is True, align_corners must"):
        fg.image.resize_bilinear(IMAGE, [3, 3], align_corners=True, half_pixel_centers=True)
    with pytest.raises(ValueError, match="rank 4"):
        fg.image.resize_bilinear(IMAGE[0], [3, 3])
    with pytest.raises(TypeError, match="images"):
        fg.image.resize_bilinear(np.zeros((1, 2, 2, 1), bool), [3, 3])


def test_larger_resizes_keep_constant_images_constant():
    big = np.full((4, 64, 64, 3), 0.25, np.float32)
    for method in range(4):
        out = run(fg.image.resize_images(big, [97, 31], method=method))
        assert out.shape == (4, 97, 31, 3)
        np.testing.assert_allclose(out, 0.25, rtol=1e-5)
