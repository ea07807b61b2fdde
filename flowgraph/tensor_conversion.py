"""fg.register_tensor_conversion_function: TF1's registry of conversions of user types.

`fg.convert_to_tensor` (and so every op builder) consults it for values that are not
Tensors, Variables or other flowgraph tensor-like objects. The registry object below is
the documented exception to the no-module-level-state rule: TF's registry is process-wide,
and user code registers its types once, at import time.
"""

from __future__ import annotations

import threading
from typing import Any, Callable, Optional

import numpy as np

from flowgraph import dtypes

__all__ = ["register_tensor_conversion_function", "ConversionRegistry", "registry"]

# Priorities of flowgraph's own conversions, as TF1 registers them: auto-packing of lists
# and tuples holding Tensors at 99, constants at 100 (lists, tuples) and 200 (any object).
AUTOPACK_PRIORITY = 99
LIST_CONSTANT_PRIORITY = 100
CONSTANT_PRIORITY = 200
_UNCONVERTIBLE_TYPES = (int, float, np.generic, np.ndarray)


class ConversionRegistry:
    """Conversion functions by priority (smaller first), then in registration order."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: list = []  # (priority, sequence number, base types, function)
        self._count = 0

    def register(self, base_type: Any, conversion_func: Callable, priority: int = 100) -> None:
        """Adds `conversion_func` for instances of `base_type` (a type or tuple of types)."""
        base_types = base_type if isinstance(base_type, tuple) else (base_type,)
        if any(not isinstance(t, type) for t in base_types):
            raise TypeError(f"Argument `base_type` must be a type or a tuple of types. "
                            f"Obtained: {base_type!r}")
        if any(issubclass(t, _UNCONVERTIBLE_TYPES) for t in base_types):
            raise TypeError("Cannot register conversions for Python numeric types and NumPy "
                            "scalars and arrays: they always convert to constants.")
        if not callable(conversion_func):
            raise TypeError(f"Argument `conversion_func` must be callable as "
                            f"conversion_func(value, dtype=None, name=None, as_ref=False). "
                            f"Received {conversion_func!r}.")
        with self._lock:
            self._count += 1
            self._entries.append((priority, self._count, base_types, conversion_func))
            self._entries.sort(key=lambda e: (e[0], e[1]))

    def get(self, query_type: type) -> list:
        """(priority, base type, function) for `query_type`, in the order they are tried."""
        if not self._entries or issubclass(query_type, _UNCONVERTIBLE_TYPES):
            return []
        with self._lock:
            entries = list(self._entries)
        found = []
        for priority, _, base_types, func in entries:
            for base in base_types:
                if issubclass(query_type, base):
                    found.append((priority, base, func))
                    break
        return found

    @staticmethod
    def builtin_priority(value: Any, holds_tensor: Callable[[Any], bool]) -> int:
        """The priority TF1 gives its own conversion of `value`."""
        if isinstance(value, (list, tuple)):
            return AUTOPACK_PRIORITY if holds_tensor(value) else LIST_CONSTANT_PRIORITY
        return CONSTANT_PRIORITY

    def convert(self, value: Any, dtype: Any, name: Optional[str], preferred_dtype: Any,
                builtin: Callable[[], Any], builtin_priority: int) -> Any:
        """`value` converted by the registered functions for its type, with flowgraph's own
        conversion (`builtin()`) tried in its place in the priority order.
        """
        from flowgraph.graph import Tensor
        dtype = dtypes.as_dtype(dtype) if dtype is not None else None
        preferred = dtypes.as_dtype(preferred_dtype) if preferred_dtype is not None else None
        prefix = "" if name is None else f"{name}: "
        builtin_done = False
        for priority, base, func in self.get(type(value)):
            if not builtin_done and priority > builtin_priority:
                builtin_done = True
                result = builtin()
                if result is not NotImplemented:
                    return result
            ret = None
            if dtype is None and preferred is not None:
                try:
                    ret = func(value, dtype=preferred, name=name, as_ref=False)
                except (TypeError, ValueError):
                    ret = None
                else:
                    if ret is not NotImplemented and isinstance(ret, Tensor) and \
                            ret.dtype.base_dtype != preferred.base_dtype:
                        raise TypeError(f"convert_to_tensor did not convert to the preferred "
                                        f"dtype: {ret.dtype.base_dtype.name} vs "
                                        f"{preferred.base_dtype.name}")
            if ret is None:
                ret = func(value, dtype=dtype, name=name, as_ref=False)
            if ret is NotImplemented:
                continue
            if not isinstance(ret, Tensor):
                raise RuntimeError(f"{prefix}Conversion function {func!r} for type "
                                   f"{base} returned non-Tensor: {ret!r}")
            if dtype is not None and not dtype.is_compatible_with(ret.dtype):
                raise RuntimeError(f"{prefix}Conversion function {func!r} for type {base} "
                                   f"returned incompatible dtype: requested = {dtype.name}, "
                                   f"actual = {ret.dtype.name}")
            return ret
        if not builtin_done:
            return builtin()
        return NotImplemented


registry = ConversionRegistry()


def register_tensor_conversion_function(base_type: Any, conversion_func: Callable,
                                        priority: int = 100) -> None:
    """Registers a function for converting objects of `base_type` to `Tensor`, as TF1's.

    The function is called as ``conversion_func(value, dtype=None, name=None,
    as_ref=False)`` and must return a Tensor (of `dtype` when one is given), or
    `NotImplemented` to let the next function try. Functions run in order of `priority`
    (smaller first), then of registration. flowgraph's own conversions sit at TF1's
    priorities: lists and tuples holding Tensors are packed at 99, other values become
    constants at 200 (100 for lists and tuples).

    >>> class Meters:
    ...     def __init__(self, v): self.v = v
    >>> fg.register_tensor_conversion_function(
    ...     Meters, lambda value, dtype=None, name=None, as_ref=False:
    ...         fg.constant(value.v, dtype=dtype, name=name))
    >>> fg.add(Meters(2.0), 1.0)  # 3.0

    Raises
    ------
    TypeError
        If `base_type` is not a type (or tuple of types), is a Python or NumPy numeric
        type or `np.ndarray`, or `conversion_func` is not callable.
    """
    registry.register(base_type, conversion_func, priority)
