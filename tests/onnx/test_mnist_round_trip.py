"""Round trips of trained MNIST models: flowgraph -> ONNX (checked with ONNX Runtime) ->
flowgraph again, giving the same predictions."""

import numpy as np
import pytest

pytest.importorskip("onnx")
pytest.importorskip("onnxruntime")

import flowgraph as fg  # noqa: E402
from tests.onnx.helpers import run_onnx  # noqa: E402


@pytest.fixture(scope="module")
def mnist():
    (x_train, y_train), (x_test, _) = fg.datasets.mnist.load_embedded(normalize=True)
    return x_train[:640, ..., None], y_train[:640].astype(np.int64), x_test[:200, ..., None]


def _mlp(images):
    h = fg.layers.flatten(images)
    h = fg.layers.dense(h, 64, activation=fg.nn.relu)
    return fg.layers.dense(h, 10)


def _cnn(images, training):
    h = fg.layers.conv2d(images, 8, 5, padding="same", activation=fg.nn.relu)
    h = fg.layers.max_pooling2d(h, 2, 2)
    h = fg.layers.conv2d(h, 16, 3, strides=2, activation=None)
    h = fg.nn.relu(fg.layers.batch_normalization(h, training=training))
    h = fg.layers.average_pooling2d(h, 2, 2, padding="same")
    h = fg.layers.dense(fg.layers.flatten(h), 32, activation=fg.nn.relu)
    h = fg.layers.dropout(h, rate=0.3, training=training)
    return fg.layers.dense(h, 10)


def _train_export_import(tmp_path, mnist, build, steps):
    x_train, y_train, x_test = mnist
    graph = fg.Graph()
    with graph.as_default():
        fg.set_random_seed(1)
        images = fg.placeholder(fg.float32, [None, 28, 28, 1], name="images")
        labels = fg.placeholder(fg.int64, [None], name="labels")
        training = fg.placeholder_with_default(False, [], name="training")
        logits = build(images, training) if build is _cnn else build(images)
        probabilities = fg.nn.softmax(logits)
        loss = fg.losses.sparse_softmax_cross_entropy(labels, logits)
        with fg.control_dependencies(fg.get_collection(fg.GraphKeys.UPDATE_OPS)):
            train_op = fg.train.AdamOptimizer(3e-3).minimize(loss)
        init = fg.global_variables_initializer()
    path = tmp_path / "model.onnx"
    with fg.Session(graph=graph) as sess:
        sess.run(init)
        losses = []
        for step in range(steps):
            batch = slice(32 * step % 640, 32 * step % 640 + 32)
            losses.append(sess.run([train_op, loss], {images: x_train[batch],
                                                      labels: y_train[batch],
                                                      training: True})[1])
        assert np.mean(losses[-3:]) < losses[0]  # it learned something
        want_logits, want_probs = sess.run([logits, probabilities], {images: x_test})
        fg.onnx.export(sess, {"images": images}, {"logits": logits, "probs": probabilities},
                       path)
    onnx_results = run_onnx(path, {"images": x_test})
    np.testing.assert_allclose(onnx_results["probs"], want_probs, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(onnx_results["logits"], want_logits, rtol=1e-5, atol=1e-4)

    imported, inputs, outputs = fg.onnx.import_model(path)
    assert list(inputs) == ["images"] and list(outputs) == ["logits", "probs"]
    with fg.Session(graph=imported) as sess:
        back_logits, back_probs = sess.run([outputs["logits"], outputs["probs"]],
                                           {inputs["images"]: x_test})
    np.testing.assert_array_equal(back_logits.argmax(1), want_logits.argmax(1))
    np.testing.assert_allclose(back_probs, want_probs, rtol=1e-5, atol=1e-5)
    return imported


def test_mlp_round_trip(tmp_path, mnist):
    imported = _train_export_import(tmp_path, mnist, _mlp, steps=20)
    assert {"MatMul", "Relu", "Softmax"} <= {op.type for op in imported.get_operations()}


def test_cnn_round_trip(tmp_path, mnist):
    imported = _train_export_import(tmp_path, mnist, _cnn, steps=12)
    types = {op.type for op in imported.get_operations()}
    assert {"Conv2D", "MaxPool", "AvgPool", "FusedBatchNormV3"} <= types
