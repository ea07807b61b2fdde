"""Whole-model saving as TF 1.15's Keras: layer (de)serialization, model configs as JSON,
and `save_model` / `load_model` (architecture, weights, training config, optimizer state).

Two file formats hold the same things:

- HDF5 (paths ending in ``.h5``, ``.hdf5`` or ``.keras``, or ``save_format='h5'``; needs
  h5py), in Keras' layout: attributes ``keras_version``, ``backend``, ``model_config`` and
  ``training_config`` (JSON), the group ``model_weights`` (attribute ``layer_names``, one
  group per layer with attribute ``weight_names``) and ``optimizer_weights``.
- flowgraph's checksummed container (any other path): a ``keras_model`` file whose JSON
  document holds the same attributes and weight names, and whose tensors are the weights
  (``model_weights/<layer>/<weight>``, ``optimizer_weights/<weight>``). Nothing is pickled.

Both are written to a temporary file in the same folder and renamed over the target, so a
failed save leaves the previous file intact. `load_model` recognises the format by the
file's first bytes, not its name.
"""

from __future__ import annotations

import json
import os
import tempfile
from typing import Any, Optional

import numpy as np

__all__ = ["serialize", "deserialize", "model_from_config", "model_from_json",
           "save_model", "load_model"]

KERAS_VERSION = "2.2.4-tf"
_KIND = "keras_model"
_HDF5_MAGIC = b"\x89HDF\r\n\x1a\n"
_HDF5_OBJECT_HEADER_LIMIT = 64512


# --------------------------------------------------------------------- layer registry
def _module_objects() -> dict:
    """Every Keras layer class by name (flowgraph.keras.layers), and the model classes."""
    from flowgraph.keras import layers as layers_mod
    from flowgraph.keras import models
    from flowgraph.keras.base_layer import Layer
    objects = {name: value for name, value in vars(layers_mod).items()
               if isinstance(value, type) and issubclass(value, Layer)}
    objects.update(Network=models.Model, Model=models.Model, Sequential=models.Sequential)
    return objects


def serialize(layer: Any) -> dict:
    """``{'class_name': <the layer's class name>, 'config': layer.get_config()}``."""
    get_config = getattr(layer, "get_config", None)
    if get_config is None:
        raise ValueError(f"Cannot serialize {layer!r}: it has no get_config().")
    return {"class_name": type(layer).__name__, "config": get_config()}


def deserialize(config: Any, custom_objects: Optional[dict] = None) -> Any:
    """The layer (or model) a `serialize` dict describes: its class, looked up in
    `custom_objects`, then `tf.keras.utils.get_custom_objects()`, then Keras' own layers,
    rebuilt with ``from_config``."""
    import inspect

    from flowgraph.keras.utils import CustomObjectScope, get_custom_objects
    if not isinstance(config, dict) or "class_name" not in config or "config" not in config:
        raise ValueError(f"Improper config format: {config!r} (a serialized layer is a dict "
                         "with 'class_name' and 'config')")
    custom_objects = dict(custom_objects or {})
    class_name = config["class_name"]
    cls = custom_objects.get(class_name) or get_custom_objects().get(class_name) or \
        _module_objects().get(class_name)
    if cls is None:
        raise ValueError(
            f"Unknown layer: {class_name}. For a layer of your own, pass its class in "
            f"custom_objects, e.g. load_model(path, custom_objects={{'{class_name}': "
            f"{class_name}}}) or deserialize(config, custom_objects=...), or register it in "
            "tf.keras.utils.get_custom_objects().")
    from_config = getattr(cls, "from_config", None)
    if from_config is None:
        raise ValueError(f"{class_name} ({cls!r}) has no from_config: it is not a layer")
    inner = config["config"]
    if "custom_objects" in inspect.signature(from_config).parameters:
        merged = dict(get_custom_objects())
        merged.update(custom_objects)
        return from_config(inner, custom_objects=merged)
    with CustomObjectScope(custom_objects):
        return from_config(inner)


def model_from_config(config: dict, custom_objects: Optional[dict] = None) -> Any:
    """The model (or layer) a ``{'class_name', 'config'}`` dict describes (new weights)."""
    if isinstance(config, list):
        raise TypeError("`model_from_config` expects a dictionary, not a list. Maybe you "
                        "meant to use `Sequential.from_config(config)`?")
    return deserialize(config, custom_objects=custom_objects)


def model_from_json(json_string: str, custom_objects: Optional[dict] = None) -> Any:
    """The model `Model.to_json` described (new weights)."""
    try:
        config = json.loads(json_string)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"model_from_json: the string is not valid JSON ({exc})") from None
    return deserialize(config, custom_objects=custom_objects)


def get_json_type(obj: Any) -> Any:
    """The JSON form of what `json.dumps` cannot write itself (Keras' ``get_json_type``):
    objects with ``get_config``, numpy values, functions (by name), shapes and dtypes."""
    if hasattr(obj, "get_config"):
        return {"class_name": type(obj).__name__, "config": obj.get_config()}
    if type(obj).__module__ == np.__name__ or isinstance(obj, (np.ndarray, np.generic)):
        return obj.tolist() if isinstance(obj, np.ndarray) else obj.item()
    if callable(obj) and hasattr(obj, "__name__"):
        return obj.__name__
    if hasattr(obj, "as_list"):
        return obj.as_list() if obj.ndims is not None else None
    if hasattr(obj, "is_floating") and hasattr(obj, "name"):
        return obj.name
    raise TypeError(f"Not JSON Serializable: {obj!r}")


def model_to_json(model: Any, **kwargs: Any) -> str:
    """`Model.to_json`: ``{'class_name', 'config', 'keras_version', 'backend'}`` as JSON;
    `kwargs` go to `json.dumps`."""
    config = {"class_name": type(model).__name__, "config": model.get_config(),
              "keras_version": KERAS_VERSION, "backend": "tensorflow"}
    return json.dumps(config, default=get_json_type, **kwargs)


# --------------------------------------------------------------------- what is saved
def _metadata(model: Any, include_optimizer: bool) -> dict:
    from flowgraph.keras.optimizers import TFOptimizer
    if not getattr(model, "_is_graph_network", False):
        raise NotImplementedError(
            "Saving the whole model requires a functional or Sequential model (its "
            "architecture is saved as a config); a subclassed model cannot be. Use "
            "model.save_weights(path) instead.")
    meta = {"keras_version": KERAS_VERSION, "backend": "tensorflow",
            "model_config": {"class_name": type(model).__name__,
                             "config": model.get_config()}}
    optimizer = getattr(model, "optimizer", None)
    if include_optimizer and optimizer is not None and getattr(model, "_compiled", False) \
            and not isinstance(optimizer, TFOptimizer):
        args = model._compile_args
        meta["training_config"] = {
            "loss": args.get("loss"), "metrics": args.get("metrics"),
            "weighted_metrics": args.get("weighted_metrics"),
            "sample_weight_mode": args.get("sample_weight_mode"),
            "loss_weights": args.get("loss_weights"),
            "optimizer_config": {"class_name": type(optimizer).__name__,
                                 "config": optimizer.get_config()}}
    return meta


def _layer_weights(model: Any) -> list:
    """[(layer name, [weight names], [values])] for `model.layers`."""
    from flowgraph.keras import backend
    session = backend.get_session()
    out = []
    for layer in model.layers:
        weights = layer.weights
        values = list(session.run(weights)) if weights else []
        out.append((layer.name, [w.name for w in weights], values))
    return out


def _optimizer_weights(model: Any, include_optimizer: bool) -> list:
    """[(weight name, value)] of the optimizer's state (the step count and slots)."""
    from flowgraph.keras import backend
    from flowgraph.keras.optimizers import TFOptimizer
    optimizer = getattr(model, "optimizer", None)
    if not include_optimizer or optimizer is None or isinstance(optimizer, TFOptimizer):
        return []
    weights = optimizer.weights
    if not weights:
        return []
    return list(zip([w.name for w in weights], backend.get_session().run(weights)))


# --------------------------------------------------------------------- save
def save_model(model: Any, filepath: Any, overwrite: bool = True,
               include_optimizer: bool = True, save_format: Optional[str] = None) -> None:
    """Saves `model`'s architecture, weights, training config and (with
    `include_optimizer`) optimizer state to `filepath`: HDF5 for ``.h5`` / ``.hdf5`` /
    ``.keras`` paths or ``save_format='h5'`` (needs h5py), flowgraph's model file otherwise.
    With ``overwrite=False`` an existing file is only replaced if the user agrees."""
    filepath = os.fspath(filepath)
    if save_format is not None and save_format.lower() not in ("h5", "hdf5"):
        raise ValueError(
            f"save_format={save_format!r} is not supported: flowgraph's Keras saves HDF5 "
            "(save_format='h5') or, for a path without an .h5 extension, its own model "
            "file (save_format=None); the SavedModel format ('tf') is not available here.")
    if os.path.isdir(filepath):
        raise IsADirectoryError(f"Cannot save the model to {filepath}: it is a directory; "
                                "give a file path (e.g. model.h5 or model.fgkeras)")
    if not overwrite and os.path.isfile(filepath) and not _ask_to_overwrite(filepath):
        return
    meta = _metadata(model, include_optimizer)
    layers = _layer_weights(model)
    optimizer = _optimizer_weights(model, include_optimizer)
    if save_format is not None or filepath.endswith((".h5", ".hdf5", ".keras")):
        _save_hdf5(filepath, meta, layers, optimizer)
    else:
        _save_container(filepath, meta, layers, optimizer)


def _ask_to_overwrite(filepath: str) -> bool:
    """Keras' prompt: ``[WARNING] <path> already exists - overwrite? [y/n]``."""
    answer = input(f"[WARNING] {filepath} already exists - overwrite? [y/n]").strip().lower()
    while answer not in ("y", "n"):
        answer = input('Enter "y" (overwrite) or "n" (cancel).').strip().lower()
    if answer == "n":
        return False
    print("[TIP] Next time specify overwrite=True!")
    return True


def _dumps(value: Any) -> str:
    return json.dumps(value, default=get_json_type)


def _save_container(filepath: str, meta: dict, layers: list, optimizer: list) -> None:
    from flowgraph.io import container
    tensors = {}
    weight_names = {}
    for layer_name, names, values in layers:
        weight_names[layer_name] = names
        for name, value in zip(names, values):
            tensors[f"model_weights/{layer_name}/{name}"] = np.asarray(value)
    for name, value in optimizer:
        tensors[f"optimizer_weights/{name}"] = np.asarray(value)
    document = {"keras_version": meta["keras_version"], "backend": meta["backend"],
                "model_config": _dumps(meta["model_config"]),
                "training_config": _dumps(meta["training_config"])
                if "training_config" in meta else None,
                "model_weights": {"layer_names": [name for name, _, _ in layers],
                                  "weight_names": weight_names},
                "optimizer_weights": [name for name, _ in optimizer] if optimizer else None}
    container.write(filepath, _KIND, document, tensors)


def _h5py() -> Any:
    try:
        import h5py
    except ImportError:
        raise ImportError("Saving or loading a Keras model in HDF5 format (.h5, .hdf5, "
                          ".keras) needs h5py: pip install h5py. Without it, save to a path "
                          "without those extensions (flowgraph's own model file).") from None
    return h5py


def _save_attributes(group: Any, name: str, data: list) -> None:
    """Keras' ``save_attributes_to_hdf5_group``: a list attribute split into ``name0``,
    ``name1``... when it exceeds HDF5's object header limit."""
    array = np.asarray(data)
    chunks = 1
    split = np.array_split(array, chunks)
    while any(c.nbytes > _HDF5_OBJECT_HEADER_LIMIT for c in split):
        chunks += 1
        split = np.array_split(array, chunks)
    if chunks > 1:
        for i, chunk in enumerate(split):
            group.attrs[f"{name}{i}"] = chunk
    else:
        group.attrs[name] = data


def _load_attributes(group: Any, name: str) -> list:
    def text(values: Any) -> list:
        return [v.decode("utf8") if isinstance(v, bytes) else str(v) for v in values]
    if name in group.attrs:
        return text(group.attrs[name])
    out, i = [], 0
    while f"{name}{i}" in group.attrs:
        out += text(group.attrs[f"{name}{i}"])
        i += 1
    return out


def _save_hdf5(filepath: str, meta: dict, layers: list, optimizer: list) -> None:
    h5py = _h5py()
    folder = os.path.dirname(os.path.abspath(filepath))
    fd, temp = tempfile.mkstemp(prefix=f".{os.path.basename(filepath)}.", suffix=".tmp",
                                dir=folder)
    os.close(fd)
    try:
        with h5py.File(temp, "w") as f:
            for key, value in meta.items():
                f.attrs[key] = _dumps(value).encode("utf8") if isinstance(value, dict) \
                    else value
            group = f.create_group("model_weights")
            _save_attributes(group, "layer_names",
                             [name.encode("utf8") for name, _, _ in layers])
            group.attrs["backend"] = meta["backend"].encode("utf8")
            group.attrs["keras_version"] = meta["keras_version"].encode("utf8")
            for layer_name, names, values in layers:
                g = group.create_group(layer_name)
                _save_attributes(g, "weight_names", [n.encode("utf8") for n in names])
                for name, value in zip(names, values):
                    g.create_dataset(name, data=np.asarray(value))
            if optimizer:
                g = f.create_group("optimizer_weights")
                _save_attributes(g, "weight_names",
                                 [name.encode("utf8") for name, _ in optimizer])
                for name, value in optimizer:
                    g.create_dataset(name, data=np.asarray(value))
            f.flush()
        os.replace(temp, filepath)
    except BaseException:
        if os.path.exists(temp):
            os.unlink(temp)
        raise


# --------------------------------------------------------------------- load
class _Saved:
    """What a model file holds, whatever its format."""

    def __init__(self, model_config: Any, training_config: Any, layer_names: list,
                 layer_weights: dict, optimizer_weights: Optional[list]) -> None:
        self.model_config = model_config
        self.training_config = training_config
        self.layer_names = layer_names
        self.layer_weights = layer_weights
        self.optimizer_weights = optimizer_weights


def load_model(filepath: Any, custom_objects: Optional[dict] = None,
               compile: bool = True) -> Any:  # noqa: A002 - Keras' argument name
    """The model `save_model` wrote: rebuilt from its config (layers of your own through
    `custom_objects`), its weights loaded into the Keras session and, with `compile` and a
    saved training config, compiled as before with the optimizer state restored."""
    filepath = os.fspath(filepath)
    if not os.path.exists(filepath):
        raise OSError(f"Unable to load model: no file at {filepath!r}")
    if os.path.isdir(filepath):
        raise OSError(f"Unable to load model from {filepath!r}: it is a directory, not a "
                      "model file written by model.save / save_model")
    with open(filepath, "rb") as handle:
        head = handle.read(8)
    if head == _HDF5_MAGIC:
        saved = _read_hdf5(filepath)
    elif head == b"FLOWGRPH":
        saved = _read_container(filepath)
    else:
        raise OSError(f"Unable to load model: {filepath!r} is neither an HDF5 file nor a "
                      "flowgraph model file (written by model.save / save_model)")
    model = model_from_config(saved.model_config, custom_objects=custom_objects)
    _load_layer_weights(model, saved.layer_names, saved.layer_weights)
    if not compile:
        return model
    if saved.training_config is None:
        import warnings
        warnings.warn("No training configuration found in save file: the model was *not* "
                      "compiled. Compile it manually.", stacklevel=2)
        return model
    model.compile(**_compile_args(saved.training_config, custom_objects))
    if saved.optimizer_weights:
        model._training_ops()  # makes the optimizer's slots and step counter
        model.optimizer.set_weights(saved.optimizer_weights)
    return model


def _json_field(raw: Any, what: str, filepath: str) -> Any:
    if isinstance(raw, bytes):
        raw = raw.decode("utf8")
    try:
        return json.loads(raw)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{filepath}: the saved {what} is not valid JSON ({exc})") from None


def _read_container(filepath: str) -> _Saved:
    from flowgraph.io import container
    box = container.read(filepath)
    doc = box.document
    if box.kind != _KIND or not isinstance(doc, dict) or "model_config" not in doc:
        raise ValueError(f"No model found in {filepath}: it is a flowgraph {box.kind!r} file, "
                         "not a Keras model written by model.save / save_model")
    weights = doc.get("model_weights")
    if not isinstance(weights, dict) or not isinstance(weights.get("layer_names"), list) \
            or not isinstance(weights.get("weight_names"), dict):
        raise ValueError(f"{filepath}: the model file's weight table is malformed")
    layer_weights = {}
    for layer_name in weights["layer_names"]:
        names = weights["weight_names"].get(layer_name, [])
        layer_weights[layer_name] = [box.read_tensor(f"model_weights/{layer_name}/{n}")
                                     for n in names]
    optimizer = None
    if doc.get("optimizer_weights"):
        optimizer = [box.read_tensor(f"optimizer_weights/{n}")
                     for n in doc["optimizer_weights"]]
    training = doc.get("training_config")
    return _Saved(_json_field(doc["model_config"], "model config", filepath),
                  _json_field(training, "training config", filepath)
                  if training is not None else None,
                  list(weights["layer_names"]), layer_weights, optimizer)


def _read_hdf5(filepath: str) -> _Saved:
    h5py = _h5py()
    with h5py.File(filepath, "r") as f:
        raw = f.attrs.get("model_config")
        if raw is None:
            raise ValueError(f"No model found in config file {filepath} (an HDF5 file "
                             "without a model_config, e.g. one written by save_weights).")
        training = f.attrs.get("training_config")
        group = f["model_weights"]
        layer_names = _load_attributes(group, "layer_names")
        layer_weights = {}
        for name in layer_names:
            g = group[name]
            layer_weights[name] = [np.asarray(g[w])
                                   for w in _load_attributes(g, "weight_names")]
        optimizer = None
        if "optimizer_weights" in f:
            g = f["optimizer_weights"]
            optimizer = [np.asarray(g[w]) for w in _load_attributes(g, "weight_names")]
        return _Saved(_json_field(raw, "model config", filepath),
                      _json_field(training, "training config", filepath)
                      if training is not None else None,
                      layer_names, layer_weights, optimizer)


def _load_layer_weights(model: Any, layer_names: list, saved: dict) -> None:
    """Keras' ``load_weights_from_hdf5_group``: the layers with weights, in order, take the
    saved layers with weights, in order."""
    from flowgraph.keras.base_layer import batch_set_value
    layers = [layer for layer in model.layers if layer.weights]
    names = [name for name in layer_names if saved.get(name)]
    if len(names) != len(layers):
        raise ValueError(f"You are trying to load a weight file containing {len(names)} "
                         f"layers into a model with {len(layers)} layers.")
    pairs = []
    for k, (layer, name) in enumerate(zip(layers, names)):
        values = saved[name]
        weights = layer.weights
        if len(values) != len(weights):
            raise ValueError(f'Layer #{k} (named "{layer.name}" in the current model) was '
                             f"found to correspond to layer {name} in the save file. However "
                             f"the new layer {layer.name} expects {len(weights)} weights, but "
                             f"the saved weights have {len(values)} elements.")
        for weight, value in zip(weights, values):
            if tuple(weight.shape.as_list()) != tuple(value.shape):
                raise ValueError(f"Layer {layer.name}: weight {weight.name} has shape "
                                 f"{weight.shape.as_list()}, the saved one {value.shape}")
            pairs.append((weight, value))
    batch_set_value(pairs)


def _compile_args(training_config: dict, custom_objects: Optional[dict]) -> dict:
    """The `compile` arguments a saved training config describes."""
    from flowgraph.keras import losses, metrics, optimizers
    from flowgraph.keras.utils import get_custom_objects
    custom = dict(get_custom_objects())
    custom.update(custom_objects or {})

    def resolve(value: Any, module: Any) -> Any:
        if isinstance(value, list):
            return [resolve(v, module) for v in value]
        if isinstance(value, dict) and not ("class_name" in value and "config" in value):
            return {k: resolve(v, module) for k, v in value.items()}
        if isinstance(value, dict):
            return module.deserialize(value, custom_objects=custom)
        if isinstance(value, str) and value in custom:
            return custom[value]
        return value

    optimizer = optimizers.deserialize(training_config["optimizer_config"],
                                       custom_objects=custom)
    return dict(optimizer=optimizer, loss=resolve(training_config.get("loss"), losses),
                metrics=resolve(training_config.get("metrics"), metrics),
                weighted_metrics=resolve(training_config.get("weighted_metrics"), metrics),
                loss_weights=training_config.get("loss_weights"),
                sample_weight_mode=training_config.get("sample_weight_mode"))
