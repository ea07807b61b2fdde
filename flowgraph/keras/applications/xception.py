"""Xception (`tf.keras.applications.xception`), as TF 1.15's keras_applications builds it:
block1_conv1, block1_conv1_bn, ..., block14_sepconv2_act, avg_pool, predictions.
Input at least 71x71 (default 299x299)."""

from __future__ import annotations

from typing import Any

from flowgraph.keras import backend
from flowgraph.keras.applications import imagenet_utils
from flowgraph.keras.applications.imagenet_utils import decode_predictions  # noqa: F401

TF_WEIGHTS_PATH = ("https://github.com/fchollet/deep-learning-models/releases/download/v0.4/"
                   "xception_weights_tf_dim_ordering_tf_kernels.h5")
TF_WEIGHTS_PATH_NO_TOP = ("https://github.com/fchollet/deep-learning-models/releases/"
                          "download/v0.4/xception_weights_tf_dim_ordering_tf_kernels_notop.h5")


def _sep_bn(x: Any, filters: int, name: str) -> Any:
    from flowgraph.keras import layers
    x = layers.SeparableConv2D(filters, (3, 3), padding="same", use_bias=False, name=name)(x)
    channel_axis = 1 if backend.image_data_format() == "channels_first" else -1
    return layers.BatchNormalization(axis=channel_axis, name=name + "_bn")(x)


def _shortcut(x: Any, filters: int) -> Any:
    from flowgraph.keras import layers
    channel_axis = 1 if backend.image_data_format() == "channels_first" else -1
    residual = layers.Conv2D(filters, (1, 1), strides=(2, 2), padding="same",
                             use_bias=False)(x)
    return layers.BatchNormalization(axis=channel_axis)(residual)


def _down_block(x: Any, block: int, filters: tuple, first_act: bool) -> Any:
    """Two separable convs and a strided max pool, plus a strided 1x1 conv shortcut."""
    from flowgraph.keras import layers
    prefix = f"block{block}"
    residual = _shortcut(x, filters[1])
    if first_act:
        x = layers.Activation("relu", name=prefix + "_sepconv1_act")(x)
    x = _sep_bn(x, filters[0], prefix + "_sepconv1")
    x = layers.Activation("relu", name=prefix + "_sepconv2_act")(x)
    x = _sep_bn(x, filters[1], prefix + "_sepconv2")
    x = layers.MaxPooling2D((3, 3), strides=(2, 2), padding="same", name=prefix + "_pool")(x)
    return layers.add([x, residual])


def Xception(include_top: bool = True, weights: Any = "imagenet",  # noqa: N802
             input_tensor: Any = None, input_shape: Any = None, pooling: Any = None,
             classes: int = 1000, **kwargs: Any) -> Any:
    """The Xception model (22,910,480 parameters with the top). flowgraph never downloads:
    pass ``weights=None`` or a path to a local weights file."""
    from flowgraph.keras import layers
    from flowgraph.keras.models import Model
    if kwargs:
        raise TypeError(f"Xception got unexpected keyword arguments {sorted(kwargs)}")
    url = TF_WEIGHTS_PATH if include_top else TF_WEIGHTS_PATH_NO_TOP
    weights = imagenet_utils.check_weights(weights, include_top, classes, "Xception",
                                           url.rsplit("/", 1)[-1], url)
    input_shape = imagenet_utils.obtain_input_shape(
        input_shape, default_size=299, min_size=71, data_format=backend.image_data_format(),
        require_flatten=include_top, weights=weights)
    img_input, inputs = imagenet_utils.model_input(input_tensor, input_shape)
    channel_axis = 1 if backend.image_data_format() == "channels_first" else -1

    x = layers.Conv2D(32, (3, 3), strides=(2, 2), use_bias=False,
                      name="block1_conv1")(img_input)
    x = layers.BatchNormalization(axis=channel_axis, name="block1_conv1_bn")(x)
    x = layers.Activation("relu", name="block1_conv1_act")(x)
    x = layers.Conv2D(64, (3, 3), use_bias=False, name="block1_conv2")(x)
    x = layers.BatchNormalization(axis=channel_axis, name="block1_conv2_bn")(x)
    x = layers.Activation("relu", name="block1_conv2_act")(x)

    x = _down_block(x, 2, (128, 128), first_act=False)
    x = _down_block(x, 3, (256, 256), first_act=True)
    x = _down_block(x, 4, (728, 728), first_act=True)
    for i in range(8):
        residual = x
        prefix = "block" + str(i + 5)
        for conv in (1, 2, 3):
            x = layers.Activation("relu", name=f"{prefix}_sepconv{conv}_act")(x)
            x = _sep_bn(x, 728, f"{prefix}_sepconv{conv}")
        x = layers.add([x, residual])
    x = _down_block(x, 13, (728, 1024), first_act=True)

    x = _sep_bn(x, 1536, "block14_sepconv1")
    x = layers.Activation("relu", name="block14_sepconv1_act")(x)
    x = _sep_bn(x, 2048, "block14_sepconv2")
    x = layers.Activation("relu", name="block14_sepconv2_act")(x)

    if include_top:
        x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
        x = layers.Dense(classes, activation="softmax", name="predictions")(x)
    elif pooling == "avg":
        x = layers.GlobalAveragePooling2D()(x)
    elif pooling == "max":
        x = layers.GlobalMaxPooling2D()(x)
    model = Model(inputs, x, name="xception")
    imagenet_utils.load_weights(model, weights)
    return model


def preprocess_input(x: Any, **kwargs: Any) -> Any:
    """Preprocesses images for Xception ('tf' mode: scaled to [-1, 1])."""
    return imagenet_utils.preprocess_input(x, mode="tf", **kwargs)
