"""ResNet50V2/101V2/152V2 (`tf.keras.applications.resnet_v2`), as TF 1.15's
keras_applications builds them: pre-activation blocks (conv2_block1_preact_bn, ...,
conv5_block3_out), then post_bn, post_relu, avg_pool, probs."""

from __future__ import annotations

from typing import Any

from flowgraph.keras.applications import imagenet_utils
from flowgraph.keras.applications.imagenet_utils import decode_predictions  # noqa: F401
from flowgraph.keras.applications.resnet import _bn_axis, build_resnet


def block2(x: Any, filters: int, kernel_size: int = 3, stride: int = 1,
           conv_shortcut: bool = False, name: Any = None) -> Any:
    """A pre-activation residual block; the stride is on its 3x3 conv."""
    from flowgraph.keras import layers
    bn_axis = _bn_axis()
    preact = layers.BatchNormalization(axis=bn_axis, epsilon=1.001e-5,
                                       name=name + "_preact_bn")(x)
    preact = layers.Activation("relu", name=name + "_preact_relu")(preact)
    if conv_shortcut:
        shortcut = layers.Conv2D(4 * filters, 1, strides=stride,
                                 name=name + "_0_conv")(preact)
    else:
        shortcut = layers.MaxPooling2D(1, strides=stride)(x) if stride > 1 else x
    x = layers.Conv2D(filters, 1, strides=1, use_bias=False, name=name + "_1_conv")(preact)
    x = layers.BatchNormalization(axis=bn_axis, epsilon=1.001e-5, name=name + "_1_bn")(x)
    x = layers.Activation("relu", name=name + "_1_relu")(x)
    x = layers.ZeroPadding2D(padding=((1, 1), (1, 1)), name=name + "_2_pad")(x)
    x = layers.Conv2D(filters, kernel_size, strides=stride, use_bias=False,
                      name=name + "_2_conv")(x)
    x = layers.BatchNormalization(axis=bn_axis, epsilon=1.001e-5, name=name + "_2_bn")(x)
    x = layers.Activation("relu", name=name + "_2_relu")(x)
    x = layers.Conv2D(4 * filters, 1, name=name + "_3_conv")(x)
    return layers.Add(name=name + "_out")([shortcut, x])


def stack2(x: Any, filters: int, blocks: int, stride1: int = 2, name: Any = None) -> Any:
    """`blocks` pre-activation blocks; the first has a conv shortcut, the last the stride."""
    x = block2(x, filters, conv_shortcut=True, name=name + "_block1")
    for i in range(2, blocks):
        x = block2(x, filters, name=name + "_block" + str(i))
    return block2(x, filters, stride=stride1, name=name + "_block" + str(blocks))


def _resnet_v2(name: str, depths: tuple, include_top: bool, weights: Any, input_tensor: Any,
               input_shape: Any, pooling: Any, classes: int, kwargs: dict) -> Any:
    if kwargs:
        raise TypeError(f"{name} got unexpected keyword arguments {sorted(kwargs)}")

    def stack_fn(x: Any) -> Any:
        x = stack2(x, 64, depths[0], name="conv2")
        x = stack2(x, 128, depths[1], name="conv3")
        x = stack2(x, 256, depths[2], name="conv4")
        return stack2(x, 512, depths[3], stride1=1, name="conv5")

    return build_resnet(stack_fn, True, True, name.lower(), include_top, weights,
                        input_tensor, input_shape, pooling, classes)


def ResNet50V2(include_top: bool = True, weights: Any = "imagenet",  # noqa: N802
               input_tensor: Any = None, input_shape: Any = None, pooling: Any = None,
               classes: int = 1000, **kwargs: Any) -> Any:
    """The ResNet50V2 model (25,613,800 parameters with the top). flowgraph never
    downloads: pass ``weights=None`` or a path to a local weights file."""
    return _resnet_v2("ResNet50V2", (3, 4, 6, 3), include_top, weights, input_tensor,
                      input_shape, pooling, classes, kwargs)


def ResNet101V2(include_top: bool = True, weights: Any = "imagenet",  # noqa: N802
                input_tensor: Any = None, input_shape: Any = None, pooling: Any = None,
                classes: int = 1000, **kwargs: Any) -> Any:
    """The ResNet101V2 model (44,675,560 parameters with the top). flowgraph never
    downloads: pass ``weights=None`` or a path to a local weights file."""
    return _resnet_v2("ResNet101V2", (3, 4, 23, 3), include_top, weights, input_tensor,
                      input_shape, pooling, classes, kwargs)


def ResNet152V2(include_top: bool = True, weights: Any = "imagenet",  # noqa: N802
                input_tensor: Any = None, input_shape: Any = None, pooling: Any = None,
                classes: int = 1000, **kwargs: Any) -> Any:
    """The ResNet152V2 model (60,380,648 parameters with the top). flowgraph never
    downloads: pass ``weights=None`` or a path to a local weights file."""
    return _resnet_v2("ResNet152V2", (3, 8, 36, 3), include_top, weights, input_tensor,
                      input_shape, pooling, classes, kwargs)


def preprocess_input(x: Any, **kwargs: Any) -> Any:
    """Preprocesses images for ResNetV2 ('tf' mode: scaled to [-1, 1])."""
    return imagenet_utils.preprocess_input(x, mode="tf", **kwargs)
