"""TF1 behaviour of SparseTensor and the sparse ops: feeding, fetching, validation, errors."""

import numpy as np
import pytest

import flowgraph as fg
from flowgraph.ops.sparse import from_dense
from flowgraph.sparse_tensor import (
    SparseTensor,
    SparseTensorValue,
    convert_to_sparse_tensor,
    is_sparse,
)

IND = np.array([[3, 2, 0], [4, 5, 1]], dtype=np.int64)
VAL = np.array([1.0, 2.0], dtype=np.float32)
SHAPE = np.array([7, 9, 2], dtype=np.int64)


def _dense(indices, values, shape):
    out = np.zeros(shape, dtype=np.asarray(values).dtype)
    for index, value in zip(indices, values):
        out[tuple(index)] += value
    return out


# --------------------------------------------------------------------------- SparseTensor
def test_sparse_tensor_components_and_static_shape():
    sp = SparseTensor(indices=[[0, 1], [2, 0]], values=[7, 9], dense_shape=[3, 4])
    assert sp.indices.dtype == fg.int64 and sp.dense_shape.dtype == fg.int64
    assert sp.dtype == fg.int32 and sp.values.shape.as_list() == [2]
    assert sp.shape.as_list() == [3, 4] and sp.get_shape().as_list() == [3, 4]
    assert sp.op is sp.values.op and sp.graph is fg.get_default_graph()
    assert sp.indices.op.name == "SparseTensor/indices"
    assert "SparseTensor(indices=" in repr(sp)


def test_sparse_tensor_rejects_inconsistent_components():
    with pytest.raises(ValueError, match="rank 2"):
        SparseTensor([0, 1], [1.0, 2.0], [3])
    with pytest.raises(ValueError, match="one index per value"):
        SparseTensor([[0], [1]], [1.0, 2.0, 3.0], [3])
    with pytest.raises(ValueError, match="rank and must be equal"):
        SparseTensor([[0, 1]], [1.0], [3])
    with pytest.raises(ValueError, match="int64"):
        SparseTensor(fg.constant([[0]]), [1.0], [3])  # int32 indices tensor, as TF1


def test_fetch_returns_sparse_tensor_value_and_eval_works():
    sp = SparseTensor(IND, VAL, SHAPE)
    with fg.Session() as sess:
        value = sess.run(sp)
        assert isinstance(value, SparseTensorValue)
        np.testing.assert_array_equal(value.indices, IND)
        np.testing.assert_array_equal(value.values, VAL)
        np.testing.assert_array_equal(value.dense_shape, SHAPE)
        nested = sess.run({"sp": sp, "list": [sp.values]})
        assert isinstance(nested["sp"], SparseTensorValue)
        np.testing.assert_array_equal(nested["list"][0], VAL)
        np.testing.assert_array_equal(sp.eval().values, VAL)
    with pytest.raises(ValueError, match="no default session"):
        sp.eval()


def test_sparse_placeholder_feeds_as_tf1_docs():
    x = fg.sparse_placeholder(fg.float32)
    y = fg.sparse_reduce_sum(x)
    with fg.Session() as sess:
        with pytest.raises(fg.errors.InvalidArgumentError, match="must feed"):
            sess.run(y)
        assert sess.run(y, {x: SparseTensorValue(IND, VAL, SHAPE)}) == 3.0
        assert sess.run(y, {x: (IND, VAL, SHAPE)}) == 3.0
        sp_value = SparseTensor(IND, VAL, SHAPE).eval(session=sess)
        assert sess.run(y, {x: sp_value}) == 3.0
        with pytest.raises(TypeError, match="SparseTensorValue"):
            sess.run(y, {x: VAL})
        with pytest.raises(TypeError, match="cannot be fed"):
            sess.run(y, {x: SparseTensor(IND, VAL, SHAPE)})


def test_sparse_placeholder_names_and_shapes():
    x = fg.sparse_placeholder(fg.int32, shape=[None, 4], name="x")
    assert x.indices.op.name == "x/indices" and x.values.op.name == "x/values"
    assert x.dense_shape.op.name == "x/shape" and x.dense_shape.op.type == "Placeholder"
    assert x.indices.shape.as_list() == [None, 2] and x.shape.as_list() == [None, None]
    full = fg.sparse_placeholder(fg.float32, shape=[2, 3])
    assert full.shape.as_list() == [2, 3] and full.dense_shape.op.type == "Const"
    dense = fg.sparse_tensor_to_dense(full)
    assert dense.shape.as_list() == [2, 3]
    with fg.Session() as sess:  # the constant shape can still be fed, as in TF1
        out = sess.run(dense, {full: ([[1, 2]], [5.0], [2, 3])})
    np.testing.assert_array_equal(out, [[0, 0, 0], [0, 0, 5.0]])
    unknown = fg.sparse_placeholder(fg.float32)
    assert unknown.shape.ndims is None and unknown.indices.shape.as_list() == [None, None]


def test_convert_helpers():
    value = SparseTensorValue([[0]], [1.0], [2])
    assert is_sparse(value) and not is_sparse(fg.constant(1.0))
    assert isinstance(convert_to_sparse_tensor(value), SparseTensor)
    with pytest.raises(TypeError, match="SparseTensor"):
        convert_to_sparse_tensor(fg.constant([1.0]))
    with pytest.raises(TypeError, match="SparseTensor"):
        fg.sparse_tensor_to_dense(fg.constant([1.0]))


# --------------------------------------------------------------------------- to dense
def test_to_dense_validates_order_and_repeats_when_asked():
    unordered = SparseTensor([[1, 0], [0, 1]], [1.0, 2.0], [2, 2])
    repeated = SparseTensor([[0, 1], [0, 1]], [1.0, 2.0], [2, 2])
    with fg.Session() as sess:
        with pytest.raises(fg.errors.InvalidArgumentError, match=r"\[0,1\] is out of order"):
            sess.run(fg.sparse_tensor_to_dense(unordered))
        with pytest.raises(fg.errors.InvalidArgumentError, match="is repeated"):
            sess.run(fg.sparse_tensor_to_dense(repeated))
        np.testing.assert_array_equal(
            sess.run(fg.sparse_tensor_to_dense(unordered, validate_indices=False)),
            [[0, 2.0], [1.0, 0]])
        reordered = fg.sparse_tensor_to_dense(fg.sparse_reorder(unordered))
        np.testing.assert_array_equal(sess.run(reordered), [[0, 2.0], [1.0, 0]])


def test_to_dense_out_of_bounds_always_fails():
    sp = SparseTensor([[0, 5]], [1.0], [2, 2])
    with fg.Session() as sess:
        with pytest.raises(fg.errors.InvalidArgumentError, match="out of bounds"):
            sess.run(fg.sparse_tensor_to_dense(sp, validate_indices=False))


def test_to_dense_defaults_by_dtype():
    words = SparseTensor([[0, 1], [2, 0]], ["a", "c"], [3, 2])
    flags = SparseTensor([[1]], [True], [3])
    with fg.Session() as sess:
        np.testing.assert_array_equal(sess.run(fg.sparse_tensor_to_dense(words)),
                                      [[b"", b"a"], [b"", b""], [b"c", b""]])
        np.testing.assert_array_equal(
            sess.run(fg.sparse_tensor_to_dense(words, default_value="x")),
            [[b"x", b"a"], [b"x", b"x"], [b"c", b"x"]])
        np.testing.assert_array_equal(sess.run(fg.sparse_tensor_to_dense(flags)),
                                      [False, True, False])


def test_sparse_to_dense_static_value_is_folded_for_small_constants():
    dense = fg.sparse_to_dense([[0, 0]], [2, 2], [3.0])
    np.testing.assert_array_equal(fg.constant_value(dense), [[3.0, 0], [0, 0]])
    huge = fg.sparse_to_dense([[0, 0]], [100000, 100000], [3.0])
    assert fg.constant_value(huge) is None  # not computed when building
    assert huge.shape.as_list() == [100000, 100000]


# --------------------------------------------------------------------------- matmul
@pytest.mark.parametrize("adjoint_a", [False, True])
@pytest.mark.parametrize("adjoint_b", [False, True])
def test_matmul_matches_dense_reference(adjoint_a, adjoint_b):
    rng = np.random.default_rng(0)
    indices = np.array([[0, 0], [0, 3], [2, 1], [3, 3]], dtype=np.int64)
    values = rng.standard_normal(4)
    a = _dense(indices, values, (4, 4))
    b = rng.standard_normal((4, 3))
    b_in = b.T if adjoint_b else b
    product = fg.sparse_tensor_dense_matmul(SparseTensor(indices, values, [4, 4]), b_in,
                                            adjoint_a=adjoint_a, adjoint_b=adjoint_b)
    assert product.shape.as_list() == [4, 3] and product.dtype == fg.float64
    with fg.Session() as sess:
        np.testing.assert_allclose(sess.run(product), (a.T if adjoint_a else a) @ b,
                                   rtol=1e-12)


def test_matmul_shape_errors():
    sp = SparseTensor([[0, 0]], [1.0], [2, 3])
    with pytest.raises(ValueError, match="inner dimensions"):
        fg.sparse_tensor_dense_matmul(sp, np.ones((4, 2), np.float32))
    with pytest.raises(TypeError, match="dtype"):
        fg.sparse_tensor_dense_matmul(sp, np.ones((3, 2), np.float64))
    fed = fg.sparse_placeholder(fg.float32)
    product = fg.sparse_tensor_dense_matmul(fed, np.ones((3, 2), np.float32))
    with fg.Session() as sess:
        with pytest.raises(fg.errors.InvalidArgumentError, match="inner dimension"):
            sess.run(product, {fed: ([[0, 0]], [1.0], [2, 5])})


# --------------------------------------------------------------------------- reduce_sum
@pytest.mark.parametrize("axis", [None, 0, 1, -1, [0, 2], (1, -3)])
@pytest.mark.parametrize("keepdims", [False, True])
def test_reduce_sum_matches_numpy(axis, keepdims):
    indices = np.array([[0, 0, 1], [0, 2, 0], [1, 1, 1], [1, 2, 0]], dtype=np.int64)
    values = np.array([1.0, 2.0, 3.0, 4.0], dtype=np.float32)
    dense = _dense(indices, values, (2, 3, 2))
    total = fg.sparse_reduce_sum(SparseTensor(indices, values, [2, 3, 2]), axis=axis,
                                 keepdims=keepdims)
    numpy_axis = None if axis is None else tuple(np.atleast_1d(axis))
    want = dense.sum(axis=numpy_axis, keepdims=keepdims)
    assert total.shape.as_list() == list(want.shape)
    with fg.Session() as sess:
        np.testing.assert_allclose(sess.run(total), want)


def test_reduce_sum_deprecated_arguments_and_errors():
    sp = SparseTensor([[0, 1], [1, 1]], [1, 2], [2, 2])
    old = fg.sparse_reduce_sum(sp, reduction_axes=0, keep_dims=True)
    assert old.shape.as_list() == [1, 2]
    with fg.Session() as sess:
        np.testing.assert_array_equal(sess.run(old), [[0, 3]])
    with pytest.raises(ValueError, match="both"):
        fg.sparse_reduce_sum(sp, axis=0, reduction_axes=0)
    with pytest.raises(ValueError, match="axis 2"):
        fg.sparse_reduce_sum(sp, axis=2)
    with pytest.raises(TypeError, match="string"):
        fg.sparse_reduce_sum(SparseTensor([[0]], ["a"], [1]))


# --------------------------------------------------------------------------- add
def test_sparse_add_sums_repeats_in_row_major_order():
    a = SparseTensor([[1, 1], [0, 0]], [1.0, 2.0], [2, 2])
    b = SparseTensor([[0, 0], [0, 1], [1, 1]], [10.0, 20.0, -1.0], [2, 2])
    total = fg.sparse_add(a, b)
    assert isinstance(total, SparseTensor) and total.shape.as_list() == [2, 2]
    with fg.Session() as sess:
        value = sess.run(total)
    np.testing.assert_array_equal(value.indices, [[0, 0], [0, 1], [1, 1]])
    np.testing.assert_array_equal(value.values, [12.0, 20.0, 0.0])  # 0 kept at threshold 0
    np.testing.assert_array_equal(value.dense_shape, [2, 2])


def test_sparse_add_threshold_drops_small_sums():
    # TF1's documented example (sums .1, 0 and -.2), as its SparseAdd kernel really runs it:
    # thresh only applies where both operands have an entry (here [1,1]: 1 - 1 = 0), so
    # .1 and -.2, present in `a` alone, are kept (checked against TensorFlow).
    a = SparseTensor([[0, 1], [1, 0], [1, 1], [2, 0], [2, 1]], [2.0, 0.1, 1.0, 6.0, -0.2],
                     [3, 2])
    b = SparseTensor([[1, 1]], [-1.0], [3, 2])
    with fg.Session() as sess:
        kept = sess.run(fg.sparse_add(a, b, threshold=0.11))
        np.testing.assert_array_equal(kept.indices, [[0, 1], [1, 0], [2, 0], [2, 1]])
        kept = sess.run(fg.sparse_add(a, b, thresh=0.21))
        np.testing.assert_array_equal(kept.indices, [[0, 1], [1, 0], [2, 0], [2, 1]])
        np.testing.assert_allclose(kept.values, [2.0, 0.1, 6.0, -0.2])
        kept = sess.run(fg.sparse_add(a, b))
        np.testing.assert_array_equal(kept.indices, [[0, 1], [1, 0], [1, 1], [2, 0], [2, 1]])


def test_sparse_add_dense_either_order_and_errors():
    sp = SparseTensor([[0, 1]], [5.0], [2, 2])
    dense = np.array([[1.0, 2.0], [3.0, 4.0]], dtype=np.float32)
    with fg.Session() as sess:
        for result in (fg.sparse_add(sp, dense), fg.sparse_add(dense, sp)):
            assert result.op.type == "SparseTensorDenseAdd"
            np.testing.assert_array_equal(sess.run(result), [[1.0, 7.0], [3.0, 4.0]])
    with pytest.raises(TypeError, match="fg.add"):
        fg.sparse_add(dense, dense)
    with pytest.raises(ValueError, match="shape"):
        fg.sparse_add(SparseTensor([[0, 0]], [1.0], [3, 2]), sp)
    fed = fg.sparse_placeholder(fg.float32)
    with fg.Session() as sess:
        with pytest.raises(fg.errors.InvalidArgumentError, match="same dense shape"):
            sess.run(fg.sparse_add(fed, sp), {fed: ([[0, 0]], [1.0], [3, 2])})


# --------------------------------------------------------------------------- from_dense
def test_from_dense_keeps_nonzero_entries_in_row_major_order():
    dense = np.array([[0, 1.5, 0], [-2.0, 0, 3.0]], dtype=np.float32)
    sp = from_dense(dense)
    assert sp.shape.as_list() == [2, 3] and sp.dtype == fg.float32
    words = from_dense(fg.constant([["", "x"], ["y", ""]]))
    fed = fg.placeholder(fg.int32, [None, 3])
    partial = from_dense(fed)
    assert partial.shape.as_list() == [None, 3]
    with fg.Session() as sess:
        value = sess.run(sp)
        np.testing.assert_array_equal(value.indices, [[0, 1], [1, 0], [1, 2]])
        np.testing.assert_array_equal(value.values, [1.5, -2.0, 3.0])
        np.testing.assert_array_equal(value.dense_shape, [2, 3])
        np.testing.assert_array_equal(sess.run(words).values, [b"x", b"y"])
        back = sess.run(fg.sparse_tensor_to_dense(partial), {fed: [[0, 3, 0], [4, 0, 0]]})
        np.testing.assert_array_equal(back, [[0, 3, 0], [4, 0, 0]])
