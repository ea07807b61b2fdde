"""tf.contrib.layers fidelity: batch_norm's fused-path moving variance, and the layers
conv2d_transpose, layer_norm, dropout, embed_sequence, one_hot_encoding, unit_norm, softmax,
repeat, stack, bias_add, linear (expected values computed by hand / numpy here)."""

import numpy as np
import pytest

import flowgraph as tf

L = tf.contrib.layers


def _moving_variance(shape, fused):
    tf.reset_default_graph()
    xv = np.arange(np.prod(shape), dtype=np.float32).reshape(shape) ** 1.5
    y = L.batch_norm(tf.constant(xv), decay=0.5, fused=fused, updates_collections=None)
    with tf.Session() as s:
        s.run(tf.global_variables_initializer())
        s.run(y)
        mv = [v for v in tf.global_variables() if "moving_variance" in v.name][0]
        return s.run(mv), xv.reshape(-1, shape[-1])


@pytest.mark.parametrize("shape", [(2, 3, 3, 2), (6, 2)])
def test_batch_norm_fused_moving_variance_has_bessel_correction(shape):
    got, flat = _moving_variance(shape, None)
    np.testing.assert_allclose(got, 0.5 + 0.5 * flat.var(0, ddof=1), rtol=1e-5)


@pytest.mark.parametrize("shape,fused", [((2, 3, 3, 2), False), ((2, 3, 2), None)])
def test_batch_norm_unfused_moving_variance_is_biased(shape, fused):
    got, flat = _moving_variance(shape, fused)
    np.testing.assert_allclose(got, 0.5 + 0.5 * flat.var(0), rtol=1e-5)


def test_conv2d_transpose_shapes_and_variables():
    tf.reset_default_graph()
    x = tf.placeholder(tf.float32, [None, 3, 3, 2])
    same = L.conv2d_transpose(x, 4, 3, stride=2, weights_initializer=tf.ones_initializer())
    valid = L.conv2d_transpose(x, 4, 3, stride=2, padding="VALID")
    assert same.shape.as_list() == [None, 6, 6, 4]
    assert valid.shape.as_list() == [None, 7, 7, 4]
    assert [v.name for v in tf.global_variables()][:2] == ["Conv2d_transpose/weights:0",
                                                          "Conv2d_transpose/biases:0"]
    assert tf.global_variables()[0].shape.as_list() == [3, 3, 4, 2]
    with tf.Session() as s:
        s.run(tf.global_variables_initializer())
        out = s.run(same, {x: np.ones((1, 3, 3, 2), np.float32)})
    # stride 2, kernel 3, SAME (padding 0 before, 1 after): output o gets input i through
    # tap o - 2i, so o=1 has one tap per axis (1 * 2 channels) and o=2 two (4 * 2 channels).
    assert out.shape == (1, 6, 6, 4)
    assert out[0, 1, 1, 0] == pytest.approx(2.0)
    assert out[0, 2, 2, 0] == pytest.approx(8.0)
    assert out[0, 0, 0, 0] == pytest.approx(2.0)


def test_layer_norm_values_and_params():
    tf.reset_default_graph()
    xv = np.array([[0.0, 1.0, 2.0], [1.0, 1.0, 4.0]], np.float32)
    y = L.layer_norm(tf.constant(xv))
    names = [v.name for v in tf.trainable_variables()]
    assert names == ["LayerNorm/beta:0", "LayerNorm/gamma:0"]
    with tf.Session() as s:
        s.run(tf.global_variables_initializer())
        got = s.run(y)
    expect = (xv - xv.mean(1, keepdims=True)) / np.sqrt(xv.var(1, keepdims=True) + 1e-12)
    np.testing.assert_allclose(got, expect, rtol=1e-5, atol=1e-6)
    with pytest.raises(ValueError):
        L.layer_norm(tf.ones([2, 3]), begin_norm_axis=2)


def test_dropout_training_and_inference():
    tf.reset_default_graph()
    off = L.dropout(tf.ones([4, 4]), 0.5, is_training=False)
    on = L.dropout(tf.ones([200]), 0.25, seed=1)
    with tf.Session() as s:
        assert s.run(off).sum() == 16.0
        vals = s.run(on)
    assert set(np.unique(vals).tolist()) <= {0.0, 4.0}
    assert 0 < (vals == 4.0).sum() < 200


def test_embed_sequence_one_hot_unit_norm_softmax():
    tf.reset_default_graph()
    table = np.arange(12, dtype=np.float32).reshape(3, 4)
    e = L.embed_sequence(tf.constant([[0, 2], [1, 1]]), vocab_size=3, embed_dim=4,
                         initializer=tf.constant_initializer(table))
    assert tf.global_variables()[0].name == "EmbedSequence/embeddings:0"
    with pytest.raises(ValueError):
        L.embed_sequence(tf.constant([[0]]))
    oh = L.one_hot_encoding(tf.constant([0, 2]), 3)
    un = L.unit_norm(tf.constant([[3.0, 4.0]]), 1)
    sm = L.softmax(tf.constant([[[0.0, np.log(3.0)]]]))
    assert oh.dtype == tf.float32
    with tf.Session() as s:
        s.run(tf.global_variables_initializer())
        np.testing.assert_allclose(s.run(e), table[[[0, 2], [1, 1]]])
        np.testing.assert_allclose(s.run(oh), [[1, 0, 0], [0, 0, 1]])
        np.testing.assert_allclose(s.run(un), [[0.6, 0.8]], rtol=1e-6)
        np.testing.assert_allclose(s.run(sm), [[[0.25, 0.75]]], rtol=1e-6)


def test_repeat_stack_bias_add_linear_scopes():
    tf.reset_default_graph()
    x = tf.ones([2, 3])
    r = L.repeat(x, 2, L.fully_connected, 3)
    st = L.stack(x, L.fully_connected, [4, 5])
    b = L.bias_add(x, initializer=tf.constant_initializer(2.0))
    lin = L.linear(x, 2, weights_initializer=tf.constant_initializer(-1.0))
    names = [v.name for v in tf.global_variables()]
    assert "Repeat/fully_connected_2/weights:0" in names
    assert "Stack/fully_connected_2/biases:0" in names
    assert "BiasAdd/biases:0" in names
    assert st.shape.as_list() == [2, 5] and r.shape.as_list() == [2, 3]
    with pytest.raises(ValueError):
        L.stack(x, L.fully_connected, 4)
    with tf.Session() as s:
        s.run(tf.global_variables_initializer())
        np.testing.assert_allclose(s.run(b), np.full((2, 3), 3.0))
        np.testing.assert_allclose(s.run(lin), np.full((2, 2), -3.0))  # no relu


def test_summaries_tags_and_values():
    tf.reset_default_graph()
    pre = tf.constant([-1.0, 2.0, 7.0, -3.0], name="pre")
    act = tf.nn.relu6(pre, name="act")
    loss = tf.constant(2.5, name="loss")
    hist = L.summarize_activation(act)
    scal = L.summarize_tensor(loss)
    assert "act/activation" in hist.name and "loss_summary" in scal.name
    names = [t.name for t in tf.get_collection(tf.GraphKeys.SUMMARIES)]
    assert any("act/zeros" in n for n in names) and any("act/sixes" in n for n in names)
    tf.add_to_collection(tf.GraphKeys.ACTIVATIONS, act)
    assert len(L.summarize_activations("act")) == 1 and L.summarize_activations("zz") == []
    with tf.Session() as s:
        assert isinstance(s.run(tf.summary.merge_all()), bytes)
