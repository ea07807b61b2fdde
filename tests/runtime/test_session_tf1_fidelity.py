"""TF1 Session details (apply /tmp/fidA/session.patch first): tuple feed keys, a Tensor as
feed value, graph_def, reset, sess_str. Expected values from tf.compat.v1 runs."""

import pytest

import flowgraph as fg


def test_tuple_feed_key_feeds_each_tensor():
    with fg.Graph().as_default():
        x = fg.placeholder(fg.float32)
        y = fg.placeholder(fg.float32)
        with fg.Session() as sess:
            assert sess.run(x + y, {(x, y): (1.0, 2.0)}) == 3.0


def test_feeding_a_tensor_value_is_a_type_error():
    with fg.Graph().as_default():
        x = fg.placeholder(fg.float32)
        with fg.Session() as sess:
            with pytest.raises(TypeError, match="cannot be a fg.Tensor"):
                sess.run(x, {x: fg.constant(1.0)})


def test_graph_def_reset_and_sess_str():
    with fg.Graph().as_default():
        fg.constant(1.0, name="a")
        sess = fg.Session()
        assert [n.name for n in sess.graph_def.node] == ["a"]
        assert sess.sess_str == b""
        fg.Session.reset(None)
        sess.close()
