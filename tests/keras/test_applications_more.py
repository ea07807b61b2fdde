"""tf.keras.applications: MobileNet(V2), DenseNet, InceptionV3, Xception, ResNet(V2).

Reference numbers (parameter counts, numbers of layers, layer names and a digest of the
sorted names of the layers that hold weights) come from tf_keras 2.21 in graph mode
(`TF_USE_LEGACY_KERAS=1`), hard-coded here. Where TF 1.15's keras_applications (1.0.8)
names the classifier differently from tf_keras, the TF 1.15 name is expected: ResNet 'probs',
DenseNet 'fc1000', MobileNetV2 'Logits', MobileNet's top has the extra 'reshape_1' /
'act_softmax' layers (tf_keras: 'predictions'), MobileNetV2 the extra 'Conv1_pad'.
"""

import hashlib

import numpy as np
import pytest

import flowgraph as fg
from flowgraph.keras import applications
from flowgraph.keras import backend as K
from flowgraph.keras.applications import (
    densenet,
    inception_v3,
    mobilenet,
    mobilenet_v2,
    resnet,
    resnet_v2,
    xception,
)

# name: (module, params with top, layers with top, params no top, layers no top +
#        avg pooling, output features, layers-with-weights count, names digest)
REFERENCE = {
    "DenseNet121": (densenet, 8062504, 429, 7037504, 428, 1024, 242, "1ca8adb26a0431c4"),
    "DenseNet169": (densenet, 14307880, 597, 12642880, 596, 1664, 338, "fa4e6d77a23afeee"),
    "DenseNet201": (densenet, 20242984, 709, 18321984, 708, 1920, 402, "39cf1b565017aae1"),
    "InceptionV3": (inception_v3, 23851784, 313, 21802784, 312, 2048, 189, "d56f397c3d42d177"),
    "Xception": (xception, 22910480, 134, 20861480, 133, 2048, 81, "284fa9bec688968b"),
    "ResNet101": (resnet, 44707176, 347, 42658176, 346, 2048, 209, "1ec4087f83898810"),
    "ResNet152": (resnet, 60419944, 517, 58370944, 516, 2048, 311, "36f12134d3885b4c"),
    "ResNet50V2": (resnet_v2, 25613800, 192, 23564800, 191, 2048, 103, "48817219e29ae842"),
    "ResNet101V2": (resnet_v2, 44675560, 379, 42626560, 378, 2048, 205, "8b48a6750aeca794"),
    "ResNet152V2": (resnet_v2, 60380648, 566, 58331648, 565, 2048, 307, "2385da6c95747fba"),
}
TOP_NAME = {"DenseNet": "fc1000", "ResNet": "probs", "InceptionV3": "predictions",
            "Xception": "predictions"}
# the smallest input TF 1.15 accepts, and the output of the conv base at that size
MIN_INPUT = {"DenseNet121": (32, 1024), "InceptionV3": (75, 2048), "Xception": (71, 2048),
             "ResNet101": (32, 2048), "ResNet50V2": (32, 2048), "ResNet101V2": (32, 2048),
             "ResNet152": (32, 2048), "DenseNet169": (32, 1664)}


def _digest(model):
    names = sorted(layer.name for layer in model.layers if layer.weights)
    return len(names), hashlib.sha1("\n".join(names).encode()).hexdigest()[:16]


def _top_name(name):
    return next(v for k, v in TOP_NAME.items() if name.startswith(k))


@pytest.fixture(scope="module", params=sorted(REFERENCE))
def full_model(request):
    K.clear_session()
    module = REFERENCE[request.param][0]
    model = getattr(module, request.param)(weights=None)
    yield request.param, model
    K.clear_session()


def test_full_model_matches_tf_keras(full_model):
    name, model = full_model
    _, params, n_layers, *_, n_weighted, digest = REFERENCE[name]
    assert model.count_params() == params
    assert len(model.layers) == n_layers
    assert _digest(model) == (n_weighted, digest)
    assert model.layers[-1].name == _top_name(name)
    assert model.output_shape == (None, 1000)
    assert model.name == name.lower().replace("inceptionv3", "inception_v3")


@pytest.mark.parametrize("name", sorted(REFERENCE))
def test_no_top_avg_pooling_matches_tf_keras(name):
    K.clear_session()
    module, _, _, params, n_layers, features, _, _ = REFERENCE[name]
    model = getattr(module, name)(weights=None, include_top=False, pooling="avg")
    assert model.count_params() == params
    assert len(model.layers) == n_layers
    assert model.output_shape == (None, features)


@pytest.mark.parametrize("name", sorted(MIN_INPUT))
def test_forward_pass_at_minimum_input_size(name):
    K.clear_session()
    size, features = MIN_INPUT[name]
    module = REFERENCE[name][0]
    model = getattr(module, name)(weights=None, include_top=False, input_shape=(size, size, 3))
    x = np.random.RandomState(0).uniform(-1, 1, (1, size, size, 3)).astype(np.float32)
    out = model.predict(x)
    assert model.output_shape[-1] == features
    assert out.shape == (1,) + model.output_shape[1:]
    assert out.shape[1] >= 1 and np.all(np.isfinite(out))
    # every model ends in relu (or an add of relus for ResNet V1): no negative features
    if not name.endswith("V2"):
        assert out.min() >= 0.0


@pytest.mark.parametrize("name,too_small", [("InceptionV3", 74), ("Xception", 70),
                                            ("DenseNet121", 31), ("ResNet50V2", 31)])
def test_input_shape_below_minimum_is_rejected(name, too_small):
    K.clear_session()
    builder = getattr(REFERENCE[name][0], name)
    with pytest.raises(ValueError, match="at least"):
        builder(weights=None, include_top=False, input_shape=(too_small, too_small, 3))


def test_top_needs_static_shape_and_imagenet_needs_default_shape(tmp_path, monkeypatch):
    K.clear_session()
    with pytest.raises(ValueError, match="static"):
        xception.Xception(weights=None, input_shape=(None, None, 3))
    with pytest.raises(ValueError, match="`classes` should be 1000"):
        inception_v3.InceptionV3(weights="imagenet", classes=10)
    with pytest.raises(ValueError, match="weights"):
        densenet.DenseNet121(weights=str(tmp_path / "missing.h5"))


def test_imagenet_weights_are_never_downloaded(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    K.clear_session()
    with pytest.raises(ValueError, match="never") as info:
        resnet.ResNet101(weights="imagenet")
    assert "resnet101_weights_tf_dim_ordering_tf_kernels.h5" in str(info.value)
    with pytest.raises(ValueError, match="xception_weights_tf_dim_ordering_tf_kernels_notop"):
        xception.Xception(weights="imagenet", include_top=False)


def test_small_input_with_top_predicts_probabilities():
    K.clear_session()
    model = resnet_v2.ResNet50V2(weights=None, input_shape=(32, 32, 3), classes=7)
    # the conv base of 23,564,800 weights + Dense(2048 -> 7)
    assert model.count_params() == 23564800 + 2048 * 7 + 7
    out = model.predict(np.random.RandomState(1).uniform(-1, 1, (2, 32, 32, 3)))
    assert out.shape == (2, 7)
    np.testing.assert_allclose(out.sum(axis=1), [1.0, 1.0], rtol=1e-5)


def test_pooling_max_and_input_tensor():
    K.clear_session()
    inp = fg.keras.layers.Input(shape=(80, 80, 3))
    model = xception.Xception(weights=None, include_top=False, input_tensor=inp,
                              pooling="max")
    assert model.inputs[0] is inp
    assert model.output_shape == (None, 2048)
    assert model.layers[-1].__class__.__name__ == "GlobalMaxPooling2D"


def test_unknown_keyword_is_a_type_error():
    K.clear_session()
    with pytest.raises(TypeError, match="unexpected keyword"):
        resnet.ResNet152(weights=None, bogus=1)


def test_preprocess_input_modes():
    img = np.array([[[[0.0, 127.5, 255.0]]]])
    # 'tf' mode: x / 127.5 - 1
    for module in (inception_v3, xception, resnet_v2):
        np.testing.assert_allclose(module.preprocess_input(img.copy()), [[[[-1.0, 0.0, 1.0]]]])
    # 'torch' mode: x / 255, minus mean, over std (per RGB channel)
    expected = (np.array([0.0, 0.5, 1.0]) - [0.485, 0.456, 0.406]) / [0.229, 0.224, 0.225]
    np.testing.assert_allclose(densenet.preprocess_input(img.copy())[0, 0, 0], expected)
    # 'caffe' mode: RGB -> BGR, minus the BGR mean
    np.testing.assert_allclose(resnet.preprocess_input(img.copy())[0, 0, 0],
                               [255.0 - 103.939, 127.5 - 116.779, 0.0 - 123.68])
    for module in (densenet, inception_v3, xception, resnet, resnet_v2):
        assert module.decode_predictions is applications.imagenet_utils.decode_predictions


def test_layer_names_that_weights_files_use():
    K.clear_session()
    model = resnet.ResNet101(weights=None, include_top=False)
    names = {layer.name for layer in model.layers}
    assert {"conv1_pad", "conv1_conv", "conv1_bn", "pool1_pool", "conv2_block1_0_conv",
            "conv4_block23_3_bn", "conv5_block3_out"} <= names
    assert "conv4_block24_1_conv" not in names
    K.clear_session()
    model = densenet.DenseNet121(weights=None, include_top=False)
    names = {layer.name for layer in model.layers}
    assert {"conv1/conv", "conv1/bn", "pool1", "conv2_block6_concat", "pool4_conv",
            "conv5_block16_2_conv", "bn", "relu"} <= names
    K.clear_session()
    model = inception_v3.InceptionV3(weights=None, include_top=False)
    names = [layer.name for layer in model.layers]
    for i in range(11):
        assert f"mixed{i}" in names
    assert "mixed9_0" in names and "mixed9_1" in names
    assert "conv2d_93" in names and "batch_normalization_93" in names


def test_top_level_exports():
    for name in ("DenseNet121", "DenseNet169", "DenseNet201", "InceptionV3", "Xception",
                 "ResNet101", "ResNet152", "ResNet50V2", "ResNet101V2", "ResNet152V2"):
        assert getattr(applications, name) is getattr(REFERENCE[name][0], name)
        assert getattr(fg.keras.applications, name) is getattr(REFERENCE[name][0], name)
    for module in ("densenet", "inception_v3", "xception", "resnet", "resnet_v2"):
        assert hasattr(applications, module)


# tf_keras: MobileNet 4,253,864 params / 91 layers (87 without the top), MobileNetV2
# 3,538,984 / 156 (155). TF 1.15 pads explicitly before the first conv ('conv1_pad',
# 'Conv1_pad': +1 layer, no weights) and MobileNet's TF 1.15 top has 6 layers, not 5.
MOBILE = {"MobileNet": (mobilenet, 4253864, 91 + 2, 3228864, 87 + 1, 1024, 55,
                        "ab6834ac3e8f562f", "mobilenet_1.00_224"),
          "MobileNetV2": (mobilenet_v2, 3538984, 156 + 1, 2257984, 155 + 1, 1280, 105,
                          "d7484b0878a643d4", "mobilenetv2_1.00_224")}


@pytest.mark.parametrize("name", sorted(MOBILE))
def test_mobilenets_match_tf_keras(name):
    K.clear_session()
    module, params, n_layers, params_no_top, n_no_top, features, n_weighted, digest, \
        model_name = MOBILE[name]
    model = getattr(module, name)(weights=None)
    assert model.count_params() == params
    assert len(model.layers) == n_layers
    # tf_keras calls MobileNetV2's classifier 'predictions' (TF 1.15: 'Logits')
    names = sorted("predictions" if layer.name == "Logits" else layer.name
                   for layer in model.layers if layer.weights)
    assert (len(names), hashlib.sha1("\n".join(names).encode()).hexdigest()[:16]) == \
        (n_weighted, digest)
    assert model.name == model_name
    assert model.output_shape == (None, 1000)
    K.clear_session()
    model = getattr(module, name)(weights=None, include_top=False, pooling="avg")
    assert model.count_params() == params_no_top
    assert len(model.layers) == n_no_top
    assert model.output_shape == (None, features)


def test_mobilenet_layer_names_and_forward_pass():
    K.clear_session()
    model = mobilenet.MobileNet(weights=None)
    names = [layer.name for layer in model.layers]
    assert names[1:5] == ["conv1_pad", "conv1", "conv1_bn", "conv1_relu"]
    assert names[-6:] == ["global_average_pooling2d", "reshape_1", "dropout", "conv_preds",
                          "act_softmax", "reshape_2"]
    assert {"conv_pad_2", "conv_dw_13", "conv_pw_13_bn"} <= set(names)
    # depthwise kernels: (3, 3, channels, depth_multiplier), no bias
    assert [w.shape.as_list() for w in model.get_layer("conv_dw_1").weights] == [[3, 3, 32, 1]]
    K.clear_session()
    model = mobilenet.MobileNet(weights=None, include_top=False, input_shape=(32, 32, 3))
    out = model.predict(np.random.RandomState(0).uniform(-1, 1, (1, 32, 32, 3)))
    assert model.name == "mobilenet_1.00_32"
    assert out.shape == (1, 1, 1, 1024)
    assert out.min() >= 0.0 and out.max() <= 6.0  # relu6
    with pytest.raises(ValueError, match="at least"):
        mobilenet.MobileNet(weights=None, include_top=False, input_shape=(31, 31, 3))


def test_mobilenet_v2_layer_names_and_forward_pass():
    K.clear_session()
    model = mobilenet_v2.MobileNetV2(weights=None, alpha=0.35, include_top=False,
                                     input_shape=(32, 32, 3), pooling="max")
    names = [layer.name for layer in model.layers]
    assert names[1:5] == ["Conv1_pad", "Conv1", "bn_Conv1", "Conv1_relu"]
    assert {"expanded_conv_depthwise", "block_1_pad", "block_2_add", "block_16_project_BN",
            "Conv_1", "out_relu"} <= set(names)
    # alpha only rounds the block widths to multiples of 8; the last conv keeps 1280
    assert model.get_layer("Conv1").weights[0].shape.as_list() == [3, 3, 3, 16]
    # block 16: 6 * make_divisible(160 * 0.35 = 56, 8) = 336 in, 320 * 0.35 = 112 out
    assert model.get_layer("block_16_project").weights[0].shape.as_list() == [1, 1, 336, 112]
    assert model.count_params() == 410208  # tf_keras
    out = model.predict(np.random.RandomState(0).uniform(-1, 1, (2, 32, 32, 3)))
    assert model.name == "mobilenetv2_0.35_32"
    assert out.shape == (2, 1280)
    assert out.min() >= 0.0 and out.max() <= 6.0


def test_mobilenet_imagenet_checks_and_channels_first(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    K.clear_session()
    with pytest.raises(ValueError, match="alpha"):
        mobilenet_v2.MobileNetV2(alpha=0.6)
    with pytest.raises(ValueError, match="depth multiplier"):
        mobilenet.MobileNet(depth_multiplier=2)
    with pytest.raises(ValueError, match="mobilenet_5_0_224_tf.h5"):
        mobilenet.MobileNet(alpha=0.5)
    np.testing.assert_allclose(mobilenet.preprocess_input(np.array([0.0, 255.0])), [-1, 1])
    K.set_image_data_format("channels_first")
    try:
        with pytest.warns(UserWarning, match="channels_last"):
            model = mobilenet.MobileNet(weights=None, include_top=False,
                                        input_shape=(32, 32, 3))
        assert model.output_shape == (None, 1, 1, 1024)
        assert K.image_data_format() == "channels_first"  # restored afterwards
    finally:
        K.set_image_data_format("channels_last")
    assert applications.MobileNet is mobilenet.MobileNet
    assert applications.MobileNetV2 is mobilenet_v2.MobileNetV2
