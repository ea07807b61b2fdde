"""tf.image names added for TF1 fidelity: ssim_multiscale, JPEG helpers, NMS variants; and
psnr / ssim of uint8 images (max_val converted to the [0, 1] scale, as TF1)."""

import numpy as np
import pytest

import flowgraph as fg


def _run(fetches):
    with fg.Session() as sess:
        return sess.run(fetches)


def _pair(shape, seed, noise=0.1):
    rng = np.random.RandomState(seed)
    a = rng.rand(*shape).astype(np.float32)
    b = np.clip(a + rng.randn(*shape).astype(np.float32) * noise, 0, 1)
    return a, b


def test_psnr_and_ssim_of_uint8_images_use_the_unit_scale():
    a, b = _pair((12, 13, 3), 1)
    a8, b8 = (a * 255).round().astype(np.uint8), (b * 255).round().astype(np.uint8)
    mse = np.mean((a8 / 255.0 - b8 / 255.0) ** 2)
    assert _run(fg.image.psnr(a8, b8, 255)) == pytest.approx(10 * np.log10(1 / mse),
                                                             rel=1e-4)
    u8 = _run(fg.image.ssim(a8, b8, 255))
    unit = _run(fg.image.ssim(a8.astype(np.float32) / 255, b8.astype(np.float32) / 255, 1.0))
    assert u8 == pytest.approx(unit, rel=1e-5) and u8 < 0.99


def _gauss(size, sigma):
    c = np.arange(size) - (size - 1) / 2.0
    g = np.exp(-(c[:, None] ** 2 + c[None, :] ** 2) / (2 * sigma ** 2))
    return g / g.sum()


def _blur(x, window):
    size = window.shape[0]
    patches = np.lib.stride_tricks.sliding_window_view(x, (size, size), axis=(0, 1))
    return np.einsum("ijcab,ab->ijc", patches, window)


def _ms_ssim_reference(x, y, factors, size, sigma=1.5, k1=0.01, k2=0.03):
    """MS-SSIM of one float64 HWC image pair in [0, 1], written out from the paper's
    definition with TF1's choices (VALID Gaussian window, 2x2 averaging after symmetric
    padding of odd sizes, relu before the powers)."""
    window = _gauss(size, sigma)
    c1, c2 = k1 ** 2, k2 ** 2
    values = []
    for k in range(len(factors)):
        if k:
            h, w = x.shape[:2]
            x = np.pad(x, [(0, h % 2), (0, w % 2), (0, 0)], mode="symmetric")
            y = np.pad(y, [(0, h % 2), (0, w % 2), (0, 0)], mode="symmetric")
            x = x.reshape(x.shape[0] // 2, 2, x.shape[1] // 2, 2, -1).mean(axis=(1, 3))
            y = y.reshape(y.shape[0] // 2, 2, y.shape[1] // 2, 2, -1).mean(axis=(1, 3))
        mx, my = _blur(x, window), _blur(y, window)
        lum = (2 * mx * my + c1) / (mx ** 2 + my ** 2 + c1)
        cs = (2 * (_blur(x * y, window) - mx * my) + c2) / \
            (_blur(x * x + y * y, window) - mx ** 2 - my ** 2 + c2)
        last = k == len(factors) - 1
        values.append(np.maximum((lum * cs if last else cs).mean(axis=(0, 1)), 0))
    per_channel = np.prod([v ** f for v, f in zip(values, factors)], axis=0)
    return per_channel.mean()


def test_ssim_multiscale_matches_a_numpy_reference():
    a, b = _pair((2, 23, 21, 2), 3)
    factors = (0.3, 0.5, 0.2)
    got = _run(fg.image.ssim_multiscale(a, b, 1.0, power_factors=factors, filter_size=5))
    want = [_ms_ssim_reference(a[i].astype(np.float64), b[i].astype(np.float64), factors, 5)
            for i in range(2)]
    np.testing.assert_allclose(got, want, rtol=1e-4)
    same = _run(fg.image.ssim_multiscale(a[0], a[0], 1.0, power_factors=factors,
                                         filter_size=5))
    assert same == pytest.approx(1.0, abs=1e-5)


def test_ssim_multiscale_needs_images_large_enough():
    a, b = _pair((1, 40, 40, 1), 4)
    with pytest.raises(ValueError, match="filter_size"):
        fg.image.ssim_multiscale(a, b, 1.0)  # 5 scales of an 11-pixel window need 161+


def test_jpeg_helpers():
    pytest.importorskip("PIL")
    color = np.full((5, 7, 3), 90, np.uint8)
    jpeg = fg.image.encode_jpeg(color)
    gray = fg.image.encode_jpeg(color[..., :1])
    png = fg.image.encode_png(color)
    crop = fg.image.decode_and_crop_jpeg(jpeg, [1, 2, 3, 4], channels=3)
    assert crop.shape.as_list() == [3, 4, 3]
    got = _run({"is": [fg.image.is_jpeg(jpeg), fg.image.is_jpeg(png)],
                "shape": fg.image.extract_jpeg_shape(gray, output_type=fg.int64),
                "gray": fg.image.decode_jpeg(gray), "crop": crop})
    assert got["is"] == [True, False]
    assert got["shape"].tolist() == [5, 7, 1] and got["shape"].dtype == np.int64
    assert got["gray"].shape == (5, 7, 1)  # as TF1: a grayscale JPEG has one channel
    assert np.abs(got["crop"].astype(int) - 90).max() <= 2


def test_adjust_and_random_jpeg_quality():
    pytest.importorskip("PIL")
    image = np.full((4, 6, 3), 0.5, np.float32)
    adjusted = fg.image.adjust_jpeg_quality(image, 75)
    noisy = fg.image.random_jpeg_quality(image, 20, 90, seed=2)
    assert adjusted.dtype == fg.float32 and adjusted.shape.as_list() == [None, None, 3]
    a, n = _run([adjusted, noisy])
    assert a.shape == n.shape == (4, 6, 3)
    assert np.abs(a - 0.5).max() < 0.02 and np.abs(n - 0.5).max() < 0.05
    with pytest.raises(ValueError, match="less than"):
        fg.image.random_jpeg_quality(image, 50, 50)
    with pytest.raises(ValueError, match="between 0 and 100"):
        fg.image.random_jpeg_quality(image, -1, 50)


def test_combined_nms_shapes():
    boxes = np.random.RandomState(0).rand(2, 6, 1, 4).astype(np.float32)
    scores = np.random.RandomState(1).rand(2, 6, 3).astype(np.float32)
    nmsed = fg.image.combined_non_max_suppression(boxes, scores, 2, 10, pad_per_class=True)
    assert [t.shape.as_list() for t in nmsed] == [[2, 6, 4], [2, 6], [2, 6], [2]]
    b, s, c, valid = _run(nmsed)
    assert valid.tolist() == [6, 6]  # 2 per class for 3 classes, none suppressed below 6
    assert np.all(np.diff(s, axis=1) <= 0) and set(np.unique(c)) <= {0.0, 1.0, 2.0}
    assert b.min() >= 0 and b.max() <= 1


def test_extract_glimpse_offsets_and_noise():
    grid = np.arange(8 * 10, dtype=np.float32).reshape(1, 8, 10, 1)
    # centred, in pixels: the offset is halved, so (1.6, -1.6) gives top trunc(0.8 + 2.5),
    # left trunc(-0.8 + 3)
    inside = fg.image.extract_glimpse(grid, [3, 4], [[1.6, -1.6]], normalized=False)
    # not centred, normalized (0.7 of the width is pixel 7 in float32): left = 5
    edge = fg.image.extract_glimpse(grid, [3, 4], [[0.1, 0.7]], centered=False)
    # a window hanging over the top-left corner: those cells are noise within [min, max]
    corner = fg.image.extract_glimpse(grid, [3, 4], [[0.0, 0.0]], centered=False,
                                      normalized=False)
    assert inside.shape.as_list() == [1, 3, 4, 1]
    a, b, c = _run([inside, edge, corner])
    np.testing.assert_array_equal(a, grid[:, 3:6, 2:6])
    np.testing.assert_array_equal(b, grid[:, 0:3, 5:9])
    np.testing.assert_array_equal(c[0, 1:, 2:, 0], grid[0, 0:2, 0:2, 0])
    assert c.min() >= 0 and c.max() <= 79
