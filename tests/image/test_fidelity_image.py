"""tf.image functions added by the fidelity pass, checked against values from a real TF1
run (tf.compat.v1) of the same graphs."""

import numpy as np

import flowgraph as fg


def _images():
    values = np.arange(2 * 12 * 13 * 3, dtype=np.float32).reshape(2, 12, 13, 3) % 17 / 17.0
    return fg.constant(values)


def _run(fetches):
    with fg.Session() as sess:
        return sess.run(fetches)


def test_measures_match_tf1():
    img = _images()
    one = img[0]
    tv, tv1, psnr, psnr1, ssim, ssim1 = _run([
        fg.image.total_variation(img), fg.image.total_variation(one),
        fg.image.psnr(img, img * 0.9, 1.0), fg.image.psnr(one, one * 0.5 + 0.1, 2.0),
        fg.image.ssim(img, img * 0.9 + 0.05, 1.0),
        fg.image.ssim(one, fg.sqrt(one), 1.0, filter_size=5)])
    np.testing.assert_allclose(tv, [303.058838, 304.117645], rtol=1e-5)
    np.testing.assert_allclose(tv1, 303.058838, rtol=1e-5)
    np.testing.assert_allclose(psnr, [25.226603, 25.11174], rtol=1e-5)
    np.testing.assert_allclose(psnr1, 20.17374, rtol=1e-5)
    np.testing.assert_allclose(ssim, [0.994489, 0.994487], rtol=1e-5)
    np.testing.assert_allclose(ssim1, 0.917698, rtol=1e-5)


def test_gradients_edges_and_colour_spaces():
    img = _images()
    dy, dx = fg.image.image_gradients(img)
    edges = fg.image.sobel_edges(img)
    yiq = fg.image.rgb_to_yiq(img)
    back = fg.image.yiq_to_rgb(yiq)
    assert edges.shape.as_list() == [2, 12, 13, 3, 2]
    x, vy, vx, e, rgb = _run([img, dy, dx, edges, back])
    np.testing.assert_allclose(vy[:, :-1], x[:, 1:] - x[:, :-1], atol=1e-6)
    assert np.all(vy[:, -1] == 0) and np.all(vx[:, :, -1] == 0)
    padded = np.pad(x, [[0, 0], [1, 1], [1, 1], [0, 0]], mode="reflect")
    vertical = (padded[:, 2:, :-2] + 2 * padded[:, 2:, 1:-1] + padded[:, 2:, 2:]) - \
        (padded[:, :-2, :-2] + 2 * padded[:, :-2, 1:-1] + padded[:, :-2, 2:])
    np.testing.assert_allclose(e[..., 0], vertical, atol=1e-5)
    np.testing.assert_allclose(rgb, x, atol=1e-4)  # TF1's inverse kernel is rounded


def test_crop_and_resize_matches_tf1_values_and_gradients():
    img = _images()
    boxes = fg.constant([[0.0, 0.0, 0.5, 0.5], [0.1, 0.2, 0.9, 0.7]])
    crops = fg.image.crop_and_resize(img, boxes, [0, 1], [3, 4])
    weights = fg.constant(np.arange(36, dtype=np.float32).reshape(1, 3, 4, 3) / 36)
    loss = fg.reduce_sum(crops * weights)
    image_grad, box_grad = fg.gradients(loss, [img, boxes])
    c, gi, gb = _run([crops, image_grad, box_grad])
    np.testing.assert_allclose(c[0, 0, :3].ravel(), [0.0, 0.058824, 0.117647, 0.352941,
                                                     0.411765, 0.470588, 0.705882, 0.764706,
                                                     0.823529], atol=1e-5)
    np.testing.assert_allclose(gi.ravel()[:9], [0.0, 0.027778, 0.055556, 0.0, 0.0, 0.0,
                                                0.083333, 0.111111, 0.138889], atol=1e-5)
    np.testing.assert_allclose(gb.ravel(), [-1.869281, 0.0, 4.277777, 0.0, 3.817649,
                                            -11.295422, -4.583326, -7.045743], atol=1e-4)


def test_crop_and_resize_nearest_and_extrapolation():
    img = _images()
    boxes = fg.constant([[0.0, 0.0, 0.5, 0.5], [-0.2, 0.3, 0.6, 1.3]])
    out = _run(fg.image.crop_and_resize(img, boxes, [0, 1], [2, 5], method="nearest",
                                        extrapolation_value=-1.0))
    x = _run(img)
    # TF1 rounds halves up: x positions 0, 1.5, 3, 4.5, 6 take columns 0, 2, 3, 5, 6.
    np.testing.assert_allclose(out[0, 0], x[0, 0, [0, 2, 3, 5, 6]])
    assert np.all(out[1, 0] == -1.0)  # above the image


def test_extract_image_patches():
    img = _images()
    patches = fg.extract_image_patches(img, [1, 3, 3, 1], [1, 2, 2, 1], [1, 1, 1, 1], "VALID")
    assert patches.shape.as_list() == [2, 5, 6, 27]
    p, x = _run([patches, img])
    np.testing.assert_allclose(p[1, 2, 3], x[1, 4:7, 6:9].ravel())


def test_non_max_suppression_and_draw_bounding_boxes():
    boxes = fg.constant([[0, 0, 1, 1], [0, 0.1, 1, 1.1], [0, -0.1, 1, 0.9], [0, 10, 1, 11],
                         [0, 10.1, 1, 11.1], [0, 100, 1, 101]], fg.float32)
    scores = fg.constant([0.9, 0.75, 0.6, 0.95, 0.5, 0.3])
    picks = _run([fg.image.non_max_suppression(boxes, scores, 3, iou_threshold=0.5),
                  fg.image.non_max_suppression(boxes, scores, 10, iou_threshold=0.9,
                                               score_threshold=0.55)])
    assert [p.tolist() for p in picks] == [[3, 0, 5], [3, 0, 1, 2]]
    drawn = _run(fg.image.draw_bounding_boxes(fg.zeros([1, 5, 5, 1]),
                                              fg.constant([[[0.0, 0.0, 0.5, 0.5]]])))
    np.testing.assert_array_equal(drawn.reshape(5, 5), [[1, 1, 1, 0, 0], [1, 0, 1, 0, 0],
                                                        [1, 1, 1, 0, 0], [0, 0, 0, 0, 0],
                                                        [0, 0, 0, 0, 0]])
