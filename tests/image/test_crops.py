"""fg.image central_crop, crop_to_bounding_box, pad_to_bounding_box,
resize_image_with_crop_or_pad and random_crop: TF1's arithmetic, shapes and errors."""

import numpy as np
import pytest

import flowgraph as fg
import flowgraph.image  # noqa: F401 - fg.image

IMAGE = np.arange(2 * 5 * 6 * 3, dtype=np.float32).reshape(2, 5, 6, 3)


@pytest.fixture(autouse=True)
def fresh_graph():
    with fg.Graph().as_default() as graph:
        yield graph


def run(tensors, feed=None):
    with fg.Session() as sess:
        return sess.run(tensors, feed)


def test_central_crop_follows_tf1_rounding():
    # start = int((h - h * f) / 2), size h - 2 * start: a width of 6 at 0.5 keeps 4.
    crop = fg.image.central_crop(IMAGE, 0.5)
    assert crop.shape.as_list() == [2, 3, 4, 3]
    np.testing.assert_array_equal(run(crop), IMAGE[:, 1:4, 1:5])
    single = fg.image.central_crop(IMAGE[0], 0.34)
    np.testing.assert_array_equal(run(single), IMAGE[0, 1:4, 1:5])
    assert fg.image.central_crop(IMAGE, 1.0).op.type == "Const"


def test_central_crop_with_run_time_sizes():
    x = fg.placeholder(fg.float32, [None, None, 3])
    crop = fg.image.central_crop(x, 0.5)
    assert crop.shape.as_list() == [None, None, 3]
    np.testing.assert_array_equal(run(crop, {x: IMAGE[1]}), IMAGE[1, 1:4, 1:5])


def test_central_crop_errors():
    for fraction in (0.0, 1.5, -0.2):
        with pytest.raises(ValueError, match=r"central_fraction must be within \(0, 1\]"):
            fg.image.central_crop(IMAGE, fraction)
    with pytest.raises(ValueError, match="rank = 5"):
        fg.image.central_crop(np.zeros((1, 2, 4, 4, 1), np.float32), 0.5)


def test_crop_to_bounding_box_static_and_dynamic():
    crop = fg.image.crop_to_bounding_box(IMAGE, 1, 2, 3, 4)
    assert crop.shape.as_list() == [2, 3, 4, 3]
    np.testing.assert_array_equal(run(crop), IMAGE[:, 1:4, 2:6])
    top = fg.placeholder(fg.int32, [])
    moving = fg.image.crop_to_bounding_box(IMAGE[0], top, 0, 2, 6)
    assert moving.shape.as_list() == [2, 6, 3]
    np.testing.assert_array_equal(run(moving, {top: 3}), IMAGE[0, 3:5])
    with pytest.raises(fg.errors.InvalidArgumentError):
        run(moving, {top: 4})


@pytest.mark.parametrize("args, message", [
    ((-1, 0, 2, 2), "offset_height must be >= 0."),
    ((0, -1, 2, 2), "offset_width must be >= 0."),
    ((0, 0, 0, 2), "target_height must be > 0."),
    ((0, 0, 2, 0), "target_width must be > 0."),
    ((4, 0, 2, 2), "height must be >= target + offset."),
    ((0, 3, 2, 4), "width must be >= target + offset."),
])
def test_crop_to_bounding_box_errors(args, message):
    with pytest.raises(ValueError, match=message.replace("+", r"\+")):
        fg.image.crop_to_bounding_box(IMAGE, *args)


def test_pad_to_bounding_box():
    padded = fg.image.pad_to_bounding_box(IMAGE[0], 1, 2, 7, 9)
    assert padded.shape.as_list() == [7, 9, 3]
    value = run(padded)
    np.testing.assert_array_equal(value[1:6, 2:8], IMAGE[0])
    assert value.sum() == IMAGE[0].sum()
    with pytest.raises(ValueError, match="offset_height must be >= 0"):
        fg.image.pad_to_bounding_box(IMAGE, -1, 0, 7, 9)
    with pytest.raises(ValueError, match="width must be <= target - offset"):
        fg.image.pad_to_bounding_box(IMAGE, 0, 4, 7, 9)
    with pytest.raises(ValueError, match="3 or 4 dimensions"):
        fg.image.pad_to_bounding_box(np.zeros((4, 4), np.float32), 0, 0, 5, 5)


def test_resize_image_with_crop_or_pad_centres_both_ways():
    out = fg.image.resize_image_with_crop_or_pad(IMAGE, 3, 10)
    assert out.shape.as_list() == [2, 3, 10, 3]
    value = run(out)
    # Height 5 -> 3: crop 1 row at the top; width 6 -> 10: pad 2 columns on the left.
    np.testing.assert_array_equal(value[:, :, 2:8], IMAGE[:, 1:4])
    assert value[:, :, :2].sum() == 0 and value[:, :, 8:].sum() == 0
    x = fg.placeholder(fg.float32, [None, None, 3])
    dynamic = fg.image.resize_image_with_crop_or_pad(x, 8, 3)
    assert dynamic.shape.as_list() == [8, 3, 3]
    value = run(dynamic, {x: IMAGE[0]})
    np.testing.assert_array_equal(value[1:6], IMAGE[0, :, 1:4])
    with pytest.raises(ValueError, match="target_height must be > 0."):
        fg.image.resize_image_with_crop_or_pad(IMAGE, 0, 3)
    assert fg.image.resize_with_crop_or_pad is fg.image.resize_image_with_crop_or_pad


def test_random_crop_is_a_seeded_sub_block():
    value = np.arange(10 * 12, dtype=np.int32).reshape(10, 12)
    fg.set_random_seed(1)
    crop = fg.image.random_crop(value, [3, 4], seed=7)
    assert crop.shape.as_list() == [3, 4]
    with fg.Session() as sess:
        draws = [sess.run(crop) for _ in range(30)]
    with fg.Session() as sess:
        np.testing.assert_array_equal(sess.run(crop), draws[0])
    corners = set()
    for d in draws:
        top, left = divmod(int(d[0, 0]), 12)
        np.testing.assert_array_equal(d, value[top:top + 3, left:left + 4])
        corners.add((top, left))
    assert len(corners) > 10
    assert {top for top, _ in corners} <= set(range(8))
    with pytest.raises(ValueError, match="Need value.shape >= size"):
        fg.image.random_crop(value, [11, 2])
    whole = run(fg.image.random_crop(value, [10, 12]))
    np.testing.assert_array_equal(whole, value)
