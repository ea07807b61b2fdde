"""fg.get_session_handle / get_session_tensor / delete_session_tensor and TensorHandle:
tensors kept in a Session across run calls (expected values hand-computed; handle strings
and error wording as TF1 gives them)."""

import gc

import numpy as np
import pytest

import flowgraph as fg

_DEVICE = "/job:localhost/replica:0/task:0/device:CPU:0"


def _graph():
    a = fg.constant(10.0)
    b = fg.constant(5.0)
    c = fg.multiply(a, b)
    return c, fg.get_session_handle(c)


def test_handle_node_and_fetch_as_tf1():
    with fg.Graph().as_default():
        c, h = _graph()
        assert h.op.type == "GetSessionHandle"
        assert h.name == "GetSessionHandle:0"
        assert h.dtype == fg.string and h.shape.as_list() == []
        assert list(h.op.inputs) == [c]
        with fg.Session() as sess:
            first = sess.run(h)
            assert isinstance(first, fg.TensorHandle)
            expected = f"GetSessionHandle;0;{_DEVICE}"
            assert first.handle == expected
            assert str(first) == expected
            assert first.get_raw_handle() == expected
            second, value = sess.run([h, c])
            assert isinstance(second, fg.TensorHandle)
            assert second.handle == f"GetSessionHandle;1;{_DEVICE}"
            assert value == 50.0


def test_store_in_one_run_use_in_later_runs():
    with fg.Graph().as_default():
        _, h = _graph()
        with fg.Session() as sess:
            handle = sess.run(h)
            holder, x = fg.get_session_tensor(handle.handle, fg.float32)
            assert holder.dtype == fg.string and holder.op.type == "Placeholder"
            assert x.op.type == "GetSessionTensor" and x.dtype == fg.float32
            y = fg.multiply(x, 10.0)
            assert sess.run(y, feed_dict={holder: handle.handle}) == 500.0
            # The TensorHandle object itself can be fed, too.
            assert sess.run(y, feed_dict={holder: handle}) == 500.0
            assert handle.eval() == 50.0
            # Chain: store a value computed from a stored one.
            h2 = sess.run(fg.get_session_handle(y), feed_dict={holder: handle})
            holder2, x2 = fg.get_session_tensor(h2.handle, fg.float32)
            assert sess.run(x2 + 1.0, feed_dict={holder2: h2.handle}) == 501.0


def test_array_values_kept_unchanged():
    with fg.Graph().as_default():
        p = fg.placeholder(fg.int32, [2, 2])
        h = fg.get_session_handle(p * 2)
        with fg.Session() as sess:
            handle = sess.run(h, feed_dict={p: [[1, 2], [3, 4]]})
            holder, x = fg.get_session_tensor(handle.handle, fg.int32)
            got = sess.run(x, feed_dict={holder: handle.handle})
            np.testing.assert_array_equal(got, [[2, 4], [6, 8]])
            got[0, 0] = 99  # changing the fetched copy does not change the stored tensor
            np.testing.assert_array_equal(handle.eval(), [[2, 4], [6, 8]])


def test_delete_then_use_raises_naming_the_handle():
    with fg.Graph().as_default():
        _, h = _graph()
        with fg.Session() as sess:
            handle = sess.run(h)
            holder, x = fg.get_session_tensor(handle.handle, fg.float32)
            d_holder, deleter = fg.delete_session_tensor(handle.handle)
            assert d_holder.dtype == fg.string
            assert deleter.type == "DeleteSessionTensor" and deleter.outputs == []
            assert sess.run(deleter, feed_dict={d_holder: handle.handle}) is None
            with pytest.raises(fg.errors.InvalidArgumentError,
                               match="The tensor with handle 'GetSessionHandle;0;"):
                sess.run(x, feed_dict={holder: handle.handle})
            with pytest.raises(fg.errors.InvalidArgumentError,
                               match="Failed to delete a tensor with handle "
                                     "'GetSessionHandle;0;"):
                sess.run(deleter, feed_dict={d_holder: handle.handle})


def test_tensor_handle_delete_method():
    with fg.Graph().as_default():
        _, h = _graph()
        with fg.Session() as sess:
            keep = sess.run(h)
            gone = sess.run(h)
            gone.delete()
            with pytest.raises(fg.errors.InvalidArgumentError, match="GetSessionHandle;1;"):
                gone.eval()
            assert keep.eval() == 50.0


def test_unknown_handle_and_wrong_dtype():
    with fg.Graph().as_default():
        _, h = _graph()
        with fg.Session() as sess:
            handle = sess.run(h)
            holder, x = fg.get_session_tensor(handle.handle, fg.float32)
            with pytest.raises(fg.errors.InvalidArgumentError, match="'bogus'"):
                sess.run(x, feed_dict={holder: "bogus"})
            holder_i, xi = fg.get_session_tensor(handle.handle, fg.int32)
            with pytest.raises(fg.errors.InvalidArgumentError, match="int32"):
                sess.run(xi, feed_dict={holder_i: handle.handle})


def test_handles_are_per_session():
    with fg.Graph().as_default():
        p = fg.placeholder(fg.float32, [])
        h = fg.get_session_handle(p + 0.0)
        holder, x = fg.get_session_tensor("unused", fg.float32)
        with fg.Session() as one, fg.Session() as two:
            h1 = one.run(h, feed_dict={p: 1.0})
            h2 = two.run(h, feed_dict={p: 2.0})
            # Both Sessions number their handles from 0: the same string, different tensors.
            assert h1.handle == h2.handle
            assert one.run(x, feed_dict={holder: h1.handle}) == 1.0
            assert two.run(x, feed_dict={holder: h2.handle}) == 2.0
            h1b = one.run(h, feed_dict={p: 3.0})
            with pytest.raises(fg.errors.InvalidArgumentError, match="GetSessionHandle;1;"):
                two.run(x, feed_dict={holder: h1b.handle})
            assert one.run(x, feed_dict={holder: h1b}) == 3.0


def test_dropped_handles_are_freed_in_batches_of_ten():
    with fg.Graph().as_default():
        p = fg.placeholder(fg.float32, [])
        h = fg.get_session_handle(p + 0.0)
        holder, x = fg.get_session_tensor("unused", fg.float32)
        with fg.Session() as sess:
            names = [sess.run(h, feed_dict={p: float(i)}).handle for i in range(9)]
            gc.collect()
            # 9 dropped handle objects: their tensors are still there (TF1 frees per 10).
            assert sess.run(x, feed_dict={holder: names[8]}) == 8.0
            sess.run(h, feed_dict={p: 9.0})
            gc.collect()
            with pytest.raises(fg.errors.InvalidArgumentError, match="not in the session"):
                sess.run(x, feed_dict={holder: names[0]})


def test_build_errors():
    with fg.Graph().as_default():
        with pytest.raises(TypeError, match="must be of type Tensor"):
            fg.get_session_handle(3.0)
        with pytest.raises(TypeError, match="handle"):
            fg.get_session_tensor(5, fg.float32)
        with pytest.raises(TypeError, match="handle"):
            fg.delete_session_tensor(None)
