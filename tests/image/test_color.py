"""fg.image colour functions: convert_image_dtype, grayscale and HSV conversions, the
adjust_* and random_* functions, per_image_standardization."""

import numpy as np
import pytest

import flowgraph as fg
import flowgraph.image  # noqa: F401 - fg.image
from tests.image import reference as ref

_rng = np.random.default_rng(5)
RGB = _rng.uniform(0, 1, (2, 4, 5, 3)).astype(np.float32)
RGB8 = (RGB * 255).astype(np.uint8)


@pytest.fixture(autouse=True)
def fresh_graph():
    with fg.Graph().as_default() as graph:
        yield graph


def run(tensors, feed=None):
    with fg.Session() as sess:
        return sess.run(tensors, feed)


@pytest.mark.parametrize("value, dtype, saturate, expected", [
    (np.uint8([0, 128, 255]), fg.float32, False, np.float32([0, 128 / 255, 1])),
    (np.float32([0, 0.5, 1.0]), fg.uint8, False, np.uint8([0, 127, 255])),  # * 255.5
    (np.float32([-0.5, 1.5]), fg.uint8, True, np.uint8([0, 255])),
    # Widening multiplies by 2**31 // 2**8; narrowing floor-divides by it.
    (np.uint8([1, 255]), fg.int32, False, np.int32([2**23, 255 * 2**23])),
    (np.int16([-32768, 32767, 256]), fg.uint8, True, np.uint8([0, 255, 2])),
    (np.int32([2**31 - 1, 2**24]), fg.uint8, False, np.uint8([255, 2])),
    (np.float32([0.25]), fg.float64, False, np.float64([0.25])),
])
def test_convert_image_dtype_scales_as_tf1(value, dtype, saturate, expected):
    out = fg.image.convert_image_dtype(value, dtype, saturate=saturate)
    assert out.dtype == dtype
    got = run(out)
    if dtype.is_floating:
        np.testing.assert_allclose(got, expected, rtol=1e-6)
    else:
        np.testing.assert_array_equal(got, expected)


def test_convert_image_dtype_same_dtype_and_errors():
    assert fg.image.convert_image_dtype(RGB, fg.float32, name="same").op.type == "Identity"
    with pytest.raises(AttributeError, match="floating point or integer"):
        fg.image.convert_image_dtype(RGB, fg.string)
    with pytest.raises(AttributeError):
        fg.image.convert_image_dtype(RGB, fg.bool)


def test_rgb_to_grayscale_weights_and_dtype():
    gray = fg.image.rgb_to_grayscale(RGB)
    assert gray.shape.as_list() == [2, 4, 5, 1] and gray.dtype == fg.float32
    expected = RGB @ np.float32([0.2989, 0.5870, 0.1140])
    np.testing.assert_allclose(run(gray)[..., 0], expected, rtol=1e-6)
    gray8 = run(fg.image.rgb_to_grayscale(np.uint8([[[255, 0, 0], [100, 100, 100]]])))
    # uint8 -> float32 -> weighted sum -> uint8 (no saturation, as TF1): 0.2989 * 255.5 = 76.
    np.testing.assert_array_equal(gray8[..., 0], [[76, 100]])
    with pytest.raises(ValueError, match="must be 3"):
        fg.image.rgb_to_grayscale(np.zeros((2, 2, 4), np.float32))


def test_grayscale_to_rgb():
    gray = RGB[..., :1]
    rgb = fg.image.grayscale_to_rgb(gray)
    assert rgb.shape.as_list() == [2, 4, 5, 3]
    np.testing.assert_array_equal(run(rgb), np.repeat(gray, 3, axis=-1))
    x = fg.placeholder(fg.float32)
    np.testing.assert_array_equal(run(fg.image.grayscale_to_rgb(x), {x: gray[0]}),
                                  np.repeat(gray[0], 3, axis=-1))
    with pytest.raises(ValueError, match="Last dimension of a grayscale image should be size 1"):
        fg.image.grayscale_to_rgb(RGB)
    with pytest.raises(ValueError, match="at least two-dimensional"):
        fg.image.grayscale_to_rgb(np.zeros([1], np.float32))


def test_hsv_round_trip_and_reference():
    hsv = run(fg.image.rgb_to_hsv(RGB))
    np.testing.assert_allclose(hsv, ref.rgb_to_hsv(RGB), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(run(fg.image.hsv_to_rgb(hsv)), RGB, rtol=1e-5, atol=1e-6)
    with pytest.raises(TypeError, match="floating"):
        fg.image.rgb_to_hsv(RGB8)
    with pytest.raises(ValueError, match="3 channels"):
        fg.image.rgb_to_hsv(RGB[..., :2])


def test_adjust_brightness_saturates_integer_images():
    out = fg.image.adjust_brightness(RGB8, 0.5)
    assert out.dtype == fg.uint8
    expected = np.clip(RGB8 / 255.0 + 0.5, 0, 1) * 255.5
    np.testing.assert_array_equal(run(out), np.clip(expected, 0, 255).astype(np.uint8))
    np.testing.assert_allclose(run(fg.image.adjust_brightness(RGB, -0.25)), RGB - 0.25)


def test_adjust_contrast():
    out = run(fg.image.adjust_contrast(RGB, 2.0))
    mean = RGB.mean(axis=(1, 2), keepdims=True)
    np.testing.assert_allclose(out, (RGB - mean) * 2 + mean, rtol=1e-5, atol=1e-6)
    out8 = run(fg.image.adjust_contrast(RGB8, 3.0))
    assert out8.dtype == np.uint8 and out8.min() == 0 and out8.max() == 255


def test_adjust_gamma():
    np.testing.assert_allclose(run(fg.image.adjust_gamma(RGB, 2.0, 0.5)), 0.5 * RGB ** 2,
                               rtol=1e-6)
    assert run(fg.image.adjust_gamma(RGB8, 1)).dtype == np.uint8
    with pytest.raises(ValueError, match="Gamma should be a non-negative real number"):
        fg.image.adjust_gamma(RGB, -1.0)


def test_adjust_hue_and_saturation_against_colorsys():
    np.testing.assert_allclose(run(fg.image.adjust_hue(RGB, 0.2)), ref.adjust_hue(RGB, 0.2),
                               rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(run(fg.image.adjust_saturation(RGB, 0.3)),
                               ref.adjust_saturation(RGB, 0.3), rtol=1e-5, atol=1e-5)
    # A full turn of hue changes nothing; integer images come back as integers.
    np.testing.assert_allclose(run(fg.image.adjust_hue(RGB, 1.0)), RGB, atol=1e-5)
    hue8 = run(fg.image.adjust_hue(RGB8, 0.5))
    assert hue8.dtype == np.uint8 and np.abs(hue8.astype(int) - RGB8).max() > 50


def test_random_adjustments_are_seeded_and_in_range():
    fg.set_random_seed(0)
    outs = [fg.image.random_brightness(RGB, 0.3, seed=1),
            fg.image.random_contrast(RGB, 0.5, 1.5, seed=2),
            fg.image.random_hue(RGB, 0.4, seed=3),
            fg.image.random_saturation(RGB, 0.2, 0.8, seed=4)]
    with fg.Session() as sess:
        first = sess.run(outs)
        again = sess.run(outs)
    with fg.Session() as sess:
        replay = sess.run(outs)
    for a, b, c in zip(first, again, replay):
        np.testing.assert_array_equal(a, c)
        assert not np.array_equal(a, b)
    delta = first[0] - RGB
    assert np.allclose(delta, delta.flat[0], atol=1e-6) and abs(delta.flat[0]) <= 0.3


@pytest.mark.parametrize("call, message", [
    (lambda: fg.image.random_brightness(RGB, -0.1), "max_delta must be non-negative"),
    (lambda: fg.image.random_contrast(RGB, 0.5, 0.5), "upper must be > lower"),
    (lambda: fg.image.random_contrast(RGB, -0.5, 0.5), "lower must be non-negative"),
    (lambda: fg.image.random_hue(RGB, 0.6), r"max_delta must be <= 0.5"),
    (lambda: fg.image.random_saturation(RGB, 2.0, 1.0), "upper must be > lower"),
])
def test_random_adjustment_argument_errors(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_per_image_standardization():
    out = run(fg.image.per_image_standardization(RGB))
    np.testing.assert_allclose(out.mean(axis=(1, 2, 3)), 0, atol=1e-5)
    np.testing.assert_allclose(out.std(axis=(1, 2, 3)), 1, rtol=1e-4)
    flat = run(fg.image.per_image_standardization(np.full((3, 3, 1), 7.0, np.float32)))
    np.testing.assert_array_equal(flat, 0)     # stddev floored at 1 / sqrt(N): no NaN
    x = fg.placeholder(fg.float32, [None, None, None, 3])
    dynamic = run(fg.image.per_image_standardization(x), {x: RGB})
    np.testing.assert_allclose(dynamic, out, rtol=1e-5, atol=1e-6)
