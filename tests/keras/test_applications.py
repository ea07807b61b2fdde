"""tf.keras.applications (VGG16 / VGG19 / ResNet50, preprocess_input, decode_predictions),
checked against TF 1.15's keras_applications: parameter counts, layer names, shapes."""

import json
import sys

import numpy as np
import pytest

import flowgraph as fg
from flowgraph.keras import applications
from flowgraph.keras import backend as K
from flowgraph.keras.applications import VGG16, VGG19, ResNet50, imagenet_utils, resnet50, vgg16


def test_vgg16_full_parameter_count_and_names():
    model = VGG16(weights=None)
    assert model.count_params() == 138357544
    assert model.name == "vgg16"
    assert model.output_shape == (None, 1000)
    names = [layer.name for layer in model.layers]
    assert names[1:4] == ["block1_conv1", "block1_conv2", "block1_pool"]
    assert names[-4:] == ["flatten", "fc1", "fc2", "predictions"]


def test_vgg19_full_parameter_count():
    model = VGG19(weights=None)
    assert model.count_params() == 143667240
    assert "block5_conv4" in [layer.name for layer in model.layers]


def test_resnet50_full_parameter_count_and_names():
    model = ResNet50(weights=None)
    assert model.count_params() == 25636712
    assert model.output_shape == (None, 1000)
    names = [layer.name for layer in model.layers]
    assert names[1:4] == ["conv1_pad", "conv1", "bn_conv1"]
    for name in ("pool1_pad", "res2a_branch2a", "bn2a_branch2a", "res2a_branch1",
                 "bn2a_branch1", "res4f_branch2c", "res5c_branch2c", "avg_pool", "fc1000"):
        assert name in names
    assert "res2b_branch1" not in names  # identity blocks have no shortcut conv


def test_no_top_avg_pooling_shapes():
    assert VGG16(include_top=False, weights=None, pooling="avg").output_shape == (None, 512)
    K.clear_session()
    model = ResNet50(include_top=False, weights=None, pooling="max")
    assert model.output_shape == (None, 2048)
    # without the top: the conv weights only (fc1000 has 2048 * 1000 + 1000)
    assert model.count_params() == 25636712 - 2049000


def test_small_input_vgg16_with_top_and_predict():
    model = VGG16(weights=None, input_shape=(32, 32, 3), classes=10)
    # 14,714,688 conv weights + flatten(512) -> 4096 -> 4096 -> 10, by hand
    dense = (512 * 4096 + 4096) + (4096 * 4096 + 4096) + (4096 * 10 + 10)
    assert model.count_params() == 14714688 + dense
    out = model.predict(np.random.RandomState(0).uniform(0, 255, (1, 32, 32, 3)))
    assert out.shape == (1, 10)
    np.testing.assert_allclose(out.sum(axis=1), [1.0], rtol=1e-5)


def test_small_input_resnet50_no_top_shapes():
    with pytest.warns(UserWarning, match="output shape"):
        model = ResNet50(include_top=False, weights=None, input_shape=(32, 32, 3))
    assert model.output_shape == (None, 1, 1, 2048)
    out = model.predict(np.ones((1, 32, 32, 3), np.float32))
    assert out.shape == (1, 1, 1, 2048)
    assert np.all(out >= 0)  # ends in a ReLU


def test_no_top_default_input_is_variable_size():
    model = VGG16(include_top=False, weights=None)
    assert model.input_shape == (None, None, None, 3)
    assert model.output_shape == (None, None, None, 512)


def test_input_tensor_is_used():
    inp = fg.keras.layers.Input(shape=(48, 48, 3))
    model = VGG16(include_top=False, weights=None, input_tensor=inp, pooling="avg")
    assert model.inputs[0] is inp
    assert model.output_shape == (None, 512)


def test_imagenet_weights_error_says_what_to_do(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    with pytest.raises(ValueError, match="weights=None"):
        VGG16()
    with pytest.raises(ValueError, match="resnet50_weights_tf_dim_ordering_tf_kernels_notop"):
        ResNet50(include_top=False)


def test_bad_arguments():
    with pytest.raises(ValueError, match="`weights` argument"):
        VGG16(weights="/no/such/file.h5")
    with pytest.raises(ValueError, match="classes` should be 1000"):
        VGG16(weights="imagenet", classes=10)
    with pytest.raises(ValueError, match="at least 32x32"):
        ResNet50(weights=None, input_shape=(16, 16, 3))
    with pytest.raises(ValueError, match="static `input_shape`"):
        VGG16(weights=None, input_shape=(None, None, 3))
    with pytest.raises(ValueError, match="three integers"):
        VGG16(weights=None, include_top=False, input_shape=(32, 32))


def test_local_h5_weights_need_h5py(tmp_path, monkeypatch):
    path = tmp_path / "w.h5"
    path.write_bytes(b"")
    monkeypatch.setitem(sys.modules, "h5py", None)
    with pytest.raises(ImportError, match="pip install h5py"):
        VGG16(include_top=False, weights=str(path), input_shape=(32, 32, 3))


def _caffe_reference(x):
    out = np.array(x, dtype=np.float64)[..., ::-1].copy()
    return out - np.array([103.939, 116.779, 123.68])


def test_preprocess_input_caffe_numpy():
    x = np.random.RandomState(1).uniform(0, 255, (2, 4, 4, 3)).astype(np.float32)
    expected = _caffe_reference(x)
    got = vgg16.preprocess_input(x.copy())
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-4)
    np.testing.assert_allclose(resnet50.preprocess_input(x.copy()), expected, rtol=1e-5,
                               atol=1e-4)
    # integer images become floatx
    ints = np.full((1, 2, 2, 3), 200, np.uint8)
    got = vgg16.preprocess_input(ints)
    assert got.dtype == np.float32
    np.testing.assert_allclose(got[0, 0, 0], [200 - 103.939, 200 - 116.779, 200 - 123.68],
                               rtol=1e-6)


def test_preprocess_input_caffe_channels_first():
    x = np.random.RandomState(2).uniform(0, 255, (1, 3, 2, 2))
    expected = x[:, ::-1] - np.array([103.939, 116.779, 123.68])[None, :, None, None]
    got = imagenet_utils.preprocess_input(x.copy(), data_format="channels_first")
    np.testing.assert_allclose(got, expected, rtol=1e-12)


def test_preprocess_input_tf_and_torch_modes():
    x = np.random.RandomState(3).uniform(0, 255, (2, 3, 3, 3))
    np.testing.assert_allclose(imagenet_utils.preprocess_input(x.copy(), mode="tf"),
                               x / 127.5 - 1, rtol=1e-12)
    expected = (x / 255 - [0.485, 0.456, 0.406]) / [0.229, 0.224, 0.225]
    np.testing.assert_allclose(imagenet_utils.preprocess_input(x.copy(), mode="torch"),
                               expected, rtol=1e-12)
    with pytest.raises(ValueError, match="unknown mode"):
        imagenet_utils.preprocess_input(x, mode="bgr")


def test_preprocess_input_symbolic_matches_numpy():
    x = np.random.RandomState(4).uniform(0, 255, (2, 3, 3, 3)).astype(np.float32)
    ph = fg.placeholder(fg.float32, (None, 3, 3, 3))
    caffe = vgg16.preprocess_input(ph)
    torch = imagenet_utils.preprocess_input(ph, mode="torch")
    with fg.Session() as sess:
        got_caffe, got_torch = sess.run([caffe, torch], {ph: x})
    np.testing.assert_allclose(got_caffe, _caffe_reference(x), rtol=1e-5, atol=1e-4)
    expected = (x / 255.0 - [0.485, 0.456, 0.406]) / [0.229, 0.224, 0.225]
    np.testing.assert_allclose(got_torch, expected, rtol=1e-5, atol=1e-5)


def test_decode_predictions(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    monkeypatch.setattr(imagenet_utils, "_CLASS_INDEX", None)
    preds = np.zeros((1, 1000))
    preds[0, [7, 3, 900]] = [0.5, 0.3, 0.2]
    with pytest.raises(FileNotFoundError, match="imagenet_class_index.json"):
        vgg16.decode_predictions(preds)
    (tmp_path / "models").mkdir()
    index = {str(i): [f"n{i:08d}", f"class{i}"] for i in range(1000)}
    (tmp_path / "models" / "imagenet_class_index.json").write_text(
        json.dumps(index))
    result = applications.resnet50.decode_predictions(preds, top=3)
    assert [r[:2] for r in result[0]] == [("n00000007", "class7"), ("n00000003", "class3"),
                                          ("n00000900", "class900")]
    np.testing.assert_allclose([r[2] for r in result[0]], [0.5, 0.3, 0.2])
    with pytest.raises(ValueError, match=r"shape \(samples, 1000\)"):
        vgg16.decode_predictions(np.zeros((2, 10)))


def test_exported_as_fg_keras_applications():
    assert fg.keras.applications.VGG16 is VGG16
    assert fg.keras.applications.vgg19.VGG19 is VGG19
