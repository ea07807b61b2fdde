"""Name lookup, serialization and `get` shared by the Keras modules that resolve
identifiers (initializers, regularizers, constraints, activations), as TF 1.15's
``keras/utils/generic_utils.py``: ``serialize_keras_object`` / ``deserialize_keras_object``.

Names are resolved in this order: the `custom_objects` argument, the global custom objects
(`flowgraph.keras.utils.get_custom_objects`), then the module's own names.
"""

from __future__ import annotations

from typing import Any, Callable, Optional

__all__ = ["serialize_object", "serialize_object_or_name", "lookup_object", "deserialize_object",
           "get_object"]


def serialize_object(instance: Any) -> dict:
    """``{'class_name': <type name>, 'config': instance.get_config()}``."""
    return {"class_name": type(instance).__name__, "config": instance.get_config()}


def serialize_object_or_name(obj: Any, object_class: type, printable_module_name: str) -> Any:
    """`serialize_object` of an `object_class` instance, else the function's ``__name__``."""
    if isinstance(obj, object_class):
        return serialize_object(obj)
    name = getattr(obj, "__name__", None)
    if name is None:
        raise ValueError(f"Cannot serialize {printable_module_name} {obj!r}: it is neither a "
                         f"{object_class.__name__} nor a named function.")
    return name


def lookup_object(name: Any, module_objects: dict, custom_objects: Optional[dict] = None,
                  printable_module_name: str = "object",
                  hint: str = "(or pass it in custom_objects).") -> Any:
    """The object called `name`; a ValueError listing the module's names (and `hint`) when
    none is."""
    found = (custom_objects or {}).get(name)
    if found is None:
        from flowgraph.keras.utils import get_custom_objects
        found = get_custom_objects().get(name, module_objects.get(name))
    if found is None:
        raise ValueError(f"Unknown {printable_module_name}: {name}. Known ones: "
                         f"{sorted(module_objects)} {hint}")
    return found


def deserialize_object(config: Any, module_objects: dict,
                       custom_objects: Optional[dict] = None,
                       printable_module_name: str = "object",
                       function_drops: tuple = ()) -> Any:
    """The object a ``{'class_name': ..., 'config': ...}`` dict describes: the class's
    `from_config(config)`, or for a function ``function(**config)`` without the keys in
    `function_drops`."""
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError(f"Improper config format: {config!r} (expected a dict with "
                         "'class_name' and 'config')")
    found = lookup_object(config["class_name"], module_objects, custom_objects,
                          printable_module_name)
    args = dict(config.get("config") or {})
    if hasattr(found, "from_config"):
        return found.from_config(args)
    for key in function_drops:
        args.pop(key, None)
    return found(**args)


def get_object(identifier: Any, deserialize: Callable, printable_module_name: str) -> Any:
    """None -> None; a serialized dict -> ``deserialize(identifier)``; a name ->
    ``deserialize({'class_name': name, 'config': {}})``; a callable -> itself."""
    if identifier is None:
        return None
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, str):
        return deserialize({"class_name": identifier, "config": {}})
    if callable(identifier):
        return identifier
    raise ValueError(f"Could not interpret {printable_module_name} identifier: "
                     f"{identifier!r}")
