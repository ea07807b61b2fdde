"""tf.keras activations, regularizers, constraints and utils: values against numpy formulas
written here and numbers hard-coded from TF1-era Keras."""

import numpy as np
import pytest

import flowgraph as fg
from flowgraph.keras import activations, constraints, regularizers, utils

X = np.array([[-3.0, -0.5, 0.2, 2.0, 7.0]], np.float32)


def _run(fn, value=X):
    with fg.Graph().as_default():
        out = fn(fg.constant(value))
        with fg.Session() as sess:
            return sess.run(out)


@pytest.mark.parametrize("name, reference", [
    ("sigmoid", lambda x: 1 / (1 + np.exp(-x))),
    ("tanh", np.tanh),
    ("softplus", lambda x: np.log1p(np.exp(x))),
    ("softsign", lambda x: x / (1 + np.abs(x))),
    ("exponential", np.exp),
    ("linear", lambda x: x),
    ("hard_sigmoid", lambda x: np.clip(0.2 * x + 0.5, 0, 1)),
    ("elu", lambda x: np.where(x > 0, x, np.exp(x) - 1)),
    ("selu", lambda x: 1.0507009873554805 * np.where(x > 0, x, 1.6732632423543772 *
                                                      (np.exp(x) - 1))),
    ("softmax", lambda x: np.exp(x) / np.exp(x).sum(-1, keepdims=True)),
])
def test_activation_values(name, reference):
    np.testing.assert_allclose(_run(activations.get(name)), reference(X.astype(np.float64)),
                               rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("kwargs, expected", [  # from TF1-era Keras (tf_keras 2.x)
    ({}, [0.0, 0.0, 0.2, 2.0, 7.0]),
    ({"alpha": 0.1}, [-0.3, -0.05, 0.2, 2.0, 7.0]),
    ({"max_value": 6.0}, [0.0, 0.0, 0.2, 2.0, 6.0]),
    ({"alpha": 0.1, "max_value": 5.0, "threshold": 1.0}, [-0.4, -0.15, -0.08, 2.0, 5.0]),
    ({"threshold": 1.0}, [0.0, 0.0, 0.0, 2.0, 7.0]),
    ({"max_value": 1.5}, [0.0, 0.0, 0.2, 1.5, 1.5]),
])
def test_relu_variants(kwargs, expected):
    np.testing.assert_allclose(_run(lambda x: activations.relu(x, **kwargs))[0], expected,
                               rtol=1e-6, atol=1e-7)


def test_elu_alpha_and_softmax_3d_and_1d_error():
    expected = np.where(X > 0, X, 0.5 * (np.exp(X) - 1))
    np.testing.assert_allclose(_run(lambda x: activations.elu(x, 0.5)), expected, rtol=1e-6)
    cube = np.arange(12, dtype=np.float32).reshape(2, 3, 2) / 5
    ref = np.exp(cube) / np.exp(cube).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(_run(lambda x: activations.softmax(x, axis=1), cube), ref,
                               rtol=1e-6)
    with fg.Graph().as_default():
        with pytest.raises(ValueError, match="Cannot apply softmax to a tensor that is 1D"):
            activations.softmax(fg.constant([1.0, 2.0]))


def test_activation_get_and_serialize():
    assert activations.get(None) is activations.linear
    assert activations.get("relu") is activations.relu
    assert activations.serialize(activations.tanh) == "tanh"
    assert activations.deserialize("softmax") is activations.softmax
    with pytest.raises(ValueError, match="Unknown activation function: bogus"):
        activations.get("bogus")
    with pytest.raises(ValueError, match="Could not interpret activation"):
        activations.get(3)


W = np.array([[3.0, 0.5], [4.0, -0.5]], np.float32)


def test_regularizers():
    value = _run(regularizers.l1_l2(0.1, 0.2), W)
    assert value == pytest.approx(0.1 * np.abs(W).sum() + 0.2 * (W ** 2).sum(), rel=1e-6)
    assert value == pytest.approx(5.9, rel=1e-6)
    assert _run(regularizers.get("l2"), W) == pytest.approx(0.01 * (W ** 2).sum(), rel=1e-6)
    assert _run(regularizers.get("l1"), W) == pytest.approx(0.01 * np.abs(W).sum(), rel=1e-6)
    assert _run(regularizers.L1L2(), W) == 0.0
    config = regularizers.get("l1_l2").get_config()
    assert config == {"l1": pytest.approx(0.01), "l2": pytest.approx(0.01)}
    back = regularizers.get(regularizers.serialize(regularizers.L1L2(l1=0.5)))
    assert back.get_config() == {"l1": 0.5, "l2": 0.0}
    assert regularizers.get(None) is None
    with pytest.raises(ValueError, match="Could not interpret regularizer identifier"):
        regularizers.get(1.5)


def test_constraints_against_numpy_and_keras_numbers():
    eps = 1e-7
    norms = np.sqrt((W ** 2).sum(axis=0, keepdims=True))
    max_norm = _run(constraints.MaxNorm(2.0), W)
    np.testing.assert_allclose(max_norm, W * np.clip(norms, 0, 2) / (eps + norms), rtol=1e-6)
    np.testing.assert_allclose(max_norm, [[1.2, 0.5], [1.6, -0.5]], rtol=1e-6)
    min_max = _run(constraints.MinMaxNorm(1.0, 2.0, 0.5), W)
    np.testing.assert_allclose(min_max, [[2.1, 0.603553295], [2.8, -0.603553295]], rtol=1e-6)
    rows = np.sqrt((W ** 2).sum(axis=1, keepdims=True))
    np.testing.assert_allclose(_run(constraints.UnitNorm(axis=1), W), W / (eps + rows),
                               rtol=1e-6)
    np.testing.assert_array_equal(_run(constraints.get("non_neg"), W), np.maximum(W, 0))
    assert constraints.get("max_norm").get_config() == {"max_value": 2, "axis": 0}
    assert constraints.get("min_max_norm").get_config() == {
        "min_value": 0.0, "max_value": 1.0, "rate": 1.0, "axis": 0}
    assert isinstance(constraints.get({"class_name": "UnitNorm", "config": {"axis": 1}}),
                      constraints.UnitNorm)
    with pytest.raises(ValueError, match="Could not interpret constraint identifier"):
        constraints.get(7)


def test_to_categorical_and_normalize():
    np.testing.assert_array_equal(utils.to_categorical([[1], [2], [0]]),
                                  [[0, 1, 0], [0, 0, 1], [1, 0, 0]])
    out = utils.to_categorical(np.array([[0, 3], [1, 1]]), num_classes=5)
    assert out.shape == (2, 2, 5) and out.dtype == np.float32
    assert out[0, 1, 3] == 1 and out.sum() == 4
    with pytest.raises(IndexError, match="num_classes"):
        utils.to_categorical([0, 4], num_classes=3)
    np.testing.assert_allclose(utils.normalize([[3.0, 4.0], [0.0, 0.0]]),
                               [[0.6, 0.8], [0.0, 0.0]])


def test_custom_objects_scope_and_sequence():
    def my_act(x):
        return x * 2

    with utils.custom_object_scope({"my_act": my_act}):
        assert activations.get("my_act") is my_act
        assert utils.get_custom_objects()["my_act"] is my_act
    assert "my_act" not in utils.get_custom_objects()
    with pytest.raises(ValueError):
        activations.get("my_act")

    class Batches(utils.Sequence):
        def __len__(self):
            return 3

        def __getitem__(self, index):
            return index * 10

    assert list(Batches()) == [0, 10, 20]
    with pytest.raises(NotImplementedError, match="__len__"):
        len(utils.Sequence())
