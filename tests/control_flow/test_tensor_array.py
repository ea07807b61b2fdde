"""fg.TensorArray: TF1's semantics and errors, static shapes, use as a loop variable."""

import numpy as np
import pytest

import flowgraph as fg
import flowgraph.control_flow as cf
from flowgraph.dtypes import variant
from tests.control_flow.helpers import run

ROWS = np.float32([[1, 2, 3], [4, 5, 6], [7, 8, 9], [10, 11, 12]])


def test_unstack_read_stack_and_static_shapes():
    ta = cf.TensorArray(fg.float32, size=4).unstack(fg.constant(ROWS))
    assert ta.element_shape.as_list() == [3]
    r = ta.read(2)
    s = ta.stack()
    assert r.shape.as_list() == [3] and s.shape.as_list() == [4, 3]
    got = run([r, s, ta.size(), ta.gather([3, 0])])
    np.testing.assert_array_equal(got[0], ROWS[2])
    np.testing.assert_array_equal(got[1], ROWS)
    assert got[2] == 4
    np.testing.assert_array_equal(got[3], ROWS[[3, 0]])


def test_writes_return_new_arrays_and_the_old_one_is_unchanged():
    ta = cf.TensorArray(fg.int32, size=2)
    a = ta.write(0, 5)
    b = a.write(1, 7)
    assert a is not ta and b is not a
    assert run(b.stack()).tolist() == [5, 7]
    # As TF1: an unwritten element reads as zeros once the element shape is known (here
    # from the write of a scalar); without a known shape it is an error.
    assert run(a.read(1)) == 0
    loose = cf.TensorArray(fg.int32, size=2, infer_shape=False).write(0, 5)
    with pytest.raises(fg.errors.InvalidArgumentError, match="not yet been written"):
        run(loose.read(1))


def test_tf1_errors():
    ta = cf.TensorArray(fg.float32, size=2)
    with pytest.raises(fg.errors.InvalidArgumentError, match="already been written to"):
        run(ta.write(0, 1.0).write(0, 2.0).read(0))
    with pytest.raises(fg.errors.InvalidArgumentError, match="not resizeable and size is: 2"):
        run(ta.write(2, 1.0).flow)
    with pytest.raises(fg.errors.InvalidArgumentError, match="dtype is float32 but Op is "
                                                            "trying to write dtype int32"):
        ta.write(0, fg.constant(1))
    with pytest.raises(ValueError, match="Inconsistent shapes"):
        ta.write(0, [1.0, 2.0]).write(1, [1.0])
    with pytest.raises(ValueError, match="Size must be provided"):
        cf.TensorArray(fg.float32)
    with pytest.raises(fg.errors.InvalidArgumentError, match="size zero"):
        run(cf.TensorArray(fg.float32, size=0).stack())


def test_dynamic_size_and_empty_stack_with_element_shape():
    ta = cf.TensorArray(fg.float32, size=0, dynamic_size=True)
    ta = ta.write(0, [1.0, 2.0]).write(3, [3.0, 4.0])
    assert run(ta.size()) == 4
    np.testing.assert_array_equal(run(ta.gather([3, 0])), [[3.0, 4.0], [1.0, 2.0]])
    empty = cf.TensorArray(fg.float32, size=0, element_shape=[2, 3]).stack()
    assert run(empty).shape == (0, 2, 3)


def test_infer_shape_false_allows_ragged_elements_and_concat():
    ta = cf.TensorArray(fg.float32, size=3, infer_shape=False)
    ta = ta.write(0, [1.0]).write(1, [2.0, 3.0]).write(2, [4.0, 5.0, 6.0])
    np.testing.assert_array_equal(run(ta.concat()), [1, 2, 3, 4, 5, 6])
    with pytest.raises(fg.errors.InvalidArgumentError, match="inconsistent shapes"):
        run(ta.stack())


def test_split_and_concat():
    ta = cf.TensorArray(fg.float32, size=3, infer_shape=False).split(fg.constant(ROWS),
                                                                      [1, 2, 1])
    np.testing.assert_array_equal(run(ta.read(1)), ROWS[1:3])
    np.testing.assert_array_equal(run(ta.concat()), ROWS)
    # As TF1: with infer_shape (the default) the pieces must all have one shape.
    same = cf.TensorArray(fg.float32, size=2).split(fg.constant(ROWS), [2, 2])
    np.testing.assert_array_equal(run(same.read(1)), ROWS[2:4])
    uneven = cf.TensorArray(fg.float32, size=3).split(fg.constant(ROWS), [1, 2, 1])
    with pytest.raises(fg.errors.InvalidArgumentError, match="infer_shape=False"):
        run(uneven.read(1))
    with pytest.raises(fg.errors.InvalidArgumentError, match="sum of lengths"):
        run(cf.TensorArray(fg.float32, size=2).split(fg.constant(ROWS), [1, 1]).flow)


def test_tensor_array_as_loop_variable_learns_its_element_shape():
    x = fg.placeholder(fg.float32, [5, 2])
    inputs = cf.TensorArray(fg.float32, size=5).unstack(x)
    out = cf.TensorArray(fg.float32, size=5)

    def body(t, acc, ta):
        acc = acc + inputs.read(t)
        return t + 1, acc, ta.write(t, acc * 2.0)

    _, acc, out = cf.while_loop(lambda t, *_: t < 5, body, [0, fg.zeros([2]), out])
    assert isinstance(out, cf.TensorArray)
    stacked = out.stack()
    assert stacked.shape.as_list() == [5, 2]  # shape learnt inside the body
    value = np.arange(10, dtype=np.float32).reshape(5, 2)
    got = run(stacked, {x: value})
    np.testing.assert_allclose(got, 2 * np.cumsum(value, axis=0))


def test_dynamic_size_array_grown_in_a_loop():
    def body(i, ta):
        return i + 1, ta.write(i, fg.cast(i * i, fg.float32))

    n = fg.placeholder(fg.int32, [])
    _, ta = cf.while_loop(lambda i, ta: i < n, body,
                          [0, cf.TensorArray(fg.float32, size=0, dynamic_size=True)])
    np.testing.assert_array_equal(run(ta.stack(), {n: 4}), [0.0, 1.0, 4.0, 9.0])


def test_identity_close_flow_and_handle():
    ta = cf.TensorArray(fg.float32, size=1).write(0, 3.0)
    same = ta.identity()
    assert same.flow is not ta.flow and same.handle is same.flow
    assert same.flow.dtype == variant
    close = same.close()
    assert isinstance(close, fg.Operation)
    assert run(same.read(0)) == 3.0
    wrapped = cf.TensorArray(fg.float32, flow=same.flow)
    assert run(wrapped.read(0)) == 3.0
