"""Export of convolutions, pooling, batch normalization, bias_add, LRN and dropout:
channels-last and channels-first images, SAME / VALID / explicit padding, strides and
dilations; ONNX Runtime gives what flowgraph gives (to 1e-5)."""

import numpy as np
import pytest

pytest.importorskip("onnx")
pytest.importorskip("onnxruntime")

import flowgraph as fg  # noqa: E402
from tests.onnx.helpers import export_and_compare, op_types  # noqa: E402

RNG = np.random.default_rng(2)
IMAGES = RNG.standard_normal((2, 7, 6, 3)).astype(np.float32)
FILTER = RNG.standard_normal((3, 2, 3, 4)).astype(np.float32)


def _images(shape=(None, 7, 6, 3)):
    return fg.placeholder(fg.float32, list(shape), name="images")


@pytest.mark.parametrize("padding, strides, dilations", [
    ("SAME", [1, 1, 1, 1], [1, 1, 1, 1]), ("SAME", [1, 2, 2, 1], [1, 1, 1, 1]),
    ("VALID", [1, 2, 1, 1], [1, 1, 1, 1]), ("SAME", [1, 1, 1, 1], [1, 2, 2, 1]),
    ([[0, 0], [1, 0], [2, 1], [0, 0]], [1, 1, 2, 1], [1, 1, 1, 1])])
def test_conv2d_nhwc(tmp_path, padding, strides, dilations):
    x = _images()
    y = fg.nn.conv2d(x, FILTER, strides, padding, dilations=dilations)
    model, _ = export_and_compare(tmp_path, {"images": (x, IMAGES)}, {"y": y})
    conv = next(n for n in model.graph.node if n.op_type == "Conv")
    attrs = {a.name: a for a in conv.attribute}
    # SAME becomes TF's explicit pads (the odd one after), not auto_pad.
    assert "auto_pad" not in attrs and "pads" in attrs


def test_conv2d_same_pads_put_the_odd_cell_after(tmp_path):
    x = _images((None, 6, 6, 3))
    y = fg.nn.conv2d(x, RNG.standard_normal((2, 2, 3, 1)).astype(np.float32), 1, "SAME")
    model, _ = export_and_compare(tmp_path, {"images": (x, IMAGES[:, :6])}, {"y": y})
    conv = next(n for n in model.graph.node if n.op_type == "Conv")
    pads = next(list(a.ints) for a in conv.attribute if a.name == "pads")
    assert pads == [0, 0, 1, 1]  # top, left, bottom, right


def test_conv2d_of_unknown_image_size_uses_same_upper(tmp_path):
    x = fg.placeholder(fg.float32, [None, None, None, 3], name="images")
    y = fg.nn.conv2d(x, FILTER, [1, 2, 2, 1], "SAME")
    export_and_compare(tmp_path, {"images": (x, IMAGES)}, {"y": y})


def test_conv2d_nchw_needs_no_transposes(tmp_path):
    x = fg.placeholder(fg.float32, [None, 3, 7, 6], name="images")
    y = fg.nn.conv2d(x, FILTER, [1, 1, 2, 1], "SAME", data_format="NCHW")
    y = fg.nn.bias_add(y, np.arange(4, dtype=np.float32), data_format="NCHW")
    model, _ = export_and_compare(tmp_path, {"images": (x, IMAGES.transpose(0, 3, 1, 2))},
                                  {"y": y})
    assert op_types(model).count("Transpose") == 1  # the filter's HWIO -> OIHW


def test_depthwise_conv2d(tmp_path):
    x = _images()
    w = RNG.standard_normal((3, 3, 3, 2)).astype(np.float32)
    export_and_compare(tmp_path, {"images": (x, IMAGES)}, {
        "same": fg.nn.depthwise_conv2d(x, w, [1, 1, 1, 1], "SAME"),
        "valid": fg.nn.depthwise_conv2d_native(x, w, [1, 2, 2, 1], "VALID")})


def test_consecutive_layers_cancel_their_transposes(tmp_path):
    x = _images()
    y = fg.nn.max_pool(fg.nn.conv2d(x, FILTER, 1, "SAME"), 2, 2, "SAME")
    model, _ = export_and_compare(tmp_path, {"images": (x, IMAGES)}, {"y": y})
    # in, filter, out: none between the convolution and the pooling.
    assert op_types(model).count("Transpose") == 3


@pytest.mark.parametrize("pool", [fg.nn.max_pool, fg.nn.avg_pool])
@pytest.mark.parametrize("ksize, strides, padding", [
    (2, 2, "VALID"), (3, 2, "SAME"), ([1, 3, 2, 1], [1, 1, 2, 1], "SAME")])
def test_pooling(tmp_path, pool, ksize, strides, padding):
    x = _images()
    export_and_compare(tmp_path, {"images": (x, IMAGES)}, {"y": pool(x, ksize, strides,
                                                                       padding)})


def test_avg_pool_same_divides_by_real_cells(tmp_path):
    x = fg.placeholder(fg.float32, [1, 2, 2, 1], name="images")
    value = np.array([1, 2, 3, 4], np.float32).reshape(1, 2, 2, 1)
    _, got = export_and_compare(tmp_path, {"images": (x, value)},
                                {"y": fg.nn.avg_pool(x, 2, 1, "SAME")})
    np.testing.assert_allclose(got["y"].ravel(), [2.5, 3.0, 3.5, 4.0])


def test_pooling_3d_and_nchw(tmp_path):
    volume = RNG.standard_normal((1, 4, 5, 6, 2)).astype(np.float32)
    v = fg.placeholder(fg.float32, [None, 4, 5, 6, 2], name="volume")
    x = fg.placeholder(fg.float32, [None, 3, 7, 6], name="images")
    export_and_compare(tmp_path, {"volume": (v, volume),
                                  "images": (x, IMAGES.transpose(0, 3, 1, 2))}, {
        "max3d": fg.nn.max_pool3d(v, 2, 2, "SAME"), "avg3d": fg.nn.avg_pool3d(v, 3, 1, "VALID"),
        "nchw": fg.nn.max_pool(x, 2, 2, "SAME", data_format="NCHW")})


def test_batch_normalization_inference_and_training(tmp_path):
    x = _images()
    training = fg.placeholder_with_default(False, [], name="training")
    inference = fg.layers.batch_normalization(x, training=training)
    batch_stats = fg.nn.fused_batch_norm(x, np.ones(3, np.float32) * 2,
                                         np.arange(3, dtype=np.float32))[0]
    init = fg.global_variables_initializer()
    with fg.Session() as sess:
        sess.run(init)
        # Moving statistics away from their initial zeros and ones.
        for v in fg.global_variables():
            if "moving" in v.name:
                sess.run(v.assign(RNG.random(3).astype(np.float32) + 0.5))
        model, got = export_and_compare(tmp_path, {"images": (x, IMAGES)}, {
            "inference": inference, "batch_stats": batch_stats}, session=sess)
    assert "BatchNormalization" in op_types(model)
    mean, var = IMAGES.mean((0, 1, 2)), IMAGES.var((0, 1, 2))
    expected = (IMAGES - mean) / np.sqrt(var + 1e-3) * 2 + np.arange(3)
    np.testing.assert_allclose(got["batch_stats"], expected, rtol=1e-4, atol=1e-4)


def test_bias_add_and_lrn(tmp_path):
    x = _images()
    export_and_compare(tmp_path, {"images": (x, IMAGES)}, {
        "bias": fg.nn.bias_add(x, np.arange(3, dtype=np.float32)),
        "lrn": fg.nn.lrn(x, depth_radius=1, bias=1.5, alpha=0.3, beta=0.6)})


def test_dropout_is_left_out(tmp_path):
    x = fg.placeholder(fg.float32, [None, 5], name="x")
    rate = fg.placeholder_with_default(0.5, [], name="rate")
    hidden = fg.nn.dropout(x * 2.0, rate=rate)
    training = fg.placeholder_with_default(False, [], name="training")
    layered = fg.layers.dropout(hidden, rate=0.4, training=training)
    with fg.Session() as sess:
        value = RNG.standard_normal((4, 5)).astype(np.float32)
        path = tmp_path / "dropout.onnx"
        model = fg.onnx.export(sess, {"x": x}, {"y": layered}, path)
    from tests.onnx.helpers import run_onnx
    got = run_onnx(path, {"x": value})["y"]
    np.testing.assert_allclose(got, value * 2, rtol=1e-6)  # inference: no mask, no scale
    assert "RandomUniform" not in op_types(model)
    assert "Dropout" in op_types(model)
