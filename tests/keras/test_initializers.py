"""tf.keras.initializers: Keras' defaults and configs (hard-coded from TF1-era Keras) and the
statistics of the draws against the specified distributions."""

import numpy as np
import pytest

import flowgraph as fg
from flowgraph.keras import initializers


def _draw(init, shape, dtype=None):
    with fg.Graph().as_default():
        tensor = init(shape, dtype=dtype) if dtype is not None else init(shape)
        with fg.Session() as sess:
            return sess.run(tensor)


@pytest.mark.parametrize("name, class_name, config", [
    ("glorot_uniform", "GlorotUniform", {"seed": None, "dtype": "float32"}),
    ("random_normal", "RandomNormal",
     {"mean": 0.0, "stddev": 0.05, "seed": None, "dtype": "float32"}),
    ("truncated_normal", "TruncatedNormal",
     {"mean": 0.0, "stddev": 0.05, "seed": None, "dtype": "float32"}),
    ("uniform", "RandomUniform",
     {"minval": -0.05, "maxval": 0.05, "seed": None, "dtype": "float32"}),
    ("orthogonal", "Orthogonal", {"gain": 1.0, "seed": None, "dtype": "float32"}),
    ("VarianceScaling", "VarianceScaling",
     {"scale": 1.0, "mode": "fan_in", "distribution": "truncated_normal", "seed": None,
      "dtype": "float32"}),
    ("zeros", "Zeros", {"dtype": "float32"}),
    ("Constant", "Constant", {"value": 0, "dtype": "float32"}),
    ("identity", "Identity", {"gain": 1.0, "dtype": "float32"}),
    ("he_normal", "VarianceScaling",
     {"scale": 2.0, "mode": "fan_in", "distribution": "truncated_normal", "seed": None,
      "dtype": "float32"}),
])
def test_get_by_name_gives_keras_defaults(name, class_name, config):
    init = initializers.get(name)
    assert type(init).__name__ == class_name
    assert init.get_config() == config


def test_serialize_round_trip():
    init = initializers.VarianceScaling(scale=3.0, mode="fan_avg", distribution="uniform",
                                        seed=7)
    data = initializers.serialize(init)
    assert data["class_name"] == "VarianceScaling"
    back = initializers.get(data)
    assert isinstance(back, initializers.VarianceScaling)
    assert back.get_config() == init.get_config()


def test_get_none_callable_and_bad():
    assert initializers.get(None) is None

    def fn(shape, dtype=None, partition_info=None):
        return fg.zeros(shape)

    assert initializers.get(fn) is fn
    with pytest.raises(ValueError, match="Could not interpret initializer identifier"):
        initializers.get(42)
    with pytest.raises(ValueError, match="Unknown initializer: no_such"):
        initializers.get("no_such")


def test_random_normal_default_statistics():
    values = _draw(initializers.RandomNormal(seed=1), (300, 300))
    assert values.dtype == np.float32
    assert abs(values.mean()) < 0.002
    assert abs(values.std() - 0.05) < 0.002
    assert np.abs(values).max() > 0.15  # untruncated: beyond 3 stddevs somewhere


def test_random_uniform_default_statistics():
    values = _draw(initializers.RandomUniform(seed=2), (300, 300))
    assert values.min() >= -0.05 and values.max() < 0.05
    assert abs(values.std() - 0.1 / np.sqrt(12)) < 0.001


def test_truncated_normal_default_statistics():
    values = _draw(initializers.TruncatedNormal(seed=3), (300, 300))
    assert np.abs(values).max() <= 0.1
    # the stddev of a normal truncated at two stddevs is 0.8796 of the original
    assert abs(values.std() - 0.05 * 0.87962566) < 0.002


def test_glorot_uniform_limit_and_spread():
    values = _draw(initializers.get("glorot_uniform"), (200, 300))
    limit = np.sqrt(6.0 / (200 + 300))
    assert values.min() >= -limit and values.max() <= limit
    assert values.max() > 0.99 * limit
    assert abs(values.std() - limit / np.sqrt(3)) < 0.002


def test_he_normal_and_he_uniform_scales():
    fan_in = 400
    normal = _draw(initializers.he_normal(seed=4), (fan_in, 300))
    assert abs(normal.std() - np.sqrt(2.0 / fan_in)) < 0.002
    assert np.abs(normal).max() <= 2 * np.sqrt(2.0 / fan_in) / 0.87962566 + 1e-6
    uniform = _draw(initializers.he_uniform(seed=5), (fan_in, 300))
    assert np.abs(uniform).max() <= np.sqrt(6.0 / fan_in)
    assert abs(uniform.std() - np.sqrt(2.0 / fan_in)) < 0.002


def test_lecun_uniform_uses_conv_fans():
    # kernel (3, 3, 16, 8): fan_in = 3 * 3 * 16
    values = _draw(initializers.lecun_uniform(seed=6), (3, 3, 16, 8))
    limit = np.sqrt(3.0 / 144)
    assert np.abs(values).max() <= limit
    assert np.abs(values).max() > 0.9 * limit


def test_orthogonal_and_identity_and_constant():
    q = _draw(initializers.Orthogonal(gain=2.0, seed=7), (6, 4))
    np.testing.assert_allclose(q.T @ q, 4.0 * np.eye(4), atol=1e-5)
    np.testing.assert_array_equal(_draw(initializers.Identity(gain=3.0), (2, 3)),
                                  [[3, 0, 0], [0, 3, 0]])
    np.testing.assert_array_equal(_draw(initializers.Constant(2.5), (2,)), [2.5, 2.5])
    np.testing.assert_array_equal(_draw(initializers.get("ones"), (2, 2), "float64"),
                                  np.ones((2, 2)))


def test_usable_as_get_variable_initializer():
    with fg.Graph().as_default():
        v = fg.get_variable("w", shape=(3, 2), initializer=initializers.get("ones"))
        with fg.Session() as sess:
            sess.run(fg.global_variables_initializer())
            np.testing.assert_array_equal(sess.run(v), np.ones((3, 2)))
