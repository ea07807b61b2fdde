"""Name lookup, serialization and `get` shared by the Keras modules that resolve
identifiers (initializers, regularizers, constraints, activations), as TF 1.15's
``keras/utils/generic_utils.py``: ``serialize_keras_object`` / ``deserialize_keras_object``.

Names are resolved in this order: the `custom_objects` argument, the global custom objects
(`flowgraph.keras.utils.get_custom_objects`), then the module's own names.
"""

from __future__ import annotations

from typing import Any, Callable, Optional

import numpy as np

__all__ = ["serialize_object", "serialize_object_or_name", "lookup_object", "deserialize_object",
           "get_object", "Progbar"]


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


class Progbar:
    """`tf.keras.utils.Progbar` as TF 1.15: a progress bar on stdout.

    Parameters
    ----------
    target : total number of steps (or samples) expected, None if unknown.
    width : the width of the bar in characters.
    verbose : 0 (silent), 1 (a bar redrawn in place, ``' 32/100 [=====>....] - ETA: 0s -
        loss: 0.6931'``) or 2 (one line when `target` is reached: ``'100/100 - 0s - loss:
        0.6931'``).
    interval : the minimum time (s) between two redraws of the bar (verbose 1).
    stateful_metrics : names whose values are shown as given; the others are shown as
        their mean over the steps, weighted by the steps each value covers.
    unit_name : ``'step'`` or ``'sample'``, for the time per unit shown at the end.
    """

    def __init__(self, target: Any, width: int = 30, verbose: int = 1,
                 interval: float = 0.05, stateful_metrics: Any = None,
                 unit_name: str = "step") -> None:
        import sys
        import time
        self.target = target
        self.width = width
        self.verbose = verbose
        self.interval = interval
        self.unit_name = unit_name
        self.stateful_metrics = set(stateful_metrics) if stateful_metrics else set()
        self._dynamic_display = ((hasattr(sys.stdout, "isatty") and sys.stdout.isatty())
                                 or "ipykernel" in sys.modules or "posix" in sys.modules)
        self._total_width = 0
        self._seen_so_far = 0
        self._values: dict = {}
        self._values_order: list = []
        self._start = time.time()
        self._last_update = 0.0

    def update(self, current: int, values: Any = None) -> None:
        """Moves the bar to step `current`; `values` is a list of ``(name, value)``."""
        import time
        for key, value in values or []:
            if key not in self._values_order:
                self._values_order.append(key)
            if key not in self.stateful_metrics:
                base = current - self._seen_so_far
                if key not in self._values:
                    self._values[key] = [value * base, base]
                else:
                    self._values[key][0] += value * base
                    self._values[key][1] += base
            else:
                self._values[key] = [value, 1]
        self._seen_so_far = current
        now = time.time()
        info = f" - {now - self._start:.0f}s"
        done = self.target is not None and current >= self.target
        if self.verbose == 1:
            if now - self._last_update < self.interval and self.target is not None \
                    and not done:
                return
            self._write_bar(current, now, info, done)
        elif self.verbose == 2 and done:
            count = f"{current:{len(str(int(self.target)))}d}/{self.target}"
            line = count + info
            for key in self._values_order:
                line += f" - {key}: {self._format(key, signed=False)}"
            _write(line + "\n")
        self._last_update = now

    def _format(self, key: str, signed: bool = True) -> str:
        value = self._values[key]
        avg = float(np.mean(value[0] / max(1, value[1])))
        shown = abs(avg) if signed else avg
        return f"{avg:.4f}" if shown > 1e-3 else f"{avg:.4e}"

    def _write_bar(self, current: int, now: float, info: str, done: bool) -> None:
        prev_total_width = self._total_width
        message = "\b" * prev_total_width + "\r" if self._dynamic_display else "\n"
        if self.target is not None:
            bar = f"{current:{len(str(int(self.target)))}d}/{self.target} ["
            prog_width = int(self.width * float(current) / self.target)
            if prog_width > 0:
                bar += "=" * (prog_width - 1) + (">" if current < self.target else "=")
            bar += "." * (self.width - prog_width) + "]"
        else:
            bar = f"{current:7d}/Unknown"
        self._total_width = len(bar)
        message += bar
        time_per_unit = (now - self._start) / current if current else 0
        if self.target is not None and current < self.target:
            eta = time_per_unit * (self.target - current)
            if eta > 3600:
                eta_format = f"{int(eta // 3600)}:{int((eta % 3600) // 60):02d}:" \
                             f"{int(eta % 60):02d}"
            elif eta > 60:
                eta_format = f"{int(eta // 60)}:{int(eta % 60):02d}"
            else:
                eta_format = f"{int(eta)}s"
            info = f" - ETA: {eta_format}"
        elif time_per_unit >= 1 or time_per_unit == 0:
            info += f" {time_per_unit:.0f}s/{self.unit_name}"
        elif time_per_unit >= 1e-3:
            info += f" {time_per_unit * 1e3:.0f}ms/{self.unit_name}"
        else:
            info += f" {time_per_unit * 1e6:.0f}us/{self.unit_name}"
        for key in self._values_order:
            info += f" - {key}: {self._format(key)}"
        self._total_width += len(info)
        if prev_total_width > self._total_width:
            info += " " * (prev_total_width - self._total_width)
        if done:
            info += "\n"
        _write(message + info)

    def add(self, n: int, values: Any = None) -> None:
        """Moves the bar `n` steps forward."""
        self.update(self._seen_so_far + n, values)


def _write(text: str) -> None:
    import sys
    sys.stdout.write(text)
    sys.stdout.flush()
