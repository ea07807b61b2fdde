"""VGG16 (`tf.keras.applications.vgg16`), as TF 1.15's keras_applications builds it."""

from __future__ import annotations

from typing import Any

from flowgraph.keras import backend
from flowgraph.keras.applications import imagenet_utils
from flowgraph.keras.applications.imagenet_utils import decode_predictions  # noqa: F401

WEIGHTS_PATH = ("https://github.com/fchollet/deep-learning-models/releases/download/v0.1/"
                "vgg16_weights_tf_dim_ordering_tf_kernels.h5")
WEIGHTS_PATH_NO_TOP = ("https://github.com/fchollet/deep-learning-models/releases/download/"
                       "v0.1/vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5")


def build_vgg(name: str, convs_per_block: tuple, include_top: bool, weights: Any,
              input_tensor: Any, input_shape: Any, pooling: Any, classes: int,
              weights_url: str, weights_url_no_top: str) -> Any:
    """The VGG16 / VGG19 graph: five conv blocks, then the classifier or the pooling."""
    from flowgraph.keras import layers
    from flowgraph.keras.models import Model
    url = weights_url if include_top else weights_url_no_top
    weights = imagenet_utils.check_weights(weights, include_top, classes, name.upper(),
                                           url.rsplit("/", 1)[-1], url)
    input_shape = imagenet_utils.obtain_input_shape(
        input_shape, default_size=224, min_size=32, data_format=backend.image_data_format(),
        require_flatten=include_top, weights=weights)
    img_input, inputs = imagenet_utils.model_input(input_tensor, input_shape)
    x = img_input
    for block, (filters, convs) in enumerate(zip((64, 128, 256, 512, 512), convs_per_block),
                                             start=1):
        for conv in range(1, convs + 1):
            x = layers.Conv2D(filters, (3, 3), activation="relu", padding="same",
                              name=f"block{block}_conv{conv}")(x)
        x = layers.MaxPooling2D((2, 2), strides=(2, 2), name=f"block{block}_pool")(x)
    if include_top:
        x = layers.Flatten(name="flatten")(x)
        x = layers.Dense(4096, activation="relu", name="fc1")(x)
        x = layers.Dense(4096, activation="relu", name="fc2")(x)
        x = layers.Dense(classes, activation="softmax", name="predictions")(x)
    elif pooling == "avg":
        x = layers.GlobalAveragePooling2D()(x)
    elif pooling == "max":
        x = layers.GlobalMaxPooling2D()(x)
    model = Model(inputs, x, name=name)
    imagenet_utils.load_weights(model, weights)
    return model


def VGG16(include_top: bool = True, weights: Any = "imagenet",  # noqa: N802 - Keras' name
          input_tensor: Any = None, input_shape: Any = None, pooling: Any = None,
          classes: int = 1000, **kwargs: Any) -> Any:
    """The VGG16 model (138,357,544 parameters with the top). flowgraph never downloads:
    pass ``weights=None`` for random initial weights or a path to a local weights file."""
    if kwargs:
        raise TypeError(f"VGG16 got unexpected keyword arguments {sorted(kwargs)}")
    return build_vgg("vgg16", (2, 2, 3, 3, 3), include_top, weights, input_tensor,
                     input_shape, pooling, classes, WEIGHTS_PATH, WEIGHTS_PATH_NO_TOP)


def preprocess_input(x: Any, **kwargs: Any) -> Any:
    """Preprocesses images for VGG16 ('caffe' mode: RGB -> BGR, ImageNet mean subtracted)."""
    return imagenet_utils.preprocess_input(x, mode="caffe", **kwargs)
