"""`fg.data.experimental.Optional` and `get_next_as_optional`, as TF1's: a value that may be
missing, e.g. the next element of an iterator that may have ended, so that a graph can test
for the end (`has_value()`) instead of catching OutOfRangeError."""

from __future__ import annotations

from typing import Any
from typing import Optional as Opt

from flowgraph import dtypes
from flowgraph.data import structure
from flowgraph.data.structure import ElementSpec, Spec
from flowgraph.graph import Tensor
from flowgraph.sparse_tensor import SparseTensor

__all__ = ["Optional", "get_next_as_optional"]


class Optional:
    """A nested structure of tensors that may be missing: `has_value()` says whether it is
    there, `get_value()` gives it (InvalidArgumentError when run without a value)."""

    def __init__(self, has_value: Tensor, value: Any, spec: ElementSpec) -> None:
        self._has_value = has_value
        self._value = value
        self._spec = spec

    def has_value(self, name: Opt[str] = None) -> Tensor:
        """A bool scalar: whether this optional holds a value."""
        from flowgraph.ops.constant import identity
        return identity(self._has_value, name=name or "OptionalHasValue")

    def get_value(self, name: Opt[str] = None) -> Any:
        """The value's tensors (running them without a value is an InvalidArgumentError)."""
        from flowgraph.graph import control_dependencies, name_scope
        from flowgraph.ops.assertions import Assert
        from flowgraph.ops.constant import identity
        with name_scope(name, "OptionalGetValue", [self._has_value]):
            check = Assert(self._has_value, ["The optional does not have a value."])
            with control_dependencies([check]):
                return structure.map_structure(
                    lambda t: SparseTensor(identity(t.indices), identity(t.values),
                                           identity(t.dense_shape))
                    if isinstance(t, SparseTensor) else identity(t), self._value)

    @property
    def value_structure(self) -> Any:
        """The structure of the value: its specs (dtype, shape) nested as the value."""
        return self._spec.structure

    @property
    def output_types(self) -> Any:
        return self._spec.types

    @property
    def output_shapes(self) -> Any:
        return self._spec.shapes

    @staticmethod
    def from_value(value: Any) -> "Optional":
        """An optional holding `value` (a nested structure of tensors)."""
        from flowgraph.ops.constant import constant, convert_to_tensor
        if isinstance(value, list):
            value = tuple(value)
        value = structure.map_structure(
            lambda v: v if isinstance(v, SparseTensor) else convert_to_tensor(v), value)
        specs = [Spec(v.dtype, v.shape, SparseTensor if isinstance(v, SparseTensor) else
                      Tensor) for v in structure.flatten(value)]
        return Optional(constant(True), value, ElementSpec.like(value, specs))

    @staticmethod
    def none_from_structure(value_structure: Any) -> "Optional":
        """An optional without a value, of the structure `value_structure` (nested specs,
        e.g. another optional's `value_structure`)."""
        from flowgraph.ops.constant import constant
        from flowgraph.ops.fill import zeros
        spec = ElementSpec(value_structure)
        leaves = []
        for s in spec.flat:
            if s.cls is SparseTensor:
                raise NotImplementedError("none_from_structure of a sparse structure")
            dims = [d or 0 for d in (s.shape.as_tuple() or ())]
            leaves.append(constant("", shape=dims) if s.dtype == dtypes.string
                          else zeros(dims, s.dtype))
        return Optional(constant(False), structure.pack_as(spec.structure, leaves), spec)


def get_next_as_optional(iterator: Any) -> Optional:
    """The next element of `iterator` as an `Optional`: without a value after the last
    element (running it then raises no OutOfRangeError)."""
    from flowgraph.data.iterator import Iterator, _apply, _ops
    if not isinstance(iterator, Iterator):
        raise TypeError(f"get_next_as_optional() takes an iterator, got "
                        f"{type(iterator).__name__}")
    spec = iterator._spec
    if spec.has_datasets():
        raise TypeError("The elements are datasets (from window()); use flat_map first.")
    components = spec.components()
    op_def = _ops().IteratorGetNextAsOptional(output_types=tuple(c[0] for c in components),
                                              output_shapes=tuple(c[1] for c in components))
    outputs = _apply(op_def, [iterator._handle], None, iterator._handle.graph)
    outputs = [outputs] if isinstance(outputs, Tensor) else list(outputs)
    it = iter(outputs[1:])
    leaves = [SparseTensor(next(it), next(it), next(it)) if s.cls is SparseTensor else next(it)
              for s in spec.flat]
    return Optional(outputs[0], structure.pack_as(spec.structure, leaves), spec)
