"""TF 1.15 names added in one batch: variable enums, tf.container, raise_exception_on_not_ok_status,
tf.train.ClusterSpec, tf.to_complex64/128, tf.signal.fftshift/ifftshift,
tf.extract_volume_patches, tf.layers.SeparableConv1D and tf.fingerprint.

Expected values are TensorFlow's own (run in TF 2.21's tf.compat.v1 and hard-coded here),
numpy references written in the test, or central finite differences."""

import numpy as np
import pytest

import flowgraph as fg


@pytest.fixture(autouse=True)
def _fresh_graph():
    with fg.Graph().as_default() as graph:
        yield graph


def _run(fetches, feed_dict=None, init=False):
    with fg.Session() as sess:
        if init:
            sess.run(fg.global_variables_initializer())
        return sess.run(fetches, feed_dict)


def _numeric_grad(f, x, eps=1e-6):
    """Central differences of the scalar function f at x (float64)."""
    grad = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        plus, minus = x.copy(), x.copy()
        plus[index] += eps
        minus[index] -= eps
        grad[index] = (f(plus) - f(minus)) / (2 * eps)
    return grad


def _check_grad(build, x_value, seed=0):
    """d/dx sum(w * build(x)) from fg.gradients against central differences."""
    x = fg.placeholder(fg.float64, x_value.shape)
    y = build(x)
    w = np.random.RandomState(seed).uniform(-1, 1, y.shape.as_list())
    loss = fg.reduce_sum(y * w)
    (grad,) = fg.gradients(loss, [x])
    with fg.Session() as sess:
        got = sess.run(grad, {x: x_value})
        numeric = _numeric_grad(lambda v: sess.run(loss, {x: v}), x_value)
    np.testing.assert_allclose(got, numeric, rtol=1e-6, atol=1e-7)


# --------------------------------------------------------------------------- 1. enums
def test_enum_members_and_values_match_tf():
    assert [(m.name, m.value) for m in fg.VariableSynchronization] == [
        ("AUTO", 0), ("NONE", 1), ("ON_WRITE", 2), ("ON_READ", 3)]
    assert [(m.name, m.value) for m in fg.VariableAggregation] == [
        ("NONE", 0), ("SUM", 1), ("MEAN", 2), ("ONLY_FIRST_REPLICA", 3)]
    assert fg.VariableAggregation.ONLY_FIRST_TOWER is fg.VariableAggregation.ONLY_FIRST_REPLICA
    assert fg.compat.v1.VariableSynchronization is fg.VariableSynchronization


def test_get_variable_on_read_is_not_trainable():
    v = fg.get_variable("w2", [2], synchronization=fg.VariableSynchronization.ON_READ)
    assert v not in fg.trainable_variables()
    assert v.synchronization is fg.VariableSynchronization.ON_READ
    assert v.aggregation is fg.VariableAggregation.NONE


def test_get_variable_on_read_and_trainable_raises():
    with pytest.raises(ValueError, match="ON_READ only for non-trainable"):
        fg.get_variable("w", [2], synchronization=fg.VariableSynchronization.ON_READ,
                        trainable=True)


def test_get_variable_defaults_and_given_aggregation():
    v = fg.get_variable("plain", [2])
    assert v in fg.trainable_variables()
    assert v.synchronization is fg.VariableSynchronization.AUTO
    assert v.aggregation is fg.VariableAggregation.NONE
    s = fg.get_variable("summed", [2], aggregation=fg.VariableAggregation.SUM,
                        synchronization=fg.VariableSynchronization.ON_WRITE)
    assert s.aggregation is fg.VariableAggregation.SUM
    assert s.synchronization is fg.VariableSynchronization.ON_WRITE
    assert s in fg.trainable_variables()


@pytest.mark.parametrize("bad, message", [
    (dict(synchronization=7), "Invalid variable synchronization mode: 7 for variable: b"),
    (dict(aggregation=9), "Invalid variable aggregation mode: 9 for variable: b"),
    (dict(aggregation="sum"), "Invalid variable aggregation mode: sum for variable: b"),
])
def test_bad_enum_values_raise_value_error(bad, message):
    with pytest.raises(ValueError, match=message):
        fg.get_variable("b", [2], **bad)


def test_variable_accepts_enums_and_ints():
    v = fg.Variable(1.0, synchronization=fg.VariableSynchronization.ON_READ)
    assert v not in fg.trainable_variables()
    assert v.synchronization is fg.VariableSynchronization.ON_READ
    assert fg.Variable(1.0, aggregation=1).aggregation is fg.VariableAggregation.SUM
    # As TF 1.15: Variable itself allows an explicit trainable=True with ON_READ.
    t = fg.Variable(1.0, synchronization=fg.VariableSynchronization.ON_READ, trainable=True)
    assert t in fg.trainable_variables()


def test_custom_getter_sees_synchronization_and_aggregation():
    seen = {}

    def getter(next_getter, name, **kwargs):
        seen.update(kwargs)
        return next_getter(name, **kwargs)

    with fg.variable_scope("s", custom_getter=getter):
        v = fg.get_variable("v", [1], synchronization=fg.VariableSynchronization.ON_READ,
                            aggregation=fg.VariableAggregation.MEAN)
    assert seen["synchronization"] is fg.VariableSynchronization.ON_READ
    assert seen["aggregation"] is fg.VariableAggregation.MEAN
    assert seen["trainable"] is False
    assert v.aggregation is fg.VariableAggregation.MEAN


def test_layer_add_weight_on_read():
    layer = fg.layers.Layer(name="lay")
    v = layer.add_weight("acc", [2], synchronization=fg.VariableSynchronization.ON_READ,
                         aggregation=fg.VariableAggregation.SUM)
    assert v not in fg.trainable_variables() and v in layer.non_trainable_weights
    assert v.aggregation is fg.VariableAggregation.SUM
    with pytest.raises(ValueError, match="ON_READ only for non-trainable"):
        layer.add_weight("bad", [2], trainable=True,
                         synchronization=fg.VariableSynchronization.ON_READ)


# --------------------------------------------------------------------------- 2. container
def test_container_sets_stateful_ops_container(_fresh_graph):
    with fg.container("abc") as name:
        assert name == "abc"
        v = fg.Variable(1.0, name="v")
        with fg.container(""):
            inner = fg.Variable(2.0, name="inner")
    after = fg.Variable(3.0, name="after")
    assert v.op.op_def.container == "abc"
    assert inner.op.op_def.container == ""
    assert after.op.op_def.container == ""
    # Ops without a container attribute are unaffected, and the variable still works.
    assert _run(v, init=True) == 1.0
    with _fresh_graph.container("g"):
        w = fg.Variable(4.0)
    assert w.op.op_def.container == "g"


def test_container_needs_a_string():
    with pytest.raises(TypeError, match="container_name must be a string"):
        with fg.container(3):
            pass


# --------------------------------------------------------------------------- 3. status
def test_raise_exception_on_not_ok_status():
    with fg.errors.raise_exception_on_not_ok_status() as status:
        assert status.code == fg.errors.OK
    with pytest.raises(fg.errors.InvalidArgumentError, match="bad shape") as info:
        with fg.errors.raise_exception_on_not_ok_status() as status:
            status.set(fg.errors.INVALID_ARGUMENT, "bad shape")
    assert info.value.error_code == fg.errors.INVALID_ARGUMENT
    with pytest.raises(fg.errors.NotFoundError):
        with fg.errors.raise_exception_on_not_ok_status() as status:
            status.set(fg.errors.NOT_FOUND, "missing")
    with pytest.raises(KeyError):  # other exceptions pass through unchanged
        with fg.errors.raise_exception_on_not_ok_status():
            raise KeyError("x")


def test_status_rejects_unknown_codes():
    with fg.errors.raise_exception_on_not_ok_status() as status:
        with pytest.raises(ValueError, match="Unknown error code 99"):
            status.set(99, "?")


# --------------------------------------------------------------------------- 4. ClusterSpec
def _cluster():
    return fg.train.ClusterSpec({"worker": ["w0:1", "w1:2"], "ps": {3: "p3:1", 0: "p0:1"}})


def test_cluster_spec_queries_match_tf():
    cs = _cluster()
    assert cs.jobs == ["worker", "ps"]
    assert cs.num_tasks("ps") == 2
    assert cs.task_indices("ps") == [0, 3]
    assert cs.task_address("ps", 3) == "p3:1"
    assert cs.job_tasks("ps") == ["p0:1", None, None, "p3:1"]
    assert cs.job_tasks("worker") == ["w0:1", "w1:2"]
    assert cs.as_dict() == {"worker": ["w0:1", "w1:2"], "ps": {0: "p0:1", 3: "p3:1"}}
    assert str(cs) == "ClusterSpec({'ps': {0: 'p0:1', 3: 'p3:1'}, 'worker': ['w0:1', 'w1:2']})"


def test_cluster_spec_def_equality_and_bool():
    cs = _cluster()
    assert cs.as_cluster_def() == {"job": [
        {"name": "ps", "tasks": {0: "p0:1", 3: "p3:1"}},
        {"name": "worker", "tasks": {0: "w0:1", 1: "w1:2"}}]}
    assert cs == fg.train.ClusterSpec(cs)
    assert cs == fg.train.ClusterSpec(cs.as_cluster_def())
    assert cs != fg.train.ClusterSpec({"a": ["x"]})
    assert bool(cs) and not bool(fg.train.ClusterSpec({}))


@pytest.mark.parametrize("call, error, message", [
    (lambda cs: cs.num_tasks("foo"), ValueError, "No such job in cluster: 'foo'"),
    (lambda cs: cs.task_address("ps", 1), ValueError, "No task with index 1 in job 'ps'"),
    (lambda cs: cs.job_tasks("x"), ValueError, "No such job in cluster: 'x'"),
    (lambda cs: cs.task_indices("zz"), ValueError, "No such job in cluster: 'zz'"),
    (lambda cs: fg.train.ClusterSpec(5), TypeError, "must be a dictionary"),
    (lambda cs: fg.train.ClusterSpec({"a": 5}), TypeError, "must be a list or a dictionary"),
    (lambda cs: fg.train.ClusterSpec({"a": {"x": "y"}}), ValueError, "invalid literal"),
])
def test_cluster_spec_errors(call, error, message):
    with pytest.raises(error, match=message):
        call(_cluster())


# --------------------------------------------------------------------------- 5. casts
def test_to_complex_casts():
    c64 = fg.to_complex64(fg.constant([1, 2], fg.int32))
    c128 = fg.to_complex128(fg.constant([1.5]))
    assert (c64.name, c64.dtype, c128.name, c128.dtype) == (
        "ToComplex64:0", fg.complex64, "ToComplex128:0", fg.complex128)
    a, b = _run([c64, c128])
    assert a.dtype == np.complex64 and b.dtype == np.complex128
    np.testing.assert_array_equal(a, [1 + 0j, 2 + 0j])
    np.testing.assert_array_equal(b, [1.5 + 0j])


# --------------------------------------------------------------------------- 6. fftshift
def test_fftshift_values_match_tf():
    a = np.arange(12.).reshape(3, 4)
    shifted = fg.signal.fftshift(a)
    assert shifted.name == "fftshift:0"
    got = _run([shifted, fg.signal.ifftshift(a), fg.signal.fftshift(a, axes=1),
                fg.signal.ifftshift(a, axes=[0]), fg.signal.fftshift(a, axes=-1)])
    np.testing.assert_array_equal(got[0], [[10, 11, 8, 9], [2, 3, 0, 1], [6, 7, 4, 5]])
    np.testing.assert_array_equal(got[1], [[6, 7, 4, 5], [10, 11, 8, 9], [2, 3, 0, 1]])
    np.testing.assert_array_equal(got[2], [[2, 3, 0, 1], [6, 7, 4, 5], [10, 11, 8, 9]])
    np.testing.assert_array_equal(got[3], [[4, 5, 6, 7], [8, 9, 10, 11], [0, 1, 2, 3]])
    np.testing.assert_array_equal(got[4], got[2])


def test_fftshift_odd_sizes_and_unknown_dims_match_numpy():
    x = np.arange(5 * 7, dtype=np.float32).reshape(5, 7)
    p = fg.placeholder(fg.float32, [None, None])
    got = _run([fg.signal.fftshift(p), fg.signal.ifftshift(p), fg.signal.fftshift(p, [0])],
               {p: x})
    np.testing.assert_array_equal(got[0], np.fft.fftshift(x))
    np.testing.assert_array_equal(got[1], np.fft.ifftshift(x))
    np.testing.assert_array_equal(got[2], np.fft.fftshift(x, axes=[0]))
    with pytest.raises(ValueError, match="known rank"):
        fg.signal.fftshift(fg.placeholder(fg.float32))


def test_fftshift_gradients():
    x = np.random.RandomState(1).randn(3, 5)
    _check_grad(fg.signal.fftshift, x)
    _check_grad(lambda t: fg.signal.ifftshift(t, axes=1), x, seed=2)


# --------------------------------------------------------------------------- 7. patches
def _volume_patches_reference(x, ksizes, strides, padding):
    """Patches by explicit loops over output positions (independent of conv3d)."""
    _, kp, kr, kc, _ = ksizes
    _, sp, sr, sc, _ = strides
    batch, planes, rows, cols, depth = x.shape
    if padding == "VALID":
        out = [(n - k) // s + 1 for n, k, s in zip((planes, rows, cols), (kp, kr, kc),
                                                   (sp, sr, sc))]
        before = [0, 0, 0]
    else:
        out = [-(-n // s) for n, s in zip((planes, rows, cols), (sp, sr, sc))]
        before = [max((o - 1) * s + k - n, 0) // 2 for o, s, k, n in
                  zip(out, (sp, sr, sc), (kp, kr, kc), (planes, rows, cols))]
    result = np.zeros([batch] + out + [kp * kr * kc * depth], x.dtype)
    for b in range(batch):
        for op_, orow, ocol in np.ndindex(*out):
            k = 0
            for i, j, m in np.ndindex(kp, kr, kc):
                p = op_ * sp + i - before[0]
                r = orow * sr + j - before[1]
                c = ocol * sc + m - before[2]
                inside = 0 <= p < planes and 0 <= r < rows and 0 <= c < cols
                if inside:
                    result[b, op_, orow, ocol, k:k + depth] = x[b, p, r, c]
                k += depth
    return result


def test_extract_volume_patches_matches_tf_and_reference():
    x = np.arange(2 * 4 * 5 * 3 * 2, dtype=np.float32).reshape(2, 4, 5, 3, 2)
    valid = fg.extract_volume_patches(x, [1, 2, 2, 2, 1], [1, 2, 1, 2, 1], "VALID")
    same = fg.extract_volume_patches(x, [1, 2, 3, 2, 1], [1, 2, 2, 2, 1], "SAME")
    assert valid.name == "ExtractVolumePatches:0"
    assert valid.shape.as_list() == [2, 2, 4, 1, 16]
    assert same.shape.as_list() == [2, 2, 3, 2, 24]
    got_valid, got_same = _run([valid, same])
    # TF's values for a few positions.
    np.testing.assert_array_equal(got_valid[0, 0, 0, 0], [0, 1, 2, 3, 6, 7, 8, 9, 30, 31, 32,
                                                          33, 36, 37, 38, 39])
    np.testing.assert_array_equal(got_valid[1, 1, 3, 0], [198, 199, 200, 201, 204, 205, 206,
                                                          207, 228, 229, 230, 231, 234, 235,
                                                          236, 237])
    np.testing.assert_array_equal(got_same[0, 0, 0, 1], [0, 0, 0, 0, 4, 5, 0, 0, 10, 11, 0, 0,
                                                         0, 0, 0, 0, 34, 35, 0, 0, 40, 41, 0,
                                                         0])
    np.testing.assert_array_equal(got_same[1, 1, 2, 0], [198, 199, 200, 201, 204, 205, 206,
                                                         207, 0, 0, 0, 0, 228, 229, 230, 231,
                                                         234, 235, 236, 237, 0, 0, 0, 0])
    np.testing.assert_array_equal(got_valid, _volume_patches_reference(
        x, [1, 2, 2, 2, 1], [1, 2, 1, 2, 1], "VALID"))
    np.testing.assert_array_equal(got_same, _volume_patches_reference(
        x, [1, 2, 3, 2, 1], [1, 2, 2, 2, 1], "SAME"))


def test_extract_volume_patches_gradient_and_errors():
    x = np.random.RandomState(3).randn(1, 3, 3, 2, 2)
    _check_grad(lambda t: fg.extract_volume_patches(t, [1, 2, 2, 1, 1], [1, 1, 2, 1, 1],
                                                    "SAME"), x)
    with pytest.raises(ValueError, match="5-D input"):
        fg.extract_volume_patches(np.zeros((2, 3, 3, 1), np.float32), [1, 1, 1, 1, 1],
                                  [1, 1, 1, 1, 1], "VALID")
    with pytest.raises(ValueError, match="ksizes must be 5 positive ints"):
        fg.extract_volume_patches(x, [2, 1, 1, 1, 1], [1, 1, 1, 1, 1], "VALID")
    with pytest.raises(ValueError, match="padding must be"):
        fg.extract_volume_patches(x, [1, 1, 1, 1, 1], [1, 1, 1, 1, 1], "same")


def _sep_input():
    return fg.constant(np.linspace(-1, 1, 2 * 7 * 3).reshape(2, 7, 3).astype(np.float32))


def test_separable_conv1d_layer_matches_tf():
    layer = fg.layers.SeparableConv1D(
        4, 3, depth_multiplier=2, padding="same", strides=2,
        depthwise_initializer=fg.constant_initializer(np.linspace(-1, 1, 3 * 3 * 2)),
        pointwise_initializer=fg.constant_initializer(np.linspace(-0.5, 0.7, 6 * 4)),
        bias_initializer=fg.constant_initializer(0.1))
    out = layer(_sep_input())
    assert [(v.name, v.shape.as_list()) for v in fg.global_variables()] == [
        ("separable_conv1d/depthwise_kernel:0", [3, 3, 2]),
        ("separable_conv1d/pointwise_kernel:0", [1, 6, 4]),
        ("separable_conv1d/bias:0", [4])]
    expected = np.array([  # TF: the same layer as tf.nn.separable_conv2d on height 1
        [[-0.6691597, -0.8422244, -1.0152891, -1.1883538],
         [-0.7189133, -0.6470526, -0.5751918, -0.503331],
         [-0.34164432, -0.26978356, -0.19792274, -0.126062],
         [-0.06103801, -0.00774124, 0.04555549, 0.09885221]],
        [[0.30545193, 0.35874867, 0.41204542, 0.46534213],
         [0.6015283, 0.6733891, 0.74524987, 0.8171106],
         [0.9787973, 1.0506581, 1.1225189, 1.1943796],
         [0.7249392, 0.55187446, 0.37880984, 0.20574513]]], np.float32)
    np.testing.assert_allclose(_run(out, init=True), expected, rtol=1e-5, atol=1e-6)


def _sep_reference(x, depthwise, pointwise, bias, dilation, left_pad):
    """Depthwise then pointwise 1-D convolution (valid, stride 1) with numpy loops."""
    x = np.pad(x, [(0, 0), (left_pad, 0), (0, 0)])
    k, channels, mult = depthwise.shape
    width = x.shape[1] - dilation * (k - 1)
    mid = np.zeros((x.shape[0], width, channels * mult))
    for t in range(width):
        for c in range(channels):
            for m in range(mult):
                mid[:, t, c * mult + m] = sum(x[:, t + i * dilation, c] * depthwise[i, c, m]
                                              for i in range(k))
    return mid @ pointwise[0] + bias


def test_separable_conv1d_functional_dilation_and_causal():
    x = _sep_input()
    out = fg.layers.separable_conv1d(x, 2, 2, dilation_rate=2, name="sep",
                                     bias_initializer=fg.constant_initializer(0.5))
    causal = fg.layers.separable_conv1d(x, 2, 2, dilation_rate=2, padding="causal",
                                        depth_multiplier=2, use_bias=False)
    assert out.shape.as_list() == [2, 5, 2] and causal.shape.as_list() == [2, 7, 2]
    names = [v.name for v in fg.global_variables()]
    assert names == ["sep/depthwise_kernel:0", "sep/pointwise_kernel:0", "sep/bias:0",
                     "separable_conv1d/depthwise_kernel:0",
                     "separable_conv1d/pointwise_kernel:0"]
    with fg.Session() as sess:
        sess.run(fg.global_variables_initializer())
        xv, got, got_causal, variables = sess.run([x, out, causal, fg.global_variables()])
    dk, pk, b, cdk, cpk = variables
    np.testing.assert_allclose(got, _sep_reference(xv, dk, pk, b, 2, 0), rtol=1e-5,
                               atol=1e-6)
    np.testing.assert_allclose(got_causal, _sep_reference(xv, cdk, cpk, 0.0, 2, 2),
                               rtol=1e-5, atol=1e-6)


# --------------------------------------------------------------------------- 8. fingerprint
def test_fingerprint_matches_tf():
    long = "abcdefghijklmnopqrstuvwxyz0123456789" * 3
    fp = fg.fingerprint(fg.constant(["", "a", "hello world", long]))
    assert (fp.name, fp.dtype, fp.shape.as_list()) == ("Fingerprint:0", fg.uint8, [4, 8])
    floats = fg.fingerprint(fg.constant([[1.5, -2.0], [0.0, 3.25]], fg.float64))
    got, got_floats = _run([fp, floats])
    np.testing.assert_array_equal(got, [[79, 64, 144, 47, 59, 106, 225, 154],
                                        [227, 117, 223, 182, 101, 66, 69, 179],
                                        [27, 176, 214, 139, 71, 183, 143, 88],
                                        [78, 136, 126, 86, 111, 163, 210, 55]])
    np.testing.assert_array_equal(got_floats, [[140, 111, 106, 186, 108, 184, 236, 164],
                                               [123, 233, 129, 53, 22, 116, 106, 62]])


def test_fingerprint_errors():
    with pytest.raises(ValueError, match="at least one dimension"):
        fg.fingerprint(fg.constant(1))
    with pytest.raises(ValueError, match="unsupported method 'md5'"):
        fg.fingerprint(fg.constant([1]), method="md5")
