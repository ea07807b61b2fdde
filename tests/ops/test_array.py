"""Array, shape, gather and fill ops: TF1 static shapes, dtypes, node names and errors."""

import numpy as np
import pytest

import flowgraph as fg
from flowgraph.ops import lookup


def _run(fetches, feed=None):
    with fg.Session() as sess:
        return sess.run(fetches, feed)


# --------------------------------------------------------------------------- reshape
def test_reshape_infers_static_shapes():
    x = fg.placeholder(fg.float32, [None, 28, 28])
    assert fg.reshape(x, [-1, 784]).shape.as_list() == [None, 784]
    assert fg.reshape(x, [-1, 28, 28, 1]).shape.as_list() == [None, 28, 28, 1]
    y = fg.placeholder(fg.float32, [4, 6])
    assert fg.reshape(y, [3, -1]).shape.as_list() == [3, 8]
    z = fg.placeholder(fg.float32, [2, 12])
    assert fg.reshape(y, fg.shape(z)).shape.as_list() == [2, 12]
    n = fg.placeholder(fg.int32, [])
    assert fg.reshape(y, [n, 2, -1]).shape.as_list() == [None, 2, None]
    assert fg.reshape(y, fg.placeholder(fg.int32, [3])).shape.as_list() == [None] * 3
    assert fg.reshape(y, fg.placeholder(fg.int32)).shape.ndims is None


def test_reshape_build_time_errors():
    y = fg.placeholder(fg.float32, [2, 3])
    with pytest.raises(ValueError, match="Cannot reshape a tensor with 6 elements to shape"):
        fg.reshape(y, [4])
    with pytest.raises(ValueError, match="does not divide 6"):
        fg.reshape(y, [4, -1])
    with pytest.raises(ValueError, match="multiple unknown dimensions"):
        fg.reshape(y, [-1, -1])
    with pytest.raises(TypeError, match="int32 or int64"):
        fg.reshape(y, [2.5, 2])


def test_reshape_run_time_errors_and_views():
    x = fg.placeholder(fg.float32, [None])
    with pytest.raises(fg.errors.InvalidArgumentError,
                       match="tensor with 5 values, but the requested shape requires a "
                             "multiple of 2"):
        _run(fg.reshape(x, [-1, 2]), {x: np.zeros(5)})
    with pytest.raises(fg.errors.InvalidArgumentError, match="requested shape has 4"):
        _run(fg.reshape(x, [2, 2]), {x: np.zeros(5)})
    value = np.arange(6, dtype=np.float32)
    assert np.shares_memory(lookup("Reshape")().kernel(value, np.int32([2, 3])), value)


# --------------------------------------------------------------------------- shape, size, rank
def test_shape_size_rank_are_known_to_constant_value():
    x = fg.placeholder(fg.float32, [2, 3])
    partial = fg.placeholder(fg.float32, [None, 3])
    np.testing.assert_array_equal(fg.constant_value(fg.shape(x)), [2, 3])
    assert fg.constant_value(fg.shape(x)).dtype == np.int32
    assert fg.constant_value(fg.shape(x, out_type=fg.int64)).dtype == np.int64
    assert fg.constant_value(fg.size(x)) == 6
    assert fg.constant_value(fg.rank(partial)) == 2
    assert fg.constant_value(fg.shape(partial)) is None
    assert fg.constant_value(fg.size(partial)) is None
    assert fg.constant_value(fg.rank(fg.placeholder(fg.float32))) is None
    a, b = fg.shape_n([x, partial])
    assert fg.constant_value(a) is not None and fg.constant_value(b) is None
    assert fg.shape(partial).shape.as_list() == [2]
    np.testing.assert_array_equal(_run(fg.shape(partial), {partial: np.zeros((5, 3))}),
                                  [5, 3])


# --------------------------------------------------------------------------- names
def test_default_node_names_follow_tf1():
    x = fg.constant([[1.0, 2.0], [3.0, 4.0]])
    assert fg.reshape(x, [4]).op.name == "Reshape"
    assert fg.transpose(x).op.name == "transpose"
    assert fg.expand_dims(x, 0).op.name == "ExpandDims"
    assert fg.squeeze(x).op.name == "Squeeze"
    assert fg.concat([x, x], 0).op.name == "concat"
    assert fg.stack([x, x]).op.name == "stack"
    assert fg.unstack(x)[0].op.name == "unstack"
    assert fg.split(x, 2)[0].op.name == "split"
    assert fg.gather(x, [0]).op.name == "GatherV2"
    assert fg.one_hot([0], 2).op.name == "one_hot"
    assert fg.range(3).op.name == "range"
    assert fg.zeros([2]).op.name == "zeros"
    big = fg.ones([2000])
    assert big.op.name == "ones" and big.op.type == "Fill"
    assert fg.pad(x, [[1, 1], [0, 0]]).op.name == "Pad"
    assert fg.tile(x, [1, 2]).op.name == "Tile"


def test_concat_of_one_value_is_identity_and_stack_of_constants_is_const():
    x = fg.constant([1, 2])
    assert fg.concat([x], 0).op.type == "Identity"
    assert fg.stack([1, 2, 3]).op.type == "Const"
    assert fg.stack([x, [3, 4]]).op.type == "Pack"


# --------------------------------------------------------------------------- join / split
def test_split_errors():
    x = fg.placeholder(fg.float32, [5, 4])
    with pytest.raises(ValueError, match="evenly divide"):
        fg.split(x, 2)
    with pytest.raises(ValueError, match="more than one -1"):
        fg.split(x, [-1, -1])
    with pytest.raises(ValueError, match="Determined shape must either match"):
        fg.split(x, [2, 2])
    with pytest.raises(ValueError, match="Cannot infer num"):
        fg.split(x, fg.placeholder(fg.int32, [None]))
    with pytest.raises(ValueError, match="Rank-0"):
        fg.split(x, fg.constant(2))
    sizes = fg.placeholder(fg.int32, [2])
    parts = fg.split(x, sizes)
    with pytest.raises(fg.errors.InvalidArgumentError, match="Determined shape"):
        _run(parts, {x: np.zeros((5, 4)), sizes: [1, 1]})


def test_unstack_and_stack_errors():
    with pytest.raises(ValueError, match="Cannot infer num"):
        fg.unstack(fg.placeholder(fg.float32, [None, 2]))
    with pytest.raises(ValueError, match=r"axis = 3 not in \[-2, 2\)"):
        fg.stack([fg.constant([1, 2])] * 2, axis=3)
    with pytest.raises(ValueError, match="incompatible"):
        fg.stack([fg.constant([1, 2]), fg.constant([1, 2, 3])])
    a, b = fg.placeholder(fg.int32, [None]), fg.placeholder(fg.int32, [None])
    with pytest.raises(fg.errors.InvalidArgumentError, match="Shapes of all inputs must match"):
        _run(fg.stack([a, b]), {a: [1], b: [1, 2]})
    assert fg.unstack(fg.placeholder(fg.float32, [0, 3])) == []


def test_concat_checks_dtypes_and_shapes():
    with pytest.raises(TypeError, match="one dtype"):
        fg.concat([fg.constant([1]), fg.constant([1.0])], 0)
    with pytest.raises(ValueError, match="Dimension 1 in both shapes must be equal"):
        fg.concat([fg.zeros([2, 3]), fg.zeros([2, 4])], 0)
    with pytest.raises(ValueError, match="scalars"):
        fg.concat([fg.constant(1), fg.constant(2)], 0)
    a = fg.placeholder(fg.float32, [None, 3])
    assert fg.concat([a, fg.zeros([2, 3])], 0).shape.as_list() == [None, 3]
    assert fg.concat([a, fg.zeros([2, 3])], 1).shape.as_list() == [2, 6]
    b = fg.placeholder(fg.float32, [None, None])
    with pytest.raises(fg.errors.InvalidArgumentError, match="ConcatOp"):
        _run(fg.concat([b, b[:, :1]], 0), {b: np.zeros((2, 2))})


def test_squeeze_and_expand_dims_errors():
    x = fg.placeholder(fg.float32, [1, 3])
    with pytest.raises(ValueError, match=r"Can not squeeze dim\[1\]"):
        fg.squeeze(x, [1])
    with pytest.raises(ValueError, match="Tried to expand dim index 3"):
        fg.expand_dims(x, 3)
    with pytest.raises(ValueError, match="Must specify an axis"):
        fg.expand_dims(x)
    with pytest.raises(ValueError, match="Cannot specify both"):
        fg.expand_dims(x, 0, dim=0)
    y = fg.placeholder(fg.float32, [None, 3])
    assert fg.squeeze(y).shape.ndims is None
    assert fg.squeeze(y, [0]).shape.as_list() == [3]
    with pytest.raises(fg.errors.InvalidArgumentError, match="Can not squeeze"):
        _run(fg.squeeze(y, [0]), {y: np.zeros((2, 3))})


def test_transpose_and_reverse():
    x = fg.placeholder(fg.float32)
    t = fg.transpose(x)
    value = np.arange(24, dtype=np.float32).reshape(2, 3, 4)
    np.testing.assert_array_equal(_run(t, {x: value}), value.transpose(2, 1, 0))
    with pytest.raises(ValueError, match="not a permutation"):
        fg.transpose(fg.zeros([2, 3]), [0, 0])
    with pytest.raises(ValueError, match="specified more than once"):
        fg.reverse(fg.zeros([2, 3]), [1, -1])
    kernel = lookup("Transpose")().kernel
    assert np.shares_memory(kernel(value, np.int32([1, 0, 2])), value)


def test_tile_and_broadcast_to_shapes_and_errors():
    x = fg.placeholder(fg.float32, [None, 3])
    assert fg.tile(x, [2, 2]).shape.as_list() == [None, 6]
    with pytest.raises(ValueError, match="elements"):
        fg.tile(x, [2])
    assert fg.broadcast_to(fg.zeros([3]), [fg.placeholder(fg.int32, []), 3]).shape.as_list() \
        == [None, 3]
    with pytest.raises(ValueError, match="Unable to broadcast"):
        fg.broadcast_to(fg.zeros([3]), [2, 2])
    s = fg.placeholder(fg.int32, [2])
    with pytest.raises(fg.errors.InvalidArgumentError, match="Unable to broadcast"):
        _run(fg.broadcast_to(fg.zeros([3]), s), {s: [2, 2]})


# --------------------------------------------------------------------------- gather / scatter
def test_gather_out_of_range_raises_invalid_argument():
    params = fg.constant([[1, 2], [3, 4], [5, 6]])
    i = fg.placeholder(fg.int32, [None])
    y = fg.gather(params, i)
    with pytest.raises(fg.errors.InvalidArgumentError, match=r"indices\[1\] = 5 is not in "
                                                             r"\[0, 3\)"):
        _run(y, {i: [0, 5]})
    with pytest.raises(fg.errors.InvalidArgumentError, match=r"indices\[0\] = -1"):
        _run(y, {i: [-1]})
    z = fg.gather(params, fg.placeholder(fg.int32, [2, 2], name="ij"), axis=1)
    with pytest.raises(fg.errors.InvalidArgumentError, match=r"indices\[1,0\] = 2 is not in "
                                                             r"\[0, 2\)"):
        _run(z, {"ij:0": [[0, 1], [2, 0]]})


def test_gather_static_shapes_and_checks():
    params = fg.placeholder(fg.float32, [None, 5, 7])
    idx = fg.placeholder(fg.int64, [2, 3])
    assert fg.gather(params, idx, axis=1).shape.as_list() == [None, 2, 3, 7]
    assert fg.gather(params, idx, axis=-1).shape.as_list() == [None, 5, 2, 3]
    with pytest.raises(TypeError, match="int32 or int64"):
        fg.gather(params, [0.0])
    with pytest.raises(ValueError, match="out of range"):
        fg.gather(params, [0], axis=3)
    with pytest.raises(ValueError, match="batch_dims"):
        fg.gather(params, idx, axis=0, batch_dims=1)


def test_gather_nd_and_scatter_nd_errors():
    params = fg.constant([[1, 2], [3, 4]])
    i = fg.placeholder(fg.int32, [None, 2])
    with pytest.raises(fg.errors.InvalidArgumentError,
                       match=r"indices\[1\] = \[1, 5\] does not index into param shape"):
        _run(fg.gather_nd(params, i), {i: [[0, 0], [1, 5]]})
    with pytest.raises(ValueError, match="must be <= params.rank"):
        fg.gather_nd(params, [[0, 0, 0]])
    with pytest.raises(ValueError, match="updates.shape"):
        fg.scatter_nd([[0], [1]], [1.0, 2.0, 3.0], [4])
    j = fg.placeholder(fg.int32, [None, 1])
    with pytest.raises(fg.errors.InvalidArgumentError, match="does not index into shape"):
        _run(fg.scatter_nd(j, [1.0], [4]), {j: [[4]]})


def test_boolean_mask_shapes_and_errors():
    x = fg.placeholder(fg.float32, [None, 3, 4])
    m = fg.placeholder(fg.bool, [None, 3])
    y = fg.boolean_mask(x, m)
    assert y.shape.as_list() == [None, 4]
    value = np.arange(24, dtype=np.float32).reshape(2, 3, 4)
    mask = np.array([[True, False, True], [False, True, False]])
    np.testing.assert_array_equal(_run(y, {x: value, m: mask}), value[mask])
    assert y.op.name.startswith("boolean_mask/")
    with pytest.raises(ValueError, match="mask cannot be scalar"):
        fg.boolean_mask(x, True)
    with pytest.raises(ValueError, match="Number of mask dimensions"):
        fg.boolean_mask(x, fg.placeholder(fg.bool))
    with pytest.raises(ValueError, match="incompatible"):
        fg.boolean_mask(x, [[True, False]])


# --------------------------------------------------------------------------- one_hot / pad
def test_one_hot_dtypes():
    assert fg.one_hot([0, 1], 2).dtype == fg.float32
    assert fg.one_hot([0, 1], 2, on_value=3).dtype == fg.int32
    assert fg.one_hot([0, 1], 2, off_value=0.5, dtype=fg.float64).dtype == fg.float64
    with pytest.raises(TypeError, match="does not match"):
        fg.one_hot([0], 2, on_value=fg.constant(1), dtype=fg.float32)
    with pytest.raises(TypeError, match="does not match"):
        fg.one_hot([0], 2, on_value=1, off_value=0.0)
    with pytest.raises(ValueError, match="Expected axis to be -1 or between"):
        fg.one_hot([0], 2, axis=3)
    d = fg.placeholder(fg.int32, [])
    assert fg.one_hot(fg.placeholder(fg.int32, [None]), d).shape.as_list() == [None, None]


def test_pad_modes_and_errors():
    x = fg.constant([[1, 2, 3]])
    with pytest.raises(ValueError, match="Unknown padding mode: WRAP"):
        fg.pad(x, [[0, 0], [1, 1]], "wrap")
    with pytest.raises(ValueError, match="less than the dimension size"):
        fg.pad(x, [[0, 0], [3, 0]], "REFLECT")
    assert fg.pad(x, [[0, 0], [3, 0]], "SYMMETRIC").shape.as_list() == [1, 6]
    with pytest.raises(ValueError, match="non-negative"):
        fg.pad(x, [[0, 0], [-1, 0]])
    with pytest.raises(ValueError, match="rank of inputs"):
        fg.pad(x, [[1, 1]])
    p = fg.placeholder(fg.int32, [2, 2])
    y = fg.pad(x, p, "REFLECT")
    assert y.shape.as_list() == [None, None]
    with pytest.raises(fg.errors.InvalidArgumentError, match="less than"):
        _run(y, {p: [[1, 0], [0, 0]]})
    np.testing.assert_array_equal(_run(fg.pad(x, [[0, 0], [1, 1]], constant_values=9)),
                                  [[9, 1, 2, 3, 9]])


# --------------------------------------------------------------------------- fill / range
def test_range_dtypes_and_errors():
    assert fg.range(5).dtype == fg.int32
    assert fg.range(0, 1, 0.25).dtype == fg.float32
    assert fg.range(fg.constant(4, dtype=fg.int64)).dtype == fg.int64
    np.testing.assert_allclose(_run(fg.range(0, 1, 0.25)), [0.0, 0.25, 0.5, 0.75])
    with pytest.raises(ValueError, match="delta != 0"):
        fg.range(0, 5, 0)
    with pytest.raises(ValueError, match="start <= limit"):
        fg.range(5, 1)
    n = fg.placeholder(fg.int32, [])
    r = fg.range(0, n)
    assert r.shape.as_list() == [None]
    with pytest.raises(fg.errors.InvalidArgumentError, match="start <= limit"):
        _run(r, {n: -2})
    widened = fg.range(fg.constant(1), 2.5)
    assert widened.dtype == fg.float32
    np.testing.assert_allclose(_run(widened), [1.0, 2.0])
    with pytest.raises(TypeError, match="int32, int64, float32 or float64"):
        fg.range(fg.constant(True), 5)


def test_zeros_ones_and_like():
    assert fg.zeros([2, 3]).op.type == "Const"
    big = fg.zeros([100, 100], fg.int64)
    assert big.op.type == "Fill" and big.shape.as_list() == [100, 100]
    assert big.op.name == "zeros_1" and big.op.inputs[0].op.name.startswith("zeros_1/")
    assert fg.zeros([2], fg.string).dtype == fg.string
    n = fg.placeholder(fg.int32, [])
    assert fg.ones([n, 2]).shape.as_list() == [None, 2]
    x = fg.placeholder(fg.float32, [None, 3])
    like = fg.ones_like(x, dtype=fg.int32)
    assert like.shape.as_list() == [None, 3] and like.dtype == fg.int32
    np.testing.assert_array_equal(_run(like, {x: np.zeros((2, 3))}), np.ones((2, 3)))
    assert fg.zeros_like(fg.zeros([2, 2])).op.type == "Const"
    assert fg.zeros_like(x).op.type == "ZerosLike"
    with pytest.raises(TypeError):
        fg.ones_like(fg.constant(["a"]), optimize=False)


def test_fill_and_linspace_errors():
    with pytest.raises(ValueError, match="scalar"):
        fg.fill([2], [1, 2])
    with pytest.raises(ValueError, match="num > 0"):
        fg.linspace(0.0, 1.0, 0)
    with pytest.raises(TypeError, match="floating"):
        fg.linspace(fg.constant(0), fg.constant(1), 3)
    d = fg.placeholder(fg.int32, [2])
    with pytest.raises(fg.errors.InvalidArgumentError, match="non-negative"):
        _run(fg.fill(d, 1.0), {d: [2, -1]})


# --------------------------------------------------------------------------- views
def test_kernels_return_views_where_numpy_gives_them():
    value = np.arange(24, dtype=np.float32).reshape(2, 3, 4)
    views = [
        lookup("ExpandDims")(axis=1).kernel(value),
        lookup("Squeeze")(axis=()).kernel(value[None]),
        lookup("ReverseV2")(axis=(0, 2)).kernel(value),
        lookup("BroadcastTo")().kernel(value[0, 0], np.int32([5, 4])),
        lookup("Slice")().kernel(value, np.int32([1, 0, 1]), np.int32([1, -1, 2])),
        lookup("StridedSlice")(shrink_axis_mask=1).kernel(value, np.int32([1, 1]),
                                                          np.int32([2, 0]), np.int32([1, -1])),
    ]
    views += list(lookup("Unpack")(num=3, axis=1).kernel(value))
    views += list(lookup("Split")(num_split=2, axis=2).kernel(value))
    views += list(lookup("SplitV")(num_split=2, axis=0).kernel(value, np.int32([1, -1])))
    for view in views:
        assert np.shares_memory(view, value)


def test_gather_batch_dims_negative_and_axis():
    params = np.arange(2 * 3 * 4, dtype=np.int32).reshape(2, 3, 4)
    indices = np.array([[[0, 2]], [[1, 1]]], dtype=np.int32)  # [2, 1, 2]
    y = fg.gather(params, indices, axis=2, batch_dims=-2)
    assert y.shape.as_list() == [2, 3, 1, 2]
    want = np.stack([params[b][:, indices[b]] for b in range(2)])
    np.testing.assert_array_equal(_run(y), want)


def test_reverse_sequence_roll_and_tensor_scatter_errors():
    x = fg.constant([[1, 2, 3], [4, 5, 6]])
    n = fg.placeholder(fg.int32, [None])
    y = fg.reverse_sequence(x, n, seq_axis=1)
    with pytest.raises(fg.errors.InvalidArgumentError, match=r"seq_lens\(1\) = 4"):
        _run(y, {n: [1, 4]})
    with pytest.raises(ValueError, match="Length of seq_lengths"):
        fg.reverse_sequence(x, [1, 2, 3], seq_axis=1)
    with pytest.raises(ValueError, match="must differ"):
        fg.reverse_sequence(x, [1, 2], seq_axis=0)
    with pytest.raises(fg.errors.InvalidArgumentError, match="out of range"):
        _run(fg.roll(x, 1, 2))
    i = fg.placeholder(fg.int32, [None, 1])
    with pytest.raises(fg.errors.InvalidArgumentError, match="does not index into shape"):
        _run(fg.tensor_scatter_nd_add(x, i, [[1, 1, 1]]), {i: [[2]]})
    with pytest.raises(TypeError, match="dtype"):
        fg.tensor_scatter_nd_update(x, [[0]], fg.constant([[1.0, 2.0, 3.0]]))


def test_concat_of_one_tensor_is_named_as_tf1():
    # TF1: name_scope("concat") around identity(values[0], name="concat").
    with fg.Graph().as_default():
        x = fg.placeholder(fg.float32, [2, 3])
        assert fg.concat([x], 1).name == "concat/concat:0"
        assert fg.concat([x], 0).name == "concat_1/concat:0"
        assert fg.concat([x, x], 0).name == "concat_2:0"
        assert fg.concat([x], 1, name="joined").name == "joined/joined:0"
        assert fg.get_default_graph().get_operation_by_name("concat/concat_dim").type == "Const"
