"""Slicing as in TF1: tensor[key] against numpy for many keys, mask semantics, static shapes,
node names and errors."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import flowgraph as fg
from flowgraph.ops.slicing import getitem

X = np.arange(2 * 3 * 4 * 5, dtype=np.int32).reshape(2, 3, 4, 5)


def _run(tensor, feed=None):
    with fg.Session() as sess:
        return sess.run(tensor, feed)


# --------------------------------------------------------------------------- vs numpy
def _bound(draw, dim):
    return draw(st.one_of(st.none(), st.integers(-dim - 3, dim + 3)))


@st.composite
def _keys(draw):
    """A numpy basic-indexing key valid for X: ints, slices (any step), None, one Ellipsis."""
    items = []
    dims = list(X.shape)
    used_ellipsis = False
    consumed = 0
    for _ in range(draw(st.integers(0, 6))):
        kind = draw(st.sampled_from(["int", "slice", "slice", "newaxis", "ellipsis"]))
        if kind == "newaxis":
            items.append(None)
        elif kind == "ellipsis":
            if not used_ellipsis:
                items.append(Ellipsis)
                used_ellipsis = True
        elif consumed < len(dims):
            items.append(("dim", kind))
            consumed += 1
    # Lay the dimension-consuming items over the real dimensions, numpy's way.
    before = items.index(Ellipsis) if Ellipsis in items else len(items)
    n_after = sum(1 for it in items[before:] if isinstance(it, tuple))
    key = []
    dim = 0
    for item in items:
        if item is Ellipsis:
            dim = len(dims) - n_after
            key.append(Ellipsis)
        elif item is None:
            key.append(None)
        else:
            size = dims[dim]
            if item[1] == "int":
                key.append(draw(st.integers(-size, size - 1)))
            else:
                step = draw(st.one_of(st.none(), st.integers(-3, 3).filter(bool)))
                key.append(slice(_bound(draw, size), _bound(draw, size), step))
            dim += 1
    return tuple(key) if draw(st.booleans()) or len(key) != 1 else key[0]


@settings(max_examples=300, deadline=None)
@given(_keys())
def test_getitem_matches_numpy(key):
    fg.reset_default_graph()
    x = fg.constant(X)
    p = fg.placeholder(fg.int32, [None, 3, None, 5])
    want = X[key]
    static = x[key]
    dynamic = p[key]
    assert static.op.type == "StridedSlice"
    assert static.shape.as_list() == list(want.shape)
    assert dynamic.shape.is_compatible_with(want.shape)
    got_static, got_dynamic = _run([static, dynamic], {p: X})
    np.testing.assert_array_equal(got_static, want)
    np.testing.assert_array_equal(got_dynamic, want)


@st.composite
def _masked_specs(draw):
    length = draw(st.integers(0, 5))
    values = st.lists(st.integers(-7, 7), min_size=length, max_size=length)
    begin, end = draw(values), draw(values)
    strides = draw(st.lists(st.integers(-3, 3).filter(bool), min_size=length,
                            max_size=length))
    masks = [draw(st.integers(0, 2 ** length - 1)) for _ in range(5)]
    if bin(masks[2]).count("1") > 1:  # at most one ellipsis
        masks[2] &= -masks[2]
    return begin, end, strides, masks


def _numpy_key(begin, end, strides, masks):
    """The numpy index TF1's documentation gives for a strided_slice spec: an ellipsis bit
    wins over a new-axis bit, which wins over a shrink bit."""
    begin_mask, end_mask, ellipsis_mask, new_axis_mask, shrink_mask = masks
    key = []
    for i, (b, e, s) in enumerate(zip(begin, end, strides)):
        bit = 1 << i
        if ellipsis_mask & bit:
            key.append(Ellipsis)
        elif new_axis_mask & bit:
            key.append(None)
        elif shrink_mask & bit:
            key.append(b)
        else:
            key.append(slice(None if begin_mask & bit else b, None if end_mask & bit else e, s))
    return tuple(key)


@settings(max_examples=300, deadline=None)
@given(_masked_specs())
def test_strided_slice_masks_match_numpy(spec):
    begin, end, strides, masks = spec
    key = _numpy_key(begin, end, strides, masks)
    shrink_ok = all(s > 0 for i, s in enumerate(strides) if masks[4] >> i & 1
                    and not (masks[2] | masks[3]) >> i & 1)
    try:
        want = X[key]
    except IndexError:
        want = None
    fg.reset_default_graph()
    kwargs = dict(zip(["begin_mask", "end_mask", "ellipsis_mask", "new_axis_mask",
                       "shrink_axis_mask"], masks))
    p = fg.placeholder(fg.int32, [None, 3, None, 5])
    if want is None or not shrink_ok:
        with pytest.raises(ValueError):
            fg.strided_slice(fg.constant(X), begin, end, strides, **kwargs)
        return
    static = fg.strided_slice(fg.constant(X), begin, end, strides, **kwargs)
    dynamic = fg.strided_slice(p, begin, end, strides, **kwargs)
    assert static.shape.as_list() == list(want.shape)
    assert dynamic.shape.is_compatible_with(want.shape)
    got_static, got_dynamic = _run([static, dynamic], {p: X})
    np.testing.assert_array_equal(got_static, want)
    np.testing.assert_array_equal(got_dynamic, want)


@pytest.mark.parametrize("key", [
    (slice(None, None, -1), 1), (Ellipsis, slice(4, 0, -3)), (slice(-1, -3, -1),),
    (None, 0, None, Ellipsis, -1), (1, 2, 3, 4), (slice(100, -100, -1),),
])
def test_getitem_with_tensor_indices_matches_numpy(key):
    holders, feed, tensor_key = [], {}, []
    for item in key:
        if isinstance(item, int):
            t = fg.placeholder(fg.int32, [])
            feed[t] = item
            tensor_key.append(t)
        elif isinstance(item, slice):
            parts = []
            for bound in (item.start, item.stop, item.step):
                if bound is None:
                    parts.append(None)
                else:
                    t = fg.placeholder(fg.int64, [])
                    feed[t] = bound
                    parts.append(t)
            tensor_key.append(slice(*parts))
        else:
            tensor_key.append(item)
    x = fg.constant(X)
    result = x[tuple(tensor_key)]
    assert result.shape.ndims == X[key].ndim
    np.testing.assert_array_equal(_run(result, feed), X[key])
    del holders


# --------------------------------------------------------------------------- static shapes
def test_static_shapes_with_unknown_dimensions():
    x = fg.placeholder(fg.float32, [None, 4])
    assert x[1:, ::2].shape.as_list() == [None, 2]
    assert x[:, 0].shape.as_list() == [None]
    assert x[0].shape.as_list() == [4]
    assert x[..., None].shape.as_list() == [None, 4, 1]
    assert x[:, -3:-1].shape.as_list() == [None, 2]
    i = fg.placeholder(fg.int32, [])
    assert x[i, i:].shape.as_list() == [None]
    assert fg.placeholder(fg.float32)[0].shape.ndims is None


def test_shape_slices_are_known_to_constant_value():
    x = fg.placeholder(fg.float32, [None, 28, 28])
    assert fg.constant_value(fg.shape(x)[0]) is None
    np.testing.assert_array_equal(fg.constant_value(fg.shape(x)[1:]), [28, 28])
    assert fg.constant_value(fg.shape(x)[-1]) == 28
    flat = fg.reshape(x, [fg.shape(x)[0], -1])
    assert flat.shape.as_list() == [None, 784]
    back = fg.reshape(flat, fg.concat([[-1], fg.shape(x)[1:]], 0))
    assert back.shape.as_list() == [None, 28, 28]
    value = np.arange(2 * 28 * 28, dtype=np.float32).reshape(2, 28, 28)
    np.testing.assert_array_equal(_run(back, {x: value}), value)


def test_iterating_a_tensor_raises_type_error_as_tf1():
    x = fg.constant([[1, 2], [3, 4], [5, 6]])
    with pytest.raises(TypeError, match="only iterable when eager"):
        list(x)
    with pytest.raises(TypeError, match="fg.unstack"):
        a, b, c = x
    rows = fg.unstack(x)
    np.testing.assert_array_equal(_run(rows[2]), [5, 6])


def test_list_key_is_a_tuple_key_as_in_tf1():
    x = fg.constant(X)
    np.testing.assert_array_equal(_run(getitem(x, [1, 2])), X[1, 2])


# --------------------------------------------------------------------------- names
def test_node_names_follow_tf1():
    x = fg.constant(X)
    a = x[0]
    b = x[1:]
    assert a.op.name == "strided_slice"
    assert b.op.name == "strided_slice_1"
    assert [t.op.name for t in a.op.inputs[1:]] == ["strided_slice/stack",
                                                    "strided_slice/stack_1",
                                                    "strided_slice/stack_2"]
    assert fg.strided_slice(x, [0], [1]).op.name == "StridedSlice"
    assert fg.slice(x, [0, 0, 0, 0], [1, 1, 1, 1]).op.name == "Slice"


# --------------------------------------------------------------------------- errors
def test_bad_index_types_raise_type_error():
    x = fg.constant(X)
    for key in (1.5, "a", True, fg.constant(1.0), fg.constant([0, 1])):
        with pytest.raises(TypeError, match="valid indices"):
            x[key]


def test_out_of_bounds_static_index_raises_value_error():
    x = fg.constant([[1, 2], [3, 4]])
    with pytest.raises(ValueError, match="slice index 2 of dimension 0 out of bounds"):
        x[2]
    with pytest.raises(ValueError, match="slice index -3 of dimension 1 out of bounds"):
        x[:, -3]


def test_out_of_bounds_tensor_index_raises_at_run_time():
    x = fg.constant([[1, 2], [3, 4]])
    i = fg.placeholder(fg.int32, [])
    y = x[i]
    with pytest.raises(fg.errors.InvalidArgumentError, match="out of bounds"):
        _run(y, {i: 5})
    np.testing.assert_array_equal(_run(y, {i: -1}), [3, 4])


def test_too_many_indices_and_multiple_ellipses():
    x = fg.constant([[1, 2], [3, 4]])
    with pytest.raises(ValueError, match="Index out of range using input dim 2"):
        x[0, 0, 0]
    with pytest.raises(ValueError, match="Multiple ellipses"):
        x[..., ...]
    with pytest.raises(ValueError, match="Multiple ellipses"):
        fg.strided_slice(x, [0, 0], [0, 0], [1, 1], ellipsis_mask=3)


def test_strides_and_shrink_errors():
    x = fg.constant([[1, 2], [3, 4]])
    with pytest.raises(ValueError, match=r"strides\[1\] must be non-zero"):
        x[:, ::0]
    with pytest.raises(ValueError, match="only stride 1"):
        fg.strided_slice(x, [0], [1], [-1], shrink_axis_mask=1)
    s = fg.placeholder(fg.int32, [2])
    y = fg.strided_slice(x, [0, 0], [2, 2], s)
    with pytest.raises(fg.errors.InvalidArgumentError, match=r"strides\[0\] must be non-zero"):
        _run(y, {s: [0, 1]})


def test_strided_slice_vectors_must_match():
    x = fg.constant([[1, 2], [3, 4]])
    b = fg.placeholder(fg.int32, [None])
    y = fg.strided_slice(x, b, [2, 2], [1, 1])
    with pytest.raises(fg.errors.InvalidArgumentError, match="equal size"):
        _run(y, {b: [0]})
    with pytest.raises(TypeError, match="int32 or int64"):
        fg.strided_slice(x, [0.0], [1.0], [1.0])


def test_slice_errors():
    x = fg.constant([[1, 2, 3], [4, 5, 6]])
    with pytest.raises(ValueError, match=r"Expected size\[1\] in \[0, 2\], but got 3"):
        fg.slice(x, [0, 1], [1, 3])
    with pytest.raises(ValueError, match=r"Expected begin\[0\] in \[0, 2\], but got 3"):
        fg.slice(x, [3, 0], [0, 1])
    b = fg.placeholder(fg.int32, [2])
    y = fg.slice(x, b, [1, -1])
    with pytest.raises(fg.errors.InvalidArgumentError, match=r"begin\[1\] in \[0, 3\]"):
        _run(y, {b: [0, 4]})
    np.testing.assert_array_equal(_run(y, {b: [1, 1]}), [[5, 6]])


def test_slice_infers_minus_one_sizes():
    x = fg.placeholder(fg.float32, [None, 5])
    assert fg.slice(x, [0, 2], [-1, -1]).shape.as_list() == [None, 3]
    assert fg.slice(x, [1, 0], [2, 4]).shape.as_list() == [2, 4]
