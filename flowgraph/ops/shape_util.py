"""Helpers shared by the array ops: axis checks, index dtypes, and partially known values.

`known_vector` and `known_scalar` read what is known at build time about a small integer
tensor (a shape, begin/size vectors, ...), element by element: ``fg.stack([n, -1])`` with an
unknown ``n`` is ``[None, -1]``, and ``fg.shape(x)`` of an ``x`` of shape ``(?, 28)`` is
``[None, 28]``. Ops use them to infer static shapes as precisely as TF1 does.
"""

from __future__ import annotations

from typing import Any, Optional

import numpy as np

from flowgraph import dtypes
from flowgraph.graph import Tensor
from flowgraph.ops.registry import constant_value

__all__: list = []

INDEX_KINDS = "iu"


def normalize_axis(axis: int, rank: Optional[int], what: str = "axis") -> Optional[int]:
    """`axis` made non-negative for a tensor of `rank` (None if the rank is unknown and the
    axis is negative); ValueError if it is out of range."""
    if rank is None:
        return axis if axis >= 0 else None
    if not -rank <= axis < rank:
        raise ValueError(f"{what} {axis} is out of range for a tensor of rank {rank}: "
                         f"expected a value in [{-rank}, {rank})")
    return axis + rank if axis < 0 else axis


def static_int(value: Any, what: str) -> int:
    """An int from a Python int, numpy integer or a Tensor whose value is known when the graph
    is built (such as ``fg.rank(x) - 1``); ValueError otherwise."""
    if isinstance(value, Tensor):
        known = constant_value(value)
        if known is None or np.ndim(known) != 0:
            raise ValueError(f"{what} must be known when the graph is built; got the tensor "
                             f"{value.name} whose value is only known at run time")
        value = known
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{what} must be an int, got {type(value).__name__} {value!r}")
    return int(value)


def static_ints(value: Any, what: str) -> tuple:
    """A tuple of ints from an int, a sequence of ints, or a constant tensor."""
    if isinstance(value, Tensor):
        known = constant_value(value)
        if known is None:
            raise ValueError(f"{what} must be known when the graph is built; got the tensor "
                             f"{value.name} whose value is only known at run time")
        value = known.tolist()
    if isinstance(value, np.ndarray):
        value = value.tolist()
    if isinstance(value, (list, tuple)):
        return tuple(static_int(v, what) for v in value)
    return (static_int(value, what),)


def check_index_dtype(op: Any, tensor: Tensor, what: str) -> None:
    """TypeError unless `tensor` holds int32 or int64 values."""
    if tensor.dtype not in (dtypes.int32, dtypes.int64):
        raise TypeError(f"{op.type} expects {what} of dtype int32 or int64, got "
                        f"{tensor.dtype.name} ({tensor.name})")


def check_vector(op: Any, tensor: Tensor, what: str, length: Optional[int] = None) -> None:
    """ValueError unless `tensor` is a vector (of `length` elements, when given and known)."""
    shape = tensor.shape
    if shape.ndims is not None and shape.ndims != 1:
        raise ValueError(f"{op.type} expects {what} to be a vector, got shape {shape} "
                         f"({tensor.name})")
    if length is not None and shape.ndims == 1 and shape[0].value not in (None, length):
        raise ValueError(f"{op.type} expects {what} to have {length} elements (one per "
                         f"dimension of the input), got {shape[0].value}")


# --------------------------------------------------------------------------- known values
# An element of a small integer vector, as far as it is known when the graph is built: its
# value (or None) and, for a dimension read from a shape (``fg.shape(x)[0]``), its source
# (x, 0), so that Reshape can tell that an unknown output dimension equals an input one.
Element = tuple


def known_scalar(tensor: Tensor) -> Optional[int]:
    """The int value of a scalar integer tensor if known at build time, else None."""
    return scalar_element(tensor)[0]


def known_vector(tensor: Tensor) -> Optional[list]:
    """The elements of an integer vector known at build time (None for unknown elements),
    or None when even its length is unknown."""
    elements = vector_elements(tensor)
    return None if elements is None else [value for value, _ in elements]


def scalar_element(tensor: Tensor) -> Element:
    """(value or None, source or None) of a scalar integer tensor."""
    value = constant_value(tensor)
    if value is not None:
        known = np.ndim(value) == 0 and value.dtype.kind in INDEX_KINDS
        return (int(value) if known else None, None)
    op = tensor.op
    if op.type == "StridedSlice":
        sliced = _sliced_elements(op)
        if sliced is not None and not isinstance(sliced, list):
            return sliced
    elif op.type == "Identity":
        return scalar_element(op.inputs[0])
    return (None, None)


def vector_elements(tensor: Tensor) -> Optional[list]:
    """[(value or None, source or None), ...] for an integer vector, or None when even its
    length is unknown."""
    value = constant_value(tensor)
    if value is not None:
        if value.ndim != 1 or value.dtype.kind not in INDEX_KINDS:
            return None
        return [(int(v), None) for v in value]
    op = tensor.op
    kind = op.type
    found: Any = None
    if kind == "Shape":
        source = op.inputs[0]
        dims = source.shape.as_tuple()
        found = None if dims is None else [(d, (source, i)) for i, d in enumerate(dims)]
    elif kind == "Pack" and op.op_def.axis in (0, -1) and op.inputs and \
            all(t.shape.ndims == 0 for t in op.inputs):
        found = [scalar_element(t) for t in op.inputs]
    elif kind == "ConcatV2" and op.op_def.axis in (0, -1):
        parts = [vector_elements(t) for t in op.inputs]
        if all(p is not None for p in parts):
            found = [e for p in parts for e in p]
    elif kind == "StridedSlice":
        sliced = _sliced_elements(op)
        found = sliced if isinstance(sliced, list) else None
    elif kind == "Identity":
        found = vector_elements(op.inputs[0])
    if found is not None:
        return found
    shape = tensor.shape
    if shape.ndims == 1 and shape[0].value is not None:
        return [(None, None)] * shape[0].value
    return None


def sliced_known_vector(op: Any) -> Any:
    """What is known of a StridedSlice of a partially known vector (``fg.shape(x)[1:]``): a
    list (with None for unknown elements), an int or None for a shrunk element, or None."""
    sliced = _sliced_elements(op)
    if sliced is None:
        return None
    return [v for v, _ in sliced] if isinstance(sliced, list) else sliced[0]


def _sliced_elements(op: Any) -> Any:
    """The elements of a 1-D StridedSlice with constant bounds: a list, or one element for a
    shrunk index; None if not known."""
    spec = op.op_def
    if spec.ellipsis_mask or spec.new_axis_mask or op.inputs[0].shape.ndims != 1:
        return None
    bounds = [constant_value(t) for t in op.inputs[1:]]
    if any(b is None or b.shape != (1,) for b in bounds):
        return None
    base = vector_elements(op.inputs[0])
    if base is None:
        return None
    begin, end, stride = (int(b[0]) for b in bounds)
    if spec.shrink_axis_mask & 1:
        index = begin + len(base) if begin < 0 else begin
        return base[index] if 0 <= index < len(base) and stride > 0 else None
    if stride == 0:
        return None
    start = None if spec.begin_mask & 1 else begin
    stop = None if spec.end_mask & 1 else end
    return base[start:stop:stride]
