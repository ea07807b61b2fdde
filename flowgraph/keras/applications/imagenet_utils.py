"""Shared helpers of `tf.keras.applications` (TF 1.15's keras_applications.imagenet_utils):
`preprocess_input`, `decode_predictions`, and the input-shape / weights checks.

flowgraph never downloads anything: ImageNet weights and the class index are read only from
files the user already has (a path, or Keras' cache directory ``~/.keras/models``).
"""

from __future__ import annotations

import json
import os
import warnings
from typing import Any, Optional

import numpy as np

from flowgraph.keras import backend, backend_ops

CLASS_INDEX_FILE = "imagenet_class_index.json"
CLASS_INDEX_PATH = ("https://storage.googleapis.com/download.tensorflow.org/"
                    "data/imagenet_class_index.json")
_CLASS_INDEX: Optional[dict] = None

_MODES = ("caffe", "tf", "torch")


def keras_cache_dir() -> str:
    """Where Keras' `get_file` caches downloads (``$KERAS_HOME`` or ``~/.keras``) + models."""
    base = os.environ.get("KERAS_HOME", os.path.join(os.path.expanduser("~"), ".keras"))
    return os.path.join(base, "models")


def _mode_and_format(mode: str, data_format: Optional[str]) -> str:
    if mode not in _MODES:
        raise ValueError(f"preprocess_input: unknown mode {mode!r}; expected one of "
                         f"{', '.join(repr(m) for m in _MODES)}.")
    if data_format is None:
        data_format = backend.image_data_format()
    if data_format not in ("channels_first", "channels_last"):
        raise ValueError(f"Unknown data_format {data_format!r}; expected 'channels_first' "
                         "or 'channels_last'.")
    return data_format


def _constants(mode: str) -> tuple:
    if mode == "torch":
        return [0.485, 0.456, 0.406], [0.229, 0.224, 0.225]
    return [103.939, 116.779, 123.68], None


def _preprocess_numpy_input(x: np.ndarray, data_format: str, mode: str) -> np.ndarray:
    # as keras_applications: float arrays are modified in place, others converted to floatx
    if not issubclass(x.dtype.type, np.floating):
        x = x.astype(backend.floatx(), copy=False)
    if mode == "tf":
        x /= 127.5
        x -= 1.0
        return x
    if mode == "torch":
        x /= 255.0
    elif data_format == "channels_first":
        x = x[::-1, ...] if x.ndim == 3 else x[:, ::-1, ...]  # RGB -> BGR
    else:
        x = x[..., ::-1]
    mean, std = _constants(mode)
    for c in range(3):
        if data_format == "channels_first":
            index: Any = (c,) if x.ndim == 3 else (slice(None), c)
        else:
            index = (Ellipsis, c)
        x[index] -= mean[c]
        if std is not None:
            x[index] /= std[c]
    return x


def _preprocess_symbolic_input(x: Any, data_format: str, mode: str) -> Any:
    if mode == "tf":
        return x / 127.5 - 1.0
    if mode == "torch":
        x = x / 255.0
    else:
        channel_axis = (0 if backend_ops.ndim(x) == 3 else 1) \
            if data_format == "channels_first" else -1
        x = backend_ops.reverse(x, channel_axis)  # RGB -> BGR
    mean, std = _constants(mode)
    mean_tensor = backend_ops.constant(-np.array(mean), dtype=backend_ops.dtype(x))
    x = backend_ops.bias_add(x, mean_tensor, data_format)
    if std is not None:
        shape = (3, 1, 1) if data_format == "channels_first" else (3,)
        x = x / backend_ops.constant(np.reshape(std, shape), dtype=backend_ops.dtype(x))
    return x


def preprocess_input(x: Any, data_format: Optional[str] = None, mode: str = "caffe",
                     **kwargs: Any) -> Any:
    """Preprocesses an image batch (numpy array or tensor) for an ImageNet model.

    mode 'caffe': RGB -> BGR, then subtract the ImageNet mean (103.939, 116.779, 123.68)
    per BGR channel, no scaling. 'tf': scale to [-1, 1]. 'torch': scale to [0, 1], then
    subtract (0.485, 0.456, 0.406) and divide by (0.229, 0.224, 0.225) per RGB channel.
    A float numpy array is changed in place (as in TF 1.15).
    """
    if kwargs:
        raise TypeError(f"preprocess_input got unexpected keyword arguments {sorted(kwargs)}")
    data_format = _mode_and_format(mode, data_format)
    if isinstance(x, np.ndarray):
        return _preprocess_numpy_input(x, data_format, mode)
    if isinstance(x, (list, tuple, int, float)):
        return _preprocess_numpy_input(np.asarray(x), data_format, mode)
    return _preprocess_symbolic_input(x, data_format, mode)


def _load_class_index() -> dict:
    global _CLASS_INDEX
    if _CLASS_INDEX is None:
        path = os.path.join(keras_cache_dir(), CLASS_INDEX_FILE)
        if not os.path.exists(path):
            raise FileNotFoundError(
                f"decode_predictions needs the ImageNet class index {CLASS_INDEX_FILE!r}, "
                f"which flowgraph does not download. Download it yourself from "
                f"{CLASS_INDEX_PATH} and save it as {path!r} (or set KERAS_HOME).")
        with open(path) as f:
            _CLASS_INDEX = json.load(f)
    return _CLASS_INDEX


def decode_predictions(preds: Any, top: int = 5, **kwargs: Any) -> list:
    """Decodes ImageNet predictions ``(samples, 1000)`` into lists of
    ``(class_name, class_description, score)`` tuples, best first, `top` per sample.
    Reads the class index from ``~/.keras/models/imagenet_class_index.json``."""
    if kwargs:
        raise TypeError(f"decode_predictions got unexpected keyword arguments {sorted(kwargs)}")
    preds = np.asarray(preds)
    if len(preds.shape) != 2 or preds.shape[1] != 1000:
        raise ValueError("`decode_predictions` expects a batch of predictions (i.e. a 2D array "
                         f"of shape (samples, 1000)). Found array with shape: {preds.shape}")
    class_index = _load_class_index()
    results = []
    for pred in preds:
        top_indices = pred.argsort()[-top:][::-1]
        result = [tuple(class_index[str(i)]) + (pred[i],) for i in top_indices]
        result.sort(key=lambda r: r[2], reverse=True)
        results.append(result)
    return results


def check_weights(weights: Any, include_top: bool, classes: int, model: str,
                  file_name: str, url: str) -> Any:
    """TF 1.15's checks of `weights`; 'imagenet' resolves to the Keras cache file when the
    user already has it there, otherwise a clear error (flowgraph never downloads)."""
    if not (weights in {"imagenet", None} or os.path.exists(str(weights))):
        raise ValueError("The `weights` argument should be either `None` (random "
                         "initialization), `imagenet` (pre-training on ImageNet), or the "
                         f"path to the weights file to be loaded. Got {weights!r}.")
    if weights == "imagenet" and include_top and classes != 1000:
        raise ValueError('If using `weights` as `"imagenet"` with `include_top` as true, '
                         "`classes` should be 1000")
    if weights != "imagenet":
        return weights
    cached = os.path.join(keras_cache_dir(), file_name)
    if os.path.exists(cached):
        return cached
    raise ValueError(
        f"{model}(weights='imagenet') needs the pretrained weights file {file_name!r}, which "
        "TF downloads but flowgraph never does. Pass weights=None for random initial "
        f"weights, or download {url} yourself and pass weights='<path to the .h5 file>' "
        f"(or save it as {cached!r}).")


def load_weights(model: Any, weights: Any) -> None:
    """Loads a local weights file into a freshly built application model."""
    if weights is None:
        return
    if str(weights).endswith((".h5", ".hdf5", ".keras")):
        try:
            import h5py  # noqa: F401
        except ImportError as exc:
            raise ImportError(f"Loading the weights file {weights!r} needs h5py: "
                              "pip install h5py") from exc
    model.load_weights(weights)


def obtain_input_shape(input_shape: Any, default_size: int, min_size: int, data_format: str,
                       require_flatten: bool, weights: Any = None) -> tuple:
    """The model's input shape from the user's `input_shape` (TF 1.15's
    `_obtain_input_shape`, with its errors)."""
    if input_shape is not None:
        input_shape = tuple(input_shape)
    first = data_format == "channels_first"
    if weights != "imagenet" and input_shape and len(input_shape) == 3:
        channels = input_shape[0] if first else input_shape[-1]
        if channels not in {1, 3}:
            warnings.warn("This model usually expects 1 or 3 input channels. However, it was "
                          f"passed an input_shape with {channels} input channels.",
                          stacklevel=3)
        default_shape = ((channels, default_size, default_size) if first
                         else (default_size, default_size, channels))
    else:
        default_shape = (3, default_size, default_size) if first \
            else (default_size, default_size, 3)
    if weights == "imagenet" and require_flatten:
        if input_shape is not None and input_shape != default_shape:
            raise ValueError("When setting `include_top=True` and loading `imagenet` weights, "
                             f"`input_shape` should be {default_shape}.")
        return default_shape
    if input_shape:
        if len(input_shape) != 3:
            raise ValueError("`input_shape` must be a tuple of three integers.")
        channels = input_shape[0] if first else input_shape[-1]
        spatial = input_shape[1:] if first else input_shape[:2]
        if channels != 3 and weights == "imagenet":
            raise ValueError(f"The input must have 3 channels; got `input_shape={input_shape}`")
        if any(s is not None and s < min_size for s in spatial):
            raise ValueError(f"Input size must be at least {min_size}x{min_size}; got "
                             f"`input_shape={input_shape}`")
    elif require_flatten:
        input_shape = default_shape
    else:
        input_shape = (3, None, None) if first else (None, None, 3)
    if require_flatten and None in input_shape:
        raise ValueError("If `include_top` is True, you should specify a static "
                         f"`input_shape`. Got `input_shape={input_shape}`")
    return input_shape


def model_input(input_tensor: Any, input_shape: tuple) -> tuple:
    """(image input, model inputs) as keras_applications builds them."""
    from flowgraph.keras.input_layer import Input
    if input_tensor is None:
        img_input = Input(shape=input_shape)
    elif not backend_ops.is_keras_tensor(input_tensor):
        img_input = Input(tensor=input_tensor, shape=input_shape)
    else:
        img_input = input_tensor
    return img_input, img_input
