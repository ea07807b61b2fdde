"""`fg.data.Options` and its parts, as TF1's `tf.data.Options`: settings a pipeline carries
(`Dataset.with_options`, `Dataset.options()`). flowgraph keeps and merges them as TF1 does;
they do not change how its pipelines run (the results are the same either way)."""

from __future__ import annotations

import enum
from typing import Any

__all__ = ["AutoShardPolicy", "DistributeOptions", "MapVectorizationOptions",
           "OptimizationOptions", "Options", "StatsOptions", "ThreadingOptions"]


class AutoShardPolicy(enum.IntEnum):
    """How a distributed input pipeline is sharded (TF1's values)."""

    AUTO = 0
    FILE = 1
    DATA = 2
    OFF = -1


class OptionsBase:
    """Options with a fixed set of attributes (`_fields`: name -> (types, default)); unset
    ones read as their default; setting an unknown one is an AttributeError."""

    _fields: dict = {}

    def __init__(self) -> None:
        object.__setattr__(self, "_values", {})

    def __getattr__(self, name: str) -> Any:
        fields = type(self)._fields
        if name not in fields:
            raise AttributeError(f"{type(self).__name__} has no option {name!r}; the "
                                 f"options are {sorted(fields)}")
        values = object.__getattribute__(self, "_values")
        if name not in values and isinstance(fields[name][1], type):
            values[name] = fields[name][1]()  # a nested options object
        return values.get(name, fields[name][1])

    def __setattr__(self, name: str, value: Any) -> None:
        fields = type(self)._fields
        if name not in fields:
            raise AttributeError(f"Cannot set the property {name} on "
                                 f"{type(self).__name__}; the options are {sorted(fields)}")
        types = fields[name][0]
        if value is not None and not isinstance(value, types):
            names = " or ".join(t.__name__ for t in types)
            raise TypeError(f"{type(self).__name__}.{name} must be {names} (or None), got "
                            f"{type(value).__name__} {value!r:.40}")
        self._values[name] = value

    def __eq__(self, other: Any) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return all(getattr(self, n) == getattr(other, n) for n in type(self)._fields)

    def __ne__(self, other: Any) -> bool:
        result = self.__eq__(other)
        return result if result is NotImplemented else not result

    __hash__ = None  # type: ignore[assignment]  # mutable, as TF1's

    def _merge_from(self, other: "OptionsBase") -> None:
        """Sets the options `other` sets; a conflict is a ValueError (as TF1's merge)."""
        for name, value in other._values.items():
            if isinstance(value, OptionsBase):
                getattr(self, name)._merge_from(value)
                continue
            mine = self._values.get(name)
            if mine is not None and value is not None and mine != value:
                raise ValueError(f"Cannot merge incompatible values ({mine!r} and "
                                 f"{value!r}) of option: {name}")
            if value is not None:
                self._values[name] = value

    def as_items(self) -> tuple:
        """The options set, as ("a.b", value) pairs of plain values (how a dataset
        description holds them)."""
        items = []
        for name, value in sorted(self._values.items()):
            if isinstance(value, OptionsBase):
                items += [(f"{name}.{k}", v) for k, v in value.as_items()]
            elif value is not None:
                items.append((name, int(value) if isinstance(value, enum.IntEnum) else value))
        return tuple(items)

    def set_items(self, items: tuple) -> None:
        """Sets the options of `as_items` pairs."""
        for path, value in items:
            target = self
            *parents, name = path.split(".")
            for parent in parents:
                target = getattr(target, parent)
            setattr(target, name, value)

    def __repr__(self) -> str:
        set_ = ", ".join(f"{k}={v!r}" for k, v in sorted(self._values.items()))
        return f"{type(self).__name__}({set_})"


_B, _I, _F = (bool,), (int,), (int, float)


class MapVectorizationOptions(OptionsBase):
    """Settings of map vectorization (kept for compatibility)."""

    _fields = {"enabled": (_B, None), "use_choose_fastest": (_B, None)}


class OptimizationOptions(OptionsBase):
    """Which static pipeline optimizations to apply (kept for compatibility)."""

    _fields = {name: (_B, None) for name in (
        "apply_default_optimizations", "autotune", "autotune_buffers", "filter_fusion",
        "filter_with_random_uniform_fusion", "hoist_random_uniform", "map_and_batch_fusion",
        "map_and_filter_fusion", "map_fusion", "map_parallelization", "noop_elimination",
        "parallel_batch", "shuffle_and_repeat_fusion")}
    _fields["autotune_cpu_budget"] = (_I, None)
    _fields["map_vectorization"] = ((MapVectorizationOptions,), MapVectorizationOptions)


class ThreadingOptions(OptionsBase):
    """Thread pool settings of a pipeline."""

    _fields = {"max_intra_op_parallelism": (_I, None), "private_threadpool_size": (_I, None)}


class StatsOptions(OptionsBase):
    """Statistics collection settings (kept for compatibility)."""

    _fields = {"aggregator": ((object,), None), "counter_prefix": ((str,), None),
               "latency_all_edges": (_B, None), "prefix": ((str,), None)}


class DistributeOptions(OptionsBase):
    """Settings of distributed input pipelines."""

    _fields = {"auto_shard": (_B, None), "auto_shard_policy": ((int,), AutoShardPolicy.AUTO),
               "num_devices": (_I, None)}


class Options(OptionsBase):
    """A pipeline's options, as TF1's `tf.data.Options`::

        options = fg.data.Options()
        options.experimental_deterministic = False
        options.experimental_threading.private_threadpool_size = 4
        dataset = dataset.with_options(options)
    """

    _fields = {"experimental_deterministic": (_B, None),
               "experimental_distribute": ((DistributeOptions,), DistributeOptions),
               "experimental_optimization": ((OptimizationOptions,), OptimizationOptions),
               "experimental_slack": (_B, None),
               "experimental_stats": ((StatsOptions,), StatsOptions),
               "experimental_threading": ((ThreadingOptions,), ThreadingOptions),
               "experimental_external_state_policy": ((object,), None)}

    def merge(self, options: "Options") -> "Options":
        """A new Options with the options set in this one and in `options` (ValueError if
        both set one to different values)."""
        if not isinstance(options, Options):
            raise TypeError(f"merge() takes an Options object, got {type(options).__name__}")
        result = Options()
        result._merge_from(self)
        result._merge_from(options)
        return result


def options_of(node: Any) -> Options:
    """The merged options of the "Options" nodes of a dataset description node and the
    nodes it was made from (each node once)."""
    result = Options()
    seen: set = set()
    stack = [node]
    while stack:
        current = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        if current.kind == "Options":
            found = Options()
            found.set_items(current.attrs["options"])
            result = result.merge(found)
        stack.extend(current.children)
    return result
