"""MobileNet (`tf.keras.applications.mobilenet`), as TF 1.15's keras_applications builds
it: conv1_pad, conv1, conv1_bn, conv1_relu, conv_dw_1, ..., conv_pw_13_relu, then
reshape_1, dropout, conv_preds, act_softmax, reshape_2. Input at least 32x32."""

from __future__ import annotations

import warnings
from typing import Any

from flowgraph.keras import backend
from flowgraph.keras.applications import imagenet_utils
from flowgraph.keras.applications.imagenet_utils import decode_predictions  # noqa: F401

BASE_WEIGHT_PATH = ("https://github.com/fchollet/deep-learning-models/releases/download/"
                    "v0.6/")


def _check_imagenet_rows(weights: Any, rows: Any, cols: Any, sizes: tuple,
                         family: str) -> Any:
    """TF 1.15's square-input check for ImageNet weights; returns the rows in the file name."""
    if weights != "imagenet":
        return rows
    if rows == cols and rows in sizes:
        return rows
    if rows is None:
        warnings.warn(f"{family} shape is undefined. Weights for input shape (224, 224) "
                      "will be loaded.", stacklevel=3)
        return 224
    raise ValueError("If imagenet weights are being loaded, input must have a static square "
                     f"shape (one of {', '.join(str((s, s)) for s in sizes)}). "
                     f"Input shape provided = {rows, cols}")


def in_channels_last(family: str, build: Any, *args: Any) -> Any:
    """Runs `build` with the 'channels_last' data format, as TF 1.15 does for the
    MobileNet family (a warning, then the previous format restored afterwards)."""
    old = backend.image_data_format()
    if old == "channels_last":
        return build(*args)
    warnings.warn(f"The {family} family of models is only available for the input data "
                  'format "channels_last" (width, height, channels). However your settings '
                  'specify the default data format "channels_first" (channels, width, '
                  'height). You should set `image_data_format="channels_last"` in your Keras '
                  "config located at ~/.keras/keras.json. The model being returned right now "
                  'will expect inputs to follow the "channels_last" data format.', stacklevel=3)
    backend.set_image_data_format("channels_last")
    try:
        return build(*args)
    finally:
        backend.set_image_data_format(old)


def MobileNet(input_shape: Any = None, alpha: float = 1.0,  # noqa: N802 - Keras' name
              depth_multiplier: int = 1, dropout: float = 1e-3, include_top: bool = True,
              weights: Any = "imagenet", input_tensor: Any = None, pooling: Any = None,
              classes: int = 1000, **kwargs: Any) -> Any:
    """The MobileNet model (4,253,864 parameters with the top at alpha 1). flowgraph never
    downloads: pass ``weights=None`` or a path to a local weights file."""
    if kwargs:
        raise TypeError(f"MobileNet got unexpected keyword arguments {sorted(kwargs)}")
    return in_channels_last("MobileNet", _mobilenet, input_shape, alpha, depth_multiplier,
                            dropout, include_top, weights, input_tensor, pooling, classes)


def _mobilenet(input_shape: Any, alpha: float, depth_multiplier: int, dropout: float,
               include_top: bool, weights: Any, input_tensor: Any, pooling: Any,
               classes: int) -> Any:
    from flowgraph.keras import layers
    from flowgraph.keras.models import Model
    if input_shape is None:
        default_size = 224
    else:
        rows, cols = tuple(input_shape)[:2]
        default_size = rows if rows == cols and rows in (128, 160, 192, 224) else 224
    if weights == "imagenet":
        if depth_multiplier != 1:
            raise ValueError("If imagenet weights are being loaded, depth multiplier must "
                             "be 1")
        if alpha not in (0.25, 0.50, 0.75, 1.0):
            raise ValueError("If imagenet weights are being loaded, alpha can be one of "
                             "`0.25`, `0.50`, `0.75` or `1.0` only.")
    alpha_text = {1.0: "1_0", 0.75: "7_5", 0.5: "5_0"}.get(alpha, "2_5")
    name_rows = default_size
    file_name = (f"mobilenet_{alpha_text}_{name_rows}_tf"
                 f"{'' if include_top else '_no_top'}.h5")
    checked = imagenet_utils.check_weights(weights, include_top, classes, "MobileNet",
                                           file_name, BASE_WEIGHT_PATH + file_name)
    input_shape = imagenet_utils.obtain_input_shape(
        input_shape, default_size=default_size, min_size=32, data_format="channels_last",
        require_flatten=include_top, weights=weights)
    rows = _check_imagenet_rows(weights, input_shape[0], input_shape[1],
                                (128, 160, 192, 224), "MobileNet")
    img_input, inputs = imagenet_utils.model_input(input_tensor, input_shape)

    x = _conv_block(img_input, 32, alpha, strides=(2, 2))
    plan = ((64, 1), (128, 2), (128, 1), (256, 2), (256, 1), (512, 2), (512, 1), (512, 1),
            (512, 1), (512, 1), (512, 1), (1024, 2), (1024, 1))
    for block_id, (filters, stride) in enumerate(plan, start=1):
        x = _depthwise_conv_block(x, filters, alpha, depth_multiplier,
                                  strides=(stride, stride), block_id=block_id)

    if include_top:
        x = layers.GlobalAveragePooling2D()(x)
        x = layers.Reshape((1, 1, int(1024 * alpha)), name="reshape_1")(x)
        x = layers.Dropout(dropout, name="dropout")(x)
        x = layers.Conv2D(classes, (1, 1), padding="same", name="conv_preds")(x)
        x = layers.Activation("softmax", name="act_softmax")(x)
        x = layers.Reshape((classes,), name="reshape_2")(x)
    elif pooling == "avg":
        x = layers.GlobalAveragePooling2D()(x)
    elif pooling == "max":
        x = layers.GlobalMaxPooling2D()(x)
    model = Model(inputs, x, name=f"mobilenet_{alpha:0.2f}_{rows}")
    imagenet_utils.load_weights(model, checked)
    return model


def _conv_block(inputs: Any, filters: int, alpha: float, kernel: tuple = (3, 3),
                strides: tuple = (1, 1)) -> Any:
    """The first convolution: pad, strided conv (no bias), batch norm, relu6."""
    from flowgraph.keras import layers
    filters = int(filters * alpha)
    x = layers.ZeroPadding2D(padding=((0, 1), (0, 1)), name="conv1_pad")(inputs)
    x = layers.Conv2D(filters, kernel, padding="valid", use_bias=False, strides=strides,
                      name="conv1")(x)
    x = layers.BatchNormalization(axis=-1, name="conv1_bn")(x)
    return layers.ReLU(6.0, name="conv1_relu")(x)


def _depthwise_conv_block(inputs: Any, pointwise_conv_filters: int, alpha: float,
                          depth_multiplier: int = 1, strides: tuple = (1, 1),
                          block_id: int = 1) -> Any:
    """Depthwise 3x3 conv, BN, relu6, pointwise 1x1 conv, BN, relu6."""
    from flowgraph.keras import layers
    pointwise_conv_filters = int(pointwise_conv_filters * alpha)
    if strides == (1, 1):
        x = inputs
    else:
        x = layers.ZeroPadding2D(((0, 1), (0, 1)), name=f"conv_pad_{block_id}")(inputs)
    x = layers.DepthwiseConv2D((3, 3), padding="same" if strides == (1, 1) else "valid",
                               depth_multiplier=depth_multiplier, strides=strides,
                               use_bias=False, name=f"conv_dw_{block_id}")(x)
    x = layers.BatchNormalization(axis=-1, name=f"conv_dw_{block_id}_bn")(x)
    x = layers.ReLU(6.0, name=f"conv_dw_{block_id}_relu")(x)
    x = layers.Conv2D(pointwise_conv_filters, (1, 1), padding="same", use_bias=False,
                      strides=(1, 1), name=f"conv_pw_{block_id}")(x)
    x = layers.BatchNormalization(axis=-1, name=f"conv_pw_{block_id}_bn")(x)
    return layers.ReLU(6.0, name=f"conv_pw_{block_id}_relu")(x)


def preprocess_input(x: Any, **kwargs: Any) -> Any:
    """Preprocesses images for MobileNet ('tf' mode: scaled to [-1, 1])."""
    return imagenet_utils.preprocess_input(x, mode="tf", **kwargs)
