"""TF1-specific behaviour of matmul, tensordot, einsum, trace, matrix_transpose and eye."""

import numpy as np
import pytest

import flowgraph as fg
from flowgraph.ops import linalg

A = np.arange(6, dtype=np.float32).reshape(2, 3)
B = np.arange(12, dtype=np.float32).reshape(3, 4)


def run(fetches, feed_dict=None):
    with fg.Session() as sess:
        return sess.run(fetches, feed_dict=feed_dict)


# --------------------------------------------------------------------------- matmul
def test_matmul_node_types_and_names():
    y = fg.matmul(fg.constant(A), fg.constant(B))
    assert y.op.type == "MatMul" and y.op.name == "MatMul"
    assert y.shape.as_list() == [2, 4]
    batched = fg.matmul(fg.placeholder(fg.float32, [5, 2, 3]), fg.constant(B))
    assert batched.op.type == "BatchMatMulV2" and batched.op.name == "MatMul_1"
    assert batched.shape.as_list() == [5, 2, 4]
    # Unknown rank: TF1 uses the batch op.
    unknown = fg.matmul(fg.placeholder(fg.float32), fg.constant(B))
    assert unknown.op.type == "BatchMatMulV2"
    assert unknown.shape.ndims is None


def test_matmul_values_with_transposes():
    ref = np.array([[20.0, 23.0, 26.0, 29.0], [56.0, 68.0, 80.0, 92.0]], dtype=np.float32)
    got = run([fg.matmul(A, B), fg.matmul(A.T, B, transpose_a=True),
               fg.matmul(A, B.T, transpose_b=True),
               fg.matmul(A.T, B.T, adjoint_a=True, transpose_b=True)])
    for value in got:
        assert value.dtype == np.float32
        np.testing.assert_array_equal(value, ref)


def test_transpose_flags_are_attributes():
    y = fg.matmul(fg.constant(A.T), fg.constant(B), transpose_a=True)
    assert y.op.op_def.transpose_a is True and y.op.op_def.transpose_b is False
    z = fg.matmul(fg.constant(np.ones((2, 3, 2), np.float32)), fg.constant(B), adjoint_a=True)
    assert z.op.op_def.adj_x is True and z.op.op_def.adj_y is False


def test_inner_dimension_mismatch_names_both_shapes():
    with pytest.raises(ValueError) as info:
        fg.matmul(fg.constant(np.ones((2, 3))), fg.constant(np.ones((4, 5))))
    message = str(info.value)
    assert "Dimensions must be equal, but are 3 and 4" in message
    assert "(2, 3)" in message and "(4, 5)" in message
    with pytest.raises(ValueError, match="but are 2 and 3"):
        fg.matmul(fg.constant(A), fg.constant(B), transpose_a=True)
    with pytest.raises(ValueError, match="but are 3 and 2"):
        fg.matmul(fg.placeholder(fg.float32, [7, None, 3]), np.ones((2, 4)))


def test_matmul_rank_and_dtype_errors():
    with pytest.raises(ValueError, match="rank"):
        fg.matmul(fg.constant([1.0, 2.0]), fg.constant(B))
    with pytest.raises(TypeError, match="one dtype"):
        fg.matmul(fg.constant(A), fg.constant(B.astype(np.float64)))
    with pytest.raises(TypeError, match="does not support dtype bool"):
        fg.matmul(fg.constant([[True]]), fg.constant([[False]]))
    with pytest.raises(ValueError, match="Only one of transpose_a and adjoint_a"):
        fg.matmul(A, B, transpose_a=True, adjoint_a=True)
    with pytest.raises(ValueError, match="Only one of transpose_b and adjoint_b"):
        fg.matmul(A, B, transpose_b=True, adjoint_b=True)
    with pytest.raises(ValueError, match="batch dimensions"):
        fg.matmul(fg.constant(np.ones((2, 2, 3))), fg.constant(np.ones((3, 3, 4))))


def test_batch_broadcasting_partial_shapes():
    a = fg.placeholder(fg.float64, [None, 1, 2, 3])
    b = fg.placeholder(fg.float64, [4, 3, 5])
    y = fg.matmul(a, b)
    assert y.shape.as_list() == [None, 4, 2, 5]
    av = np.random.default_rng(0).standard_normal((2, 1, 2, 3))
    bv = np.random.default_rng(1).standard_normal((4, 3, 5))
    got = run(y, {a: av, b: bv})
    ref = np.einsum("xyij,yjk->xyik", np.broadcast_to(av, (2, 4, 2, 3)), bv)
    np.testing.assert_allclose(got, ref, rtol=1e-12)


def test_inner_mismatch_at_run_time_is_invalid_argument():
    a = fg.placeholder(fg.float32)
    b = fg.placeholder(fg.float32)
    y = fg.matmul(a, b, name="mm")
    with pytest.raises(fg.errors.InvalidArgumentError, match="mm"):
        run(y, {a: np.ones((2, 3), np.float32), b: np.ones((4, 2), np.float32)})


def test_python_operand_takes_tensor_dtype():
    x = fg.placeholder(fg.float64, [None, 2])
    y = fg.matmul(x, [[1], [2]])
    assert y.dtype == fg.float64
    np.testing.assert_array_equal(run(y, {x: [[1.0, 1.0]]}), [[3.0]])


def test_fast_kernel_is_numpy_matmul_without_transposes():
    plain = fg.matmul(fg.constant(A), fg.constant(B)).op
    assert plain.op_def.fast_kernel(plain) is np.matmul
    # with transposes: a numpy call on transposed views (BLAS takes them without a copy)
    flipped = fg.matmul(fg.constant(A.T.copy()), fg.constant(B), transpose_a=True).op
    fast = flipped.op_def.fast_kernel(flipped)
    np.testing.assert_allclose(fast(A.T.copy(), B), A @ B, rtol=1e-6)
    batch = fg.matmul(fg.constant(np.ones((2, 2, 3), np.float32)), fg.constant(B)).op
    assert batch.op_def.fast_kernel(batch) is np.matmul


def test_matmul_operator_calls_linalg_matmul():
    a = fg.constant(A)
    b = fg.constant(B)
    if not hasattr(fg.Tensor, "__matmul__"):
        pytest.skip("Tensor operators are not installed yet")
    y = a @ b
    assert y.op.type == "MatMul"
    np.testing.assert_array_equal(run(y), A @ B)
    assert linalg.matmul is fg.matmul


# --------------------------------------------------------------------------- tensordot
def test_tensordot_shapes_and_errors():
    a = fg.placeholder(fg.float32, [None, 3, 4])
    b = fg.placeholder(fg.float32, [4, 3, 6])
    assert fg.tensordot(a, b, [[1, 2], [1, 0]]).shape.as_list() == [None, 6]
    assert fg.tensordot(a, b, 0).shape.as_list() == [None, 3, 4, 4, 3, 6]
    assert fg.tensordot(a, b, [2, 0]).shape.as_list() == [None, 3, 3, 6]
    assert fg.tensordot(a, b, 1).op.name == "Tensordot_3"
    with pytest.raises(ValueError, match="sizes 4 and 3"):
        fg.tensordot(a, b, [[2], [1]])
    with pytest.raises(ValueError, match="Different number of contraction axes"):
        fg.tensordot(a, b, [[1, 2], [0]])
    with pytest.raises(ValueError, match="must not be larger"):
        fg.tensordot(a, b, 4)
    with pytest.raises(ValueError, match="at least 0"):
        fg.tensordot(a, b, -1)
    with pytest.raises(ValueError, match="length 2"):
        fg.tensordot(a, b, [[1], [2], [3]])


def test_tensordot_values():
    x = np.arange(24, dtype=np.float64).reshape(2, 3, 4)
    y = np.arange(12, dtype=np.float64).reshape(4, 3)
    got = run(fg.tensordot(x, y, [[1, 2], [1, 0]]))
    ref = np.array([sum(x[i, j, k] * y[k, j] for j in range(3) for k in range(4))
                    for i in range(2)])
    np.testing.assert_allclose(got, ref)


# --------------------------------------------------------------------------- einsum
def test_einsum_shapes_and_errors():
    a = fg.placeholder(fg.float32, [None, 2, 3])
    b = fg.placeholder(fg.float32, [3, 5])
    assert fg.einsum("bij,jk->bik", a, b).shape.as_list() == [None, 2, 5]
    assert fg.einsum("bij,jk", a, b).shape.as_list() == [None, 2, 5]
    assert fg.einsum("ij->ji", b, name="t").op.name == "t"
    with pytest.raises(ValueError, match="names 2 inputs"):
        fg.einsum("ij,jk->ik", b)
    with pytest.raises(ValueError, match="sizes"):
        fg.einsum("ij,ij->i", b, fg.constant(np.ones((3, 4), np.float32)))
    with pytest.raises(TypeError, match="unexpected keyword"):
        fg.einsum("ij->ji", b, bad=1)


def test_einsum_values():
    x = np.arange(6, dtype=np.float32).reshape(2, 3)
    got = run(fg.einsum("ij,ij->", x, x))
    assert got == np.float32(0 + 1 + 4 + 9 + 16 + 25)


# --------------------------------------------------------------------------- trace, transpose
def test_trace_and_matrix_transpose():
    x = fg.placeholder(fg.float32, [None, 2, 3])
    assert fg.trace(x).shape.as_list() == [None]
    assert fg.trace(x).op.name == "Trace_1"
    t = fg.matrix_transpose(x)
    assert t.shape.as_list() == [None, 3, 2]
    assert t.op.name == "matrix_transpose"
    with pytest.raises(ValueError, match="rank >= 2"):
        fg.trace(fg.constant([1.0, 2.0]))
    with pytest.raises(ValueError, match="should be a \\(batch\\) matrix"):
        fg.matrix_transpose(fg.constant([1.0, 2.0]))


# --------------------------------------------------------------------------- eye
def test_eye():
    y = fg.eye(2)
    assert y.dtype == fg.float32 and y.shape.as_list() == [2, 2] and y.op.name == "eye"
    np.testing.assert_array_equal(run(y), [[1.0, 0.0], [0.0, 1.0]])
    z = fg.eye(2, 3, batch_shape=[4], dtype=fg.float64)
    assert z.shape.as_list() == [4, 2, 3]
    got = run(z)
    assert got.dtype == np.float64
    np.testing.assert_array_equal(got[3], [[1, 0, 0], [0, 1, 0]])
    n = fg.placeholder(fg.int32, [])
    dynamic = fg.eye(n, 1)
    assert dynamic.shape.as_list() == [None, 1]
    np.testing.assert_array_equal(run(dynamic, {n: 3}), [[1.0], [0.0], [0.0]])
    with pytest.raises(ValueError, match=">= 0"):
        fg.eye(-1)
    with pytest.raises(TypeError, match="integer scalar"):
        fg.eye(fg.constant(2.0))
