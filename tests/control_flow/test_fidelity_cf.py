"""TF1 details of map_fn and TensorArray: zero-row map_fn, fn_output_signature, unwritten
elements read as zeros once the element shape is known."""

import numpy as np
import pytest

import flowgraph as fg


def _run(fetches, feed_dict=None):
    with fg.Session() as sess:
        return sess.run(fetches, feed_dict)


def test_map_fn_over_zero_rows_keeps_the_element_shape():
    x = fg.placeholder(fg.float32, [None, 3])
    doubled = fg.map_fn(lambda row: row * 2.0, x)
    assert doubled.shape.as_list() == [None, 3]
    out = _run(doubled, {x: np.zeros((0, 3), np.float32)})
    assert out.shape == (0, 3) and out.dtype == np.float32
    assert _run(doubled, {x: [[1.0, 2.0, 3.0]]}).tolist() == [[2.0, 4.0, 6.0]]


def test_map_fn_output_signature():
    x = fg.constant([[1.0, 2.0], [3.0, 5.0]])
    sums = fg.map_fn(lambda r: fg.cast(fg.reduce_sum(r), fg.int32), x,
                     fn_output_signature=fg.int32)
    assert sums.dtype == fg.int32 and _run(sums).tolist() == [3, 8]
    with pytest.raises(ValueError, match="both"):
        fg.map_fn(lambda r: r, x, dtype=fg.float32, fn_output_signature=fg.float32)


def test_unwritten_element_reads_zeros_when_shape_known():
    ta = fg.TensorArray(fg.float32, size=3, element_shape=[2]).write(1, [4.0, 5.0])
    assert _run(ta.stack()).tolist() == [[0, 0], [4, 5], [0, 0]]
    assert _run(ta.read(2)).tolist() == [0, 0]
    # the shape learnt from a write at run time counts too
    learnt = fg.TensorArray(fg.int32, size=2).write(0, [[1, 2, 3]])
    assert _run(learnt.read(1)).tolist() == [[0, 0, 0]]


def test_unwritten_element_without_shape_is_an_error():
    ta = fg.TensorArray(fg.float32, size=2)
    with pytest.raises(fg.errors.InvalidArgumentError, match="not yet been written"):
        _run(ta.read(1))


def test_stack_of_empty_array_uses_static_element_shape():
    ta = fg.TensorArray(fg.float32, size=0, element_shape=[2, 3])
    assert _run(ta.stack()).shape == (0, 2, 3)
    with pytest.raises(fg.errors.InvalidArgumentError, match="size zero"):
        _run(fg.TensorArray(fg.float32, size=0).stack())
