"""fg.onnx.import_model on ONNX models built by hand, checked against numpy."""

import numpy as np
import pytest

pytest.importorskip("onnx")
pytest.importorskip("onnxruntime")

from onnx import TensorProto, helper  # noqa: E402

import flowgraph as fg  # noqa: E402
import flowgraph.onnx  # noqa: E402, F401
from tests.onnx.onnx_models import FLOAT, model, single  # noqa: E402

RNG = np.random.default_rng(3)
INT64 = TensorProto.INT64


def run(tmp_path, proto, feeds, outputs=None):
    """Saves `proto`, imports it, runs it on `feeds` ({ONNX input name: value})."""
    import onnx
    path = tmp_path / "model.onnx"
    onnx.save(proto, path)
    graph, inputs, results = fg.onnx.import_model(path)
    with fg.Session(graph=graph) as sess:
        fetched = sess.run({k: v for k, v in results.items()
                            if outputs is None or k in outputs},
                           {inputs[k]: v for k, v in feeds.items()})
    return fetched


def test_mlp_with_gemm(tmp_path):
    w1, b1 = RNG.standard_normal((4, 5)).astype(np.float32), np.ones(5, np.float32)
    w2 = RNG.standard_normal((3, 5)).astype(np.float32)
    nodes = [helper.make_node("Gemm", ["x", "w1", "b1"], ["h"], alpha=0.5),
             helper.make_node("Relu", ["h"], ["r"]),
             helper.make_node("Gemm", ["r", "w2"], ["z"], transB=1),
             helper.make_node("Softmax", ["z"], ["y"], axis=-1)]
    proto = model(nodes, [("x", FLOAT, [None, 4])], [("y", FLOAT, [None, 3])],
                  [("w1", w1), ("b1", b1), ("w2", w2)])
    x = RNG.standard_normal((6, 4)).astype(np.float32)
    got = run(tmp_path, proto, {"x": x})["y"]
    z = np.maximum(0.5 * x @ w1 + b1, 0) @ w2.T
    e = np.exp(z - z.max(1, keepdims=True))
    np.testing.assert_allclose(got, e / e.sum(1, keepdims=True), rtol=1e-5, atol=1e-6)


def _conv_reference(x, w, pads, strides, group=1):
    """NCHW cross-correlation with OIHW filters, written out with loops."""
    n, c, h, wd = x.shape
    o, cg, kh, kw = w.shape
    padded = np.pad(x, [(0, 0), (0, 0), (pads[0], pads[2]), (pads[1], pads[3])])
    oh = (padded.shape[2] - kh) // strides[0] + 1
    ow = (padded.shape[3] - kw) // strides[1] + 1
    out = np.zeros((n, o, oh, ow), np.float64)
    per_group = o // group
    for oc in range(o):
        first = (oc // per_group) * cg
        for i in range(oh):
            for j in range(ow):
                patch = padded[:, first:first + cg, i * strides[0]:i * strides[0] + kh,
                               j * strides[1]:j * strides[1] + kw]
                out[:, oc, i, j] = (patch * w[oc]).sum(axis=(1, 2, 3))
    return out


@pytest.mark.parametrize("pads, strides", [([0, 0, 0, 0], [1, 1]), ([1, 2, 0, 1], [2, 1]),
                                           ([1, 1, 1, 1], [1, 1])])
def test_conv_with_pads_strides_and_bias(tmp_path, pads, strides):
    x = RNG.standard_normal((2, 3, 6, 5)).astype(np.float32)
    w = RNG.standard_normal((4, 3, 3, 2)).astype(np.float32)
    b = RNG.standard_normal(4).astype(np.float32)
    node = single("Conv", ["x", "w", "b"], dict(pads=pads, strides=strides))
    proto = model([node], [("x", FLOAT, [None, 3, 6, 5])], [("y", FLOAT, None)],
                  [("w", w), ("b", b)])
    got = run(tmp_path, proto, {"x": x})["y"]
    expected = _conv_reference(x, w, pads, strides) + b[None, :, None, None]
    np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-5)


def test_depthwise_conv_with_same_upper(tmp_path):
    x = RNG.standard_normal((1, 3, 5, 5)).astype(np.float32)
    w = RNG.standard_normal((6, 1, 3, 3)).astype(np.float32)
    node = single("Conv", ["x", "w"], dict(group=3, auto_pad="SAME_UPPER"))
    proto = model([node], [("x", FLOAT, [1, 3, 5, 5])], [("y", FLOAT, None)], [("w", w)])
    got = run(tmp_path, proto, {"x": x})["y"]
    np.testing.assert_allclose(got, _conv_reference(x, w, [1, 1, 1, 1], [1, 1], group=3),
                               rtol=1e-4, atol=1e-5)


def _windows(x, k, s, pads, fill):
    padded = np.pad(x, [(0, 0), (0, 0), (pads[0], pads[2]), (pads[1], pads[3])],
                    constant_values=fill)
    oh = (padded.shape[2] - k[0]) // s[0] + 1
    ow = (padded.shape[3] - k[1]) // s[1] + 1
    return np.stack([[padded[:, :, i * s[0]:i * s[0] + k[0], j * s[1]:j * s[1] + k[1]]
                      for j in range(ow)] for i in range(oh)])  # [oh, ow, n, c, kh, kw]


def test_pools(tmp_path):
    x = RNG.standard_normal((2, 2, 5, 6)).astype(np.float32)
    pads = [0, 1, 1, 0]  # not TF's SAME: imported with an explicit pad
    nodes = [helper.make_node("MaxPool", ["x"], ["max"], kernel_shape=[2, 3], strides=[2, 2],
                              pads=pads),
             helper.make_node("AveragePool", ["x"], ["avg"], kernel_shape=[3, 3],
                              pads=[1, 1, 1, 1], count_include_pad=1),
             helper.make_node("AveragePool", ["x"], ["avg_same"], kernel_shape=[2, 2],
                              strides=[2, 2], auto_pad="SAME_UPPER"),
             helper.make_node("GlobalAveragePool", ["x"], ["gap"]),
             helper.make_node("GlobalMaxPool", ["x"], ["gmp"])]
    proto = model(nodes, [("x", FLOAT, [None, 2, 5, 6])],
                  [(n, FLOAT, None) for n in ("max", "avg", "avg_same", "gap", "gmp")])
    got = run(tmp_path, proto, {"x": x})
    to_nchw = (2, 3, 0, 1)
    np.testing.assert_allclose(got["max"], _windows(x, [2, 3], [2, 2], pads, -np.inf)
                               .max(axis=(4, 5)).transpose(to_nchw))
    np.testing.assert_allclose(got["avg"], _windows(x, [3, 3], [1, 1], [1] * 4, 0)
                               .mean(axis=(4, 5)).transpose(to_nchw), rtol=1e-5)
    # SAME_UPPER excludes the pads: the last row of windows averages one real row.
    cells = _windows(x, [2, 2], [2, 2], [0, 0, 1, 0], np.nan)
    np.testing.assert_allclose(got["avg_same"], np.nanmean(cells, axis=(4, 5))
                               .transpose(to_nchw), rtol=1e-5)
    np.testing.assert_allclose(got["gap"], x.mean(axis=(2, 3), keepdims=True), rtol=1e-5)
    np.testing.assert_allclose(got["gmp"], x.max(axis=(2, 3), keepdims=True))


def test_batch_normalization_dropout_flatten(tmp_path):
    x = RNG.standard_normal((2, 3, 2, 2)).astype(np.float32)
    stats = [RNG.random(3).astype(np.float32) + 0.5 for _ in range(4)]
    nodes = [helper.make_node("BatchNormalization", ["x", "s", "b", "m", "v"], ["bn"],
                              epsilon=1e-3),
             helper.make_node("Dropout", ["bn"], ["dropped"]),
             helper.make_node("Flatten", ["dropped"], ["y"], axis=1)]
    proto = model(nodes, [("x", FLOAT, [None, 3, 2, 2])], [("y", FLOAT, None)],
                  list(zip("sbmv", stats)))
    got = run(tmp_path, proto, {"x": x})["y"]
    s, b, m, v = (a[None, :, None, None] for a in stats)
    np.testing.assert_allclose(got, ((x - m) / np.sqrt(v + 1e-3) * s + b).reshape(2, 12),
                               rtol=1e-5, atol=1e-6)


def test_shape_ops(tmp_path):
    x = RNG.standard_normal((2, 3, 4)).astype(np.float32)
    i64 = np.int64
    nodes = [
        helper.make_node("Reshape", ["x", "shape"], ["reshaped"]),  # 0 copies, -1 infers
        helper.make_node("Transpose", ["x"], ["transposed"]),
        helper.make_node("Concat", ["x", "x"], ["concat"], axis=-2),
        helper.make_node("Split", ["x", "split"], ["s0", "s1"], axis=2),
        helper.make_node("Unsqueeze", ["x", "unsq_axes"], ["unsqueezed"]),
        helper.make_node("Squeeze", ["unsqueezed", "unsq_axes"], ["squeezed"]),
        helper.make_node("Slice", ["x", "starts", "ends", "axes", "steps"], ["sliced"]),
        helper.make_node("Gather", ["x", "indices"], ["gathered"], axis=1),
        helper.make_node("Expand", ["col", "expand_shape"], ["expanded"]),
        helper.make_node("Tile", ["x", "repeats"], ["tiled"]),
        helper.make_node("Pad", ["x", "pads"], ["padded"], mode="reflect"),
        helper.make_node("Shape", ["x"], ["shape_tail"], start=1),
        helper.make_node("ConstantOfShape", ["shape_tail"], ["filled"],
                         value=helper.make_tensor("v", TensorProto.FLOAT, [1], [7.0])),
        helper.make_node("Cast", ["x"], ["as_int"], to=TensorProto.INT32),
        helper.make_node("Where", ["mask", "x", "zero"], ["where"]),
        helper.make_node("Greater", ["x", "zero"], ["mask"]),
    ]
    nodes = nodes[:-2] + nodes[-1:] + nodes[-2:-1]  # Greater before Where
    initializers = [("shape", np.array([0, -1], i64)), ("split", np.array([1, 3], i64)),
                    ("unsq_axes", np.array([0, -1], i64)),
                    ("starts", np.array([-1, 1], i64)), ("ends", np.array([-10**12, 10**18], i64)),
                    ("axes", np.array([2, 1], i64)), ("steps", np.array([-2, 1], i64)),
                    ("indices", np.array([[2, -1], [0, 1]], i64)),
                    ("col", np.arange(3, dtype=np.float32).reshape(3, 1)),
                    ("expand_shape", np.array([2, 1, 4], i64)),
                    ("repeats", np.array([1, 2, 1], i64)),
                    ("pads", np.array([0, 1, 2, 0, 1, 1], i64)), ("zero", np.float32(0))]
    outputs = ["reshaped", "transposed", "concat", "s0", "s1", "squeezed", "sliced",
               "gathered", "expanded", "tiled", "padded", "filled", "as_int", "where"]
    proto = model(nodes, [("x", FLOAT, [None, 3, 4])],
                  [(n, TensorProto.INT32 if n == "as_int" else FLOAT, None) for n in outputs],
                  initializers)
    got = run(tmp_path, proto, {"x": x})
    np.testing.assert_array_equal(got["reshaped"], x.reshape(2, 12))
    np.testing.assert_array_equal(got["transposed"], x.transpose())
    np.testing.assert_array_equal(got["concat"], np.concatenate([x, x], -2))
    np.testing.assert_array_equal(got["s0"], x[:, :, :1])
    np.testing.assert_array_equal(got["s1"], x[:, :, 1:])
    np.testing.assert_array_equal(got["squeezed"], x)
    np.testing.assert_array_equal(got["sliced"], x[:, 1:, ::-2])
    np.testing.assert_array_equal(got["gathered"], x[:, [[2, 2], [0, 1]]])
    np.testing.assert_array_equal(got["expanded"], np.broadcast_to(np.arange(3.0)[:, None],
                                                                   (2, 3, 4)))
    np.testing.assert_array_equal(got["tiled"], np.tile(x, [1, 2, 1]))
    np.testing.assert_array_equal(got["padded"], np.pad(x, [(0, 0), (1, 1), (2, 1)],
                                                        mode="reflect"))
    np.testing.assert_array_equal(got["filled"], np.full((3, 4), 7.0, np.float32))
    np.testing.assert_array_equal(got["as_int"], x.astype(np.int32))
    np.testing.assert_array_equal(got["where"], np.where(x > 0, x, 0))


@pytest.mark.parametrize("opset", [13, 18])
def test_reductions_and_arg_max(tmp_path, opset):
    x = RNG.standard_normal((2, 3, 4)).astype(np.float32)
    if opset >= 18:
        axes_nodes = [helper.make_node("ReduceMean", ["x", "axes"], ["mean"]),
                      helper.make_node("ReduceMax", ["x", "axes"], ["max"], keepdims=0)]
    else:
        axes_nodes = [helper.make_node("ReduceMean", ["x"], ["mean"], axes=[0, 2]),
                      helper.make_node("ReduceMax", ["x"], ["max"], axes=[0, 2], keepdims=0)]
    nodes = axes_nodes + [
        helper.make_node("ReduceSum", ["x", "axes"], ["sum"]),
        helper.make_node("ReduceL2", ["x"], ["l2"], keepdims=0),
        helper.make_node("ArgMax", ["x"], ["argmax"], axis=1),
        helper.make_node("ArgMin", ["x"], ["argmin"], axis=-1, keepdims=0),
        helper.make_node("CumSum", ["x", "axis"], ["cumsum"], reverse=1),
        helper.make_node("TopK", ["x", "k"], ["top_values", "top_indices"], axis=1,
                         largest=0)]
    outputs = ["mean", "max", "sum", "l2", "argmax", "argmin", "cumsum", "top_values",
               "top_indices"]
    proto = model(nodes, [("x", FLOAT, [None, 3, 4])],
                  [(n, INT64 if "arg" in n or "indices" in n else FLOAT, None) for n in outputs],
                  [("axes", np.array([0, 2], np.int64)), ("axis", np.int64(2)),
                   ("k", np.array([2], np.int64))], opset=opset)
    got = run(tmp_path, proto, {"x": x})
    np.testing.assert_allclose(got["mean"], x.mean((0, 2), keepdims=True), rtol=1e-5)
    np.testing.assert_allclose(got["max"], x.max((0, 2)))
    np.testing.assert_allclose(got["sum"], x.sum((0, 2), keepdims=True), rtol=1e-5)
    np.testing.assert_allclose(got["l2"], np.sqrt((x ** 2).sum()), rtol=1e-5)
    np.testing.assert_array_equal(got["argmax"], x.argmax(1)[:, None])
    np.testing.assert_array_equal(got["argmin"], x.argmin(-1))
    np.testing.assert_allclose(got["cumsum"], np.flip(np.cumsum(np.flip(x, 2), 2), 2),
                               rtol=1e-5)
    order = np.argsort(x, axis=1)[:, :2]
    np.testing.assert_array_equal(got["top_indices"], order)
    np.testing.assert_allclose(got["top_values"], np.take_along_axis(x, order, 1))


def test_one_hot_range_and_integer_math(tmp_path):
    nodes = [helper.make_node("OneHot", ["ids", "depth", "values"], ["hot"]),
             helper.make_node("Range", ["start", "limit", "delta"], ["range"]),
             helper.make_node("Div", ["ids", "three"], ["div"]),
             helper.make_node("Mod", ["ids", "three"], ["mod"]),
             helper.make_node("Mod", ["ids", "three"], ["fmod"], fmod=1)]
    proto = model(nodes, [("ids", INT64, [None])],
                  [(n, FLOAT if n == "hot" else INT64, None)
                   for n in ("hot", "range", "div", "mod", "fmod")],
                  [("depth", np.array([4], np.int64)),
                   ("values", np.array([-1.0, 2.0], np.float32)), ("start", np.int64(1)),
                   ("limit", np.int64(10)), ("delta", np.int64(3)), ("three", np.int64(3))])
    ids = np.array([0, 3, -1, -7, 5], np.int64)
    got = run(tmp_path, proto, {"ids": ids})
    hot = np.full((5, 4), -1.0, np.float32)
    hot[[0, 1, 2], [0, 3, 3]] = 2.0  # ONNX counts -1 from the end; -7 and 5 are off
    np.testing.assert_array_equal(got["hot"], hot)
    np.testing.assert_array_equal(got["range"], [1, 4, 7])
    np.testing.assert_array_equal(got["div"], [0, 1, 0, -2, 1])  # truncated
    np.testing.assert_array_equal(got["mod"], ids % 3)
    np.testing.assert_array_equal(got["fmod"], np.fmod(ids, 3))


def test_if_and_loop(tmp_path):
    then_graph = helper.make_graph(
        [helper.make_node("Mul", ["x", "two"], ["then_y"])], "then", [],
        [helper.make_tensor_value_info("then_y", FLOAT, [None, 2])])
    else_graph = helper.make_graph(
        [helper.make_node("Neg", ["x"], ["else_y"])], "else", [],
        [helper.make_tensor_value_info("else_y", FLOAT, [None, 2])])
    body = helper.make_graph(
        [helper.make_node("Add", ["acc_in", "x"], ["acc_out"]),
         helper.make_node("Cast", ["i"], ["i_float"], to=TensorProto.FLOAT),
         helper.make_node("Mul", ["acc_out", "i_float"], ["scaled"]),
         helper.make_node("Less", ["i", "limit"], ["keep_going"])],
        "body",
        [helper.make_tensor_value_info("i", INT64, []),
         helper.make_tensor_value_info("cond_in", TensorProto.BOOL, []),
         helper.make_tensor_value_info("acc_in", FLOAT, [None, 2])],
        [helper.make_tensor_value_info("keep_going", TensorProto.BOOL, []),
         helper.make_tensor_value_info("scaled", FLOAT, [None, 2])])
    nodes = [helper.make_node("ReduceSum", ["x"], ["total"], keepdims=0),
             helper.make_node("Greater", ["total", "zero"], ["positive"]),
             helper.make_node("If", ["positive"], ["branch"], then_branch=then_graph,
                              else_branch=else_graph),
             helper.make_node("Loop", ["trips", "", "x"], ["looped"], body=body)]
    proto = model(nodes, [("x", FLOAT, [None, 2])],
                  [("branch", FLOAT, [None, 2]), ("looped", FLOAT, [None, 2])],
                  [("two", np.float32(2)), ("zero", np.float32(0)), ("trips", np.int64(10)),
                   ("limit", np.int64(2))])
    for x in (np.array([[1.0, 2.0]], np.float32), np.array([[-1.0, 0.5]], np.float32)):
        got = run(tmp_path, proto, {"x": x})
        np.testing.assert_allclose(got["branch"], x * 2 if x.sum() > 0 else -x)
        acc = x.copy()
        for i in range(10):  # stops after the iteration where i == 2
            acc = (acc + x) * i
            if not i < 2:
                break
        np.testing.assert_allclose(got["looped"], acc)
