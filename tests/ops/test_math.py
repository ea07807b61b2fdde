"""TF1-specific behaviour of the elementwise ops: dtypes, names, errors, edge cases."""

import warnings

import numpy as np
import pytest

import flowgraph as fg
from flowgraph.ops.registry import constant_value


def run(*fetches, feed=None):
    with fg.Session() as sess:
        return sess.run(list(fetches) if len(fetches) > 1 else fetches[0], feed_dict=feed)


# ------------------------------------------------------------------ dtypes of operands
def test_mixed_dtypes_raise_type_error_at_build_time():
    x = fg.constant([1.0, 2.0])
    y = fg.constant([1, 2])
    for build in (fg.add, fg.subtract, fg.multiply, fg.maximum, fg.floordiv, fg.equal,
                  fg.less, fg.pow, fg.truediv):
        with pytest.raises(TypeError, match="float32.*int32|int32.*float32"):
            build(x, y)


def test_python_scalar_takes_the_tensor_dtype():
    x = fg.placeholder(fg.float32, [2])
    y = fg.add(x, 1)
    assert y.dtype == fg.float32
    assert fg.multiply(2, x).dtype == fg.float32
    i = fg.constant([1, 2], dtype=fg.int64)
    assert fg.subtract(i, 1).dtype == fg.int64
    np.testing.assert_array_equal(run(y, feed={x: [1.5, 2.5]}), np.float32([2.5, 3.5]))


def test_fractional_python_scalar_on_int_tensor_is_a_type_error():
    with pytest.raises(TypeError):
        fg.add(fg.constant([1, 2]), 1.5)


def test_truediv_casts_ints_to_floats_as_tf1():
    for dtype, expected in ((fg.int8, fg.float32), (fg.uint8, fg.float32),
                            (fg.int16, fg.float32), (fg.int32, fg.float64),
                            (fg.int64, fg.float64), (fg.float32, fg.float32)):
        x = fg.constant([3, 4], dtype=dtype)
        assert fg.truediv(x, 2).dtype == expected, dtype
    with fg.Graph().as_default():
        out = fg.truediv(fg.constant([1, -3]), fg.constant([2, 2]))
        assert out.op.name == "truediv"
        assert [t.op.type for t in out.op.inputs] == ["Cast", "Cast"]
        assert out.op.inputs[0].op.name == "truediv/Cast"
        with fg.Session() as sess:
            value = sess.run(out)
    assert value.dtype == np.float64
    np.testing.assert_array_equal(value, [0.5, -1.5])


def test_truediv_rejects_bool():
    with pytest.raises(TypeError, match="bool"):
        fg.truediv(fg.constant([True]), fg.constant([False]))


def test_divide_is_truediv_and_div_is_python2_division():
    i = fg.constant([7, -7])
    assert fg.divide(i, 2).dtype == fg.float64
    assert fg.divide(i, 2, name="ratio").op.name == "ratio"
    d = fg.div(i, 2)
    assert (d.op.name, d.op.type, d.dtype) == ("div", "FloorDiv", fg.int32)
    f = fg.div(fg.constant([7.0]), 2.0)
    assert (f.op.name, f.op.type) == ("div_1", "RealDiv")
    np.testing.assert_array_equal(run(d), [3, -4])


def test_floor_division_and_modulo_follow_python_signs():
    xs = np.array([7, -7, 7, -7, 1, -1, 0], np.int64)
    ys = np.array([3, 3, -3, -3, 5, 5, 4], np.int64)
    q, r = run(fg.floordiv(xs, ys), fg.floormod(xs, ys))
    np.testing.assert_array_equal(q, [a // b for a, b in zip(xs.tolist(), ys.tolist())])
    np.testing.assert_array_equal(r, [a % b for a, b in zip(xs.tolist(), ys.tolist())])
    np.testing.assert_array_equal(q * ys + r, xs)
    fx = np.array([5.5, -5.5, 5.5, -5.5])
    fy = np.array([2.0, 2.0, -2.0, -2.0])
    np.testing.assert_array_equal(run(fg.floormod(fx, fy)),
                                  [a % b for a, b in zip(fx.tolist(), fy.tolist())])


def test_float_floordiv_is_floor_of_quotient_as_tf1():
    # numpy's 1.0 // 0.1 is 9.0; TF1 computes floor(1.0 / 0.1) = 10.0.
    assert run(fg.floordiv(fg.constant(1.0, fg.float64), 0.1)) == 10.0


@pytest.mark.parametrize("build", [fg.floordiv, fg.floormod, fg.truncatediv, fg.truncatemod])
def test_integer_division_by_zero_is_an_error_at_run_time(build):
    out = build(fg.placeholder(fg.int32, [2]), fg.placeholder(fg.int32, [2]))
    x, y = out.op.inputs
    with pytest.raises(fg.errors.InvalidArgumentError, match="division by zero"):
        run(out, feed={x: [1, 2], y: [1, 0]})


def test_int_pow_with_negative_exponent_fails_at_run_time():
    with pytest.raises(fg.errors.InvalidArgumentError, match="negative integer powers"):
        run(fg.pow(fg.constant([2, 3]), -1))


def test_scalar_mul_needs_a_scalar():
    x = fg.constant([1.0, 2.0])
    assert fg.scalar_mul(3, x).op.type == "Mul"
    with pytest.raises(ValueError, match="Only scalar multiply"):
        fg.scalar_mul([1.0, 2.0], x)


# ------------------------------------------------------------------ unary functions
def test_float_only_functions_reject_ints():
    i = fg.constant([1, 4])
    for build in (fg.sqrt, fg.exp, fg.log, fg.sigmoid, fg.tanh, fg.floor, fg.is_nan):
        with pytest.raises(TypeError, match="int32"):
            build(i)


def test_sigmoid_is_finite_and_quiet_for_large_inputs():
    x = fg.placeholder(fg.float32, [4])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        value = run(fg.sigmoid(x), feed={x: [-1000.0, -88.0, 88.0, 1000.0]})
    assert np.all(np.isfinite(value))
    np.testing.assert_array_equal(value[[0, 3]], [0.0, 1.0])
    assert 0.0 < value[1] < 1e-37


def test_round_is_half_to_even_and_keeps_integer_tensors():
    value = run(fg.round(fg.constant([0.5, 1.5, 2.5, 3.5, -2.5, 2.5000001], fg.float64)))
    np.testing.assert_array_equal(value, [0.0, 2.0, 2.0, 4.0, -2.0, 3.0])
    i = fg.constant([1, 2])
    assert fg.round(i) is i


def test_log_of_zero_is_minus_infinity():
    assert run(fg.log(fg.constant(0.0))) == -np.inf


# ------------------------------------------------------------------ cast
def test_cast_truncates_toward_zero_and_keeps_same_dtype_tensors():
    x = fg.constant([2.9, -2.9, 0.4, -0.4, 1e9])
    out = fg.cast(x, fg.int32)
    assert (out.op.name, out.op.type, out.op.get_attr("DstT")) == ("Cast", "Cast", fg.int32)
    np.testing.assert_array_equal(run(out), [2, -2, 0, 0, 1000000000])
    assert fg.cast(x, fg.float32) is x
    assert fg.cast(x, "float").dtype == fg.float32


def test_cast_of_python_values_and_bools():
    np.testing.assert_array_equal(run(fg.cast([1.9, -1.9], fg.int64)), [1, -1])
    np.testing.assert_array_equal(run(fg.cast([0, 3, -1], fg.bool)), [False, True, True])
    assert fg.to_float(fg.constant([1])).op.name == "ToFloat"
    assert fg.to_int64(fg.constant([1.0])).op.name == "ToInt64"


def test_cast_of_strings_is_a_type_error():
    with pytest.raises(TypeError, match="string"):
        fg.cast(fg.constant(["1"]), fg.int32)


# ------------------------------------------------------------------ add_n, clip
def test_add_n_rules():
    x = fg.constant([1.0, 2.0])
    total = fg.add_n([x, x, x, x])
    assert total.op.name == "AddN"
    np.testing.assert_array_equal(run(total), [4.0, 8.0])
    assert fg.add_n([x]) is x
    assert fg.add_n([x], name="single").op.type == "Identity"
    with pytest.raises(ValueError, match="at least one"):
        fg.add_n([])
    with pytest.raises(ValueError, match="one shape"):
        fg.add_n([x, fg.constant([1.0, 2.0, 3.0])])
    with pytest.raises(fg.errors.InvalidArgumentError, match="one shape"):
        run(fg.add_n([x, fg.placeholder_with_default(fg.constant([1.0]), [None])]))
    with pytest.raises((TypeError, ValueError)):
        fg.add_n([x, fg.constant([1, 2])])


def test_add_n_merges_partial_shapes():
    a = fg.placeholder(fg.float32, [None, 3])
    b = fg.placeholder(fg.float32, [2, None])
    assert fg.add_n([a, b]).shape.as_list() == [2, 3]


def test_clip_by_value_keeps_shape_and_lets_min_win():
    x = fg.constant([[-2.0, 0.5], [3.0, 1.0]])
    out = fg.clip_by_value(x, [0.0, 0.0], 1.0)
    assert out.op.name == "clip_by_value" and out.shape.as_list() == [2, 2]
    np.testing.assert_array_equal(run(out), [[0.0, 0.5], [1.0, 1.0]])
    # min > max: TF1 computes maximum(minimum(t, max), min), so min wins.
    np.testing.assert_array_equal(run(fg.clip_by_value(x, 2.0, 1.0)), [[2.0, 2.0], [2.0, 2.0]])
    with pytest.raises(ValueError, match="shape"):
        fg.clip_by_value(fg.constant([1.0, 2.0]), [[0.0], [1.0]], 3.0)


# ------------------------------------------------------------------ cumulative
def test_cumsum_axis_checks():
    with pytest.raises(ValueError, match="out of range"):
        fg.cumsum(fg.constant([[1, 2]]), axis=2)
    with pytest.raises(ValueError, match="rank at least 1"):
        fg.cumsum(fg.constant(1.0))
    with pytest.raises(ValueError, match="known when the graph is built"):
        fg.cumsum(fg.constant([1, 2]), axis=fg.placeholder(fg.int32, []))
    out = fg.cumprod(fg.constant([[1, 2], [3, 4]]), axis=-2, reverse=True)
    assert out.op.name == "Cumprod"
    np.testing.assert_array_equal(run(out), [[3, 8], [3, 4]])


# ------------------------------------------------------------------ where / select
def test_where_with_one_argument_gives_int64_coordinates():
    c = fg.placeholder(fg.bool, [None, 3])
    out = fg.where(c)
    assert out.op.type == "Where" and out.dtype == fg.int64
    assert out.shape.as_list() == [None, 2]
    value = run(out, feed={c: [[True, False, True], [False, False, False],
                                [False, True, False]]})
    np.testing.assert_array_equal(value, [[0, 0], [0, 2], [2, 1]])
    assert value.dtype == np.int64


def test_where_argument_checks():
    c = fg.constant([True, False])
    with pytest.raises(ValueError, match="both be non-None"):
        fg.where(c, x=fg.constant([1, 2]))
    with pytest.raises(ValueError, match="one shape"):
        fg.where(c, fg.constant([1, 2]), fg.constant([[1, 2]]))
    with pytest.raises(ValueError, match="first dimension"):
        fg.where(c, fg.constant([[1], [2], [3]]), fg.constant([[1], [2], [3]]))
    with pytest.raises(TypeError, match="bool condition"):
        fg.where(fg.constant([1, 0]), fg.constant([1, 2]), fg.constant([3, 4]))
    with pytest.raises(TypeError):
        fg.where(c, fg.constant([1, 2]), fg.constant([1.0, 2.0]))


def test_select_and_select_v2_shapes_and_names():
    c = fg.placeholder(fg.bool, [None])
    x = fg.placeholder(fg.float32, [4, 3])
    selected = fg.where(c, x, x)
    assert (selected.op.name, selected.shape.as_list()) == ("Select", [4, 3])
    v2 = fg.where_v2(fg.placeholder(fg.bool, [5, 1]), fg.placeholder(fg.float32, [3]), 0.0)
    assert (v2.op.name, v2.shape.as_list()) == ("SelectV2", [5, 3])
    assert fg.where(c, x, x, name="pick").op.name == "pick"


def test_select_rejects_a_mismatched_vector_condition_at_run_time():
    c = fg.placeholder(fg.bool, None)
    x = fg.constant([[1, 2], [3, 4]])
    with pytest.raises(fg.errors.InvalidArgumentError):
        run(fg.where(c, x, x), feed={c: [True, False, True]})


# ------------------------------------------------------------------ names and kernels
def test_default_node_names_follow_tf1():
    x = fg.constant([1.0, 2.0])
    b = fg.constant([True, False])
    names = {
        "Add": fg.add(x, x), "Sub": fg.subtract(x, x), "Mul": fg.multiply(x, x),
        "truediv": fg.truediv(x, x), "RealDiv": fg.realdiv(x, x),
        "floordiv": fg.floordiv(x, x),
        "FloorMod": fg.floormod(x, x), "Pow": fg.pow(x, x), "Neg": fg.negative(x),
        "Abs": fg.abs(x), "Sigmoid": fg.sigmoid(x), "Tanh": fg.tanh(x),
        "Maximum": fg.maximum(x, x), "Cumsum": fg.cumsum(x), "Equal": fg.equal(x, x),
        "LogicalXor": fg.logical_xor(b, b), "div_no_nan": fg.div_no_nan(x, x),
        "SquaredDifference": fg.squared_difference(x, x),
    }
    for name, tensor in names.items():
        assert tensor.op.name == name
    assert fg.add(x, x, name="total").op.name == "total"
    # Names are unique case-insensitively, as TF1's: FloorDiv after floordiv is FloorDiv_1.
    assert fg.floor_div(x, x).op.name == "FloorDiv_1"
    with fg.name_scope("layer"):
        assert fg.truediv(x, x).op.name == "layer/truediv"
        assert fg.sigmoid(x).op.name == "layer/Sigmoid"


def test_logical_xor_is_built_from_and_or_not():
    out = fg.logical_xor(fg.constant([True, True]), fg.constant([True, False]))
    assert out.op.type == "LogicalAnd"
    assert {t.op.type for t in out.op.inputs} == {"LogicalOr", "LogicalNot"}
    np.testing.assert_array_equal(run(out), [False, True])


def test_common_float_ops_run_bare_numpy_ufuncs():
    x = fg.placeholder(fg.float32, [3])
    pairs = [(fg.add(x, x), np.add), (fg.multiply(x, x), np.multiply),
             (fg.subtract(x, x), np.subtract), (fg.tanh(x), np.tanh), (fg.exp(x), np.exp),
             (fg.realdiv(x, x), np.divide), (fg.maximum(x, x), np.maximum),
             (fg.less(x, x), np.less), (fg.negative(x), np.negative)]
    for tensor, ufunc in pairs:
        assert tensor.op.op_def.fast_kernel(tensor.op) is ufunc, tensor.op.type


def test_static_values_fold_through_elementwise_ops():
    two = fg.constant([2, 4])
    np.testing.assert_array_equal(constant_value(fg.floordiv(two * 3, 4)), [1, 3])
    assert constant_value(fg.cast(fg.constant(2.7), fg.int32)) == 2
