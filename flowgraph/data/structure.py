"""Element structures of datasets: nesting, leaf specs, and TF1's output_* structures.

As in tf.data, tuples (and namedtuples) and dicts nest; everything else, Python lists
included, is a leaf (a list becomes one tensor). Dicts flatten in sorted key order and are
rebuilt in their own key order. A leaf's `Spec` holds its dtype, static shape and class
(fg.Tensor, fg.SparseTensor, or a Dataset for the windows of `Dataset.window`).

At run time an element is the flat tuple of its leaves' values: numpy arrays (strings are
object arrays of bytes), SparseTensorValues for sparse leaves, `WindowValue`s for windows
(`DatasetValue`s for the shard datasets of a snapshot's reader_func).
"""

from __future__ import annotations

from typing import Any, Callable, Iterator, Optional, Sequence

import numpy as np

from flowgraph import dtypes
from flowgraph.graph import Tensor
from flowgraph.shapes import TensorShape, as_shape
from flowgraph.sparse_tensor import SparseTensor, SparseTensorValue


# --------------------------------------------------------------------------- nesting
def is_nested(value: Any) -> bool:
    """Tuples (namedtuples too) and dicts nest; a SparseTensorValue is one leaf."""
    return isinstance(value, (tuple, dict)) and not isinstance(value, SparseTensorValue)


def _sorted_keys(value: dict) -> list:
    try:
        return sorted(value)
    except TypeError:
        raise TypeError(f"Dict keys of a dataset element must be sortable, got "
                        f"{list(value)!r}") from None


def flatten(value: Any) -> list:
    """The leaves of `value` in order (dicts by sorted key)."""
    if not is_nested(value):
        return [value]
    if isinstance(value, dict):
        return [leaf for key in _sorted_keys(value) for leaf in flatten(value[key])]
    return [leaf for item in value for leaf in flatten(item)]


def pack_as(structure: Any, flat: Sequence[Any]) -> Any:
    """`flat` (leaves in `flatten` order) rebuilt in the nesting of `structure`."""
    flat = list(flat)
    count = len(flatten(structure))
    if count != len(flat):
        raise ValueError(f"The structure has {count} leaves, got {len(flat)} values")
    result, used = _pack(structure, flat, 0)
    return result


def _pack(structure: Any, flat: list, start: int) -> tuple:
    if not is_nested(structure):
        return flat[start], start + 1
    if isinstance(structure, dict):
        packed = {}
        pos = start
        for key in _sorted_keys(structure):
            packed[key], pos = _pack(structure[key], flat, pos)
        return type(structure)((key, packed[key]) for key in structure), pos
    if isinstance(structure, tuple):
        items = []
        pos = start
        for item in structure:
            value, pos = _pack(item, flat, pos)
            items.append(value)
        if hasattr(structure, "_fields"):  # a namedtuple
            return type(structure)(*items), pos
        return tuple(items), pos
    return flat[start], start + 1


def map_structure(fn: Callable[..., Any], structure: Any) -> Any:
    return pack_as(structure, [fn(leaf) for leaf in flatten(structure)])


def same_structure(a: Any, b: Any) -> bool:
    """True when `a` and `b` nest the same way (same containers, keys and lengths)."""
    return structure_mismatch(a, b) is None


def structure_mismatch(a: Any, b: Any, shallow: bool = False) -> Optional[type]:
    """The error class TF1's `nest` raises when `a` and `b` nest differently, else None.

    As `nest.assert_same_structure`: a container against a leaf, different lengths or
    different dict keys are a ValueError; a dict against a tuple is a TypeError. With
    `shallow` (`nest.map_structure_up_to(a, ...)`), a leaf `b` under a container `a` is a
    TypeError ("input must also be a sequence") and a leaf of `a` takes any part of `b`.
    """
    if not is_nested(a) and (shallow or not is_nested(b)):
        return None  # a shallow leaf takes a whole sub-structure
    if is_nested(a) != is_nested(b):
        return TypeError if shallow and is_nested(a) else ValueError
    if isinstance(a, dict) != isinstance(b, dict):
        return TypeError
    if isinstance(a, dict):
        if sorted(a, key=repr) != sorted(b, key=repr):
            return ValueError
        pairs = [(a[k], b[k]) for k in a]
    else:
        if len(a) != len(b):
            return ValueError
        pairs = list(zip(a, b))
    for x, y in pairs:
        found = structure_mismatch(x, y, shallow)
        if found is not None:
            return found
    return None


def flatten_up_to(shallow: Any, value: Any) -> list:
    """The parts of `value` at the leaves of `shallow` (TF's `nest.flatten_up_to`); the
    caller has checked `structure_mismatch(shallow, value, shallow=True)`."""
    if not is_nested(shallow):
        return [value]
    if isinstance(shallow, dict):
        return [part for key in _sorted_keys(shallow)
                for part in flatten_up_to(shallow[key], value[key])]
    return [part for s, v in zip(shallow, value) for part in flatten_up_to(s, v)]


def check_same_structure(a: Any, b: Any, what: str, shallow: bool = False) -> None:
    """Raise TF1's error (ValueError, or TypeError for a container-kind clash) when `a`
    and `b` nest differently."""
    error = structure_mismatch(a, b, shallow)
    if error is not None:
        raise error(f"{what}: the two structures don't have the same nested structure: "
                    f"{_outline(a)} vs {_outline(b)}")


def _outline(value: Any) -> str:
    return repr(map_structure(lambda _: ".", value))


# --------------------------------------------------------------------------- leaf specs
class Spec:
    """The static description of one leaf: dtype, shape and class.

    `cls` is fg.Tensor, fg.SparseTensor, or "dataset" for a window (then `element` is the
    ElementSpec of the window's elements and dtype/shape are unused).
    """

    __slots__ = ("dtype", "shape", "cls", "element")

    def __init__(self, dtype: Any, shape: Any, cls: Any = Tensor,
                 element: Optional["ElementSpec"] = None) -> None:
        self.dtype = dtypes.as_dtype(dtype) if dtype is not None else None
        self.shape = as_shape(shape)
        self.cls = cls
        self.element = element

    @property
    def is_dataset(self) -> bool:
        return self.cls == "dataset"

    def components(self) -> list:
        """(dtype, shape) of the tensors this leaf is made of when fetched (3 if sparse)."""
        if self.cls is SparseTensor:
            rank = self.shape.ndims
            return [(dtypes.int64, TensorShape([None, rank])), (self.dtype, TensorShape([None])),
                    (dtypes.int64, TensorShape([rank]))]
        return [(self.dtype, self.shape)]

    def with_shape(self, shape: Any) -> "Spec":
        return Spec(self.dtype, shape, self.cls, self.element)

    def __eq__(self, other: Any) -> bool:
        return isinstance(other, Spec) and self.dtype == other.dtype and \
            self.shape == other.shape and self.cls == other.cls

    def __hash__(self) -> int:
        return hash((self.dtype, self.shape, str(self.cls)))

    def __repr__(self) -> str:
        kind = "SparseTensorSpec" if self.cls is SparseTensor else \
            "DatasetSpec" if self.is_dataset else "TensorSpec"
        name = self.dtype.name if self.dtype is not None else None
        return f"{kind}(shape={self.shape}, dtype={name})"


class ElementSpec:
    """The structure of a dataset's elements: a nesting of `Spec` leaves."""

    __slots__ = ("structure", "flat")

    def __init__(self, structure: Any) -> None:
        self.structure = structure
        self.flat = flatten(structure)
        for leaf in self.flat:
            if not isinstance(leaf, Spec):
                raise TypeError(f"An element spec's leaves must be Specs, got {leaf!r}")

    @classmethod
    def like(cls, structure: Any, flat: Sequence[Spec]) -> "ElementSpec":
        return cls(pack_as(structure, list(flat)))

    def with_flat(self, flat: Sequence[Spec]) -> "ElementSpec":
        return ElementSpec.like(self.structure, flat)

    @property
    def types(self) -> Any:
        return map_structure(lambda s: s.element.types if s.is_dataset else s.dtype,
                             self.structure)

    @property
    def shapes(self) -> Any:
        return map_structure(lambda s: s.element.shapes if s.is_dataset else s.shape,
                             self.structure)

    @property
    def classes(self) -> Any:
        from flowgraph.data.dataset import Dataset
        return map_structure(lambda s: Dataset if s.is_dataset else s.cls, self.structure)

    def components(self) -> list:
        """(dtype, shape) of every tensor an iterator's get_next returns, in order."""
        return [c for spec in self.flat for c in spec.components()]

    def has_datasets(self) -> bool:
        return any(s.is_dataset for s in self.flat)

    def __eq__(self, other: Any) -> bool:
        return isinstance(other, ElementSpec) and same_structure(self.structure,
                                                                 other.structure) \
            and self.flat == other.flat

    def __hash__(self) -> int:
        return hash(tuple(self.flat))

    def __repr__(self) -> str:
        return repr(self.structure)


def spec_of(value: Any) -> Spec:
    """The Spec of a leaf value: a Tensor, SparseTensor, SparseTensorValue or numpy array."""
    if isinstance(value, SparseTensor):
        return Spec(value.dtype, value.shape, SparseTensor)
    if isinstance(value, SparseTensorValue):
        rank = np.shape(value.dense_shape)[0] if np.ndim(value.dense_shape) == 1 else None
        shape = [int(d) for d in value.dense_shape] if rank is not None else None
        return Spec(dtypes.dtype_of_value(np.asarray(value.values)), shape, SparseTensor)
    if isinstance(value, Tensor):
        return Spec(value.dtype, value.shape)
    array = np.asarray(value) if not isinstance(value, np.ndarray) else value
    return Spec(dtypes.dtype_of_value(array), array.shape)


def to_leaf(value: Any, dtype: Any = None) -> Any:
    """A leaf given by a user as a Tensor (kept), SparseTensor (kept) or a value (made a numpy
    array with TF1's dtype rules: Python floats float32, ints int32, str/bytes strings)."""
    from flowgraph.ops.constant import to_numpy
    if isinstance(value, (Tensor, SparseTensor)):
        return value
    to_tensor = getattr(value, "__fg_tensor__", None)
    if to_tensor is not None:
        return to_tensor()
    if isinstance(value, SparseTensorValue):
        return SparseTensorValue(np.asarray(value.indices, np.int64), to_numpy(value.values),
                                 np.asarray(value.dense_shape, np.int64))
    if isinstance(value, (list, tuple)) and any(isinstance(v, Tensor) for v in value):
        from flowgraph.ops.array import stack
        return stack(list(value))
    if isinstance(value, np.ndarray) and value.dtype.kind == "O":
        value = value.copy()  # (strings are converted in place)
    array = to_numpy(value, dtype)
    if array is value:
        array = array.view()  # read-only below, without touching the caller's array
    array.flags.writeable = False
    return array


def most_specific_compatible_shape(a: TensorShape, b: TensorShape) -> TensorShape:
    """The most precise shape both `a` and `b` are compatible with (dims that differ become
    unknown; different ranks give an unknown rank)."""
    if a.ndims is None or b.ndims is None or a.ndims != b.ndims:
        return TensorShape(None)
    return TensorShape([x if x == y else None for x, y in zip(a.as_tuple(), b.as_tuple())])


def structure_of_types(output_types: Any, output_shapes: Any = None,
                       output_classes: Any = None) -> ElementSpec:
    """An ElementSpec from TF1's (output_types, output_shapes, output_classes) structures."""
    types_flat = flatten(output_types)
    if output_shapes is None:
        shapes_flat = [TensorShape(None)] * len(types_flat)
    else:
        check_same_structure(output_types, _shape_structure(output_shapes, output_types),
                             "output_types and output_shapes", shallow=True)
        shapes_flat = [as_shape(s) for s in flatten(_shape_structure(output_shapes,
                                                                     output_types))]
    if output_classes is None:
        classes_flat = [Tensor] * len(types_flat)
    else:
        check_same_structure(output_types, output_classes, "output_types and output_classes")
        classes_flat = flatten(output_classes)
    specs = [Spec(dtypes.as_dtype(t), s, c) for t, s, c in zip(types_flat, shapes_flat,
                                                                classes_flat)]
    return ElementSpec.like(output_types, specs)


def _shape_structure(shapes: Any, types: Any) -> Any:
    """Shapes given as lists ([None, 3]) are leaves where the types have a leaf."""
    if not is_nested(types):
        # A tensor (a shape computed in the graph, as bucket_by_sequence_length's) stays.
        return shapes if isinstance(shapes, Tensor) else as_shape(shapes)
    if isinstance(types, dict):
        if not isinstance(shapes, dict):
            return shapes
        return type(types)((k, _shape_structure(shapes.get(k), v)) for k, v in types.items())
    if isinstance(shapes, (tuple, list)) and len(shapes) == len(types):
        items = [_shape_structure(s, t) for s, t in zip(shapes, types)]
        return type(types)(*items) if hasattr(types, "_fields") else tuple(items)
    return shapes


# --------------------------------------------------------------------------- run-time values
class WindowValue:
    """The value of one window leaf at run time: the list of the window's leaf values."""

    __slots__ = ("values",)

    def __init__(self, values: list) -> None:
        self.values = values

    def __repr__(self) -> str:
        return f"WindowValue({len(self.values)} values)"


class DatasetValue:
    """The value of a dataset leaf whose elements are whole elements at run time (a shard of
    a snapshot, given to its reader_func): `open()` starts a pass over them (flat tuples)."""

    __slots__ = ("open",)

    def __init__(self, open_fn: Callable[[], Iterator[tuple]]) -> None:
        self.open = open_fn

    def __repr__(self) -> str:
        return "DatasetValue()"
