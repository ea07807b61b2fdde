"""fg.layers core layers: Dense, Flatten, the Layer base (names, scopes, sharing, weights
bookkeeping, input checks) as TF1's tf.layers."""

import numpy as np
import pytest

import flowgraph as fg
import flowgraph.layers as layers


def run(fetches, feed_dict=None):
    with fg.Session() as sess:
        sess.run(fg.global_variables_initializer())
        return sess.run(fetches, feed_dict)


def variable_names():
    return [v.op.name for v in fg.global_variables()]


# --------------------------------------------------------------------------- Dense
def test_dense_variables_shapes_and_op_names():
    x = fg.placeholder(fg.float32, [None, 3])
    y = layers.dense(x, 4, activation=fg.nn.relu)
    assert y.op.name == "dense/Relu"
    assert y.shape.as_list() == [None, 4]
    assert variable_names() == ["dense/kernel", "dense/bias"]
    kernel, bias = fg.global_variables()
    assert kernel.shape.as_list() == [3, 4] and bias.shape.as_list() == [4]
    assert layers.dense(x, 2).op.name == "dense_1/BiasAdd"
    assert variable_names()[2:] == ["dense_1/kernel", "dense_1/bias"]


def test_dense_computes_relu_of_affine_map_with_zero_bias_and_glorot_kernel():
    x = fg.placeholder(fg.float32, [None, 3])
    layer = layers.Dense(50, activation=fg.nn.relu)
    y = layer(x)
    xv = np.array([[1.0, -2.0, 0.5], [0.0, 1.0, 3.0]], np.float32)
    with fg.Session() as sess:
        sess.run(fg.global_variables_initializer())
        out, kernel, bias = sess.run([y, layer.kernel, layer.bias], {x: xv})
    np.testing.assert_allclose(out, np.maximum(xv @ kernel + bias, 0), rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(bias, np.zeros(50))
    limit = np.sqrt(6.0 / (3 + 50))
    assert np.abs(kernel).max() <= limit and np.abs(kernel).max() > 0.5 * limit


def test_dense_on_rank3_inputs_multiplies_the_last_axis():
    x = fg.placeholder(fg.float32, [None, 5, 3])
    layer = layers.Dense(2, kernel_initializer=fg.ones_initializer(),
                         bias_initializer=fg.constant_initializer(0.5))
    y = layer(x)
    assert y.shape.as_list() == [None, 5, 2]
    xv = np.arange(30, dtype=np.float32).reshape(2, 5, 3)
    np.testing.assert_allclose(run(y, {x: xv}), np.repeat(xv.sum(-1, keepdims=True), 2, -1)
                               + 0.5)


def test_dense_without_bias_and_not_trainable():
    x = fg.placeholder(fg.float32, [None, 3])
    a = layers.Dense(2, use_bias=False, name="a")
    a(x)
    assert a.bias is None and a.variables == [a.kernel]
    b = layers.Dense(2, trainable=False, name="b")
    b(x)
    assert b.trainable_variables == [] and b.non_trainable_variables == [b.kernel, b.bias]
    assert [v.op.name for v in fg.trainable_variables()] == ["a/kernel"]


def test_dense_rejects_unknown_last_dimension_and_rank():
    with pytest.raises(ValueError, match="last dimension of the inputs to `Dense`"):
        layers.dense(fg.placeholder(fg.float32, [None, None]), 4)
    with pytest.raises(ValueError, match="rank is undefined"):
        layers.dense(fg.placeholder(fg.float32), 4)
    with pytest.raises(ValueError, match="expected min_ndim=2, found ndim=1"):
        layers.dense(fg.placeholder(fg.float32, [3]), 4)


def test_input_spec_checked_on_later_calls():
    layer = layers.Dense(2, name="d")
    layer(fg.placeholder(fg.float32, [None, 3]))
    with pytest.raises(ValueError, match="expected axis -1 of input shape to have value 3"):
        layer(fg.placeholder(fg.float32, [None, 4]))


def test_dense_compute_output_shape():
    layer = layers.Dense(2)
    assert layer.compute_output_shape([None, 4, 3]).as_list() == [None, 4, 2]
    with pytest.raises(ValueError):
        layer.compute_output_shape([1])


def test_layer_object_names_are_one_based_and_scope_names_zero_based():
    x = fg.placeholder(fg.float32, [None, 2])
    first, second = layers.Dense(2), layers.Dense(2)
    first(x)
    second(x)
    assert (first.name, second.name) == ("dense_1", "dense_2")
    assert (first.scope_name, second.scope_name) == ("dense", "dense_1")
    with pytest.raises(ValueError, match="has not been used yet"):
        layers.Dense(2).scope_name  # noqa: B018


def test_calling_a_layer_twice_shares_its_variables():
    layer = layers.Dense(3, name="shared")
    a = layer(fg.placeholder(fg.float32, [None, 2]))
    b = layer(fg.placeholder(fg.float32, [None, 2]))
    assert len(fg.global_variables()) == 2
    assert a.op.name == "shared/BiasAdd" and b.op.name == "shared/BiasAdd_1"


def test_functional_reuse_by_name_and_by_variable_scope():
    x = fg.placeholder(fg.float32, [None, 3])
    y1 = layers.dense(x, 2, name="my_dense")
    y2 = layers.dense(x, 2, name="my_dense", reuse=True)
    assert len(fg.trainable_variables()) == 2
    with pytest.raises(ValueError, match="already exists"):
        layers.dense(x, 2, name="my_dense")
    with fg.variable_scope("model"):
        layers.dense(x, 2)
        layers.conv2d(fg.placeholder(fg.float32, [None, 5, 5, 1]), 2, 3)
    with fg.variable_scope("model", reuse=True):
        layers.dense(x, 2)
        layers.conv2d(fg.placeholder(fg.float32, [None, 5, 5, 1]), 2, 3)
    assert variable_names() == ["my_dense/kernel", "my_dense/bias", "model/dense/kernel",
                                "model/dense/bias", "model/conv2d/kernel", "model/conv2d/bias"]
    v1, v2 = run([y1, y2], {x: np.ones((1, 3))})
    np.testing.assert_array_equal(v1, v2)


def test_auto_reuse_scope_shares_layer_variables():
    x = fg.placeholder(fg.float32, [None, 3])
    for _ in range(3):
        with fg.variable_scope("tower", reuse=fg.AUTO_REUSE):
            layers.dense(x, 2)
    assert variable_names() == ["tower/dense/kernel", "tower/dense/bias"]


def test_name_may_be_a_variable_scope():
    x = fg.placeholder(fg.float32, [None, 3])
    with fg.variable_scope("test1") as scope:
        layers.dense(x, 2, name=scope)
    assert variable_names() == ["test1/kernel", "test1/bias"]


def test_scope_initializer_and_custom_getter_apply_to_layers():
    calls = []

    def getter(next_getter, *args, **kwargs):
        calls.append(args[0])
        return next_getter(*args, **kwargs)

    x = fg.placeholder(fg.float32, [None, 3])
    with fg.variable_scope("s", initializer=fg.ones_initializer(), custom_getter=getter):
        layer = layers.Dense(2)
        layer(x)
    assert calls == ["s/dense/kernel", "s/dense/bias"]
    kernel, bias = run([layer.kernel, layer.bias])
    np.testing.assert_array_equal(kernel, np.ones((3, 2)))
    np.testing.assert_array_equal(bias, np.zeros(2))  # bias_initializer is explicit


def test_layer_takes_the_dtype_of_its_first_input():
    layer = layers.Dense(2)
    y = layer(fg.placeholder(fg.float64, [None, 3]))
    assert layer.dtype == "float64" and layer.kernel.dtype == fg.float64
    assert y.dtype == fg.float64


def test_unknown_keyword_argument_is_a_type_error():
    with pytest.raises(TypeError, match="Keyword argument not understood"):
        layers.Dense(2, units_typo=3)


def test_count_params():
    layer = layers.Dense(4)
    with pytest.raises(ValueError, match="isn't built"):
        layer.count_params()
    layer(fg.placeholder(fg.float32, [None, 3]))
    assert layer.count_params() == 3 * 4 + 4


def test_custom_layer_with_add_weight_and_build():
    class Scale(layers.Layer):
        def build(self, input_shape):
            self.w = self.add_weight("w", [input_shape[-1].value],
                                     initializer=fg.constant_initializer(2.0))
            self.built = True

        def call(self, inputs):
            return inputs * self.w

    layer = Scale()
    y = layer(fg.constant([[1.0, 2.0]]))
    assert layer.w.op.name == "scale/w" and y.op.name == "scale/mul"
    np.testing.assert_allclose(run(y), [[2.0, 4.0]])


# --------------------------------------------------------------------------- Flatten
def test_flatten_shapes_and_values():
    x = fg.placeholder(fg.float32, [None, 2, 3])
    y = layers.flatten(x)
    assert y.shape.as_list() == [None, 6] and y.op.name == "flatten/Reshape"
    xv = np.arange(12, dtype=np.float32).reshape(2, 2, 3)
    np.testing.assert_array_equal(run(y, {x: xv}), xv.reshape(2, 6))
    assert layers.Flatten()(fg.placeholder(fg.float32, [5, None, 2])).shape.as_list() == \
        [5, None]
    one = fg.placeholder(fg.float32, [None])
    flat = layers.Flatten()(one)
    assert flat.shape.as_list() == [None, 1]
    assert run(flat, {one: np.zeros(4)}).shape == (4, 1)


def test_flatten_channels_first_matches_channels_last():
    last = np.arange(24, dtype=np.float32).reshape(1, 4, 3, 2)
    a = layers.flatten(fg.constant(last))
    b = layers.flatten(fg.constant(last.transpose(0, 3, 1, 2)), data_format="channels_first")
    got_a, got_b = run([a, b])
    np.testing.assert_array_equal(got_a, got_b)
    np.testing.assert_array_equal(got_a, last.reshape(1, 24))


def test_nested_lists_of_numbers_are_one_input():
    y = layers.dense([[1.0, 2.0]], 3, kernel_initializer=fg.ones_initializer())
    assert y.shape.as_list() == [1, 3]
    np.testing.assert_allclose(run(y), [[3.0, 3.0, 3.0]])
