"""The shared plumbing of the kernel-and-bias layers: functional forms forward every
argument to their layer (name/reuse become the variable scope), and subclass constructors
forward theirs to the base."""

import inspect

import numpy as np
import pytest

import flowgraph as fg
from flowgraph.layers.plumbing import arguments_of


def test_arguments_of_drops_self_and_the_class_cell_and_merges_kwargs():
    class Base:
        def __init__(self, **kwargs):
            self.got = kwargs

    class Child(Base):
        def __init__(self, a, b=2, **kwargs):
            super().__init__(**arguments_of(locals()))

    assert Child(1, extra=3).got == {"a": 1, "b": 2, "extra": 3}


def _l2(scale):
    return lambda w: scale * fg.reduce_sum(fg.square(w))


@pytest.mark.parametrize("build, kernel_shape", [
    (lambda x: fg.layers.dense(x, 3, activation=fg.nn.relu, use_bias=False, name="f",
                               kernel_initializer=fg.constant_initializer(0.5),
                               kernel_regularizer=_l2(2.0), trainable=False), [4, 3]),
    (lambda x: fg.layers.conv1d(x, 3, 2, activation=fg.nn.relu, use_bias=False, name="f",
                                kernel_initializer=fg.constant_initializer(0.5),
                                kernel_regularizer=_l2(2.0), trainable=False), [2, 4, 3]),
    (lambda x: fg.layers.conv2d(x, 3, 1, activation=fg.nn.relu, use_bias=False, name="f",
                                kernel_initializer=fg.constant_initializer(0.5),
                                kernel_regularizer=_l2(2.0), trainable=False), [1, 1, 4, 3]),
    (lambda x: fg.layers.conv2d_transpose(
        x, 3, 1, activation=fg.nn.relu, use_bias=False, name="f",
        kernel_initializer=fg.constant_initializer(0.5), kernel_regularizer=_l2(2.0),
        trainable=False), [1, 1, 3, 4]),
])
def test_functional_forms_forward_every_argument(build, kernel_shape):
    rank = len(kernel_shape)
    shape = {2: [2, 4], 3: [2, 5, 4], 4: [2, 2, 2, 4]}[rank]
    x = fg.placeholder(fg.float32, shape)
    y = build(x)
    assert [(v.op.name, v.shape.as_list()) for v in fg.global_variables()] == [
        ("f/kernel", kernel_shape)]
    assert fg.trainable_variables() == []
    losses = fg.get_collection(fg.GraphKeys.REGULARIZATION_LOSSES)
    assert len(losses) == 1
    xv = -np.ones(shape, np.float32)
    with fg.Session() as sess:
        sess.run(fg.global_variables_initializer())
        out, loss = sess.run([y, losses[0]], {x: xv})
    assert (out == 0).all()  # relu of negative sums
    np.testing.assert_allclose(loss, 2.0 * 0.25 * np.prod(kernel_shape), rtol=1e-6)


def test_functional_reuse_shares_the_scope_variables():
    x = fg.placeholder(fg.float32, [None, 2, 2, 3])
    a = fg.layers.conv2d(x, 4, 1, name="c")
    b = fg.layers.conv2d(x, 4, 1, name="c", reuse=True)
    d = fg.layers.dense(fg.layers.flatten(a), 2, name="d")
    e = fg.layers.dense(fg.layers.flatten(b), 2, name="d", reuse=True)
    assert [v.op.name for v in fg.global_variables()] == [
        "c/kernel", "c/bias", "d/kernel", "d/bias"]
    xv = np.random.default_rng(0).standard_normal((2, 2, 2, 3)).astype(np.float32)
    with fg.Session() as sess:
        sess.run(fg.global_variables_initializer())
        first, second = sess.run([d, e], {x: xv})
    np.testing.assert_array_equal(first, second)


@pytest.mark.parametrize("functional, layer_class", [
    (fg.layers.dense, fg.layers.Dense), (fg.layers.conv1d, fg.layers.Conv1D),
    (fg.layers.conv2d, fg.layers.Conv2D),
    (fg.layers.conv2d_transpose, fg.layers.Conv2DTranspose),
    (fg.layers.separable_conv2d, fg.layers.SeparableConv2D),
])
def test_functional_signature_is_the_layer_signature_plus_inputs_and_reuse(functional,
                                                                          layer_class):
    functional_params = inspect.signature(functional).parameters
    layer_params = inspect.signature(layer_class).parameters
    assert list(functional_params)[0] == "inputs" and list(functional_params)[-1] == "reuse"
    layer_names = [n for n in layer_params if n != "kwargs"]
    assert [n for n in functional_params if n not in ("inputs", "reuse")] == layer_names
    for name in layer_names:
        mine, theirs = functional_params[name].default, layer_params[name].default
        assert type(mine) is type(theirs), name  # initializer objects: the same class
        if isinstance(mine, (int, float, str, tuple)):
            assert mine == theirs, name
