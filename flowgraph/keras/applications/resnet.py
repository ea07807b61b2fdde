"""ResNet50/101/152 (`tf.keras.applications.resnet`), as TF 1.15's keras_applications
(resnet_common) builds them: layer names conv1_pad, conv1_conv, conv1_bn, conv1_relu,
pool1_pad, pool1_pool, conv2_block1_1_conv, ..., conv5_block3_out, avg_pool, probs.
The V2 (pre-activation) stacks live in `resnet_v2`; the shared builder is `build_resnet`."""

from __future__ import annotations

from typing import Any, Callable

from flowgraph.keras import backend
from flowgraph.keras.applications import imagenet_utils
from flowgraph.keras.applications.imagenet_utils import decode_predictions  # noqa: F401

BASE_WEIGHTS_PATH = "https://github.com/keras-team/keras-applications/releases/download/resnet/"


def _bn_axis() -> int:
    return 3 if backend.image_data_format() == "channels_last" else 1


def block1(x: Any, filters: int, kernel_size: int = 3, stride: int = 1,
           conv_shortcut: bool = True, name: Any = None) -> Any:
    """A residual block (1x1, kxk, 1x1 convs, post-activation), optional conv shortcut."""
    from flowgraph.keras import layers
    bn_axis = _bn_axis()
    if conv_shortcut:
        shortcut = layers.Conv2D(4 * filters, 1, strides=stride, name=name + "_0_conv")(x)
        shortcut = layers.BatchNormalization(axis=bn_axis, epsilon=1.001e-5,
                                             name=name + "_0_bn")(shortcut)
    else:
        shortcut = x
    x = layers.Conv2D(filters, 1, strides=stride, name=name + "_1_conv")(x)
    x = layers.BatchNormalization(axis=bn_axis, epsilon=1.001e-5, name=name + "_1_bn")(x)
    x = layers.Activation("relu", name=name + "_1_relu")(x)
    x = layers.Conv2D(filters, kernel_size, padding="same", name=name + "_2_conv")(x)
    x = layers.BatchNormalization(axis=bn_axis, epsilon=1.001e-5, name=name + "_2_bn")(x)
    x = layers.Activation("relu", name=name + "_2_relu")(x)
    x = layers.Conv2D(4 * filters, 1, name=name + "_3_conv")(x)
    x = layers.BatchNormalization(axis=bn_axis, epsilon=1.001e-5, name=name + "_3_bn")(x)
    x = layers.Add(name=name + "_add")([shortcut, x])
    return layers.Activation("relu", name=name + "_out")(x)


def stack1(x: Any, filters: int, blocks: int, stride1: int = 2, name: Any = None) -> Any:
    """`blocks` residual blocks; the first has the (strided) conv shortcut."""
    x = block1(x, filters, stride=stride1, name=name + "_block1")
    for i in range(2, blocks + 1):
        x = block1(x, filters, conv_shortcut=False, name=name + "_block" + str(i))
    return x


def build_resnet(stack_fn: Callable[[Any], Any], preact: bool, use_bias: bool,
                 model_name: str, include_top: bool, weights: Any, input_tensor: Any,
                 input_shape: Any, pooling: Any, classes: int) -> Any:
    """keras_applications' `ResNet`: the stem, `stack_fn`, then the top or the pooling."""
    from flowgraph.keras import layers
    from flowgraph.keras.models import Model
    suffix = "" if include_top else "_notop"
    file_name = f"{model_name}_weights_tf_dim_ordering_tf_kernels{suffix}.h5"
    weights = imagenet_utils.check_weights(weights, include_top, classes, model_name,
                                           file_name, BASE_WEIGHTS_PATH + file_name)
    input_shape = imagenet_utils.obtain_input_shape(
        input_shape, default_size=224, min_size=32, data_format=backend.image_data_format(),
        require_flatten=include_top, weights=weights)
    img_input, inputs = imagenet_utils.model_input(input_tensor, input_shape)
    bn_axis = _bn_axis()

    x = layers.ZeroPadding2D(padding=((3, 3), (3, 3)), name="conv1_pad")(img_input)
    x = layers.Conv2D(64, 7, strides=2, use_bias=use_bias, name="conv1_conv")(x)
    if not preact:
        x = layers.BatchNormalization(axis=bn_axis, epsilon=1.001e-5, name="conv1_bn")(x)
        x = layers.Activation("relu", name="conv1_relu")(x)
    x = layers.ZeroPadding2D(padding=((1, 1), (1, 1)), name="pool1_pad")(x)
    x = layers.MaxPooling2D(3, strides=2, name="pool1_pool")(x)
    x = stack_fn(x)
    if preact:
        x = layers.BatchNormalization(axis=bn_axis, epsilon=1.001e-5, name="post_bn")(x)
        x = layers.Activation("relu", name="post_relu")(x)

    if include_top:
        x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
        x = layers.Dense(classes, activation="softmax", name="probs")(x)
    elif pooling == "avg":
        x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
    elif pooling == "max":
        x = layers.GlobalMaxPooling2D(name="max_pool")(x)
    model = Model(inputs, x, name=model_name)
    imagenet_utils.load_weights(model, weights)
    return model


def _resnet(name: str, depths: tuple, include_top: bool, weights: Any, input_tensor: Any,
            input_shape: Any, pooling: Any, classes: int, kwargs: dict) -> Any:
    if kwargs:
        raise TypeError(f"{name} got unexpected keyword arguments {sorted(kwargs)}")

    def stack_fn(x: Any) -> Any:
        x = stack1(x, 64, depths[0], stride1=1, name="conv2")
        x = stack1(x, 128, depths[1], name="conv3")
        x = stack1(x, 256, depths[2], name="conv4")
        return stack1(x, 512, depths[3], name="conv5")

    return build_resnet(stack_fn, False, True, name.lower(), include_top, weights,
                        input_tensor, input_shape, pooling, classes)


def ResNet50(include_top: bool = True, weights: Any = "imagenet",  # noqa: N802 - Keras' name
             input_tensor: Any = None, input_shape: Any = None, pooling: Any = None,
             classes: int = 1000, **kwargs: Any) -> Any:
    """ResNet50 as `keras_applications.resnet` builds it (25,636,712 parameters with the
    top; the layer names differ from `tf.keras.applications.resnet50.ResNet50`).
    flowgraph never downloads: ``weights=None`` or a path to a local weights file."""
    return _resnet("ResNet50", (3, 4, 6, 3), include_top, weights, input_tensor,
                   input_shape, pooling, classes, kwargs)


def ResNet101(include_top: bool = True, weights: Any = "imagenet",  # noqa: N802
              input_tensor: Any = None, input_shape: Any = None, pooling: Any = None,
              classes: int = 1000, **kwargs: Any) -> Any:
    """The ResNet101 model (44,707,176 parameters with the top). flowgraph never
    downloads: pass ``weights=None`` or a path to a local weights file."""
    return _resnet("ResNet101", (3, 4, 23, 3), include_top, weights, input_tensor,
                   input_shape, pooling, classes, kwargs)


def ResNet152(include_top: bool = True, weights: Any = "imagenet",  # noqa: N802
              input_tensor: Any = None, input_shape: Any = None, pooling: Any = None,
              classes: int = 1000, **kwargs: Any) -> Any:
    """The ResNet152 model (60,419,944 parameters with the top). flowgraph never
    downloads: pass ``weights=None`` or a path to a local weights file."""
    return _resnet("ResNet152", (3, 8, 36, 3), include_top, weights, input_tensor,
                   input_shape, pooling, classes, kwargs)


def preprocess_input(x: Any, **kwargs: Any) -> Any:
    """Preprocesses images for ResNet ('caffe' mode: RGB -> BGR, ImageNet mean
    subtracted)."""
    return imagenet_utils.preprocess_input(x, mode="caffe", **kwargs)
