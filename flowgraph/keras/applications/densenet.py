"""DenseNet121/169/201 (`tf.keras.applications.densenet`), as TF 1.15's keras_applications
builds them: conv1/conv, conv1/bn, conv1/relu, pool1, conv2_block1_0_bn, ...,
pool2_conv, ..., bn, relu, avg_pool, fc1000."""

from __future__ import annotations

from typing import Any

from flowgraph.keras import backend
from flowgraph.keras.applications import imagenet_utils
from flowgraph.keras.applications.imagenet_utils import decode_predictions  # noqa: F401

BASE_WEIGTHS_PATH = ("https://github.com/keras-team/keras-applications/releases/download/"
                     "densenet/")


def _bn_axis() -> int:
    return 3 if backend.image_data_format() == "channels_last" else 1


def dense_block(x: Any, blocks: int, name: str) -> Any:
    """`blocks` conv blocks, each concatenating 32 new channels."""
    for i in range(blocks):
        x = conv_block(x, 32, name=name + "_block" + str(i + 1))
    return x


def transition_block(x: Any, reduction: float, name: str) -> Any:
    """BN, relu, a 1x1 conv shrinking the channels by `reduction`, 2x2 average pooling."""
    from flowgraph.keras import layers
    bn_axis = _bn_axis()
    x = layers.BatchNormalization(axis=bn_axis, epsilon=1.001e-5, name=name + "_bn")(x)
    x = layers.Activation("relu", name=name + "_relu")(x)
    channels = backend.int_shape(x)[bn_axis]
    x = layers.Conv2D(int(channels * reduction), 1, use_bias=False, name=name + "_conv")(x)
    return layers.AveragePooling2D(2, strides=2, name=name + "_pool")(x)


def conv_block(x: Any, growth_rate: int, name: str) -> Any:
    """BN-relu-1x1 conv-BN-relu-3x3 conv, concatenated to the input."""
    from flowgraph.keras import layers
    bn_axis = _bn_axis()
    x1 = layers.BatchNormalization(axis=bn_axis, epsilon=1.001e-5, name=name + "_0_bn")(x)
    x1 = layers.Activation("relu", name=name + "_0_relu")(x1)
    x1 = layers.Conv2D(4 * growth_rate, 1, use_bias=False, name=name + "_1_conv")(x1)
    x1 = layers.BatchNormalization(axis=bn_axis, epsilon=1.001e-5, name=name + "_1_bn")(x1)
    x1 = layers.Activation("relu", name=name + "_1_relu")(x1)
    x1 = layers.Conv2D(growth_rate, 3, padding="same", use_bias=False,
                       name=name + "_2_conv")(x1)
    return layers.Concatenate(axis=bn_axis, name=name + "_concat")([x, x1])


def build_densenet(blocks: tuple, include_top: bool, weights: Any, input_tensor: Any,
                   input_shape: Any, pooling: Any, classes: int, name: str) -> Any:
    """keras_applications' `DenseNet` for the given block counts."""
    from flowgraph.keras import layers
    from flowgraph.keras.models import Model
    file_name = (f"{name.lower()}_weights_tf_dim_ordering_tf_kernels"
                 f"{'' if include_top else '_notop'}.h5")
    weights = imagenet_utils.check_weights(weights, include_top, classes, name, file_name,
                                           BASE_WEIGTHS_PATH + file_name)
    input_shape = imagenet_utils.obtain_input_shape(
        input_shape, default_size=224, min_size=32, data_format=backend.image_data_format(),
        require_flatten=include_top, weights=weights)
    img_input, inputs = imagenet_utils.model_input(input_tensor, input_shape)
    bn_axis = _bn_axis()

    x = layers.ZeroPadding2D(padding=((3, 3), (3, 3)))(img_input)
    x = layers.Conv2D(64, 7, strides=2, use_bias=False, name="conv1/conv")(x)
    x = layers.BatchNormalization(axis=bn_axis, epsilon=1.001e-5, name="conv1/bn")(x)
    x = layers.Activation("relu", name="conv1/relu")(x)
    x = layers.ZeroPadding2D(padding=((1, 1), (1, 1)))(x)
    x = layers.MaxPooling2D(3, strides=2, name="pool1")(x)
    for stage, count in enumerate(blocks, start=2):
        x = dense_block(x, count, name=f"conv{stage}")
        if stage < 5:
            x = transition_block(x, 0.5, name=f"pool{stage}")
    x = layers.BatchNormalization(axis=bn_axis, epsilon=1.001e-5, name="bn")(x)
    x = layers.Activation("relu", name="relu")(x)

    if include_top:
        x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
        x = layers.Dense(classes, activation="softmax", name="fc1000")(x)
    elif pooling == "avg":
        x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
    elif pooling == "max":
        x = layers.GlobalMaxPooling2D(name="max_pool")(x)
    model_name = {(6, 12, 24, 16): "densenet121", (6, 12, 32, 32): "densenet169",
                  (6, 12, 48, 32): "densenet201"}.get(tuple(blocks), "densenet")
    model = Model(inputs, x, name=model_name)
    imagenet_utils.load_weights(model, weights)
    return model


def _densenet(name: str, blocks: tuple, include_top: bool, weights: Any, input_tensor: Any,
              input_shape: Any, pooling: Any, classes: int, kwargs: dict) -> Any:
    if kwargs:
        raise TypeError(f"{name} got unexpected keyword arguments {sorted(kwargs)}")
    return build_densenet(blocks, include_top, weights, input_tensor, input_shape, pooling,
                          classes, name)


def DenseNet121(include_top: bool = True, weights: Any = "imagenet",  # noqa: N802
                input_tensor: Any = None, input_shape: Any = None, pooling: Any = None,
                classes: int = 1000, **kwargs: Any) -> Any:
    """The DenseNet121 model (8,062,504 parameters with the top). flowgraph never
    downloads: pass ``weights=None`` or a path to a local weights file."""
    return _densenet("DenseNet121", (6, 12, 24, 16), include_top, weights, input_tensor,
                     input_shape, pooling, classes, kwargs)


def DenseNet169(include_top: bool = True, weights: Any = "imagenet",  # noqa: N802
                input_tensor: Any = None, input_shape: Any = None, pooling: Any = None,
                classes: int = 1000, **kwargs: Any) -> Any:
    """The DenseNet169 model (14,307,880 parameters with the top). flowgraph never
    downloads: pass ``weights=None`` or a path to a local weights file."""
    return _densenet("DenseNet169", (6, 12, 32, 32), include_top, weights, input_tensor,
                     input_shape, pooling, classes, kwargs)


def DenseNet201(include_top: bool = True, weights: Any = "imagenet",  # noqa: N802
                input_tensor: Any = None, input_shape: Any = None, pooling: Any = None,
                classes: int = 1000, **kwargs: Any) -> Any:
    """The DenseNet201 model (20,242,984 parameters with the top). flowgraph never
    downloads: pass ``weights=None`` or a path to a local weights file."""
    return _densenet("DenseNet201", (6, 12, 48, 32), include_top, weights, input_tensor,
                     input_shape, pooling, classes, kwargs)


def preprocess_input(x: Any, data_format: Any = None, **kwargs: Any) -> Any:
    """Preprocesses images for DenseNet ('torch' mode: scaled to [0, 1], then normalized
    with the ImageNet mean and standard deviation per RGB channel)."""
    return imagenet_utils.preprocess_input(x, data_format=data_format, mode="torch", **kwargs)
