"""fg.Module, the TensorSpec family and fg.function, checked against TF 1.15 behaviour
(names and outcomes below were produced with tf.compat.v1 and hard-coded)."""

import numpy as np
import pytest

import flowgraph as fg


class Dense(fg.Module):
    def __init__(self, n, name=None):
        super().__init__(name=name)
        with self.name_scope:
            self.w = fg.Variable(np.ones((2, n), np.float32), name="w")
            self.b = fg.Variable(np.zeros((n,), np.float32), name="b", trainable=False)

    @fg.Module.with_name_scope
    def __call__(self, x):
        return fg.matmul(x, self.w) + self.b


class Net(fg.Module):
    def __init__(self):
        super().__init__()
        with self.name_scope:
            self.layers = [Dense(3), Dense(1, name="out")]
            self.d = {"z": fg.Variable(1.0, name="z")}


class MyFancyNet2(fg.Module):
    pass


# ----------------------------------------------------------------------------- Module
def test_module_walk_matches_tf():
    with fg.Graph().as_default():
        net = Net()
        assert net.name == "net"
        assert net.name_scope.name == "net/"
        assert [v.name for v in net.variables] == [
            "net/z:0", "net/dense/b:0", "net/dense/w:0", "net/out/b:0", "net/out/w:0"]
        assert [v.name for v in net.trainable_variables] == [
            "net/z:0", "net/dense/w:0", "net/out/w:0"]
        assert [m.name for m in net.submodules] == ["dense", "out"]
        assert isinstance(net.variables, tuple)


def test_module_names_and_scopes():
    with fg.Graph().as_default():
        assert MyFancyNet2().name == "my_fancy_net2"
        assert fg.Module().name == "module"
        with pytest.raises(ValueError, match="is not a valid module name"):
            fg.Module(name="a b")
        first, second = Dense(2, name="layer"), Dense(2, name="layer")
        assert first.w.name == "layer/w:0"
        assert second.w.name == "layer_1/w:0"  # a unique scope per module
        y = second(fg.ones([1, 2]))
        assert y.name.startswith("layer_1/")
        with fg.Session() as sess:
            sess.run(fg.global_variables_initializer())
            np.testing.assert_array_equal(sess.run(y), [[2.0, 2.0]])


def test_module_flatten_with_path_and_cycles():
    with fg.Graph().as_default():
        net = Net()
        net.self_ref = net  # a cycle must not loop forever
        paths = dict(net._flatten(predicate=lambda v: isinstance(v, fg.Variable),
                                  with_path=True))
        assert paths[("layers", 0, "w")] is net.layers[0].w
        assert paths[("d", "z")] is net.d["z"]


# ----------------------------------------------------------------------------- TypeSpec
def test_tensor_spec_basics():
    spec = fg.TensorSpec([None, 3], fg.float32, "x")
    assert spec.shape.as_list() == [None, 3]
    assert spec.dtype == fg.float32
    assert spec.name == "x"
    assert repr(spec) == f"TensorSpec(shape=(?, 3), dtype={fg.float32!r}, name='x')"
    assert spec == fg.TensorSpec([None, 3], fg.float32, "x")
    assert spec != fg.TensorSpec([None, 3], fg.float32)
    assert hash(spec) == hash(fg.TensorSpec([None, 3], "float32", "x"))
    assert fg.TensorSpec([2]).dtype == fg.float32
    assert isinstance(spec, fg.TypeSpec)
    with fg.Graph().as_default():
        t = fg.zeros([4, 3], name="zeros")
        assert spec.is_compatible_with(t)
        assert not spec.is_compatible_with(fg.zeros([4, 2]))
        assert not spec.is_compatible_with(fg.zeros([4, 3], dtype=fg.int32))
        assert spec.is_compatible_with(fg.TensorSpec([5, 3]))
        assert not spec.is_compatible_with(fg.SparseTensorSpec([5, 3]))
        from_t = fg.TensorSpec.from_tensor(t)
        assert from_t.shape.as_list() == [4, 3] and from_t.name == "zeros"
        assert fg.TensorSpec.from_tensor(t, name="n").name == "n"
    with pytest.raises(TypeError):
        fg.TensorSpec([1], fg.float32, name=3)


def test_type_spec_from_value_as_tf():
    assert fg.type_spec_from_value(np.ones(3)) == fg.TensorSpec([3], fg.float64)
    assert fg.type_spec_from_value(1.0) == fg.TensorSpec([], fg.float32)
    assert fg.type_spec_from_value([1, 2]) == fg.TensorSpec([2], fg.int32)
    with fg.Graph().as_default():
        sp = fg.SparseTensor(indices=[[0, 1]], values=[2.0], dense_shape=[2, 3])
        assert fg.type_spec_from_value(sp) == fg.SparseTensorSpec([2, 3], fg.float32)
        assert fg.SparseTensorSpec([None, 3]).is_compatible_with(sp)
        assert not fg.SparseTensorSpec([2, 4]).is_compatible_with(sp)
    with pytest.raises(TypeError, match="Could not build a TypeSpec"):
        fg.type_spec_from_value(object())


def test_sparse_and_indexed_slices_specs():
    spec = fg.SparseTensorSpec([2, 3])
    assert spec.dtype == fg.float32 and spec.shape.as_list() == [2, 3]
    assert spec == fg.SparseTensorSpec([2, 3], fg.float32)
    ind = fg.IndexedSlicesSpec([2, 3])
    assert ind.indices_dtype == fg.int64 and ind.dense_shape_dtype is None
    assert ind.indices_shape.as_list() == [None]
    merged = fg.TensorSpec([2, 3]).most_specific_compatible_type(fg.TensorSpec([2, 4]))
    assert merged.shape.as_list() == [2, None]
    with pytest.raises(ValueError):
        fg.TensorSpec([2]).most_specific_compatible_type(fg.TensorSpec([2], fg.int32))


# ----------------------------------------------------------------------------- function
def test_function_values_and_gradient():
    with fg.Graph().as_default():
        @fg.function
        def f(x, power):
            return fg.reduce_sum(x ** power)

        x = fg.constant([1.0, 2.0, 3.0])
        y = f(x, 3)
        y2 = f(x, 2)  # a Python value retraces
        (grad,) = fg.gradients(y, [x])
        with fg.Session() as sess:
            out, out2, g = sess.run([y, y2, grad])
        assert out == pytest.approx(36.0)
        assert out2 == pytest.approx(14.0)
        np.testing.assert_allclose(g, 3 * np.array([1.0, 2.0, 3.0]) ** 2, rtol=1e-6)
        assert y.name.startswith("f/") and y2.name.startswith("f_1/")


def test_function_input_signature_errors_as_tf():
    with fg.Graph().as_default():
        @fg.function(input_signature=[fg.TensorSpec([None], fg.float32)])
        def f(x):
            return x * 2.0

        with fg.Session() as sess:
            np.testing.assert_array_equal(sess.run(f(fg.constant([1.0, 2.0]))), [2.0, 4.0])
            np.testing.assert_array_equal(sess.run(f([1.0, 2.0])), [2.0, 4.0])
            np.testing.assert_array_equal(sess.run(f(x=fg.constant([3.0]))), [6.0])
        with pytest.raises(ValueError, match="incompatible with input_signature"):
            f(fg.constant([1, 2]))
        with pytest.raises(ValueError, match="incompatible with input_signature"):
            f(fg.constant([[1.0]]))
        with pytest.raises(TypeError, match="only pass arguments covered by it"):
            f(fg.constant([1.0]), fg.constant([1.0]))
        with pytest.raises(TypeError, match="missing required arguments"):
            f()
    with pytest.raises(TypeError, match="must be either a tuple or a list"):
        fg.function(lambda x: x, input_signature=fg.TensorSpec([1]))
    with pytest.raises(TypeError, match="nested sequence of TensorSpec"):
        fg.function(lambda x: x, input_signature=[1])


def test_function_variables_created_once():
    with fg.Graph().as_default():
        holder = {}

        @fg.function
        def g(x):
            if "w" not in holder:
                holder["w"] = fg.Variable(3.0, name="w")
            return x * holder["w"]

        a = g(fg.constant(1.0))
        b = g(fg.constant(2.0))

        @fg.function
        def h(x):
            return x * fg.Variable(3.0, name="hw")

        h(fg.constant(1.0))
        h(fg.constant(5.0))  # same signature: no retrace, the Variable is reused
        with pytest.raises(ValueError, match="tried to create variables on non-first call"):
            h(fg.constant([1.0]))
        names = [v.name for v in fg.global_variables()]
        assert names.count("w:0") == 1 and "hw:0" in names and "hw_2:0" not in names
        (grad,) = fg.gradients(b, [holder["w"]])
        with fg.Session() as sess:
            sess.run(fg.global_variables_initializer())
            assert sess.run([a, b, grad]) == [3.0, 6.0, 2.0]


def test_function_stateful_ops_run_with_outputs():
    with fg.Graph().as_default():
        v = fg.Variable(1.0, name="v")
        counter = fg.Variable(0, name="counter")

        @fg.function
        def step(x):
            counter.assign_add(1)  # not returned: runs anyway when an output is fetched
            return v.assign_add(x)

        out = step(fg.constant(10.0))
        with fg.Session() as sess:
            sess.run(fg.global_variables_initializer())
            assert sess.run(out) == 11.0
            assert sess.run(counter) == 1


def test_function_as_method():
    with fg.Graph().as_default():
        class Scale(fg.Module):
            def __init__(self, k):
                super().__init__()
                self.k = k

            @fg.function
            def __call__(self, x):
                return x * self.k

        one, two = Scale(2.0), Scale(3.0)
        x = fg.constant(1.5)
        with fg.Session() as sess:
            assert sess.run([one(x), two(x)]) == [3.0, 4.5]
