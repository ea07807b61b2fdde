"""Gradients of the array ops: IndexedSlices from gather, shapes known only at run time,
second derivatives, and TF1-specific behaviour (what gets no gradient, what raises)."""

from __future__ import annotations

import numpy as np
import pytest

import flowgraph as fg
from flowgraph.indexed_slices import IndexedSlices, IndexedSlicesValue
from tests.ops.cases import array, gather, shape_ops, slicing
from tests.ops.harness import _flatten, _placeholder_for

X = np.arange(12, dtype=np.float64).reshape(3, 4) / 4 - 1


def _run(fetches, feeds=None):
    with fg.Session() as sess:
        return sess.run(fetches, feeds)


def _symbolic_gradients(case, shape_mode: str) -> list:
    """The gradients of sum(w * outputs) for each float input of an OpCase, built on
    placeholders with `shape_mode` shapes ("exact", "rank" or "none")."""
    inputs = [np.asarray(v).astype(np.float64) if np.asarray(v).dtype.kind == "f"
              else np.asarray(v) for v in (case.grad_inputs or case.inputs)]
    graph = fg.Graph()
    with graph.as_default():
        holders = [_placeholder_for(v, shape_mode) for v in inputs]
        outputs = [o for o in _flatten(case.build(*holders))
                   if isinstance(o, fg.Tensor) and o.dtype.is_floating]
        floats = [h for h, v in zip(holders, inputs) if v.dtype.kind == "f"]
        feeds = dict(zip(holders, inputs))
        with fg.Session(graph=graph) as sess:
            values = sess.run(outputs, feeds)
            weights = [np.linspace(0.5, 1.5, np.size(v)).reshape(np.shape(v)) for v in values]
            grads = fg.gradients(outputs, floats, grad_ys=[fg.constant(w) for w in weights])
            fetch = [fg.convert_to_tensor(g) for g in grads if g is not None]
            return sess.run(fetch, feeds)


_MY_CASES = [c for module in (array, gather, shape_ops, slicing) for c in module.CASES
             if c.grad and c.partial_shapes and fg.registered_ops()[c.op_type].differentiable
             and any(np.asarray(v).dtype.kind == "f" for v in c.inputs)
             and c.op_type not in ("ZerosLike",)]


@pytest.mark.parametrize("shape_mode", ["rank", "none"])
@pytest.mark.parametrize("case", _MY_CASES, ids=[c.id for c in _MY_CASES])
def test_gradients_with_shapes_known_only_at_run_time(case, shape_mode):
    """Gradient rules take their dynamic paths (Shape nodes instead of constants) when the
    static shapes are partly or wholly unknown; the values must not change."""
    exact = _symbolic_gradients(case, "exact")
    try:
        dynamic = _symbolic_gradients(case, shape_mode)
    except ValueError as exc:  # the few rules that need a static rank say so
        assert "known when the graph is built" in str(exc), exc
        assert shape_mode == "none", exc
        return
    assert len(exact) == len(dynamic)
    for want, got in zip(exact, dynamic):
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12, err_msg=case.id)


# --------------------------------------------------------------------------- gather
def test_gather_axis0_gradient_is_indexed_slices_as_tf1():
    params = fg.constant(X)
    indices = fg.constant(np.int32([[2, 0], [2, 2]]))
    (grad,) = fg.gradients(fg.gather(params, indices), [params])
    assert isinstance(grad, IndexedSlices)
    assert grad.values.shape.as_list() == [4, 4]
    assert grad.indices.shape.as_list() == [4]
    value = _run(grad)
    assert isinstance(value, IndexedSlicesValue)
    np.testing.assert_array_equal(value.indices, [2, 0, 2, 2])
    np.testing.assert_array_equal(value.dense_shape, [3, 4])
    np.testing.assert_array_equal(value.values, np.ones((4, 4)))
    dense = _run(fg.convert_to_tensor(grad))
    np.testing.assert_array_equal(dense, [[1] * 4, [0] * 4, [3] * 4])


def test_gather_axis0_gradient_with_unknown_shapes():
    params = fg.placeholder(fg.float64, None)
    indices = fg.placeholder(fg.int64, None)
    out = fg.gather(params, indices)
    (grad,) = fg.gradients(out, [params], grad_ys=[out * 0 + 2.0])
    assert isinstance(grad, IndexedSlices)
    feeds = {params: X, indices: np.int64([[1], [1]])}
    value = _run(grad, feeds)
    assert value.values.shape == (2, 4)
    np.testing.assert_array_equal(value.indices, [1, 1])
    np.testing.assert_array_equal(_run(fg.convert_to_tensor(grad), feeds),
                                  [[0] * 4, [4] * 4, [0] * 4])


def test_gather_negative_axis_meaning_zero_still_gives_indexed_slices():
    params = fg.constant(X)
    (grad,) = fg.gradients(fg.gather(params, [1, 1], axis=-2), [params])
    assert isinstance(grad, IndexedSlices)


@pytest.mark.parametrize("axis, batch_dims", [(1, 0), (1, 1)])
def test_gather_other_axes_give_a_dense_gradient(axis, batch_dims):
    params = fg.constant(X)
    indices = fg.constant(np.int32([[3, 3], [0, 1], [2, 2]])[:, :1 + batch_dims])
    (grad,) = fg.gradients(fg.gather(params, indices, axis=axis, batch_dims=batch_dims),
                           [params])
    assert isinstance(grad, fg.Tensor)
    assert grad.shape.as_list() == [3, 4]
    expected = np.zeros((3, 4))
    if batch_dims == 0:  # every row reads columns 3, 0 and 2 once
        expected[:, [0, 2, 3]] = 1
    else:  # row b reads the columns indices[b]
        expected[0, 3] = 2
        expected[1, [0, 1]] = 1
        expected[2, 2] = 2
    np.testing.assert_array_equal(_run(grad), expected)


def test_embedding_style_gradient_through_reshape_of_gathered_rows():
    params = fg.constant(X)
    rows = fg.gather(params, fg.constant(np.int32([[0, 2]])))
    loss = fg.reduce_sum(fg.reshape(rows, [2, 4]) * fg.constant(np.arange(8.0).reshape(2, 4)))
    (grad,) = fg.gradients(loss, [params])
    dense = _run(fg.convert_to_tensor(grad))
    np.testing.assert_array_equal(dense, [[0, 1, 2, 3], [0] * 4, [4, 5, 6, 7]])


def test_boolean_mask_gradient_scatters_back_to_the_kept_rows():
    x = fg.constant(X)
    kept = fg.boolean_mask(x, fg.constant([True, False, True]))
    (grad,) = fg.gradients(fg.reduce_sum(kept * kept), [x])
    expected = 2 * X * np.array([[1], [0], [1]])
    np.testing.assert_allclose(_run(fg.convert_to_tensor(grad)), expected)


# --------------------------------------------------------------------------- graph shape
def test_reshape_gradient_is_one_reshape_to_a_constant_shape():
    x = fg.placeholder(fg.float32, [3, 4])
    y = fg.reshape(x, [2, 6])
    (grad,) = fg.gradients(y, [x], grad_ys=[fg.placeholder(fg.float32, [2, 6])])
    assert grad.op.type == "Reshape"
    assert grad.op.inputs[1].op.type == "Const"
    assert grad.shape.as_list() == [3, 4]
    scope_ops = [op.type for op in fg.get_default_graph().get_operations()
                 if op.name.startswith("gradients/")]
    assert sorted(scope_ops) == ["Const", "Reshape"]


def test_reshape_gradient_with_unknown_batch_reads_the_input_shape():
    x = fg.placeholder(fg.float32, [None, 4])
    (grad,) = fg.gradients(fg.reshape(x, [-1]), [x])
    assert grad.op.type == "Reshape"
    assert grad.op.inputs[1].op.type == "Shape"
    assert grad.shape.as_list() == [None, 4]
    value = _run(grad, {x: np.ones((2, 4))})
    np.testing.assert_array_equal(value, np.ones((2, 4)))


def test_transpose_gradient_with_a_run_time_perm_uses_invert_permutation():
    x = fg.constant(np.arange(24.0).reshape(2, 3, 4))
    perm = fg.placeholder(fg.int32, [3])
    y = fg.transpose(x, perm)
    w = np.arange(24.0).reshape(4, 2, 3)
    (grad,) = fg.gradients(y, [x], grad_ys=[fg.constant(w)])
    types = {op.type for op in fg.get_default_graph().get_operations()}
    assert "InvertPermutation" in types
    np.testing.assert_array_equal(_run(grad, {perm: [2, 0, 1]}), np.transpose(w, (1, 2, 0)))


def test_concat_gradient_splits_with_one_splitv_node():
    a = fg.placeholder(fg.float32, [2, 1])
    b = fg.placeholder(fg.float32, [2, None])
    y = fg.concat([a, b], 1)
    grads = fg.gradients(y, [a, b], grad_ys=[fg.constant(np.arange(8.0, dtype=np.float32)
                                                         .reshape(2, 4))])
    assert grads[0].op.type == "SplitV" and grads[0].op is grads[1].op
    ga, gb = _run(grads, {a: np.zeros((2, 1)), b: np.zeros((2, 3))})
    np.testing.assert_array_equal(ga, [[0], [4]])
    np.testing.assert_array_equal(gb, [[1, 2, 3], [5, 6, 7]])


def test_unused_outputs_of_unstack_and_split_get_zero_gradients():
    x = fg.constant(X)
    first = fg.unstack(x)[0]
    last = fg.split(x, 2, axis=1)[1]
    (g_first,) = fg.gradients(first, [x])
    (g_last,) = fg.gradients(last, [x])
    np.testing.assert_array_equal(_run(g_first), [[1] * 4, [0] * 4, [0] * 4])
    np.testing.assert_array_equal(_run(g_last), [[0, 0, 1, 1]] * 3)


def test_broadcast_to_gradient_sums_back_to_the_input_shape():
    x = fg.constant(np.float64([[1.0], [2.0]]))
    y = fg.broadcast_to(x, [3, 2, 4])
    (grad,) = fg.gradients(y, [x])
    assert grad.shape.as_list() == [2, 1]
    np.testing.assert_array_equal(_run(grad), [[12], [12]])


def test_tile_gradient_sums_the_tiles():
    x = fg.constant(X)
    w = np.arange(72.0).reshape(6, 12)
    (grad,) = fg.gradients(fg.tile(x, [2, 3]), [x], grad_ys=[fg.constant(w)])
    expected = w.reshape(2, 3, 3, 4).sum(axis=(0, 2))
    np.testing.assert_array_equal(_run(grad), expected)


def test_tile_gradient_needs_a_known_rank():
    x = fg.placeholder(fg.float32, None)
    y = fg.tile(x, fg.placeholder(fg.int32, None))
    with pytest.raises(ValueError, match="rank of its input known"):
        fg.gradients(y, [x])


def test_strided_slice_gradient_writes_dy_back_in_place():
    x = fg.constant(X)
    y = x[::2, None, :0:-2]
    (grad,) = fg.gradients(y, [x], grad_ys=[fg.constant(np.float64([[[1, 2]], [[3, 4]]]))])
    assert grad.op.type == "StridedSliceGrad"
    np.testing.assert_array_equal(_run(grad), [[0, 2, 0, 1], [0] * 4, [0, 4, 0, 3]])


def test_slice_gradient_pads_back():
    x = fg.placeholder(fg.float64, [None, None])
    y = fg.slice(x, [1, 1], [-1, 2])
    (grad,) = fg.gradients(y, [x])
    np.testing.assert_array_equal(_run(grad, {x: X}), [[0] * 4, [0, 1, 1, 0], [0, 1, 1, 0]])


# --------------------------------------------------------------------------- special values
def test_pad_v2_gradient_of_the_pad_value_is_the_margin_sum():
    x = fg.constant(X)
    value = fg.placeholder(fg.float64, [])
    y = fg.pad(x, [[1, 0], [0, 2]], constant_values=value)
    grad_x, grad_value = fg.gradients(fg.reduce_sum(y * y), [x, value])
    gx, gv = _run([grad_x, grad_value], {value: 3.0})
    np.testing.assert_allclose(gx, 2 * X)
    margin_count = 4 * 6 - 12
    np.testing.assert_allclose(gv, 2 * 3.0 * margin_count)


def test_one_hot_on_and_off_values_get_gradients_and_indices_none():
    indices = fg.constant(np.int32([0, 2, 2, -1]))
    on = fg.placeholder(fg.float32, [])
    off = fg.placeholder(fg.float32, [])
    y = fg.one_hot(indices, 3, on_value=on, off_value=off)
    w = np.arange(12, dtype=np.float32).reshape(4, 3)
    g_on, g_off, g_indices = fg.gradients(y, [on, off, indices], grad_ys=[fg.constant(w)])
    assert g_indices is None
    hot = np.array([[1, 0, 0], [0, 0, 1], [0, 0, 1], [0, 0, 0]], dtype=np.float32)
    got_on, got_off = _run([g_on, g_off], {on: 1.0, off: 0.0})
    assert got_on == pytest.approx(np.sum(w * hot))
    assert got_off == pytest.approx(np.sum(w * (1 - hot)))


def test_zeros_like_and_ones_like_pass_no_gradient_to_their_input():
    x = fg.placeholder(fg.float32, [None])
    y = x + fg.zeros_like(x) + fg.ones_like(x) * 0.5
    assert {"ZerosLike", "OnesLike"} <= {op.type for op in y.graph.get_operations()}
    (grad,) = fg.gradients(y, [x])
    np.testing.assert_array_equal(_run(grad, {x: [1.0, 2.0]}), [1.0, 1.0])
    (none,) = fg.gradients(fg.zeros_like(x), [x])
    assert none is None


def test_fill_gradient_is_the_sum_for_the_value():
    value = fg.placeholder(fg.float32, [])
    y = fg.fill([2, 3], value)
    (grad,) = fg.gradients(y, [value], grad_ys=[fg.constant(np.ones((2, 3), np.float32) * 2)])
    assert _run(grad, {value: 1.0}) == pytest.approx(12.0)


def test_linspace_is_not_differentiable():
    start = fg.placeholder(fg.float32, [])
    y = fg.linspace(start, 1.0, 3)
    with pytest.raises(LookupError, match="stop_gradient"):
        fg.gradients(y, [start])


@pytest.mark.parametrize("op_type", ["Shape", "ShapeN", "Size", "Rank", "Range", "LinSpace",
                                     "InvertPermutation"])
def test_shape_and_range_ops_are_marked_not_differentiable(op_type):
    assert not fg.registered_ops()[op_type].differentiable


def test_reshape_by_the_shape_of_x_differentiates_only_through_the_values():
    x = fg.placeholder(fg.float64, [None, 4])
    y = fg.reshape(x * x, fg.shape(x)[::-1])
    (grad,) = fg.gradients(y, [x])
    np.testing.assert_allclose(_run(grad, {x: X}), 2 * X)


# --------------------------------------------------------------------------- second order
def test_second_derivative_through_gather_indexed_slices():
    x = fg.placeholder(fg.float64, [4])
    y = fg.reduce_sum(fg.gather(x, [0, 2, 2]) ** 3)
    (hessian,) = fg.hessians(y, x)
    value = np.float64([1.0, -2.0, 0.5, 3.0])
    count = np.float64([1, 0, 2, 0])
    np.testing.assert_allclose(_run(hessian, {x: value}), np.diag(6 * count * value))


def test_second_derivative_through_gather_along_axis1():
    x = fg.placeholder(fg.float64, [2, 3])
    y = fg.reduce_sum(fg.gather(x, [2, 2, 0], axis=1) ** 2)
    (grad,) = fg.gradients(y, [x])
    (second,) = fg.gradients(grad, [x])
    expected = 2 * np.float64([[1, 0, 2], [1, 0, 2]])
    np.testing.assert_allclose(_run(second, {x: X[:2, :3]}), expected)


def test_second_derivative_through_strided_slice_and_its_gradient_op():
    x = fg.placeholder(fg.float64, [3, 4])
    y = fg.reduce_sum(x[1:, ::2] ** 3)
    (grad,) = fg.gradients(y, [x])
    (second,) = fg.gradients(grad, [x])
    mask = np.zeros((3, 4))
    mask[1:, ::2] = 1
    np.testing.assert_allclose(_run(second, {x: X}), 6 * X * mask)


def test_second_derivative_through_mirror_pad():
    x = fg.placeholder(fg.float64, [3])
    y = fg.reduce_sum(fg.pad(x, [[2, 1]], "REFLECT") ** 2)  # [x2, x1, x0, x1, x2, x1]
    (hessian,) = fg.hessians(y, x)
    copies = np.float64([1, 3, 2])
    np.testing.assert_allclose(_run(hessian, {x: [1.0, 2.0, 3.0]}), np.diag(2 * copies))


def test_second_derivative_through_tile_concat_and_transpose():
    x = fg.placeholder(fg.float64, [2, 2])
    y = fg.reduce_sum(fg.transpose(fg.concat([fg.tile(x, [1, 3]), x], 1)) ** 2)
    (hessian,) = fg.hessians(y, x)
    np.testing.assert_allclose(_run(hessian, {x: X[:2, :2]}), 8 * np.eye(4).reshape(2, 2, 2, 2))


def test_second_derivative_through_gather_nd_and_scatter_nd():
    x = fg.placeholder(fg.float64, [2, 3])
    y = fg.reduce_sum(fg.gather_nd(x, [[0, 1], [1, 2], [0, 1]]) ** 3)
    (grad,) = fg.gradients(y, [x])
    (second,) = fg.gradients(grad, [x])
    count = np.float64([[0, 2, 0], [0, 0, 1]])
    np.testing.assert_allclose(_run(second, {x: X[:2, :3]}), 6 * count * X[:2, :3])
