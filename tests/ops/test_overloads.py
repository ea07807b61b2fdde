"""Python operators on Tensors: values, node names, dtypes and errors, as TF1 graph mode."""

import numpy as np
import pytest

import flowgraph as fg


def run(fetches, feed=None):
    with fg.Session() as sess:
        return sess.run(fetches, feed_dict=feed)


def test_arithmetic_operators_values():
    x = fg.placeholder(fg.float32, [3])
    feed = {x: [1.0, -2.0, 4.0]}
    got = run([x + 1, x - 1, x * 2, x / 2, x // 3, x % 3, x ** 2, -x, abs(x)], feed)
    expected = [[2.0, -1.0, 5.0], [0.0, -3.0, 3.0], [2.0, -4.0, 8.0], [0.5, -1.0, 2.0],
                [0.0, -1.0, 1.0], [1.0, 1.0, 1.0], [1.0, 4.0, 16.0], [-1.0, 2.0, -4.0],
                [1.0, 2.0, 4.0]]
    for value, want in zip(got, expected):
        assert value.dtype == np.float32
        np.testing.assert_array_equal(value, want)


def test_reflected_operators_put_the_python_value_first():
    x = fg.placeholder(fg.float64, [2])
    feed = {x: [2.0, -4.0]}
    got = run([1 + x, 1 - x, 3 * x, 1 / x, 7 // x, 7 % x, 2 ** x], feed)
    expected = [[3.0, -3.0], [-1.0, 5.0], [6.0, -12.0], [0.5, -0.25], [3.0, -2.0],
                [1.0, -1.0], [4.0, 0.0625]]
    for value, want in zip(got, expected):
        np.testing.assert_allclose(value, want, rtol=1e-15)


def test_numpy_array_on_the_left_gives_a_tensor():
    x = fg.placeholder(fg.float32, [2, 3])
    out = np.array([1.0, 2.0, 3.0]) * x
    assert isinstance(out, fg.Tensor) and out.dtype == fg.float32
    assert out.op.type == "Mul"
    value = run(out, {x: np.ones((2, 3))})
    np.testing.assert_array_equal(value, [[1.0, 2.0, 3.0], [1.0, 2.0, 3.0]])


def test_operator_node_names_follow_tf1():
    a = fg.constant([1.0, 2.0])
    b = fg.constant([3.0, 4.0])
    p = fg.constant([True, False])
    cases = [(a + b, "add", "Add"), (a + b, "add_1", "Add"), (a - b, "sub", "Sub"),
             (a * b, "mul", "Mul"), (a / b, "truediv", "RealDiv"),
             (a // b, "floordiv", "FloorDiv"), (a % b, "mod", "FloorMod"),
             (a ** b, "pow", "Pow"), (-a, "Neg", "Neg"), (abs(a), "Abs", "Abs"),
             (a < b, "Less", "Less"), (a <= b, "LessEqual", "LessEqual"),
             (a > b, "Greater", "Greater"), (a >= b, "GreaterEqual", "GreaterEqual"),
             (p & p, "and", "LogicalAnd"), (p | p, "or", "LogicalOr"),
             (p ^ p, "xor", "LogicalAnd"), (~p, "LogicalNot", "LogicalNot")]
    for tensor, name, op_type in cases:
        assert (tensor.op.name, tensor.op.type) == (name, op_type)
    # fg.add keeps TF1's op-type name; Python operands become constants inside the scope.
    assert fg.add(a, b).op.name == "Add_2"
    assert (a + 1).op.inputs[1].op.name.startswith("add_3/")
    with fg.name_scope("layer"):
        assert (a * b).op.name == "layer/mul"


def test_python_scalars_take_the_tensor_dtype():
    f = fg.placeholder(fg.float32, [2])
    i = fg.placeholder(fg.int64, [2])
    assert (f + 1).dtype == fg.float32
    assert (2 * f).dtype == fg.float32
    assert (i * 2).dtype == fg.int64
    assert (i < 3).dtype == fg.bool
    with pytest.raises(TypeError):
        i + 1.5


def test_truediv_operator_on_ints_gives_float64():
    i = fg.constant([1, 2, 3])
    out = i / 2
    assert out.dtype == fg.float64
    np.testing.assert_array_equal(run(out), [0.5, 1.0, 1.5])
    assert (i // 2).dtype == fg.int32


def test_mixed_tensor_dtypes_raise_type_error():
    with pytest.raises(TypeError, match="float32 and int32"):
        fg.constant([1.0]) + fg.constant([1])
    with pytest.raises(TypeError):
        _ = fg.constant([1.0]) < fg.constant([1])


def test_equality_stays_identity():
    a = fg.constant([1.0])
    b = fg.constant([1.0])
    assert (a == b) is False
    assert (a == a) is True
    assert (a != b) is True
    assert {a: 1, b: 2}[b] == 2


def test_logical_operators_need_bools():
    i = fg.constant([1, 0])
    p = fg.constant([True, False])
    for build in (lambda: i & i, lambda: i | p, lambda: p ^ i, lambda: ~i, lambda: 1 & i):
        with pytest.raises(TypeError, match="bool"):
            build()
    q = fg.constant([True, True])
    np.testing.assert_array_equal(run([p & q, p | False, p ^ q, ~p, True & p]),
                                  [[True, False], [True, False], [False, True],
                                   [False, True], [True, False]])


def test_comparison_operators_values():
    x = fg.constant([1, 2, 3])
    got = run([x < 2, x <= 2, x > 2, x >= 2, 2 < x])
    expected = [[True, False, False], [True, True, False], [False, False, True],
                [False, True, True], [False, False, True]]
    for value, want in zip(got, expected):
        np.testing.assert_array_equal(value, want)


def test_matmul_operator_calls_linalg_matmul():
    a = fg.constant([[1.0, 2.0], [3.0, 4.0]])
    b = fg.constant([[0.0, 1.0], [1.0, 0.0]])
    out = a @ b
    assert out.op.name == "matmul"
    np.testing.assert_array_equal(run(out), [[2.0, 1.0], [4.0, 3.0]])
    np.testing.assert_array_equal(run(np.eye(2, dtype=np.float32) @ a),
                                  [[1.0, 2.0], [3.0, 4.0]])


def test_getitem_calls_slicing_getitem():
    x = fg.constant([[1, 2, 3], [4, 5, 6]])
    np.testing.assert_array_equal(run(x[1]), [4, 5, 6])
    np.testing.assert_array_equal(run(x[:, ::-1]), [[3, 2, 1], [6, 5, 4]])


def test_an_operand_that_knows_the_operator_gets_notimplemented_back():
    class Money:
        def __radd__(self, other):
            return "handled by Money"

    assert fg.constant([1.0]) + Money() == "handled by Money"

    class Opaque:
        pass

    with pytest.raises(TypeError):
        fg.constant([1.0]) + Opaque()
