"""tf.debugging.assert_shapes: static ValueErrors (messages as TF's) and run-time checks.

The expected messages were produced with TensorFlow 2.21's tf.compat.v1 graph mode."""

import numpy as np
import pytest

import flowgraph as tf


def test_static_mismatch_of_a_named_dimension_names_tensor_and_dimension():
    with tf.Graph().as_default():
        x = tf.zeros([2, 3])
        y = tf.zeros([3, 4])
        with pytest.raises(ValueError) as info:
            tf.debugging.assert_shapes([(x, ("N", "Q")), (y, ("N", 4))])
    assert str(info.value) == ("Specified by tensor zeros:0 dimension 0.  Tensor zeros_1:0 "
                               "dimension 0 must have size 2.  Received size 3, shape (3, 4)")


def test_static_mismatch_of_an_explicit_size_with_message_prefix():
    with tf.Graph().as_default():
        x = tf.zeros([2, 3])
        y = tf.zeros([3, 4])
        with pytest.raises(ValueError) as info:
            tf.debugging.assert_shapes([(x, ("N", "Q")), (y, ("Q", 5))], message="bad")
    assert str(info.value) == ("bad.  Specified explicitly.  Tensor zeros_1:0 dimension 1 "
                               "must have size 5.  Received size 4, shape (3, 4)")


def test_static_rank_and_ellipsis_position_errors():
    with tf.Graph().as_default():
        x = tf.zeros([2, 3])
        with pytest.raises(ValueError, match="zeros:0 must have rank in"):
            tf.debugging.assert_shapes([(x, ("N",))])
        with pytest.raises(ValueError, match="zeros:0 must have rank 3"):
            tf.debugging.assert_shapes([(x, ("N", "Q", "R"))])
        with pytest.raises(ValueError, match="specified shape index 1.  Symbol `...` or `\\*`"):
            tf.debugging.assert_shapes([(x, (1, ...))])
        with pytest.raises(ValueError, match="Specified shape must be an iterable"):
            tf.debugging.assert_shapes([(x, 3)])
        with pytest.raises(ValueError, match="dimension -1 must have size 4"):
            tf.debugging.assert_shapes([(x, (..., 4))])


def test_satisfied_static_constraints_give_a_no_op():
    with tf.Graph().as_default():
        x = tf.zeros([2, 3])
        y = tf.zeros([2, 5, 3])
        s = tf.zeros([])
        op = tf.debugging.assert_shapes([
            (x, ("N", "Q")), (y, ("N", ".", "Q")), (y, (..., "Q")), (y, ("*", 5, 3)),
            (s, []), (s, (1,)), (s, (...,)), (x, None)])
        assert op.type == "NoOp"
        op2 = tf.debugging.assert_shapes({x: ("N", "Q"), y: ("N", None, "Q")})
        assert op2.type == "NoOp"
        with tf.Session() as sess:
            sess.run([op, op2])


def test_run_time_size_check():
    with tf.Graph().as_default():
        p = tf.placeholder(tf.float32, [None, 3])
        q = tf.placeholder(tf.float32, [None])
        check = tf.debugging.assert_shapes([(p, ("N", 3)), (q, ("N",))], message="mm")
        with tf.control_dependencies([check]):
            total = tf.reduce_sum(p) + tf.reduce_sum(q)
        with tf.Session() as sess:
            assert sess.run(total, {p: np.ones((2, 3)), q: np.ones(2)}) == 8.0
            with pytest.raises(tf.errors.InvalidArgumentError) as info:
                sess.run(total, {p: np.ones((2, 3)), q: np.ones(3)})
    text = str(info.value)
    assert ("[mm.  ] [Specified by tensor Placeholder:0 dimension 0] "
            "[Tensor Placeholder_1:0 dimension] [0] [must have size] [2] "
            "[Received shape: ] [3]") in text


def test_run_time_rank_check_with_unknown_rank():
    with tf.Graph().as_default():
        r = tf.placeholder(tf.float32, name="r")
        p = tf.placeholder(tf.float32, [None, 3], name="p")
        check = tf.debugging.assert_shapes([(r, ("N", "Q")), (p, ("N", "Q"))])
        with tf.Session() as sess:
            sess.run(check, {p: np.ones((2, 3)), r: np.ones((2, 3))})
            with pytest.raises(tf.errors.InvalidArgumentError, match="r:0 must have rank 2"):
                sess.run(check, {p: np.ones((2, 3)), r: np.ones(2)})
            with pytest.raises(tf.errors.InvalidArgumentError,
                               match="Tensor p:0 dimension\\] \\[1\\] \\[must have size\\] "
                                     "\\[4\\]"):
                sess.run(check, {p: np.ones((2, 3)), r: np.ones((2, 4))})


def test_unknown_rank_scalar_counts_as_size_one_vector():
    with tf.Graph().as_default():
        r = tf.placeholder(tf.float32)
        check = tf.debugging.assert_shapes([(r, (1,))])
        with tf.Session() as sess:
            sess.run(check, {r: 7.0})
            sess.run(check, {r: np.ones(1)})
            with pytest.raises(tf.errors.InvalidArgumentError, match="must have size"):
                sess.run(check, {r: np.ones(2)})
