"""fg.image flips, rot90, transposes, and the projective transforms (rotate, translate,
zoom, transform): values, shapes, seeds and errors."""

import math

import numpy as np
import pytest

import flowgraph as fg
import flowgraph.image  # noqa: F401 - fg.image

IMAGE = np.arange(2 * 3 * 4 * 2, dtype=np.float32).reshape(2, 3, 4, 2)


def run(tensors, feed=None):
    with fg.Session() as sess:
        return sess.run(tensors, feed)


@pytest.fixture(autouse=True)
def fresh_graph():
    with fg.Graph().as_default() as graph:
        yield graph


def test_flips_of_batches_and_single_images():
    lr, ud = run([fg.image.flip_left_right(IMAGE), fg.image.flip_up_down(IMAGE)])
    np.testing.assert_array_equal(lr, IMAGE[:, :, ::-1])
    np.testing.assert_array_equal(ud, IMAGE[:, ::-1])
    single = run(fg.image.flip_left_right(IMAGE[0]))
    np.testing.assert_array_equal(single, IMAGE[0, :, ::-1])


def test_flip_of_unknown_rank_is_a_3d_image():
    x = fg.placeholder(fg.float32)
    flipped = fg.image.flip_up_down(x)
    assert flipped.shape.as_list() == [None, None, None]
    np.testing.assert_array_equal(run(flipped, {x: IMAGE[1]}), IMAGE[1, ::-1])


@pytest.mark.parametrize("fn", [fg.image.flip_left_right, fg.image.rot90,
                                fg.image.transpose_image])
def test_geometry_rejects_low_ranks_and_empty_images(fn):
    with pytest.raises(ValueError, match="three-dimensional"):
        fn(np.zeros((3, 4), np.float32))
    with pytest.raises(ValueError, match="must be > 0"):
        fn(np.zeros((0, 4, 1), np.float32))


def test_random_flip_is_seeded_and_per_image_in_a_batch():
    batch = np.tile(IMAGE[:1], (64, 1, 1, 1))
    fg.set_random_seed(3)
    flipped = fg.image.random_flip_left_right(batch, seed=5)
    with fg.Session() as sess:
        first, second = sess.run(flipped), sess.run(flipped)
    with fg.Session() as sess:
        replay = sess.run(flipped)
    np.testing.assert_array_equal(first, replay)            # a new Session replays
    assert not np.array_equal(first, second)                # later runs draw again
    was_flipped = [np.array_equal(img, IMAGE[0, :, ::-1]) for img in first]
    kept = [np.array_equal(img, IMAGE[0]) for img in first]
    assert all(a or b for a, b in zip(was_flipped, kept))
    assert 10 < sum(was_flipped) < 54                       # each image on its own draw


def test_random_flip_up_down_of_one_image_gives_both_outcomes():
    flipped = fg.image.random_flip_up_down(IMAGE[0], seed=1)
    assert flipped.shape.as_list() == [3, 4, 2]
    with fg.Session() as sess:
        outcomes = {sess.run(flipped).tobytes() for _ in range(40)}
    assert outcomes == {IMAGE[0].tobytes(), IMAGE[0, ::-1].copy().tobytes()}


def test_rot90_matches_tf1_example_and_counts_turns():
    a = np.array([[[1], [2]], [[3], [4]]])
    np.testing.assert_array_equal(run(fg.image.rot90(a)), [[[2], [4]], [[1], [3]]])
    for k in range(-3, 6):
        np.testing.assert_array_equal(run(fg.image.rot90(IMAGE, k)),
                                      np.rot90(IMAGE, k, axes=(1, 2)))


def test_rot90_with_a_run_time_k():
    k = fg.placeholder(fg.int32, [])
    turned = fg.image.rot90(IMAGE, k)
    assert turned.shape.as_list() == [2, None, None, 2]
    assert fg.image.rot90(IMAGE, 1).shape.as_list() == [2, 4, 3, 2]
    with fg.Session() as sess:
        assert sess.run(turned, {k: 1}).shape == (2, 4, 3, 2)
        np.testing.assert_array_equal(sess.run(turned, {k: 2}), IMAGE[:, ::-1, ::-1])
    with pytest.raises(ValueError, match="scalar"):
        fg.image.rot90(IMAGE, [1, 2])


def test_transpose_image_swaps_height_and_width():
    out = fg.image.transpose_image(IMAGE)
    assert out.shape.as_list() == [2, 4, 3, 2]
    np.testing.assert_array_equal(run(out), IMAGE.transpose(0, 2, 1, 3))
    np.testing.assert_array_equal(run(fg.image.transpose(IMAGE[0])), IMAGE[0].transpose(1, 0, 2))


def test_rotate_a_quarter_turn_equals_rot90():
    square = np.arange(25, dtype=np.float32).reshape(5, 5, 1)
    rotated = fg.image.rotate(square, math.pi / 2)
    assert rotated.shape.as_list() == [5, 5, 1] and rotated.dtype == fg.float32
    np.testing.assert_array_equal(run(rotated), np.rot90(square))


def test_rotate_keeps_rank_and_dtype_and_fills_with_zeros():
    gray = np.full((6, 6), 200, np.uint8)
    out = run(fg.image.rotate(gray, math.pi / 4, interpolation="BILINEAR"))
    assert out.shape == (6, 6) and out.dtype == np.uint8
    assert out[0, 0] == 0 and out[3, 3] == 200                # corners leave the image


def test_rotate_takes_one_angle_per_image():
    batch = np.stack([np.arange(16, dtype=np.float32).reshape(4, 4, 1)] * 2)
    out = run(fg.image.rotate(batch, [0.0, math.pi]))
    np.testing.assert_array_equal(out[0], batch[0])
    np.testing.assert_array_equal(out[1], batch[1, ::-1, ::-1])


def test_translate_moves_content_right_and_down():
    image = np.zeros((5, 6), np.float32)
    image[1, 1] = 1.0
    out = run(fg.image.translate(image, [2, 1]))
    expected = np.zeros((5, 6), np.float32)
    expected[2, 3] = 1.0
    np.testing.assert_array_equal(out, expected)
    out = run(fg.image.translate(IMAGE, [[1, 0], [0, -1]]))
    np.testing.assert_array_equal(out[0, :, 1:], IMAGE[0, :, :-1])
    np.testing.assert_array_equal(out[0, :, 0], 0)
    np.testing.assert_array_equal(out[1, :-1], IMAGE[1, 1:])


def test_zoom_scales_about_the_centre():
    image = np.arange(36, dtype=np.float32).reshape(6, 6)
    np.testing.assert_array_equal(run(fg.image.zoom(image, 1.0)), image)
    # Zooming in by 2 (bilinear) maps output (x, y) to input 1.25 + 0.5 * (x, y).
    zoomed = run(fg.image.zoom(image, 2.0, interpolation="BILINEAR"))
    ys, xs = np.meshgrid(1.25 + 0.5 * np.arange(6), 1.25 + 0.5 * np.arange(6), indexing="ij")
    np.testing.assert_allclose(zoomed, ys * 6 + xs, rtol=1e-6)
    # Zooming out leaves a zero border around a smaller image.
    shrunk = run(fg.image.zoom(np.ones((8, 8, 1), np.float32), 0.5))
    assert shrunk[0].sum() == 0 and shrunk[:, 0].sum() == 0 and shrunk[4, 4, 0] == 1


def test_transform_with_identity_and_output_shape():
    identity = [1, 0, 0, 0, 1, 0, 0, 0]
    np.testing.assert_array_equal(run(fg.image.transform(IMAGE, identity)), IMAGE)
    out = fg.image.transform(IMAGE, identity, output_shape=[2, 3])
    assert out.shape.as_list() == [2, 2, 3, 2]
    np.testing.assert_array_equal(run(out), IMAGE[:, :2, :3])


def test_transform_errors():
    with pytest.raises(TypeError, match="Invalid dtype"):
        fg.image.rotate(np.zeros((3, 3), np.int16), 1.0)
    with pytest.raises(TypeError, match="rank must be statically known"):
        fg.image.rotate(fg.placeholder(fg.float32), 1.0)
    with pytest.raises(TypeError, match="rank between 2 and 4"):
        fg.image.translate(np.zeros((1, 1, 3, 3, 1), np.float32), [1, 1])
    with pytest.raises(ValueError, match="interpolation"):
        fg.image.rotate(IMAGE, 1.0, interpolation="CUBIC")
    with pytest.raises(ValueError, match="rows for 2 images"):
        fg.image.transform(IMAGE, np.zeros((3, 8), np.float32))
    transforms = fg.placeholder(fg.float32, [None, 8])
    out = fg.image.transform(IMAGE, transforms)
    with pytest.raises(fg.errors.InvalidArgumentError, match="num_images x 8"):
        run(out, {transforms: np.zeros((3, 8))})
