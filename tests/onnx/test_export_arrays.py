"""Export of shape, layout, slicing and gathering ops: ONNX Runtime gives what flowgraph
gives, including for inputs whose batch size is only known when the model runs."""

import numpy as np
import pytest

pytest.importorskip("onnx")
pytest.importorskip("onnxruntime")

import flowgraph as fg  # noqa: E402
from tests.onnx.helpers import export_and_compare  # noqa: E402

RNG = np.random.default_rng(1)
V = RNG.standard_normal((2, 3, 4)).astype(np.float32)


def _x():
    return fg.placeholder(fg.float32, [None, 3, 4], name="x")


def test_reshape_transpose_concat_stack(tmp_path):
    x = _x()
    export_and_compare(tmp_path, {"x": (x, V)}, {
        "flat": fg.reshape(x, [-1, 12]), "dynamic": fg.reshape(x, fg.shape(x)[::-1]),
        "transposed": fg.transpose(x, [2, 0, 1]), "reversed_axes": fg.transpose(x),
        "concat": fg.concat([x, x * 2.0], axis=-1), "stack": fg.stack([x, x], axis=1),
        "flatten": fg.layers.flatten(x)})


def test_split_unstack_squeeze_expand(tmp_path):
    x = _x()
    a, b = fg.split(x, 2, axis=2)
    c, d, e = fg.split(x, [1, -1, 1], axis=2)
    first, *_ = fg.unstack(x, axis=1)
    export_and_compare(tmp_path, {"x": (x, V)}, {
        "a": a, "b": b, "c": c, "d": d, "e": e, "first": first,
        "squeezed": fg.squeeze(fg.expand_dims(x, 1), [1]), "expanded": fg.expand_dims(x, -1)})


def test_squeeze_of_every_size_one_dimension(tmp_path):
    x = fg.placeholder(fg.float32, [2, 1, 4, 1], name="x")
    value = V[:, :1, :, None]
    _, got = export_and_compare(tmp_path, {"x": (x, value)}, {"y": fg.squeeze(x)})
    assert got["y"].shape == (2, 4)


@pytest.mark.parametrize("opset", [13, 18])
def test_split_in_old_and_new_opsets(tmp_path, opset):
    x = _x()
    parts = fg.split(x, 4, axis=-1)
    export_and_compare(tmp_path, {"x": (x, V)}, {f"p{i}": p for i, p in enumerate(parts)},
                       opset=opset)


def test_shape_size_rank_fill_like(tmp_path):
    x = _x()
    export_and_compare(tmp_path, {"x": (x, V)}, {
        "shape": fg.shape(x), "shape64": fg.shape(x, out_type=fg.int64), "size": fg.size(x),
        "rank": fg.rank(x), "zeros": fg.zeros_like(x), "ones": fg.ones_like(x),
        "fill": fg.fill(fg.shape(x), 2.5), "fill_dynamic": fg.fill(fg.shape(x)[:1],
                                                                    fg.reduce_sum(x)),
        "range": fg.range(fg.shape(x)[0] * 3), "broadcast": fg.broadcast_to(
            fg.reduce_sum(x, axis=0), fg.shape(x))})


def test_tile_pad_reverse(tmp_path):
    x = _x()
    paddings = fg.constant([[0, 0], [1, 2], [2, 1]])
    export_and_compare(tmp_path, {"x": (x, V)}, {
        "tile": fg.tile(x, [2, 1, 3]), "pad": fg.pad(x, paddings),
        "pad_value": fg.pad(x, paddings, constant_values=-1.5),
        "reflect": fg.pad(x, [[0, 0], [1, 1], [2, 2]], mode="REFLECT"),
        "dynamic_pad": fg.pad(x, fg.stack([fg.constant([0, 0]), fg.stack([0, fg.shape(x)[0]]),
                                           fg.constant([1, 0])])),
        "reverse": fg.reverse(x, [1, 2])})


def test_one_hot_gives_off_rows_for_negative_indices(tmp_path):
    ids = fg.placeholder(fg.int32, [None], name="ids")
    value = np.array([0, 2, -1, 5], np.int32)
    _, got = export_and_compare(tmp_path, {"ids": (ids, value)}, {
        "hot": fg.one_hot(ids, 3), "axis0": fg.one_hot(ids, 3, on_value=5.0, off_value=-1.0,
                                                       axis=0)})
    np.testing.assert_array_equal(got["hot"], [[1, 0, 0], [0, 0, 1], [0, 0, 0], [0, 0, 0]])


def test_where_indices(tmp_path):
    x = _x()
    _, got = export_and_compare(tmp_path, {"x": (x, V)}, {"where": fg.where(x > 0.5)})
    np.testing.assert_array_equal(got["where"], np.argwhere(V > 0.5))


def test_strided_slices(tmp_path):
    x = _x()
    export_and_compare(tmp_path, {"x": (x, V)}, {
        "basic": x[:, 1:, ::2], "index": x[..., 0], "new_axis": x[:, None, 1],
        "negative_stride": x[:, ::-1, -2::-2], "last": x[-1], "ellipsis": x[..., 1:3, None],
        "slice": fg.slice(x, [0, 1, 1], [-1, 2, -1]),
        "dynamic_slice": fg.slice(x, fg.stack([0, fg.shape(x)[0] - 2, 0]), [1, -1, 2])})


def test_strided_slice_of_shape_matches_numpy(tmp_path):
    x = _x()
    _, got = export_and_compare(tmp_path, {"x": (x, V)}, {"y": x[1:, -1, ::-1]})
    np.testing.assert_array_equal(got["y"], V[1:, -1, ::-1])


def test_gathers(tmp_path):
    x = _x()
    ids = fg.placeholder(fg.int64, [None], name="ids")
    export_and_compare(tmp_path, {"x": (x, V), "ids": (ids, np.array([2, 0, 2]))}, {
        "axis0": fg.gather(x, fg.constant([1, 0, 1])), "axis2": fg.gather(x, ids, axis=2),
        "nd": fg.gather_nd(x, [[0, 1], [1, 2]]),
        "nd_batch": fg.gather_nd(x, [[[1]], [[0]]], batch_dims=1)})
