"""Type specifications: `fg.TypeSpec`, `fg.TensorSpec`, `fg.SparseTensorSpec`,
`fg.IndexedSlicesSpec` and `fg.type_spec_from_value` (TF 1.15's names).

A spec describes the dtype and (partial) shape of a value without holding one; `fg.function`
checks call arguments against an `input_signature` of TensorSpecs.

>>> spec = fg.TensorSpec([None, 3], fg.float32, name="x")
>>> spec.is_compatible_with(fg.zeros([2, 3]))
True
"""

from __future__ import annotations

from typing import Any, Optional

import numpy as np

from flowgraph import dtypes
from flowgraph.graph import Tensor
from flowgraph.indexed_slices import IndexedSlices
from flowgraph.shapes import TensorShape, as_shape
from flowgraph.sparse_tensor import SparseTensor

__all__ = ["TypeSpec", "TensorSpec", "SparseTensorSpec", "IndexedSlicesSpec",
           "type_spec_from_value"]


def _shape_key(shape: TensorShape) -> Optional[tuple]:
    return None if shape.ndims is None else tuple(shape.as_list())


def _shape_text(shape: TensorShape) -> str:
    if shape.ndims is None:
        return "<unknown>"
    dims = ["?" if d is None else str(d) for d in shape.as_list()]
    return "(" + ", ".join(dims) + ("," if len(dims) == 1 else "") + ")"


class TypeSpec:
    """The base class of type specifications (TF's ``tf.TypeSpec``).

    Subclasses define `value_type` and `_fields` (the tuple that equality, hashing and
    compatibility compare).
    """

    __slots__ = ()

    @property
    def value_type(self) -> type:
        """The Python type of the values this spec describes."""
        raise TypeError(f"{type(self).__name__} does not define value_type: subclass "
                        "TensorSpec, SparseTensorSpec or IndexedSlicesSpec instead")

    def _fields(self) -> tuple:
        raise TypeError(f"{type(self).__name__} does not define _fields()")

    def is_compatible_with(self, spec_or_value: Any) -> bool:
        """True if `spec_or_value` (a spec or a value) matches this spec's dtype and shape."""
        if not isinstance(spec_or_value, TypeSpec):
            try:
                spec_or_value = type_spec_from_value(spec_or_value)
            except TypeError:
                return False
        if type(spec_or_value) is not type(self):
            return False
        return self._compatible(spec_or_value)

    def _compatible(self, other: "TypeSpec") -> bool:
        return self._dtype == other._dtype and self._shape.is_compatible_with(other._shape)

    def most_specific_compatible_type(self, other: "TypeSpec") -> "TypeSpec":
        """The most specific spec compatible with both `self` and `other`."""
        if type(other) is not type(self) or self._dtype != other._dtype:
            raise ValueError(f"No TypeSpec is compatible with both {self} and {other}")
        if self._shape.ndims is None or self._shape.ndims != other._shape.ndims:
            shape = TensorShape(None)
        else:
            shape = TensorShape([a if a == b else None for a, b in
                                 zip(self._shape.as_list(), other._shape.as_list())])
        return self._with_shape(shape)

    def _with_shape(self, shape: TensorShape) -> "TypeSpec":
        raise TypeError(f"{type(self).__name__} does not define _with_shape()")

    def __eq__(self, other: Any) -> bool:
        return type(other) is type(self) and self._fields() == other._fields()

    def __ne__(self, other: Any) -> bool:
        return not self == other

    def __hash__(self) -> int:
        return hash((type(self).__name__,) + self._fields())


class TensorSpec(TypeSpec):
    """Describes a dense Tensor: `shape` (a TensorShape, may be partial), `dtype`, `name`."""

    __slots__ = ("_shape", "_dtype", "_name")

    def __init__(self, shape: Any, dtype: Any = dtypes.float32,
                 name: Optional[str] = None) -> None:
        self._shape = as_shape(shape)
        self._dtype = dtypes.as_dtype(dtype)
        if name is not None and not isinstance(name, str):
            raise TypeError(f"TensorSpec name must be a string or None, got {name!r}")
        self._name = name

    @classmethod
    def from_spec(cls, spec: "TensorSpec", name: Optional[str] = None) -> "TensorSpec":
        """A TensorSpec with the shape and dtype of `spec` (and its name unless `name`)."""
        return cls(spec.shape, spec.dtype, name if name is not None else spec.name)

    @classmethod
    def from_tensor(cls, tensor: Any, name: Optional[str] = None) -> "TensorSpec":
        """The spec of `tensor` (a Tensor, Variable or numpy value); named after the
        tensor's op unless `name` is given."""
        if isinstance(tensor, Tensor) or hasattr(tensor, "__fg_tensor__"):
            tensor_name = getattr(getattr(tensor, "op", None), "name", None)
            return cls(tensor.shape, tensor.dtype, name if name is not None else tensor_name)
        if isinstance(tensor, (np.ndarray, np.generic)):
            return cls(tensor.shape, tensor.dtype, name)
        raise ValueError(f"`tensor` should be a tf.Tensor, got {type(tensor).__name__}")

    shape = property(lambda self: self._shape, doc="The (partial) TensorShape.")
    dtype = property(lambda self: self._dtype, doc="The DType.")
    name = property(lambda self: self._name, doc="The name (or None).")
    value_type = property(lambda self: Tensor, doc="Tensor.")

    def _fields(self) -> tuple:
        return (_shape_key(self._shape), self._dtype, self._name)

    def _with_shape(self, shape: TensorShape) -> "TensorSpec":
        return TensorSpec(shape, self._dtype, self._name)

    def __repr__(self) -> str:
        return (f"TensorSpec(shape={_shape_text(self._shape)}, dtype={self._dtype!r}, "
                f"name={self._name!r})")


class SparseTensorSpec(TypeSpec):
    """Describes a SparseTensor: its dense `shape` and the `dtype` of its values."""

    __slots__ = ("_shape", "_dtype")

    def __init__(self, shape: Any = None, dtype: Any = dtypes.float32) -> None:
        self._shape = as_shape(shape)
        self._dtype = dtypes.as_dtype(dtype)

    @classmethod
    def from_value(cls, value: Any) -> "SparseTensorSpec":
        """The spec of SparseTensor `value`."""
        if not isinstance(value, SparseTensor):
            raise TypeError(f"Expected SparseTensor, got {type(value).__name__}")
        return cls(value.shape, value.dtype)

    shape = property(lambda self: self._shape, doc="The dense shape.")
    dtype = property(lambda self: self._dtype, doc="The values' DType.")
    value_type = property(lambda self: SparseTensor, doc="SparseTensor.")

    def _fields(self) -> tuple:
        return (_shape_key(self._shape), self._dtype)

    def _with_shape(self, shape: TensorShape) -> "SparseTensorSpec":
        return SparseTensorSpec(shape, self._dtype)

    def __repr__(self) -> str:
        dims = None if self._shape.ndims is None else self._shape.as_list()
        return f"SparseTensorSpec(TensorShape({dims}), {self._dtype!r})"


class IndexedSlicesSpec(TypeSpec):
    """Describes IndexedSlices: dense `shape`, values `dtype`, `indices_dtype`,
    `dense_shape_dtype` (None: no dense_shape tensor) and `indices_shape`."""

    __slots__ = ("_shape", "_dtype", "_indices_dtype", "_dense_shape_dtype", "_indices_shape")

    def __init__(self, shape: Any = None, dtype: Any = dtypes.float32,
                 indices_dtype: Any = dtypes.int64, dense_shape_dtype: Any = None,
                 indices_shape: Any = None) -> None:
        self._shape = as_shape(shape)
        self._dtype = dtypes.as_dtype(dtype)
        self._indices_dtype = dtypes.as_dtype(indices_dtype)
        self._dense_shape_dtype = (None if dense_shape_dtype is None
                                   else dtypes.as_dtype(dense_shape_dtype))
        self._indices_shape = as_shape(indices_shape).with_rank(1)

    shape = property(lambda self: self._shape, doc="The dense shape.")
    dtype = property(lambda self: self._dtype, doc="The values' DType.")
    indices_dtype = property(lambda self: self._indices_dtype)
    dense_shape_dtype = property(lambda self: self._dense_shape_dtype)
    indices_shape = property(lambda self: self._indices_shape)
    value_type = property(lambda self: IndexedSlices, doc="IndexedSlices.")

    def _fields(self) -> tuple:
        return (_shape_key(self._shape), self._dtype, self._indices_dtype,
                self._dense_shape_dtype, _shape_key(self._indices_shape))

    def _compatible(self, other: "TypeSpec") -> bool:
        return (super()._compatible(other) and self._indices_dtype == other._indices_dtype
                and self._dense_shape_dtype == other._dense_shape_dtype
                and self._indices_shape.is_compatible_with(other._indices_shape))

    def _with_shape(self, shape: TensorShape) -> "IndexedSlicesSpec":
        return IndexedSlicesSpec(shape, self._dtype, self._indices_dtype,
                                 self._dense_shape_dtype, self._indices_shape)

    def __repr__(self) -> str:
        return (f"IndexedSlicesSpec(shape={_shape_text(self._shape)}, dtype={self._dtype!r}, "
                f"indices_dtype={self._indices_dtype!r})")


def type_spec_from_value(value: Any) -> TypeSpec:
    """The TypeSpec of `value`: a Tensor/Variable (TensorSpec), SparseTensor, IndexedSlices,
    or a numpy / Python value convertible to a tensor (TensorSpec of its array).

    TypeError if `value` has no spec.
    """
    if isinstance(value, TypeSpec):
        raise TypeError(f"Could not build a TypeSpec for {value!r}: it already is a TypeSpec")
    if isinstance(value, SparseTensor):
        return SparseTensorSpec.from_value(value)
    if isinstance(value, IndexedSlices):
        indices = value.indices
        dense = value.dense_shape
        return IndexedSlicesSpec(value.shape, value.dtype, indices.dtype,
                                 None if dense is None else dense.dtype, indices.shape)
    if isinstance(value, Tensor) or hasattr(value, "__fg_tensor__"):
        return TensorSpec(value.shape, value.dtype)
    try:
        array = np.asarray(value)
        if array.dtype == np.float64 and not isinstance(value, (np.ndarray, np.generic)):
            array = array.astype(np.float32)  # Python floats become float32 tensors, as TF
        elif array.dtype == np.int64 and not isinstance(value, (np.ndarray, np.generic)):
            array = array.astype(np.int32)
        if array.dtype.kind == "O" and not all(isinstance(item, (bytes, str))
                                               for item in array.flat):
            raise TypeError("not a tensor value")
        dtype = dtypes.as_dtype(array.dtype)
    except (TypeError, ValueError):
        raise TypeError(f"Could not build a TypeSpec for {value!r:.80} with type "
                        f"{type(value).__name__}") from None
    return TensorSpec(array.shape, dtype)
