"""MobileNetV2 (`tf.keras.applications.mobilenet_v2`), as TF 1.15's keras_applications
builds it: Conv1_pad, Conv1, bn_Conv1, Conv1_relu, expanded_conv_depthwise, ...,
block_16_project_BN, Conv_1, Conv_1_bn, out_relu, then Logits. Input at least 32x32."""

from __future__ import annotations

from typing import Any

from flowgraph.keras import backend
from flowgraph.keras.applications import imagenet_utils
from flowgraph.keras.applications.imagenet_utils import decode_predictions  # noqa: F401
from flowgraph.keras.applications.mobilenet import _check_imagenet_rows, in_channels_last

BASE_WEIGHT_PATH = ("https://github.com/JonathanCMitchell/mobilenet_v2_keras/releases/"
                    "download/v1.1/")
_SIZES = (96, 128, 160, 192, 224)


def _make_divisible(v: float, divisor: int, min_value: Any = None) -> int:
    if min_value is None:
        min_value = divisor
    new_v = max(min_value, int(v + divisor / 2) // divisor * divisor)
    if new_v < 0.9 * v:  # round down by at most 10%
        new_v += divisor
    return new_v


def _correct_pad(inputs: Any, kernel_size: int) -> tuple:
    """The zero padding that makes a stride-2 'valid' conv match TF's 'same' one."""
    input_size = backend.int_shape(inputs)[1:3]
    adjust = (1, 1) if input_size[0] is None else (1 - input_size[0] % 2, 1 - input_size[1] % 2)
    correct = (kernel_size // 2, kernel_size // 2)
    return ((correct[0] - adjust[0], correct[0]), (correct[1] - adjust[1], correct[1]))


def _inverted_res_block(inputs: Any, expansion: int, stride: int, alpha: float,
                        filters: int, block_id: int) -> Any:
    from flowgraph.keras import layers
    in_channels = backend.int_shape(inputs)[-1]
    pointwise_filters = _make_divisible(int(filters * alpha), 8)
    x = inputs
    prefix = f"block_{block_id}_"
    if block_id:
        x = layers.Conv2D(expansion * in_channels, kernel_size=1, padding="same",
                          use_bias=False, activation=None, name=prefix + "expand")(x)
        x = layers.BatchNormalization(epsilon=1e-3, momentum=0.999,
                                      name=prefix + "expand_BN")(x)
        x = layers.ReLU(6.0, name=prefix + "expand_relu")(x)
    else:
        prefix = "expanded_conv_"
    if stride == 2:
        x = layers.ZeroPadding2D(padding=_correct_pad(x, 3), name=prefix + "pad")(x)
    x = layers.DepthwiseConv2D(kernel_size=3, strides=stride, activation=None,
                               use_bias=False, padding="same" if stride == 1 else "valid",
                               name=prefix + "depthwise")(x)
    x = layers.BatchNormalization(epsilon=1e-3, momentum=0.999,
                                  name=prefix + "depthwise_BN")(x)
    x = layers.ReLU(6.0, name=prefix + "depthwise_relu")(x)
    x = layers.Conv2D(pointwise_filters, kernel_size=1, padding="same", use_bias=False,
                      activation=None, name=prefix + "project")(x)
    x = layers.BatchNormalization(epsilon=1e-3, momentum=0.999,
                                  name=prefix + "project_BN")(x)
    if in_channels == pointwise_filters and stride == 1:
        return layers.Add(name=prefix + "add")([inputs, x])
    return x


def MobileNetV2(input_shape: Any = None, alpha: float = 1.0,  # noqa: N802 - Keras' name
                include_top: bool = True, weights: Any = "imagenet", input_tensor: Any = None,
                pooling: Any = None, classes: int = 1000, **kwargs: Any) -> Any:
    """The MobileNetV2 model (3,538,984 parameters with the top at alpha 1). flowgraph never
    downloads: pass ``weights=None`` or a path to a local weights file."""
    if kwargs:
        raise TypeError(f"MobileNetV2 got unexpected keyword arguments {sorted(kwargs)}")
    return in_channels_last("MobileNet", _mobilenet_v2, input_shape, alpha, include_top,
                            weights, input_tensor, pooling, classes)


def _mobilenet_v2(input_shape: Any, alpha: float, include_top: bool, weights: Any,
                  input_tensor: Any, pooling: Any, classes: int) -> Any:
    from flowgraph.keras import layers
    from flowgraph.keras.models import Model
    if input_shape is None and input_tensor is not None \
            and backend.is_keras_tensor(input_tensor):
        rows, cols = backend.int_shape(input_tensor)[1:3]
        default_size = rows if rows == cols and rows in _SIZES else 224
    elif input_shape is None:
        default_size = 224
    else:
        rows, cols = tuple(input_shape)[:2]
        default_size = rows if rows == cols and rows in _SIZES else 224
    if weights == "imagenet" and alpha not in (0.35, 0.50, 0.75, 1.0, 1.3, 1.4):
        raise ValueError("If imagenet weights are being loaded, alpha can be one of `0.35`, "
                         "`0.50`, `0.75`, `1.0`, `1.3` or `1.4` only.")
    file_name = (f"mobilenet_v2_weights_tf_dim_ordering_tf_kernels_{float(alpha)}_"
                 f"{default_size}{'' if include_top else '_no_top'}.h5")
    checked = imagenet_utils.check_weights(weights, include_top, classes, "MobileNetV2",
                                           file_name, BASE_WEIGHT_PATH + file_name)
    input_shape = imagenet_utils.obtain_input_shape(
        input_shape, default_size=default_size, min_size=32, data_format="channels_last",
        require_flatten=include_top, weights=weights)
    rows = _check_imagenet_rows(weights, input_shape[0], input_shape[1], _SIZES,
                                "MobileNetV2")
    img_input, inputs = imagenet_utils.model_input(input_tensor, input_shape)

    first_block_filters = _make_divisible(32 * alpha, 8)
    x = layers.ZeroPadding2D(padding=_correct_pad(img_input, 3), name="Conv1_pad")(img_input)
    x = layers.Conv2D(first_block_filters, kernel_size=3, strides=(2, 2), padding="valid",
                      use_bias=False, name="Conv1")(x)
    x = layers.BatchNormalization(epsilon=1e-3, momentum=0.999, name="bn_Conv1")(x)
    x = layers.ReLU(6.0, name="Conv1_relu")(x)
    plan = ((16, 1, 1), (24, 2, 6), (24, 1, 6), (32, 2, 6), (32, 1, 6), (32, 1, 6),
            (64, 2, 6), (64, 1, 6), (64, 1, 6), (64, 1, 6), (96, 1, 6), (96, 1, 6),
            (96, 1, 6), (160, 2, 6), (160, 1, 6), (160, 1, 6), (320, 1, 6))
    for block_id, (filters, stride, expansion) in enumerate(plan):
        x = _inverted_res_block(x, filters=filters, alpha=alpha, stride=stride,
                                expansion=expansion, block_id=block_id)
    # no alpha on the last conv (as in the paper), except to widen it when alpha > 1
    last_block_filters = _make_divisible(1280 * alpha, 8) if alpha > 1.0 else 1280
    x = layers.Conv2D(last_block_filters, kernel_size=1, use_bias=False, name="Conv_1")(x)
    x = layers.BatchNormalization(epsilon=1e-3, momentum=0.999, name="Conv_1_bn")(x)
    x = layers.ReLU(6.0, name="out_relu")(x)

    if include_top:
        x = layers.GlobalAveragePooling2D()(x)
        x = layers.Dense(classes, activation="softmax", use_bias=True, name="Logits")(x)
    elif pooling == "avg":
        x = layers.GlobalAveragePooling2D()(x)
    elif pooling == "max":
        x = layers.GlobalMaxPooling2D()(x)
    model = Model(inputs, x, name=f"mobilenetv2_{alpha:0.2f}_{rows}")
    imagenet_utils.load_weights(model, checked)
    return model


def preprocess_input(x: Any, **kwargs: Any) -> Any:
    """Preprocesses images for MobileNetV2 ('tf' mode: scaled to [-1, 1])."""
    return imagenet_utils.preprocess_input(x, mode="tf", **kwargs)
