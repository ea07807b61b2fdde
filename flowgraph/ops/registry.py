"""The Op base class and the op registry.

An op definition is a frozen dataclass registered under its type name (its serialized
name). Its fields are the op's typed attributes; its methods say what it does:

- ``infer(op)``: the outputs' (dtype, TensorShape) from the node's input tensors,
- ``kernel(*values)``: the numpy computation (``kernel(state, *values)`` for ops that
  declare ``needs_state``: they read or write per-Session state such as Variables),
- ``grad(op, *output_grads)``: the gradient as graph nodes (None: not differentiable).
"""

from __future__ import annotations

import dataclasses
import typing
from typing import Any, ClassVar, Optional, Sequence

import numpy as np

from flowgraph import dtypes
from flowgraph.graph import (
    _NOT_COMPUTED,
    Operation,
    Tensor,
    building_graph,
    get_default_graph,
)
from flowgraph.shapes import TensorShape, as_shape

_REGISTRY: dict = {}
_DType = dtypes.DType


class Op:
    """Base class of every op definition; subclass it and decorate with `@register`."""

    type_name: ClassVar[str] = ""
    # Stateful ops (variables, random, assign, iterators) are never folded or merged.
    stateful: ClassVar[bool] = False
    # The kernel takes the Session's RunState as its first argument.
    needs_state: ClassVar[bool] = False
    # Input positions that take a Variable by reference (the Variable op's output is not
    # read; the kernel gets the variable's RunState key instead of a value).
    ref_inputs: ClassVar[tuple] = ()
    # False for ops that have no gradient (comparisons, argmax, casts to int, ...).
    differentiable: ClassVar[bool] = True
    # True when the gradient rule returns gradients of the (numpy-)broadcast output shape;
    # flowgraph.gradients then sums each back to its input's shape, once for all ops.
    broadcasting: ClassVar[bool] = False
    # True when `grad` handles IndexedSlices output gradients itself (keeping them sparse,
    # e.g. Identity, Add, Neg, Cast); other rules receive them densified.
    accepts_indexed_slices: ClassVar[bool] = False
    # True for kernels that already use every core (BLAS matmuls): the thread-pool
    # executor does not count them as work to overlap with other ops.
    uses_all_cores: ClassVar[bool] = False

    def infer(self, op: Operation) -> list:
        """The outputs' [(dtype, TensorShape), ...] of node `op`; raise ValueError if the
        inputs do not fit."""
        raise NotImplementedError(f"{type(self).__name__} must define infer()")

    def kernel(self, *values: Any) -> Any:
        """Computes the outputs (one array, or a tuple for ops with several outputs)."""
        raise NotImplementedError(f"{type(self).__name__} must define kernel()")

    # ``grad(self, op, *output_grads)`` returns one gradient per input (a Tensor, an
    # IndexedSlices or None), built from graph ops; None here means no rule yet.
    grad: Any = None

    # Optional: ``fast_kernel(node)`` returns a cheaper callable for this node (e.g. np.add
    # itself), or None to use ``kernel``. Static-value folding always calls ``kernel``.

    @classmethod
    def default_name(cls) -> str:
        return cls.type_name

    @classmethod
    def attribute_names(cls) -> tuple:
        return tuple(f.name for f in dataclasses.fields(cls))

    def attributes(self) -> dict:
        """The typed attributes as a dict (for serialization and display)."""
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}

    def infer_checked(self, op: Operation) -> list:
        """Runs `infer` and wraps its ValueError / TypeError with where the node comes from."""
        try:
            specs = self.infer(op)
        except (ValueError, TypeError) as exc:
            raise type(exc)(f"{exc}\n  while building {op.describe()}\n  inputs: "
                            f"{describe_inputs(op.inputs)}") from None
        return [(d if type(d) is _DType else dtypes.as_dtype(d),
                 s if type(s) is TensorShape else as_shape(s)) for d, s in specs]

    def __post_init__(self) -> None:
        for name, kind in _field_types(type(self)).items():
            value = getattr(self, name)
            converted = _coerce(kind, value, type(self).type_name, name)
            if converted is not value:
                object.__setattr__(self, name, converted)
        self.check()

    def check(self) -> None:
        """Validates attribute values; override to raise ValueError on bad ones."""


def describe_inputs(inputs: Sequence[Tensor]) -> str:
    if not inputs:
        return "(none)"
    return ", ".join(f"{t.name} {t.dtype.name}{t.shape}" for t in inputs)


def _field_types(cls: type) -> dict:
    cached = cls.__dict__.get("_field_types_cache")
    if cached is None:
        hints = typing.get_type_hints(cls)
        cached = {f.name: hints.get(f.name) for f in dataclasses.fields(cls)}
        cls._field_types_cache = cached
    return cached


def _coerce(kind: Any, value: Any, op_type: str, field: str) -> Any:
    """Converts a field value to its declared type (lists to tuples, names to DTypes)."""
    if value is None:
        return value
    try:
        if kind is dtypes.DType:
            return dtypes.as_dtype(value)
        if kind is TensorShape:
            return as_shape(value)
        if kind is bool:
            if not isinstance(value, (bool, np.bool_)):
                raise TypeError
            return bool(value)
        if kind is int:
            if isinstance(value, bool) or int(value) != value:
                raise TypeError
            return int(value)
        if kind is float:
            return float(value)
        if kind is str and not isinstance(value, str):
            raise TypeError
        origin = typing.get_origin(kind)
        if origin is tuple and isinstance(value, (list, tuple, np.ndarray)):
            return tuple(v.item() if isinstance(v, np.generic) else v for v in value)
        if origin is typing.Union:
            return value
    except (TypeError, ValueError):
        raise TypeError(f"Attribute {field!r} of op {op_type} must be {_kind_name(kind)}, got "
                        f"{type(value).__name__} {value!r}") from None
    return value


def _kind_name(kind: Any) -> str:
    return getattr(kind, "__name__", str(kind))


def register(cls: type) -> type:
    """Registers an op class under ``cls.type_name`` (default: the class name) and makes it
    a frozen keyword-only dataclass."""
    if not cls.__dict__.get("type_name"):
        cls.type_name = cls.__name__
    name = cls.type_name
    if name in _REGISTRY and _REGISTRY[name].__qualname__ != cls.__qualname__:
        raise ValueError(f"Op type {name!r} is already registered by "
                         f"{_REGISTRY[name].__module__}.{_REGISTRY[name].__qualname__}")
    if "__dataclass_fields__" not in cls.__dict__:
        cls = dataclasses.dataclass(frozen=True, kw_only=True)(cls)
    _REGISTRY[name] = cls
    return cls


def lookup(type_name: str) -> type:
    """The op class registered under `type_name`; KeyError listing close names otherwise."""
    cls = _REGISTRY.get(type_name)
    if cls is None:
        import difflib
        close = difflib.get_close_matches(type_name, list(_REGISTRY), n=5)
        raise KeyError(f"No op type {type_name!r} is registered."
                       + (f" Close matches: {close}." if close else "")
                       + " It may come from a newer flowgraph, or need an import.")
    return cls


def registered_ops() -> dict:
    """A copy of {type name: op class} for every registered op."""
    return dict(_REGISTRY)


# --------------------------------------------------------------------------- building nodes
def apply_op(op_def: Op, inputs: Sequence[Tensor], name: Optional[str] = None,
             graph: Any = None) -> Any:
    """Adds a node; returns its only output, the list of its outputs, or the Operation when
    it has none."""
    if graph is None:
        graph = building_graph(inputs[0].graph) if inputs else get_default_graph()
    op = graph.create_op(op_def, inputs, name=name)
    outputs = op._outputs
    if len(outputs) == 1:
        return outputs[0]
    return op if not outputs else list(outputs)


def graph_of(*values: Any) -> Any:
    """The graph of the first Tensor-like among `values`, else the default graph."""
    for value in values:
        if isinstance(value, Tensor):
            return building_graph(value.graph)
        if isinstance(value, (list, tuple)):
            for item in value:
                if isinstance(item, Tensor):
                    return building_graph(item.graph)
        to_tensor = getattr(value, "__fg_tensor__", None)
        if to_tensor is not None:
            return building_graph(to_tensor().graph)
    return get_default_graph()


# --------------------------------------------------------------------------- static values
_MAX_STATIC_ELEMENTS = 1 << 16


def constant_value(tensor: Tensor) -> Optional[np.ndarray]:
    """The tensor's value if it is known when the graph is built, else None.

    Constants are known; so is any stateless op whose inputs are all known (small results
    only), and ops that define ``static_value`` (e.g. Shape of a fully known shape).
    """
    cached = tensor._static
    if cached is not _NOT_COMPUTED:
        return cached
    value = _compute_static(tensor)
    tensor._static = value
    return value


def _compute_static(tensor: Tensor) -> Optional[np.ndarray]:
    op = tensor.op
    op_def = op.op_def
    custom = getattr(op_def, "static_value", None)
    if custom is not None:
        values = custom(op)
        return None if values is None else values[tensor.value_index]
    if op_def.stateful or op_def.needs_state or op.control_inputs:
        return None
    inputs = []
    for t in op.inputs:
        value = constant_value(t)
        if value is None:
            return None
        inputs.append(value)
    try:
        result = op_def.kernel(*inputs)
    except Exception:  # a kernel that fails here fails again, with context, when run
        return None
    outputs = result if len(op._outputs) != 1 else (result,)
    value = np.asarray(outputs[tensor.value_index])
    return value if value.size <= _MAX_STATIC_ELEMENTS else None
