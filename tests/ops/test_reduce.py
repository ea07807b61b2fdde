"""TF1-specific behaviour of reductions, count_nonzero, reduce_variance/std, argmax/argmin."""

import numpy as np
import pytest

import flowgraph as fg
from flowgraph.ops.registry import lookup as registry_lookup

X = np.array([[1.0, -2.0, 3.0], [4.0, 5.0, -6.0]], dtype=np.float32)


def run(fetches, feed_dict=None):
    with fg.Session() as sess:
        return sess.run(fetches, feed_dict=feed_dict)


# --------------------------------------------------------------------------- signatures, names
@pytest.mark.parametrize("fn, op_type", [
    (fg.reduce_sum, "Sum"), (fg.reduce_mean, "Mean"), (fg.reduce_max, "Max"),
    (fg.reduce_min, "Min"), (fg.reduce_prod, "Prod"), (fg.reduce_logsumexp, "ReduceLogSumExp"),
])
def test_default_node_names_and_types(fn, op_type):
    y = fn(fg.constant(X))
    assert y.op.type == op_type
    assert y.op.name == op_type
    assert fn(fg.constant(X), name="total").op.name == "total"


def test_any_all_names():
    b = fg.constant([[True, False]])
    assert fg.reduce_any(b).op.name == "Any"
    assert fg.reduce_all(b).op.name == "All"
    assert fg.count_nonzero(b).op.name == "count_nonzero"
    assert fg.argmax(fg.constant(X)).op.name == "ArgMax"
    assert fg.argmin(fg.constant(X)).op.name == "ArgMin"


def test_positional_v1_signature():
    # reduce_sum(input_tensor, axis, keepdims, name, reduction_indices, keep_dims)
    y = fg.reduce_sum(fg.constant(X), 1, True, "s")
    assert y.op.name == "s"
    assert y.shape.as_list() == [2, 1]
    np.testing.assert_array_equal(run(y), [[2.0], [3.0]])


def test_deprecated_aliases():
    y = fg.reduce_max(fg.constant(X), reduction_indices=0, keep_dims=True)
    assert y.shape.as_list() == [1, 3]
    np.testing.assert_array_equal(run(y), [[4.0, 5.0, 3.0]])
    with pytest.raises(ValueError, match="Cannot specify both 'axis' and 'reduction_indices'"):
        fg.reduce_sum(fg.constant(X), axis=0, reduction_indices=0)
    with pytest.raises(ValueError, match="Cannot specify both 'keepdims' and 'keep_dims'"):
        fg.reduce_sum(fg.constant(X), keepdims=True, keep_dims=True)


def test_attributes_are_typed():
    y = fg.reduce_sum(fg.constant(X), [-1], keepdims=True)
    assert y.op.op_def.axis == (-1,)
    assert y.op.op_def.keepdims is True
    assert fg.reduce_sum(fg.constant(X)).op.op_def.axis is None


# --------------------------------------------------------------------------- static shapes
def test_static_shapes():
    x = fg.placeholder(fg.float32, [None, 3, 4])
    assert fg.reduce_sum(x, 1).shape.as_list() == [None, 4]
    assert fg.reduce_sum(x, [0, -1], keepdims=True).shape.as_list() == [1, 3, 1]
    assert fg.reduce_sum(x).shape.as_list() == []
    assert fg.reduce_sum(x, keepdims=True).shape.as_list() == [1, 1, 1]
    assert fg.reduce_sum(x, []).shape.as_list() == [None, 3, 4]
    unknown = fg.placeholder(fg.float32)
    assert fg.reduce_sum(unknown, 0).shape.ndims is None
    assert fg.reduce_sum(unknown, []).shape.ndims is None


def test_axis_as_constant_tensor():
    y = fg.reduce_sum(fg.constant(X), axis=fg.constant([1]))
    assert y.shape.as_list() == [2]
    np.testing.assert_array_equal(run(y), [2.0, 3.0])


def test_axis_tensor_unknown_at_build_time_is_an_error():
    axis = fg.placeholder(fg.int32, [])
    with pytest.raises(TypeError, match="known when the graph is built"):
        fg.reduce_sum(fg.constant(X), axis=axis)


def test_bad_axes_at_build_time():
    x = fg.constant(X)
    with pytest.raises(ValueError, match="Invalid reduction dimension 2"):
        fg.reduce_sum(x, 2)
    with pytest.raises(ValueError, match="Invalid reduction dimension -3"):
        fg.reduce_mean(x, -3)
    with pytest.raises(ValueError, match="twice"):
        fg.reduce_sum(x, [1, -1])
    with pytest.raises(ValueError, match="while building node Sum"):
        fg.reduce_sum(x, 5)


def test_bad_axis_at_run_time_names_the_node():
    x = fg.placeholder(fg.float32)
    y = fg.reduce_sum(x, 3, name="total")
    with pytest.raises(fg.errors.InvalidArgumentError, match="total"):
        run(y, {x: X})


def test_dtype_errors():
    with pytest.raises(TypeError, match="bool"):
        fg.reduce_sum(fg.constant([True, False]))
    with pytest.raises(TypeError, match="expected a bool dtype"):
        fg.reduce_any(fg.constant([1.0]))
    with pytest.raises(TypeError):
        fg.reduce_all(fg.constant([1]))
    with pytest.raises(TypeError, match="floating"):
        fg.reduce_logsumexp(fg.constant([1, 2]))
    with pytest.raises(TypeError):
        fg.reduce_max(fg.constant(["a"]))


# --------------------------------------------------------------------------- values
def test_mean_of_ints_is_integer_division():
    y = fg.reduce_mean(fg.constant([1, 2]))
    assert y.dtype == fg.int32
    assert run(y) == 1
    assert run(fg.reduce_mean(fg.constant([-1, -2]))) == -1  # truncation, not floor (-2)
    assert run(fg.reduce_mean(fg.constant(np.int64([7, 8, 8])))) == 7


def test_sum_keeps_int_dtype_and_wraps_like_tf():
    big = np.int32([2**31 - 1, 1])
    y = fg.reduce_sum(fg.constant(big))
    assert y.dtype == fg.int32
    assert run(y) == -2**31
    assert run(fg.reduce_sum(fg.constant(np.uint8([200, 100])))) == np.uint8(44)


def test_mean_float16_is_accurate_and_float16():
    values = np.full(4096, 0.1, np.float16)
    y = run(fg.reduce_mean(fg.constant(values)))
    assert y.dtype == np.float16
    assert abs(float(y) - 0.1) < 1e-3


def test_logsumexp_extremes():
    y = fg.reduce_logsumexp(fg.constant([[1e30, 1e30], [-1e30, -1e30]], dtype=fg.float64), 1)
    got = run(y)
    assert np.all(np.isfinite(got))
    np.testing.assert_allclose(got, [1e30, -1e30], rtol=1e-12)
    got = run(fg.reduce_logsumexp(fg.constant([[-np.inf, -np.inf], [np.inf, 0.0]]), 1))
    assert got[0] == -np.inf and got[1] == np.inf
    assert np.isnan(run(fg.reduce_logsumexp(fg.constant([np.nan, 1.0]))))


def test_reductions_over_fed_values_of_unknown_shape():
    x = fg.placeholder(fg.float32)
    got = run([fg.reduce_sum(x, [0, 2]), fg.reduce_max(x, -1, keepdims=True)],
              {x: np.arange(24, dtype=np.float32).reshape(2, 3, 4)})
    ref = np.arange(24, dtype=np.float32).reshape(2, 3, 4)
    np.testing.assert_array_equal(got[0], ref.sum(axis=(0, 2)))
    np.testing.assert_array_equal(got[1], ref.max(axis=-1, keepdims=True))


def test_differentiable_flags():
    assert registry_lookup("Sum").differentiable
    assert registry_lookup("ReduceLogSumExp").differentiable
    for name in ("ArgMax", "ArgMin", "Any", "All", "CountNonzero"):
        assert not registry_lookup(name).differentiable, name


# --------------------------------------------------------------------------- count_nonzero
def test_count_nonzero_signature():
    x = fg.constant([[0, 1], [2, 0]])
    y = fg.count_nonzero(x, 0, True, fg.int32)
    assert y.dtype == fg.int32
    assert y.shape.as_list() == [1, 2]
    np.testing.assert_array_equal(run(y), [[1, 1]])
    y = fg.count_nonzero(input=x, reduction_indices=1)
    assert y.dtype == fg.int64
    np.testing.assert_array_equal(run(y), [1, 1])
    with pytest.raises(ValueError, match="Cannot specify both"):
        fg.count_nonzero(x, input=x)


# --------------------------------------------------------------------------- variance / std
def test_reduce_variance_and_std():
    ref = np.array([[1.0, 2.0], [3.0, 4.0]])
    x = fg.constant(ref)
    var_all = fg.reduce_variance(x)
    var_0 = fg.reduce_variance(x, 0)
    std_1 = fg.reduce_std(x, 1, keepdims=True)
    assert var_all.dtype == fg.float64
    assert std_1.shape.as_list() == [2, 1]
    got = run([var_all, var_0, std_1])
    np.testing.assert_allclose(got[0], 1.25)
    np.testing.assert_allclose(got[1], [1.0, 1.0])
    np.testing.assert_allclose(got[2], [[0.5], [0.5]])
    assert var_all.op.name == "reduce_variance"
    assert std_1.op.name == "reduce_std"


def test_reduce_std_needs_floats():
    with pytest.raises(TypeError, match="floating"):
        fg.reduce_std(fg.constant([1, 2]))


# --------------------------------------------------------------------------- argmax / argmin
def test_argmax_signature_and_dtype():
    x = fg.constant(X)
    y = fg.argmax(x)  # axis None -> 0
    assert y.dtype == fg.int64
    assert y.shape.as_list() == [3]
    np.testing.assert_array_equal(run(y), [1, 1, 0])
    y = fg.argmax(x, 1, "am", output_type=fg.int32)
    assert y.op.name == "am" and y.dtype == fg.int32
    np.testing.assert_array_equal(run(y), [2, 1])
    np.testing.assert_array_equal(run(fg.argmin(x, dimension=-1)), [1, 2])


def test_argmax_errors():
    x = fg.constant(X)
    with pytest.raises(ValueError, match="Cannot specify both 'axis' and 'dimension'"):
        fg.argmax(x, axis=0, dimension=0)
    with pytest.raises(ValueError, match="Invalid"):
        fg.argmax(x, 2)
    with pytest.raises(TypeError, match="output_type"):
        fg.argmax(x, 0, output_type=fg.float32)
    with pytest.raises(ValueError, match="empty"):
        fg.argmax(fg.constant(np.zeros((0, 2), np.float32)), 0)
    p = fg.placeholder(fg.float32, [None, 2])
    with pytest.raises(fg.errors.InvalidArgumentError, match="empty"):
        run(fg.argmin(p, 0), {p: np.zeros((0, 2), np.float32)})
