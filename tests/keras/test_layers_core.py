"""tf.keras.layers (H1): core, merge, embedding, activation and noise layers: values vs
numpy, names and configs vs TF 1.15 / tf_keras (hard-coded), errors."""

import numpy as np
import pytest

import flowgraph as fg
from flowgraph.keras import backend as K
from flowgraph.keras import layers


def run(fetches, feeds):
    return K.get_session().run(fetches, feeds)


def test_input_names_and_shapes():
    x = layers.Input((4,))
    y = layers.Input(shape=(2, 3), batch_size=5, dtype="int32")
    z = layers.Input(batch_shape=(7, 2))
    assert x.name == "input_1:0" and y.name == "input_2:0" and z.name == "input_3:0"
    assert x.shape.as_list() == [None, 4]
    assert y.shape.as_list() == [5, 2, 3] and y.dtype == fg.int32
    assert z.shape.as_list() == [7, 2]
    layer = layers.InputLayer(input_shape=(3,))
    assert layer.name == "input_4"
    assert layer.get_config() == {"batch_input_shape": (None, 3), "dtype": "float32",
                                  "sparse": False, "ragged": False, "name": "input_4"}
    with pytest.raises(ValueError):
        layers.Input()
    with pytest.raises(ValueError):
        layers.Input(shape=(2,), batch_shape=(None, 2))


def test_dense_values_names_config():
    x = layers.Input((4,))
    dense = layers.Dense(3, activation="relu")
    y = dense(x)
    other = layers.Dense(2)
    other(x)
    assert [w.name for w in dense.weights] == ["dense/kernel:0", "dense/bias:0"]
    assert [w.name for w in other.weights] == ["dense_1/kernel:0", "dense_1/bias:0"]
    assert y.shape.as_list() == [None, 3]
    kernel, bias = dense.get_weights()
    assert kernel.shape == (4, 3) and bias.shape == (3,)
    assert np.all(bias == 0)
    limit = np.sqrt(6 / (4 + 3))  # glorot_uniform
    assert np.all(np.abs(kernel) <= limit) and np.std(kernel) > 0
    new_bias = np.array([0.5, -1.0, 0.25], np.float32)
    dense.set_weights([kernel, new_bias])
    xv = np.random.RandomState(0).randn(5, 4).astype(np.float32)
    np.testing.assert_allclose(run(y, {x: xv}), np.maximum(xv @ kernel + new_bias, 0),
                               rtol=1e-5, atol=1e-6)
    config = dense.get_config()
    assert config["units"] == 3 and config["activation"] == "relu"
    assert config["use_bias"] is True and config["name"] == "dense"
    assert set(config) >= {"kernel_initializer", "bias_initializer", "kernel_regularizer",
                           "bias_regularizer", "activity_regularizer", "kernel_constraint",
                           "bias_constraint"}
    assert other.get_config()["activation"] == "linear"
    assert dense.compute_output_shape((None, 7, 4)).as_list() == [None, 7, 3]


def test_dense_rank3_and_input_shape():
    dense = layers.Dense(2, input_shape=(3, 4))
    assert dense._batch_input_shape == (None, 3, 4)
    x = layers.Input((3, 4))
    y = dense(x)
    assert y.shape.as_list() == [None, 3, 2]
    kernel, bias = dense.get_weights()
    xv = np.arange(24, dtype=np.float32).reshape(2, 3, 4) / 10
    np.testing.assert_allclose(run(y, {x: xv}), xv @ kernel + bias, rtol=1e-5, atol=1e-5)


def test_dropout_learning_phase():
    x = layers.Input((1000,))
    y = layers.Dropout(0.5)(x)
    xv = np.ones((2, 1000), np.float32)
    np.testing.assert_array_equal(run(y, {x: xv}), xv)
    trained = run(y, {x: xv, K.learning_phase(): True})
    assert set(np.unique(trained)) <= {0.0, 2.0}
    assert 0.4 < np.mean(trained == 0) < 0.6
    assert layers.Dropout(0.3, seed=1).get_config()["rate"] == 0.3


def test_flatten_reshape_permute_repeat():
    x = layers.Input((2, 3, 4))
    xv = np.arange(48, dtype=np.float32).reshape(2, 2, 3, 4)
    flat = layers.Flatten()(x)
    reshaped = layers.Reshape((4, -1))(x)
    permuted = layers.Permute((3, 1, 2))(x)
    v = layers.Input((3,))
    repeated = layers.RepeatVector(2)(v)
    assert flat.shape.as_list() == [None, 24]
    assert reshaped.shape.as_list() == [None, 4, 6]
    assert permuted.shape.as_list() == [None, 4, 2, 3]
    assert repeated.shape.as_list() == [None, 2, 3]
    vv = np.array([[1, 2, 3]], np.float32)
    f, r, p, rep = run([flat, reshaped, permuted, repeated], {x: xv, v: vv})
    np.testing.assert_array_equal(f, xv.reshape(2, 24))
    np.testing.assert_array_equal(r, xv.reshape(2, 4, 6))
    np.testing.assert_array_equal(p, xv.transpose(0, 3, 1, 2))
    np.testing.assert_array_equal(rep, np.stack([vv, vv], axis=1))
    with pytest.raises(ValueError):
        layers.Reshape((5, -1)).compute_output_shape((None, 2, 3, 4))
    with pytest.raises(ValueError):
        layers.Reshape((-1, -1))
    with pytest.raises(ValueError):
        layers.Permute((0, 1))
    assert layers.Reshape((2, -1)).get_config()["target_shape"] == (2, -1)
    assert layers.Permute((2, 1)).get_config()["dims"] == (2, 1)


def test_lambda_and_config_round_trip():
    x = layers.Input((3,))
    lam = layers.Lambda(lambda t, scale: t * scale + 1.0, arguments={"scale": 3.0})
    y = lam(x)
    xv = np.array([[1, 2, 3]], np.float32)
    np.testing.assert_allclose(run(y, {x: xv}), xv * 3 + 1)
    config = lam.get_config()
    # a lambda saved as bytecode is never run from a config: it must be given again
    with pytest.raises(ValueError, match="does not run code"):
        layers.Lambda.from_config(config)
    rebuilt = layers.Lambda.from_config(
        config, custom_objects={lam.name: lambda t, scale: t * scale + 1.0})
    z = rebuilt(x)
    np.testing.assert_allclose(run(z, {x: xv}), xv * 3 + 1)
    shaped = layers.Lambda(lambda t: t[:, :2], output_shape=(2,))
    assert shaped.compute_output_shape((None, 3)).as_list() == [None, 2]
    inferred = layers.Lambda(lambda t: fg.concat([t, t], 1))
    assert inferred.compute_output_shape(fg.TensorShape([None, 3])).as_list() == [None, 6]


def test_activity_regularization_loss():
    x = layers.Input((2,))
    layer = layers.ActivityRegularization(l1=0.1, l2=0.5)
    y = layer(x)
    assert y is not x
    xv = np.array([[1.0, -2.0], [3.0, 0.5]], np.float32)
    expected = (0.1 * np.abs(xv).sum() + 0.5 * (xv ** 2).sum()) / 2  # per batch example
    out, loss = run([y, fg.add_n(layer.losses)], {x: xv})
    np.testing.assert_allclose(out, xv)
    np.testing.assert_allclose(loss, expected, rtol=1e-5)


def test_merge_layers_values():
    a, b, c = layers.Input((3,)), layers.Input((3,)), layers.Input((3,))
    rng = np.random.RandomState(1)
    av, bv, cv = (rng.randn(2, 3).astype(np.float32) for _ in range(3))
    outs = [layers.add([a, b, c]), layers.subtract([a, b]), layers.multiply([a, b]),
            layers.average([a, b]), layers.maximum([a, b, c]), layers.minimum([a, b]),
            layers.concatenate([a, b]), layers.concatenate([a, b], axis=0)]
    values = run(outs, {a: av, b: bv, c: cv})
    expected = [av + bv + cv, av - bv, av * bv, (av + bv) / 2,
                np.maximum(np.maximum(av, bv), cv), np.minimum(av, bv),
                np.concatenate([av, bv], 1), np.concatenate([av, bv], 0)]
    for got, want in zip(values, expected):
        np.testing.assert_allclose(got, want, rtol=1e-6)
    assert outs[6].shape.as_list() == [None, 6]
    assert outs[0].name.startswith("add/")
    with pytest.raises(ValueError):
        layers.subtract([a, b, c])
    with pytest.raises(ValueError):
        layers.Add()([a])
    with pytest.raises(ValueError):
        layers.add([a, layers.Input((4,))])
    with pytest.raises(ValueError):
        layers.concatenate([layers.Input((2, 3)), layers.Input((4, 5))])


def test_dot_layer():
    a, b = layers.Input((3,)), layers.Input((3,))
    plain = layers.dot([a, b], axes=1)
    cosine = layers.Dot(axes=1, normalize=True)([a, b])
    av = np.array([[1.0, 2.0, 3.0]], np.float32)
    bv = np.array([[3.0, -1.0, 2.0]], np.float32)
    p, c = run([plain, cosine], {a: av, b: bv})
    assert plain.shape.as_list() == [None, 1]
    np.testing.assert_allclose(p, [[7.0]])
    np.testing.assert_allclose(c, [[7.0 / (np.sqrt(14) * np.sqrt(14))]], rtol=1e-5)
    x, y = layers.Input((4, 3)), layers.Input((5, 3))
    out = layers.Dot(axes=2)([x, y])
    assert out.shape.as_list() == [None, 4, 5]
    xv = np.random.RandomState(2).randn(2, 4, 3).astype(np.float32)
    yv = np.random.RandomState(3).randn(2, 5, 3).astype(np.float32)
    np.testing.assert_allclose(run(out, {x: xv, y: yv}),
                               np.matmul(xv, yv.transpose(0, 2, 1)), rtol=1e-5, atol=1e-6)
    with pytest.raises(ValueError):
        layers.Dot(axes=1)([layers.Input((3,)), layers.Input((4,))])
    assert layers.Dot(1).get_config()["axes"] == 1


def test_embedding():
    ids = layers.Input((4,), dtype="int32")
    emb = layers.Embedding(10, 3, input_length=4)
    y = emb(ids)
    assert [w.name for w in emb.weights] == ["embedding/embeddings:0"]
    assert y.shape.as_list() == [None, 4, 3]
    table, = emb.get_weights()
    assert table.shape == (10, 3) and np.all(np.abs(table) <= 0.05)
    idx = np.array([[1, 2, 9, 0], [3, 3, 3, 3]])
    np.testing.assert_array_equal(run(y, {ids: idx}), table[idx])
    config = layers.Embedding(5, 2).get_config()
    assert config["batch_input_shape"] == (None, None)
    assert config["input_dim"] == 5 and config["output_dim"] == 2
    assert config["input_length"] is None and config["mask_zero"] is False
    with pytest.raises(ValueError):
        layers.Embedding(0, 3)


def test_advanced_activations():
    x = layers.Input((5,))
    xv = np.array([[-2.0, -0.5, 0.0, 0.7, 8.0]], np.float32)
    prelu = layers.PReLU(alpha_initializer="ones")
    outs = [layers.LeakyReLU()(x), layers.ELU(alpha=0.5)(x), layers.ThresholdedReLU(0.5)(x),
            layers.Softmax()(x), layers.ReLU(max_value=6.0, negative_slope=0.1, threshold=0.5)(x),
            layers.ReLU()(x), prelu(x)]
    assert [w.name for w in prelu.weights] == ["p_re_lu/alpha:0"]
    values = run(outs, {x: xv})
    e = np.exp(xv - xv.max())
    expected = [np.where(xv > 0, xv, 0.3 * xv), np.where(xv > 0, xv, 0.5 * (np.exp(xv) - 1)),
                np.where(xv > 0.5, xv, 0), e / e.sum(),
                np.minimum(np.where(xv > 0.5, xv, 0.1 * (xv - 0.5)), 6.0),
                np.maximum(xv, 0), xv]
    for got, want in zip(values, expected):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)
    assert layers.LeakyReLU().get_config()["alpha"] == pytest.approx(0.3)
    with pytest.raises(ValueError):
        layers.ReLU(max_value=-1.0)


def test_noise_layers_identity_at_test_time_and_noisy_in_training():
    x = layers.Input((20000,))
    xv = np.full((1, 20000), 2.0, np.float32)
    noise = layers.GaussianNoise(0.5)(x)
    gdrop = layers.GaussianDropout(0.2)(x)
    adrop = layers.AlphaDropout(0.1)(x)
    for value in run([noise, gdrop, adrop], {x: xv}):
        np.testing.assert_array_equal(value, xv)
    n, g, a = run([noise, gdrop, adrop], {x: xv, K.learning_phase(): True})
    assert abs(np.std(n - 2.0) - 0.5) < 0.02 and abs(np.mean(n) - 2.0) < 0.02
    assert abs(np.std(g / 2.0) - np.sqrt(0.2 / 0.8)) < 0.02
    # AlphaDropout: kept units a*x + b, dropped ones a*alpha_p + b
    alpha_p = -1.6732632423543772 * 1.0507009873554805
    coef = ((1 - 0.1) * (1 + 0.1 * alpha_p ** 2)) ** -0.5
    shift = -coef * alpha_p * 0.1
    kept, dropped = coef * 2.0 + shift, coef * alpha_p + shift
    assert np.all(np.isclose(a, kept, atol=1e-5) | np.isclose(a, dropped, atol=1e-5))
    assert 0.07 < np.mean(np.isclose(a, dropped, atol=1e-5)) < 0.13
