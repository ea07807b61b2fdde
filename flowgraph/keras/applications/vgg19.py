"""VGG19 (`tf.keras.applications.vgg19`), as TF 1.15's keras_applications builds it."""

from __future__ import annotations

from typing import Any

from flowgraph.keras.applications import imagenet_utils
from flowgraph.keras.applications.imagenet_utils import decode_predictions  # noqa: F401
from flowgraph.keras.applications.vgg16 import build_vgg

WEIGHTS_PATH = ("https://github.com/fchollet/deep-learning-models/releases/download/v0.1/"
                "vgg19_weights_tf_dim_ordering_tf_kernels.h5")
WEIGHTS_PATH_NO_TOP = ("https://github.com/fchollet/deep-learning-models/releases/download/"
                       "v0.1/vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5")


def VGG19(include_top: bool = True, weights: Any = "imagenet",  # noqa: N802 - Keras' name
          input_tensor: Any = None, input_shape: Any = None, pooling: Any = None,
          classes: int = 1000, **kwargs: Any) -> Any:
    """The VGG19 model (143,667,240 parameters with the top). flowgraph never downloads:
    pass ``weights=None`` for random initial weights or a path to a local weights file."""
    if kwargs:
        raise TypeError(f"VGG19 got unexpected keyword arguments {sorted(kwargs)}")
    return build_vgg("vgg19", (2, 2, 4, 4, 4), include_top, weights, input_tensor,
                     input_shape, pooling, classes, WEIGHTS_PATH, WEIGHTS_PATH_NO_TOP)


def preprocess_input(x: Any, **kwargs: Any) -> Any:
    """Preprocesses images for VGG19 ('caffe' mode: RGB -> BGR, ImageNet mean subtracted)."""
    return imagenet_utils.preprocess_input(x, mode="caffe", **kwargs)
