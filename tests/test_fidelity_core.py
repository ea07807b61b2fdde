"""TF1 behaviours of the graph core (gradients, Variables, variable scopes) that a TF1 user's
code relies on. Expected values come from running the same snippet on TensorFlow
(`tf.compat.v1`, graph mode)."""

import numpy as np
import pytest

import flowgraph as fg


def _run(fetches, feeds=None):
    with fg.Session() as sess:
        sess.run(fg.global_variables_initializer())
        return sess.run(fetches, feeds)


# ----------------------------------------------------------------------------- gradients
def test_stop_gradients_listing_an_x_still_gives_its_partial_derivative():
    # TF1's documented example: partial derivatives [1, 1], total derivatives [3, 1].
    a = fg.constant(0.0)
    b = 2 * a
    partial = fg.gradients(a + b, [a, b], stop_gradients=[a, b])
    total = fg.gradients(a + b, [a, b])
    assert _run(partial) == [1.0, 1.0]
    assert _run(total) == [3.0, 1.0]


def test_stop_gradients_on_one_input_of_a_product():
    x = fg.constant([[0.5, -1.2], [1.5, 0.3]])
    y = fg.constant([[1.0, 2.0], [0.2, -0.4]])
    gx, gy = fg.gradients(fg.reduce_sum(x * y), [x, y], stop_gradients=[y])
    vx, vy = _run([gx, gy])
    np.testing.assert_allclose(vx, [[1.0, 2.0], [0.2, -0.4]])
    np.testing.assert_allclose(vy, [[0.5, -1.2], [1.5, 0.3]])


def test_gradients_of_an_integer_tensor_are_none():
    a = fg.constant([1, 2])
    assert fg.gradients(fg.reduce_sum(a * 2), a) == [None]


# ----------------------------------------------------------------------------- Variables
def test_identity_of_a_variable_under_control_dependencies_sees_the_update():
    x = fg.Variable(1.0)
    with fg.control_dependencies([fg.assign_add(x, 1.0)]):
        y = fg.identity(x)
    assert _run(y) == 2.0  # TF1 (ref variables): 2.0


def test_variable_arithmetic_under_control_dependencies_sees_the_update():
    x = fg.Variable([1.0, 2.0])
    with fg.control_dependencies([x.assign([5.0, 6.0])]):
        y = x * 2.0
    np.testing.assert_allclose(_run(y), [10.0, 12.0])


def test_variable_read_outside_control_dependencies_is_the_shared_snapshot():
    x = fg.Variable(1.0, name="x")
    assert (x + 1.0).op.inputs[0].name == "x/read:0"


# ----------------------------------------------------------------------- variable scopes
def test_reentering_a_variable_scope_object_opens_a_new_name_scope():
    with fg.variable_scope("foo") as scope:
        v = fg.get_variable("v", [1])
    with fg.variable_scope(scope, reuse=True) as again:
        v2 = fg.get_variable("v")
        c = fg.constant(1.0)
    assert v2 is v
    assert c.name == "foo_1/Const:0"  # TF1: a fresh name scope, foo_1/
    assert again.name == "foo"
    assert again.original_name_scope == "foo/"


def test_reentering_a_nested_variable_scope_object():
    with fg.variable_scope("outer"):
        with fg.variable_scope("inner") as inner:
            pass
    with fg.variable_scope(inner):
        w = fg.get_variable("w", [1])
        c = fg.constant(1.0)
    assert w.name == "outer/inner/w:0"
    assert c.name == "inner/Const:0"  # TF1: name scope of the last component only


# ------------------------------------------------------------- user gradient functions
def test_register_gradient_with_gradient_override_map():
    @fg.RegisterGradient("FidelityReverseGrad")
    def _reverse(op, grad):
        return [-grad]

    x = fg.constant([1.0, 2.0])
    with fg.get_default_graph().gradient_override_map({"Identity": "FidelityReverseGrad"}):
        y = fg.identity(x)
    z = fg.identity(x)  # outside the map: its own gradient
    (g,) = fg.gradients(fg.reduce_sum(y * 3.0 + z), x)
    np.testing.assert_array_equal(_run(g), [-2.0, -2.0])
    with pytest.raises(KeyError):
        fg.RegisterGradient("FidelityReverseGrad")(_reverse)


def test_custom_gradient_replaces_the_gradient_of_a_function():
    @fg.custom_gradient
    def clip_gradient(a):
        def grad(dy):
            return fg.clip_by_value(dy, -0.5, 0.5)
        return a * 1.0, grad

    x = fg.constant([1.0, 2.0])
    y = clip_gradient(x)
    (g,) = fg.gradients(fg.reduce_sum(y * fg.constant([3.0, -0.1])), x)
    value, grad = _run([y, g])
    np.testing.assert_array_equal(value, [1.0, 2.0])
    np.testing.assert_allclose(grad, [0.5, -0.1])


def test_not_differentiable_op_type_gives_none():
    fg.NotDifferentiable("FidelityNoSuchOpType")
    assert fg.no_gradient is fg.NotDifferentiable


# ------------------------------------------------------------- TF1 top-level helpers
def test_tf1_module_level_helpers():
    fg.disable_v2_behavior()
    fg.disable_eager_execution()
    assert fg.executing_eagerly() is False
    with pytest.raises(RuntimeError):
        fg.enable_eager_execution()
    # (no logging calls here: the "tensorflow" logger's handler binds the stderr of the
    # first test that logs)
    assert fg.logging.ERROR == 40 and callable(fg.logging.set_verbosity)
    assert callable(fg.app.run) and callable(fg.flags.DEFINE_integer)
    assert callable(fg.gfile.Exists)
    x = fg.constant([1.0])
    assert fg.is_tensor(x) and fg.is_tensor(fg.Variable(1.0)) and not fg.is_tensor([1.0])
    assert fg.get_static_value(x * 2).tolist() == [2.0]
    assert fg.get_static_value(fg.placeholder(fg.float32)) is None
    assert fg.debugging.check_numerics is fg.check_numerics


def test_shape_and_tensor_text_as_tf1():
    assert repr(fg.TensorShape([None, 3])) == "TensorShape([Dimension(None), Dimension(3)])"
    assert repr(fg.TensorShape([])) == "TensorShape([])"
    assert repr(fg.TensorShape(None)) == "TensorShape(None)"
    x = fg.placeholder(fg.float32, [None, 3], name="x")
    assert str(x) == 'Tensor("x:0", shape=(?, 3), dtype=float32)'


def test_tf1_argument_names_of_device_as_dtype_dimension_value():
    with fg.device(device_name_or_function="/cpu:0"):
        c = fg.constant(1.0)
    with fg.get_default_graph().device(device_name_or_function="/cpu:0"):
        d = fg.constant(2.0)
    assert c.device == d.device == "/device:CPU:0"
    assert fg.as_dtype(type_value="float32") is fg.float32
    assert fg.dimension_value(dimension=fg.TensorShape([3])[0]) == 3
