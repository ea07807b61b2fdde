"""Gradients through fg.image: first order against finite differences (for the composite
functions), second order against hand-derived values, and TF1's missing gradients."""

import numpy as np
import pytest

import flowgraph as fg
import flowgraph.image  # noqa: F401 - fg.image
from tests.image import reference as ref

_rng = np.random.default_rng(9)
IMAGE = _rng.uniform(0.1, 0.9, (2, 4, 5, 3))


@pytest.fixture(autouse=True)
def fresh_graph():
    with fg.Graph().as_default() as graph:
        yield graph


FUNCTIONS = {
    "flip_left_right": fg.image.flip_left_right,
    "flip_up_down": lambda x: fg.image.flip_up_down(x[0]),
    "rot90": lambda x: fg.image.rot90(x, 3),
    "transpose": fg.image.transpose_image,
    "central_crop": lambda x: fg.image.central_crop(x, 0.5),
    "crop_to_bounding_box": lambda x: fg.image.crop_to_bounding_box(x, 1, 1, 2, 3),
    "pad_to_bounding_box": lambda x: fg.image.pad_to_bounding_box(x, 1, 0, 6, 7),
    "resize_image_with_crop_or_pad": lambda x: fg.image.resize_image_with_crop_or_pad(x, 6, 3),
    "resize_bilinear": lambda x: fg.image.resize_images(x, [7, 3]),
    "resize_nearest": lambda x: fg.image.resize_images(x, [7, 3], method=1),
    "resize_bicubic": lambda x: fg.image.resize_images(x, [3, 8], method=2, align_corners=True),
    "rotate": lambda x: fg.image.rotate(x, [0.3, -1.0], interpolation="BILINEAR"),
    "translate": lambda x: fg.image.translate(x, [0.5, -1.25], interpolation="BILINEAR"),
    "zoom": lambda x: fg.image.zoom(x, 1.6, interpolation="BILINEAR"),
    "adjust_brightness": lambda x: fg.image.adjust_brightness(x, 0.2),
    "adjust_contrast": lambda x: fg.image.adjust_contrast(x, 1.8),
    "adjust_gamma": lambda x: fg.image.adjust_gamma(x, 1.5, 0.8),
    "per_image_standardization": fg.image.per_image_standardization,
    "grayscale_to_rgb": lambda x: fg.image.grayscale_to_rgb(x[..., :1]),
}


def _gradient_error(build, value, delta=1e-6):
    """max |symbolic - central difference| of the gradient of sum(w * build(x))."""
    x = fg.placeholder(fg.float64, value.shape)
    y = build(x)
    assert y.dtype == fg.float64
    w = _rng.uniform(0.5, 1.5, y.shape.as_list())
    objective = fg.reduce_sum(y * w)
    (grad,) = fg.gradients(objective, [x])
    value = value.copy()
    numeric = np.zeros(value.shape)
    with fg.Session() as sess:
        symbolic = sess.run(grad, {x: value})
        flat = value.reshape(-1)
        for i in range(flat.size):
            original = flat[i]
            flat[i] = original + delta
            plus = float(sess.run(objective, {x: value}))
            flat[i] = original - delta
            minus = float(sess.run(objective, {x: value}))
            flat[i] = original
            numeric.flat[i] = (plus - minus) / (2 * delta)
    return float(np.max(np.abs(symbolic - numeric)))


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_composite_gradients_match_finite_differences(name):
    error = _gradient_error(FUNCTIONS[name], IMAGE)
    assert error < 1e-6, f"{name}: gradient error {error}"


def test_rgb_to_grayscale_gradient_is_the_weights():
    x = fg.placeholder(fg.float32, [2, 2, 3])
    (grad,) = fg.gradients(fg.reduce_sum(fg.image.rgb_to_grayscale(x)), [x])
    with fg.Session() as sess:
        value = sess.run(grad, {x: np.ones((2, 2, 3))})
    np.testing.assert_allclose(value, np.broadcast_to([0.2989, 0.5870, 0.1140], (2, 2, 3)),
                               rtol=1e-6)


def test_random_flip_passes_the_gradient_of_its_own_draw():
    x = fg.placeholder(fg.float64, [4, 3, 3, 1])
    weights = _rng.uniform(0.5, 1.5, (4, 3, 3, 1))
    out = fg.image.random_flip_left_right(x, seed=2)
    (grad,) = fg.gradients(fg.reduce_sum(out * weights), [x])
    value = _rng.uniform(size=(4, 3, 3, 1))
    with fg.Session() as sess:
        for _ in range(5):
            y, g = sess.run([out, grad], {x: value})
            for i in range(4):
                flipped = not np.array_equal(y[i], value[i])
                np.testing.assert_array_equal(g[i], weights[i, :, ::-1] if flipped
                                              else weights[i])


def _hessian_vector(y, x, v):
    (g,) = fg.gradients(y, [x])
    (hv,) = fg.gradients(fg.reduce_sum(g * v), [x])
    return hv


@pytest.mark.parametrize("forward, build", [
    (lambda u: ref.bilinear(u, 7, 3), lambda x: fg.image.resize_bilinear(x, [7, 3])),
    (lambda u: ref.bicubic(u, 3, 8, half=True),
     lambda x: fg.image.resize_bicubic(x, [3, 8], half_pixel_centers=True)),
    (lambda u: ref.nearest(u, 2, 7, align=True),
     lambda x: fg.image.resize_nearest_neighbor(x, [2, 7], align_corners=True)),
    (lambda u: ref.projective(u, [[0.9, 0.2, 0.3, -0.1, 1.1, -0.2, 0.02, -0.03]], "BILINEAR"),
     lambda x: fg.image.transform(x, [0.9, 0.2, 0.3, -0.1, 1.1, -0.2, 0.02, -0.03],
                                  interpolation="BILINEAR")),
])
def test_second_order_of_linear_image_ops(forward, build):
    """y = sum(A(x)^2) for a linear A has the Hessian 2 A^T A: H v = 2 A^T (A v)."""
    x = fg.placeholder(fg.float64, IMAGE.shape)
    v = _rng.uniform(-1, 1, IMAGE.shape)
    hv = _hessian_vector(fg.reduce_sum(fg.square(build(x))), x, v)
    with fg.Session() as sess:
        got = sess.run(hv, {x: IMAGE})
    expected = 2 * ref.adjoint(forward, IMAGE.shape, forward(v))
    # The ops' weights are float32 (as TF1's), the references' float64.
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-7)


def test_second_order_of_adjust_contrast_in_its_factor():
    """y = sum(((x - m) f + m)^2): d2y/df2 = 2 sum((x - m)^2)."""
    f = fg.placeholder(fg.float32, [])
    x = IMAGE.astype(np.float32)
    y = fg.reduce_sum(fg.square(fg.image.adjust_contrast(x, f)))
    (df,) = fg.gradients(y, [f])
    (d2f,) = fg.gradients(df, [f])
    mean = x.mean(axis=(1, 2), keepdims=True)
    with fg.Session() as sess:
        first, second = sess.run([df, d2f], {f: 1.5})
    centred = (x - mean).astype(np.float64)
    np.testing.assert_allclose(second, 2 * np.sum(centred ** 2), rtol=1e-4)
    np.testing.assert_allclose(first, 2 * np.sum(((x - mean) * 1.5 + mean) * centred),
                               rtol=1e-4)


def test_second_order_of_rot90():
    x = fg.placeholder(fg.float64, IMAGE.shape)
    w = _rng.uniform(size=(2, 5, 4, 3))
    v = _rng.uniform(size=IMAGE.shape)
    hv = _hessian_vector(fg.reduce_sum(fg.square(fg.image.rot90(x)) * w), x, v)
    with fg.Session() as sess:
        got = sess.run(hv, {x: IMAGE})
    np.testing.assert_allclose(got, 2 * v * np.rot90(w, -1, axes=(1, 2)), rtol=1e-12)


@pytest.mark.parametrize("build", [
    lambda x: fg.image.resize_area(x, [2, 2]),
    lambda x: fg.image.hsv_to_rgb(x),
    lambda x: fg.image.rgb_to_hsv(x),
    lambda x: fg.image.adjust_hue(x, 0.1),
    lambda x: fg.image.adjust_saturation(x, 0.5),
])
def test_ops_without_a_gradient_in_tf1_say_so(build):
    x = fg.placeholder(fg.float32, [1, 4, 4, 3])
    with pytest.raises(LookupError, match="stop_gradient"):
        fg.gradients(fg.reduce_sum(build(x)), [x])


def test_integer_images_get_no_gradient():
    x = fg.placeholder(fg.uint8, [1, 4, 4, 1])
    y = fg.image.resize_bilinear(x, [6, 6])
    assert fg.gradients(fg.reduce_sum(y), [x]) == [None]
