"""TF1's errors of segment_sum, dynamic_partition, dynamic_stitch, unique and band_part."""

import numpy as np
import pytest

import flowgraph as fg


def run(t):
    with fg.Session() as sess:
        return sess.run(t)


def test_segment_ids_must_be_sorted_and_match_data():
    with pytest.raises(fg.errors.InvalidArgumentError, match="not increasing"):
        run(fg.segment_sum([1.0, 2.0, 3.0], [1, 0, 1]))
    with pytest.raises(ValueError, match="same size as dimension 0"):
        fg.segment_sum([1.0, 2.0, 3.0], [0, 1])


def test_partition_and_stitch_errors():
    with pytest.raises(fg.errors.InvalidArgumentError, match=r"contains 3, which is not in"):
        run(fg.dynamic_partition([1.0, 2.0], [0, 3], 2))
    with pytest.raises(fg.errors.InvalidArgumentError, match="Missing index 1"):
        run(fg.dynamic_stitch([[0, 2]], [[1.0, 2.0]]))
    with pytest.raises(ValueError, match="as many data tensors"):
        fg.dynamic_stitch([[0]], [[1.0], [2.0]])


def test_partition_then_stitch_is_the_identity():
    data = np.arange(12.0).reshape(6, 2)
    parts = np.array([1, 0, 2, 1, 0, 0], np.int32)
    positions = fg.dynamic_partition(np.arange(6, dtype=np.int32), parts, 3)
    pieces = fg.dynamic_partition(data, parts, 3)
    np.testing.assert_array_equal(run(fg.dynamic_stitch(positions, pieces)), data)


def test_unique_and_band_part_errors():
    with pytest.raises(ValueError, match="must have rank 1|rank"):
        fg.unique([[1, 2]])
    with pytest.raises(fg.errors.InvalidArgumentError, match="must not exceed"):
        run(fg.matrix_band_part(np.ones((2, 2)), 3, 0))
