"""ResNet50 (`tf.keras.applications.resnet50`), as TF 1.15's keras_applications builds it
(layer names conv1_pad, conv1, bn_conv1, res2a_branch2a, bn2a_branch2a, ..., fc1000)."""

from __future__ import annotations

import warnings
from typing import Any

from flowgraph.keras import backend
from flowgraph.keras.applications import imagenet_utils
from flowgraph.keras.applications.imagenet_utils import decode_predictions  # noqa: F401

WEIGHTS_PATH = ("https://github.com/fchollet/deep-learning-models/releases/download/v0.2/"
                "resnet50_weights_tf_dim_ordering_tf_kernels.h5")
WEIGHTS_PATH_NO_TOP = ("https://github.com/fchollet/deep-learning-models/releases/download/"
                       "v0.2/resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5")


def _block(input_tensor: Any, kernel_size: Any, filters: tuple, stage: int, block: str,
           strides: Any = None) -> Any:
    """identity_block (strides None) or conv_block (a projection shortcut ``..._branch1``)."""
    from flowgraph.keras import layers
    filters1, filters2, filters3 = filters
    bn_axis = 3 if backend.image_data_format() == "channels_last" else 1
    conv_name = f"res{stage}{block}_branch"
    bn_name = f"bn{stage}{block}_branch"
    x = layers.Conv2D(filters1, (1, 1), strides=strides or (1, 1),
                      kernel_initializer="he_normal", name=conv_name + "2a")(input_tensor)
    x = layers.BatchNormalization(axis=bn_axis, name=bn_name + "2a")(x)
    x = layers.Activation("relu")(x)
    x = layers.Conv2D(filters2, kernel_size, padding="same", kernel_initializer="he_normal",
                      name=conv_name + "2b")(x)
    x = layers.BatchNormalization(axis=bn_axis, name=bn_name + "2b")(x)
    x = layers.Activation("relu")(x)
    x = layers.Conv2D(filters3, (1, 1), kernel_initializer="he_normal",
                      name=conv_name + "2c")(x)
    x = layers.BatchNormalization(axis=bn_axis, name=bn_name + "2c")(x)
    shortcut = input_tensor
    if strides is not None:
        shortcut = layers.Conv2D(filters3, (1, 1), strides=strides,
                                 kernel_initializer="he_normal", name=conv_name + "1")(shortcut)
        shortcut = layers.BatchNormalization(axis=bn_axis, name=bn_name + "1")(shortcut)
    x = layers.add([x, shortcut])
    return layers.Activation("relu")(x)


def identity_block(input_tensor: Any, kernel_size: Any, filters: tuple, stage: int,
                   block: str) -> Any:
    """The block without a conv layer on the shortcut."""
    return _block(input_tensor, kernel_size, filters, stage, block)


def conv_block(input_tensor: Any, kernel_size: Any, filters: tuple, stage: int, block: str,
               strides: Any = (2, 2)) -> Any:
    """The block with a strided 1x1 conv layer (and batch norm) on the shortcut."""
    return _block(input_tensor, kernel_size, filters, stage, block, strides=tuple(strides))


def ResNet50(include_top: bool = True, weights: Any = "imagenet",  # noqa: N802 - Keras' name
             input_tensor: Any = None, input_shape: Any = None, pooling: Any = None,
             classes: int = 1000, **kwargs: Any) -> Any:
    """The ResNet50 model (25,636,712 parameters with the top). flowgraph never downloads:
    pass ``weights=None`` for random initial weights or a path to a local weights file."""
    from flowgraph.keras import layers
    from flowgraph.keras.models import Model
    if kwargs:
        raise TypeError(f"ResNet50 got unexpected keyword arguments {sorted(kwargs)}")
    url = WEIGHTS_PATH if include_top else WEIGHTS_PATH_NO_TOP
    weights = imagenet_utils.check_weights(weights, include_top, classes, "ResNet50",
                                           url.rsplit("/", 1)[-1], url)
    input_shape = imagenet_utils.obtain_input_shape(
        input_shape, default_size=224, min_size=32, data_format=backend.image_data_format(),
        require_flatten=include_top, weights=weights)
    img_input, inputs = imagenet_utils.model_input(input_tensor, input_shape)
    bn_axis = 3 if backend.image_data_format() == "channels_last" else 1

    x = layers.ZeroPadding2D(padding=(3, 3), name="conv1_pad")(img_input)
    x = layers.Conv2D(64, (7, 7), strides=(2, 2), padding="valid",
                      kernel_initializer="he_normal", name="conv1")(x)
    x = layers.BatchNormalization(axis=bn_axis, name="bn_conv1")(x)
    x = layers.Activation("relu")(x)
    x = layers.ZeroPadding2D(padding=(1, 1), name="pool1_pad")(x)
    x = layers.MaxPooling2D((3, 3), strides=(2, 2))(x)

    stages = ((2, (64, 64, 256), "abc"), (3, (128, 128, 512), "abcd"),
              (4, (256, 256, 1024), "abcdef"), (5, (512, 512, 2048), "abc"))
    for stage, filters, blocks in stages:
        x = conv_block(x, 3, filters, stage=stage, block="a",
                       strides=(1, 1) if stage == 2 else (2, 2))
        for block in blocks[1:]:
            x = identity_block(x, 3, filters, stage=stage, block=block)

    if include_top:
        x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
        x = layers.Dense(classes, activation="softmax", name="fc1000")(x)
    elif pooling == "avg":
        x = layers.GlobalAveragePooling2D()(x)
    elif pooling == "max":
        x = layers.GlobalMaxPooling2D()(x)
    else:
        warnings.warn("The output shape of `ResNet50(include_top=False)` has been changed "
                      "since Keras 2.2.0.", stacklevel=2)
    model = Model(inputs, x, name="resnet50")
    imagenet_utils.load_weights(model, weights)
    return model


def preprocess_input(x: Any, **kwargs: Any) -> Any:
    """Preprocesses images for ResNet50 ('caffe' mode: RGB -> BGR, ImageNet mean
    subtracted)."""
    return imagenet_utils.preprocess_input(x, mode="caffe", **kwargs)
