"""Session.partial_run_setup / partial_run, checked against what TF 2.21's
tf.compat.v1.Session did for the same graphs."""

import numpy as np
import pytest

import flowgraph as tf
from flowgraph import errors


@pytest.fixture
def graph():
    with tf.Graph().as_default() as g:
        a = tf.placeholder(tf.float32, shape=[])
        b = tf.placeholder(tf.float32, shape=[])
        c = tf.placeholder(tf.float32, shape=[])
        r1 = tf.add(a, b)
        r2 = tf.multiply(r1, c)
        yield g, a, b, c, r1, r2


def test_feeds_and_fetches_piece_by_piece(graph):
    g, a, b, c, r1, r2 = graph
    with tf.Session(graph=g) as sess:
        h = sess.partial_run_setup([r1, r2], [a, b, c])
        assert isinstance(h, str)
        assert sess.partial_run(h, r1, feed_dict={a: 1, b: 2}) == 3.0
        assert sess.partial_run(h, [r2], feed_dict={c: 3}) == [9.0]


def test_errors_match_tf1(graph):
    g, a, b, c, r1, r2 = graph
    r3 = a * 2
    with tf.Session(graph=g) as sess:
        h = sess.partial_run_setup([r1, r2], [a, b, c])
        sess.partial_run(h, r1, feed_dict={a: 1, b: 2})
        with pytest.raises(errors.InvalidArgumentError, match="The fetch Add:0 has already "
                                                             "been fetched."):
            sess.partial_run(h, r1)
        with pytest.raises(errors.InvalidArgumentError,
                           match="was not specified in partial_run_setup.$"):
            sess.partial_run(h, r3)
        with pytest.raises(errors.InvalidArgumentError,
                           match="The feed Placeholder:0 has already been fed."):
            sess.partial_run(h, r2, {a: 3, c: 1})
        with pytest.raises(errors.InvalidArgumentError, match="The feed mul_1:0 was not "
                                                             "specified in partial_run_setup"):
            sess.partial_run(h, r2, {r3: 3.0})
        # The errors left the handle usable; fetching the last fetch finishes it.
        assert sess.partial_run(h, r2, {c: 1}) == 3.0
        with pytest.raises(errors.InvalidArgumentError,
                           match="Must run 'setup' before performing partial runs!"):
            sess.partial_run(h, r1)
        h = sess.partial_run_setup([r1, r2], [a, b, c])
        with pytest.raises(errors.InvalidArgumentError, match="Fetch Placeholder:0 can't be "
                           "computed from the feeds that have been fed so far."):
            sess.partial_run(h, r2, {c: 3})
        with pytest.raises(RuntimeError, match="requires empty target_list"):
            sess.partial_run(h, r1.op, {a: 1, b: 1})
        with pytest.raises(TypeError, match="Cannot interpret feed_list key as Tensor"):
            sess.partial_run_setup([r1], [a.op])
        with pytest.raises(ValueError, match="Cannot feed value of shape"):
            sess.partial_run(h, r1, {a: [1.0, 2.0]})


def test_each_op_runs_at_most_once():
    with tf.Graph().as_default():
        a = tf.placeholder(tf.float32, shape=[])
        v = tf.Variable(0.0)
        inc = tf.assign_add(v, 1.0)
        d = inc * a
        noise = tf.random_uniform([3])
        e = noise * a
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            h = sess.partial_run_setup([inc, d, noise, e], [a])
            assert sess.partial_run(h, inc) == 1.0
            drawn = sess.partial_run(h, noise)
            got_d, got_e = sess.partial_run(h, [d, e], {a: 10.0})
            assert got_d == 10.0  # the assign_add was not run again
            np.testing.assert_allclose(got_e, drawn * 10.0, rtol=1e-6)
            assert sess.run(v) == 1.0
            # As TF1, a target op runs as soon as it can (here: at setup).
            h = sess.partial_run_setup([inc.op, d], [a])
            assert sess.run(v) == 2.0
            assert sess.partial_run(h, d, {a: 10.0}) == 20.0
            # Feeding without fetching, by name.
            h = sess.partial_run_setup({"d": d}, [a.name])
            assert sess.partial_run(h, [], {a.name: 1.0}) == []
            assert sess.partial_run(h, {"d": d}) == {"d": 3.0}
            assert sess.run(v) == 3.0


def test_intermediate_computed_earlier_is_returned():
    with tf.Graph().as_default():
        a = tf.placeholder(tf.float32, shape=[])
        b = tf.placeholder(tf.float32, shape=[])
        noise = tf.random_uniform([])
        mid = a + noise
        out = mid * b
        with tf.Session() as sess:
            h = sess.partial_run_setup([mid, out], [a, b])
            got_out = sess.partial_run(h, out, {a: 1.0, b: 2.0})
            got_mid = sess.partial_run(h, mid)  # computed for `out`, not drawn again
            assert got_out == pytest.approx(got_mid * 2.0)


def test_undeclared_placeholder_and_none_handle():
    with tf.Graph().as_default():
        a = tf.placeholder(tf.float32, shape=[])
        b = tf.placeholder(tf.float32, shape=[])
        s = a + b
        with tf.Session() as sess:
            h = sess.partial_run_setup([s], [a])
            with pytest.raises(errors.InvalidArgumentError,
                               match="must feed a value for placeholder tensor 'Placeholder_1'"):
                sess.partial_run(h, s, {a: 1.0})
            assert sess.partial_run(None, s, {a: 1.0, b: 2.0}) == 3.0
