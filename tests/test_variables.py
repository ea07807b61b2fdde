"""Variables, their initialization and updates, variable scopes, and initializers."""

import inspect
import math
import os

import numpy as np
import pytest

import flowgraph as fg

THIS_FILE = os.path.abspath(__file__)


def _line() -> int:
    return inspect.currentframe().f_back.f_lineno


# --------------------------------------------------------------------------- names, basics
def test_variable_names():
    v = fg.Variable([1.0, 2.0], name="v")
    assert v.name == "v:0"
    assert v.op.name == "v"
    assert v.op.type == "VariableV2"
    assert v.initializer.name == "v/Assign"
    assert v.initial_value.name == "v/initial_value:0"
    assert v.value().name == "v/read:0"
    assert v.dtype is fg.float32
    assert v.shape.as_list() == [2]
    assert v.get_shape().as_list() == [2]
    assert v.graph is fg.get_default_graph()


def test_variable_default_names_are_unique():
    a = fg.Variable(1.0)
    b = fg.Variable(1.0)
    assert a.name == "Variable:0"
    assert b.name == "Variable_1:0"
    with fg.name_scope("layer"):
        c = fg.Variable(1.0, name="w")
    assert c.name == "layer/w:0"
    assert c.initializer.name == "layer/w/Assign"


def test_variable_initial_value_and_initializer():
    v = fg.Variable(np.array([[1, 2], [3, 4]], np.int64), name="v")
    assert v.dtype is fg.int64
    with fg.Session() as sess:
        # The initial value can be computed without initializing the variable.
        np.testing.assert_array_equal(sess.run(v.initial_value), [[1, 2], [3, 4]])
        assert sess.run(fg.is_variable_initialized(v)) == False  # noqa: E712
        sess.run(v.initializer)
        assert sess.run(fg.is_variable_initialized(v)) == True  # noqa: E712
        value = sess.run(v)
    assert value.dtype == np.int64
    np.testing.assert_array_equal(value, [[1, 2], [3, 4]])


def test_variable_from_callable_and_dtype():
    v = fg.Variable(lambda: fg.constant([1.0, 2.0]), name="lazy")
    assert v.initial_value.op.name.startswith("lazy/Initializer/")
    d = fg.Variable([1, 2], dtype=fg.float64, name="d")
    assert d.dtype is fg.float64
    with fg.Session() as sess:
        sess.run(fg.global_variables_initializer())
        np.testing.assert_array_equal(sess.run(v), [1.0, 2.0])
        assert sess.run(d).dtype == np.float64


def test_variable_requires_initial_value_and_known_shape():
    with pytest.raises(ValueError):
        fg.Variable(None)
    x = fg.placeholder(fg.float32, [None])
    with pytest.raises(ValueError, match="validate_shape"):
        fg.Variable(x)
    loose = fg.Variable(x, validate_shape=False, name="loose")
    assert loose.shape.ndims is None
    with fg.Session() as sess:
        sess.run(loose.initializer, {x: [1.0, 2.0, 3.0]})
        np.testing.assert_array_equal(sess.run(loose), [1.0, 2.0, 3.0])


def test_variable_operators_and_conversion():
    v = fg.Variable([1.0, 2.0, 3.0], name="v")
    total = fg.add(v, 1.0)
    with fg.Session() as sess:
        sess.run(v.initializer)
        np.testing.assert_array_equal(sess.run(total), [2.0, 3.0, 4.0])
        np.testing.assert_array_equal(sess.run(v * 2.0), [2.0, 4.0, 6.0])
        np.testing.assert_array_equal(sess.run(v + v), [2.0, 4.0, 6.0])
        assert sess.run(v[1]) == 2.0


# --------------------------------------------------------------------------- collections
def test_global_local_and_trainable_collections():
    a = fg.Variable(1.0, name="a")
    b = fg.Variable(1.0, name="b", trainable=False)
    c = fg.Variable(1.0, name="c", trainable=False, collections=[fg.GraphKeys.LOCAL_VARIABLES])
    d = fg.get_local_variable("d", shape=[2])
    assert fg.global_variables() == [a, b]
    assert fg.trainable_variables() == [a]
    assert fg.local_variables() == [c, d]
    assert not d.trainable
    assert fg.get_collection(fg.GraphKeys.GLOBAL_VARIABLES) == [a, b]
    assert fg.get_collection(fg.GraphKeys.TRAINABLE_VARIABLES) == [a]


def test_collections_with_scope_filter():
    with fg.variable_scope("enc"):
        e = fg.get_variable("w", [2])
    with fg.variable_scope("dec"):
        d = fg.get_variable("w", [2])
    assert fg.global_variables("enc") == [e]
    assert fg.trainable_variables("dec") == [d]
    assert fg.global_variables() == [e, d]


def test_global_variables_initializer_and_variables_initializer():
    a = fg.Variable(1.0, name="a")
    b = fg.Variable(2.0, name="b")
    loc = fg.Variable(3.0, name="loc", trainable=False,
                      collections=[fg.GraphKeys.LOCAL_VARIABLES])
    init = fg.global_variables_initializer()
    assert init.name == "init"
    assert init.type == "NoOp"
    with fg.Session() as sess:
        sess.run(fg.variables_initializer([b]))
        assert sess.run(fg.report_uninitialized_variables()).tolist() == [b"a", b"loc"]
        assert sess.run(b) == 2.0
        sess.run(init)
        assert sess.run(fg.report_uninitialized_variables()).tolist() == [b"loc"]
        assert sess.run(a) == 1.0
        sess.run(fg.local_variables_initializer())
        assert sess.run(loc) == 3.0
        empty = sess.run(fg.report_uninitialized_variables())
    assert empty.shape == (0,)


def test_report_uninitialized_variables_of_a_list():
    a = fg.Variable(1.0, name="a")
    b = fg.Variable(1.0, name="b")
    report = fg.report_uninitialized_variables([b])
    assert report.dtype is fg.string
    with fg.Session() as sess:
        assert sess.run(report).tolist() == [b"b"]
        sess.run(a.initializer)
        assert sess.run(report).tolist() == [b"b"]
        sess.run(b.initializer)
        assert sess.run(report).tolist() == []


def test_initializer_scoped_at_top_level():
    with fg.name_scope("inside"):
        fg.Variable(1.0, name="v")
        init = fg.global_variables_initializer()
    assert init.name == "init"


# --------------------------------------------------------------------------- updates
def test_assign_assign_add_assign_sub():
    v = fg.Variable([1.0, 2.0], name="v")
    set_to = v.assign([10.0, 20.0])
    add = v.assign_add([1.0, 1.0])
    sub = fg.assign_sub(v, [5.0, 5.0])
    with fg.Session() as sess:
        sess.run(v.initializer)
        np.testing.assert_array_equal(sess.run(set_to), [10.0, 20.0])
        np.testing.assert_array_equal(sess.run(v), [10.0, 20.0])
        np.testing.assert_array_equal(sess.run(add), [11.0, 21.0])
        np.testing.assert_array_equal(sess.run(add), [12.0, 22.0])
        np.testing.assert_array_equal(sess.run(sub), [7.0, 17.0])
        np.testing.assert_array_equal(sess.run(v), [7.0, 17.0])
        assert sess.run(v).dtype == np.float32


def test_scalar_assign_add_and_sub():
    counter = fg.Variable(0, name="counter")
    inc = fg.assign_add(counter, 1)
    dec = counter.assign_sub(3)
    with fg.Session() as sess:
        sess.run(counter.initializer)
        for expected in (1, 2, 3):
            assert sess.run(inc) == expected
        assert sess.run(dec) == 0
        value = sess.run(counter)
    assert isinstance(value, np.int32)


def test_assign_read_value_false_returns_operation():
    v = fg.Variable(1.0, name="v")
    op = v.assign(5.0, read_value=False)
    assert isinstance(op, fg.Operation)
    with fg.Session() as sess:
        sess.run(v.initializer)
        assert sess.run(op) is None
        assert sess.run(v) == 5.0


def test_assign_shape_and_dtype_checks():
    v = fg.Variable([1.0, 2.0], name="v")
    with pytest.raises(ValueError):
        v.assign([1.0, 2.0, 3.0])
    with pytest.raises((TypeError, ValueError)):
        v.assign(fg.constant([1, 2]))
    grow = fg.assign(v, [1.0, 2.0, 3.0], validate_shape=False)
    with fg.Session() as sess:
        sess.run(v.initializer)
        np.testing.assert_array_equal(sess.run(grow), [1.0, 2.0, 3.0])
        np.testing.assert_array_equal(sess.run(v.op.outputs[0]), [1.0, 2.0, 3.0])


def test_assign_to_a_non_variable_is_an_error():
    with pytest.raises(TypeError):
        fg.assign(fg.constant(1.0), 2.0)


def test_assign_uninitialized_variable_then_read():
    v = fg.Variable([0.0, 0.0], name="v")
    setter = v.assign([3.0, 4.0])
    with fg.Session() as sess:
        np.testing.assert_array_equal(sess.run(setter), [3.0, 4.0])
        np.testing.assert_array_equal(sess.run(v), [3.0, 4.0])


def test_scatter_update_and_scatter_add():
    v = fg.Variable(np.arange(12, dtype=np.float32).reshape(4, 3), name="v")
    upd = fg.scatter_update(v, [0, 2], [[-1.0, -1.0, -1.0], [-2.0, -2.0, -2.0]])
    add = fg.scatter_add(v, [1, 1, 3], np.ones((3, 3), np.float32))
    with fg.Session() as sess:
        sess.run(v.initializer)
        expected = np.arange(12, dtype=np.float32).reshape(4, 3)
        expected[0] = -1.0
        expected[2] = -2.0
        np.testing.assert_array_equal(sess.run(upd), expected)
        expected[1] += 2.0  # duplicate indices add up
        expected[3] += 1.0
        np.testing.assert_array_equal(sess.run(add), expected)
        np.testing.assert_array_equal(sess.run(v), expected)


def test_scatter_index_out_of_range():
    v = fg.Variable(np.zeros((2, 2), np.float32), name="v")
    bad = fg.scatter_update(v, [5], [[1.0, 1.0]])
    with fg.Session() as sess:
        sess.run(v.initializer)
        with pytest.raises(fg.errors.InvalidArgumentError, match="5"):
            sess.run(bad)
        np.testing.assert_array_equal(sess.run(v), np.zeros((2, 2)))


def test_load_and_eval():
    v = fg.Variable([1.0, 2.0], name="v")
    n_ops = len(fg.get_default_graph().get_operations())
    with fg.Session() as sess:
        sess.run(v.initializer)
        v.load([5.0, 6.0], sess)
        np.testing.assert_array_equal(sess.run(v), [5.0, 6.0])
        v.load([7, 8])  # default session; ints converted to float32
        np.testing.assert_array_equal(v.eval(), [7.0, 8.0])
        assert v.eval().dtype == np.float32
        np.testing.assert_array_equal(v.eval(session=sess), [7.0, 8.0])
        with pytest.raises(ValueError):
            v.load([1.0, 2.0, 3.0], sess)
    assert len(fg.get_default_graph().get_operations()) == n_ops  # load adds no nodes


def test_load_into_uninitialized_variable():
    v = fg.Variable([1.0, 2.0], name="v")
    with fg.Session() as sess:
        v.load([3.0, 4.0], sess)
        np.testing.assert_array_equal(sess.run(v), [3.0, 4.0])


def test_each_session_holds_its_own_values():
    v = fg.Variable(1.0, name="v")
    inc = v.assign_add(1.0)
    s1, s2 = fg.Session(), fg.Session()
    s1.run(v.initializer)
    s2.run(v.initializer)
    s1.run(inc)
    s1.run(inc)
    assert s1.run(v) == 3.0
    assert s2.run(v) == 1.0
    s3 = fg.Session()
    with pytest.raises(fg.errors.FailedPreconditionError):
        s3.run(v)
    for s in (s1, s2, s3):
        s.close()


def test_uninitialized_read_names_variable_and_creation_line():
    line = _line() + 1
    v = fg.Variable([1.0], name="not_ready")
    y = fg.add(v, 1.0)
    with fg.Session() as sess:
        with pytest.raises(fg.errors.FailedPreconditionError) as info:
            sess.run(y)
        with pytest.raises(fg.errors.FailedPreconditionError):
            sess.run(v)  # fetching the variable itself
    message = str(info.value)
    assert "not_ready" in message
    assert "uninitialized" in message
    assert THIS_FILE in message
    assert f"line {line}" in message
    assert info.value.error_code == fg.errors.FAILED_PRECONDITION


def test_variables_made_under_control_dependencies_do_not_inherit_them():
    # As TF1's init_scope (optimizer slots made under control_dependencies(update_ops)).
    x = fg.placeholder(fg.float32, [2], name="x")
    update = fg.identity(x, name="update")
    with fg.control_dependencies([update]):
        v = fg.Variable([1.0, 2.0], name="slot")
        w = fg.get_variable("w", [2], initializer=fg.ones_initializer())
        after = fg.identity(v.value(), name="after")
    for op in (v.op, v.initializer, v.value().op, w.op, w.initializer):
        assert op.control_inputs == []
    assert after.op.control_inputs == [update.op]
    with fg.Session() as sess:
        sess.run(fg.global_variables_initializer())  # needs no feed
        np.testing.assert_array_equal(sess.run(w), [1.0, 1.0])
        np.testing.assert_array_equal(sess.run(after, {x: [0.0, 0.0]}), [1.0, 2.0])


def test_variable_initialized_from_another_variable_in_one_run():
    v = fg.Variable([1.0, 2.0], name="v")
    w = fg.Variable(fg.multiply(v, 3.0), name="w")
    u = fg.Variable(fg.add(w, v), name="u")
    with fg.Session() as sess:
        sess.run(fg.global_variables_initializer())
        np.testing.assert_array_equal(sess.run(w), [3.0, 6.0])
        np.testing.assert_array_equal(sess.run(u), [4.0, 8.0])


def test_dependent_initial_value_uses_current_value_when_initialized():
    v = fg.Variable([1.0, 2.0], name="v")
    w = fg.Variable(fg.multiply(v, 3.0), name="w")
    with fg.Session() as sess:
        v.load([10.0, 20.0], sess)
        sess.run(w.initializer)
        np.testing.assert_array_equal(sess.run(w), [30.0, 60.0])


def test_initialized_value():
    v = fg.Variable([1.0, 2.0], name="v")
    w = fg.Variable(fg.multiply(v.initialized_value(), 2.0), name="w")
    with fg.Session() as sess:
        sess.run(w.initializer)
        np.testing.assert_array_equal(sess.run(w), [2.0, 4.0])


# --------------------------------------------------------------------------- get_variable
def test_get_variable_names_and_default_dtype():
    with fg.variable_scope("layer"):
        w = fg.get_variable("w", [3, 4])
        b = fg.get_variable("b", [4], initializer=fg.zeros_initializer())
    assert w.name == "layer/w:0"
    assert b.name == "layer/b:0"
    assert w.dtype is fg.float32
    assert w.shape.as_list() == [3, 4]
    assert w.initial_value.op.name.startswith("layer/w/Initializer/")


def test_get_variable_existing_without_reuse_is_an_error():
    with fg.variable_scope("s"):
        fg.get_variable("v", [1])
    with pytest.raises(ValueError, match="already exists, disallowed"):
        with fg.variable_scope("s"):
            fg.get_variable("v", [1])
    with pytest.raises(ValueError, match="s/v already exists"):
        with fg.variable_scope("s"):
            fg.get_variable("v", [1])


def test_get_variable_reuse_missing_is_an_error():
    with pytest.raises(ValueError, match="does not exist"):
        with fg.variable_scope("s", reuse=True):
            fg.get_variable("missing", [1])


def test_get_variable_reuse_shares():
    with fg.variable_scope("s"):
        v = fg.get_variable("v", [2, 3])
    with fg.variable_scope("s", reuse=True):
        same = fg.get_variable("v", [2, 3])
        also = fg.get_variable("v")
    assert same is v and also is v
    with fg.variable_scope("s", reuse=True):
        with pytest.raises(ValueError, match="shape"):
            fg.get_variable("v", [3, 3])
        with pytest.raises(ValueError, match="dtype"):
            fg.get_variable("v", [2, 3], dtype=fg.float64)
    assert len(fg.global_variables()) == 1


def test_auto_reuse():
    def layer():
        with fg.variable_scope("shared", reuse=fg.AUTO_REUSE):
            return fg.get_variable("w", [2])

    first = layer()
    second = layer()
    assert first is second
    assert len(fg.global_variables()) == 1


def test_nested_scopes_and_inherited_reuse():
    with fg.variable_scope("outer"):
        with fg.variable_scope("inner"):
            v = fg.get_variable("v", [1])
            c = fg.constant(1.0, name="c")
    assert v.name == "outer/inner/v:0"
    assert c.op.name == "outer/inner/c"
    with fg.variable_scope("outer", reuse=True):
        with fg.variable_scope("inner"):
            assert fg.get_variable_scope().reuse is True
            assert fg.get_variable("v") is v
            assert fg.get_variable_scope().name == "outer/inner"
        # reuse=False does not turn off an outer reuse (as TF1).
        with fg.variable_scope("inner", reuse=False):
            assert fg.get_variable("v") is v


def test_scope_names_with_slashes_and_outer_name_scopes():
    with fg.variable_scope("a/b") as scope:
        c = fg.constant(1.0, name="c")
        v = fg.get_variable("v", [1])
    assert scope.name == "a/b"
    assert c.op.name == "a/b/c"
    assert v.name == "a/b/v:0"
    with fg.name_scope("ns"):
        with fg.variable_scope("vs"):
            d = fg.constant(1.0, name="d")
            w = fg.get_variable("w", [1])
    # Ops get the name scope; get_variable names ignore name scopes (as TF1).
    assert d.op.name == "ns/vs/d"
    assert w.name == "vs/w:0"


def test_reuse_variables():
    with fg.variable_scope("rnn") as scope:
        v = fg.get_variable("v", [1])
        scope.reuse_variables()
        assert fg.get_variable("v") is v
        with pytest.raises(ValueError, match="does not exist"):
            fg.get_variable("other", [1])


def test_reenter_scope_object():
    with fg.variable_scope("model") as model_scope:
        v = fg.get_variable("v", [1])
    with fg.variable_scope(model_scope, reuse=True) as again:
        assert again.name == "model"
        assert fg.get_variable("v") is v
    with fg.variable_scope(model_scope):
        with pytest.raises(ValueError, match="already exists"):
            fg.get_variable("v", [1])


def test_default_name_scopes_are_uniquified():
    with fg.variable_scope(None, default_name="dense") as s1:
        a = fg.get_variable("w", [1])
    with fg.variable_scope(None, default_name="dense") as s2:
        b = fg.get_variable("w", [1])
    assert s1.name == "dense"
    assert s2.name == "dense_1"
    assert a.name == "dense/w:0" and b.name == "dense_1/w:0"


def test_scope_initializer_and_dtype_inherited():
    with fg.variable_scope("init", initializer=fg.constant_initializer(7.0)):
        with fg.variable_scope("deeper"):
            v = fg.get_variable("v", [2])
        i = fg.get_variable("i", [], dtype=fg.int32)
        own = fg.get_variable("own", [2], initializer=fg.ones_initializer())
    with fg.Session() as sess:
        sess.run(fg.global_variables_initializer())
        np.testing.assert_array_equal(sess.run(v), [7.0, 7.0])
        assert sess.run(i) == 7
        np.testing.assert_array_equal(sess.run(own), [1.0, 1.0])


def test_get_variable_with_value_initializer():
    v = fg.get_variable("v", initializer=fg.constant([[1.0, 2.0]]))
    assert v.shape.as_list() == [1, 2]
    n = fg.get_variable("n", initializer=np.array([3, 4], np.int64))
    assert n.dtype is fg.int64
    with fg.Session() as sess:
        sess.run(fg.global_variables_initializer())
        np.testing.assert_array_equal(sess.run(v), [[1.0, 2.0]])
        np.testing.assert_array_equal(sess.run(n), [3, 4])


def test_get_variable_non_float_defaults_to_zeros():
    i = fg.get_variable("i", [3], dtype=fg.int32)
    with fg.Session() as sess:
        sess.run(i.initializer)
        np.testing.assert_array_equal(sess.run(i), [0, 0, 0])


def test_get_variable_needs_shape_for_initializer_objects():
    with pytest.raises(ValueError, match="shape"):
        fg.get_variable("no_shape")
    with pytest.raises(ValueError):
        fg.get_variable("partial", [None, 3])


def test_get_variable_trainable_and_regularizer():
    v = fg.get_variable("frozen", [2], trainable=False)
    assert v not in fg.trainable_variables()
    w = fg.get_variable("reg", [2], initializer=fg.ones_initializer(),
                        regularizer=lambda t: fg.reduce_sum(fg.multiply(t, t)))
    losses = fg.get_collection(fg.GraphKeys.REGULARIZATION_LOSSES)
    assert len(losses) == 1
    with fg.Session() as sess:
        sess.run(w.initializer)
        assert sess.run(losses[0]) == 2.0


# --------------------------------------------------------------------------- initializers
def _init_value(initializer, shape, dtype=fg.float32):
    v = fg.get_variable(f"v{len(fg.global_variables())}", shape, dtype=dtype,
                        initializer=initializer)
    with fg.Session() as sess:
        sess.run(v.initializer)
        return sess.run(v)


def test_default_initializer_is_glorot_uniform():
    fan_in, fan_out = 300, 200
    v = fg.get_variable("w", [fan_in, fan_out])
    with fg.Session() as sess:
        sess.run(v.initializer)
        value = sess.run(v)
    limit = math.sqrt(6.0 / (fan_in + fan_out))
    assert value.dtype == np.float32
    assert value.min() >= -limit and value.max() <= limit
    # Uniform on [-limit, limit]: it reaches near both ends; its variance is limit^2 / 3.
    assert value.min() < -0.95 * limit and value.max() > 0.95 * limit
    assert abs(value.mean()) < 0.01 * limit * 3
    assert abs(value.var() - limit ** 2 / 3) < 0.05 * limit ** 2 / 3


def test_glorot_uniform_for_conv_kernels_uses_receptive_field():
    shape = [3, 3, 16, 32]  # fan_in = 3*3*16, fan_out = 3*3*32
    value = _init_value(fg.glorot_uniform_initializer(), shape)
    limit = math.sqrt(6.0 / (9 * 16 + 9 * 32))
    assert value.min() >= -limit and value.max() <= limit
    assert value.max() > 0.95 * limit


def test_zeros_ones_constant_initializers():
    np.testing.assert_array_equal(_init_value(fg.zeros_initializer(), [2, 3]), np.zeros((2, 3)))
    np.testing.assert_array_equal(_init_value(fg.ones_initializer(), [4]), np.ones(4))
    np.testing.assert_array_equal(_init_value(fg.constant_initializer(2.5), [2]), [2.5, 2.5])
    np.testing.assert_array_equal(_init_value(fg.constant_initializer([1, 2, 3, 4]), [2, 2]),
                                  [[1, 2], [3, 4]])
    ints = _init_value(fg.ones_initializer(), [3], dtype=fg.int64)
    assert ints.dtype == np.int64
    np.testing.assert_array_equal(ints, [1, 1, 1])


def test_random_normal_initializer_statistics():
    value = _init_value(fg.random_normal_initializer(mean=1.0, stddev=2.0, seed=3),
                        [200, 200])
    assert value.dtype == np.float32
    assert abs(value.mean() - 1.0) < 0.05
    assert abs(value.std() - 2.0) < 0.05
    assert value.max() - value.min() > 2 * 2.0 * 3.5  # untruncated: tails beyond 3.5 sigma


def test_truncated_normal_initializer_within_two_stddev():
    mean, stddev = 0.5, 0.3
    value = _init_value(fg.truncated_normal_initializer(mean=mean, stddev=stddev, seed=4),
                        [200, 200])
    assert np.all(np.abs(value - mean) <= 2 * stddev + 1e-6)
    assert abs(value.mean() - mean) < 0.01
    # A unit normal cut at +-2 has standard deviation 0.8796.
    assert abs(value.std() - 0.8796 * stddev) < 0.01


def test_random_uniform_initializer_bounds():
    value = _init_value(fg.random_uniform_initializer(-3.0, 5.0, seed=5), [200, 200])
    assert value.min() >= -3.0 and value.max() < 5.0
    assert value.min() < -2.9 and value.max() > 4.9
    assert abs(value.mean() - 1.0) < 0.05


def test_he_and_variance_scaling_initializers():
    fan_in, fan_out = 400, 100
    he = _init_value(fg.he_normal(seed=6), [fan_in, fan_out])
    assert abs(he.std() - math.sqrt(2.0 / fan_in)) < 0.03 * math.sqrt(2.0 / fan_in)
    # Truncated: nothing beyond two of the underlying normal's standard deviations.
    assert np.abs(he).max() <= 2 * math.sqrt(2.0 / fan_in) / 0.87962566 + 1e-6
    he_u = _init_value(fg.he_uniform(seed=7), [fan_in, fan_out])
    limit = math.sqrt(6.0 / fan_in)
    assert np.abs(he_u).max() <= limit and np.abs(he_u).max() > 0.95 * limit
    fan_out_init = fg.variance_scaling_initializer(scale=3.0, mode="fan_out",
                                                   distribution="uniform", seed=8)
    vs = _init_value(fan_out_init, [fan_in, fan_out])
    limit = math.sqrt(3.0 * 3.0 / fan_out)
    assert np.abs(vs).max() <= limit and np.abs(vs).max() > 0.95 * limit
    untruncated = fg.variance_scaling_initializer(scale=1.0, mode="fan_avg",
                                                  distribution="untruncated_normal", seed=9)
    un = _init_value(untruncated, [fan_in, fan_out])
    expected_std = math.sqrt(1.0 / ((fan_in + fan_out) / 2))
    assert abs(un.std() - expected_std) < 0.03 * expected_std


def test_variance_scaling_rejects_bad_arguments():
    with pytest.raises(ValueError):
        fg.variance_scaling_initializer(scale=-1.0)
    with pytest.raises(ValueError):
        fg.variance_scaling_initializer(mode="fan_sideways")
    with pytest.raises(ValueError):
        fg.variance_scaling_initializer(distribution="cauchy")


def test_seeded_initializer_replays_in_every_session():
    v = fg.get_variable("v", [50], initializer=fg.random_normal_initializer(seed=11))
    values = []
    for _ in range(2):
        with fg.Session() as sess:
            sess.run(v.initializer)
            values.append(sess.run(v))
    np.testing.assert_array_equal(values[0], values[1])


def test_unseeded_initializer_differs_between_sessions():
    v = fg.get_variable("v", [50], initializer=fg.random_normal_initializer())
    values = []
    for _ in range(2):
        with fg.Session() as sess:
            sess.run(v.initializer)
            values.append(sess.run(v))
    assert not np.array_equal(values[0], values[1])


def test_identity_initializer():
    np.testing.assert_array_equal(_init_value(fg.identity_initializer(gain=2.0), [2, 3]),
                                  [[2, 0, 0], [0, 2, 0]])
    with pytest.raises(ValueError):
        _init_value(fg.identity_initializer(), [2, 2, 2])


def test_random_initializer_rejects_int_dtype():
    with pytest.raises(ValueError):
        fg.get_variable("i", [2], dtype=fg.int32, initializer=fg.random_normal_initializer())


def test_fetching_a_variable_with_its_update_gives_the_updated_value_as_tf1():
    # TF1 fetches a ref Variable at the end of the run: [None, 1, 0.8] below.
    with fg.Graph().as_default():
        x = fg.Variable(1.0)
        step = fg.train.get_or_create_global_step()
        train = fg.train.GradientDescentOptimizer(0.1).minimize(x * x, global_step=step)
        with fg.Session() as sess:
            sess.run(fg.global_variables_initializer())
            result = sess.run([train, step, x])
            assert result[0] is None and result[1] == 1
            np.testing.assert_allclose(result[2], 0.8, rtol=1e-6)
            assert sess.run({"step": step}) == {"step": 1}


def test_default_named_variable_scope_opens_the_name_scope_of_its_default_name():
    # TF1: the variable scope is "m_1", the name scope name_scope("m") uniquified: "m_2/".
    with fg.Graph().as_default():
        with fg.variable_scope(None, default_name="m") as first:
            a = fg.constant(1.0)
        fg.constant(2.0, name="m_1")
        with fg.variable_scope(None, default_name="m") as second:
            b = fg.constant(1.0)
            v = fg.get_variable("v", [1])
        assert (first.name, a.name) == ("m", "m/Const:0")
        assert (second.name, b.name, v.name) == ("m_1", "m_2/Const:0", "m_1/v:0")
