"""Slicing: slice, strided_slice (TF1's mask semantics) and numpy-style ``tensor[key]``.

`getitem` is what ``Tensor.__getitem__`` calls: ints (negative from the end), slices (any
step, negative too), ``None`` / ``fg.newaxis``, ``...`` and scalar int tensors, all turned
into one StridedSlice node as TF1 does.
"""

from __future__ import annotations

import builtins
from typing import Any, Optional

import numpy as np

from flowgraph import dtypes, errors
from flowgraph.graph import Tensor
from flowgraph.ops.array import as_int_tensor, stack
from flowgraph.ops.constant import constant, convert_to_tensor
from flowgraph.ops.elementwise import op_scope
from flowgraph.ops.registry import _MAX_STATIC_ELEMENTS, Op, apply_op, constant_value, register
from flowgraph.ops.shape_util import (
    check_index_dtype,
    check_vector,
    known_vector,
    sliced_known_vector,
)
from flowgraph.shapes import Dimension, TensorShape

__all__ = ["slice", "strided_slice", "newaxis"]

_py_slice = builtins.slice
newaxis = None


def _invalid_argument(message: str) -> errors.InvalidArgumentError:
    return errors.InvalidArgumentError(None, None, message)


# --------------------------------------------------------------------------- Slice
@register
class Slice(Op):
    """The block of shape `size` starting at `begin` (a size of -1 means: to the end)."""

    def infer(self, op):
        x, begin_t, size_t = op.inputs
        for t, what in ((begin_t, "begin"), (size_t, "size")):
            check_index_dtype(op, t, what)
            check_vector(op, t, what, x.shape.ndims)
        begin, sizes = known_vector(begin_t), known_vector(size_t)
        rank = x.shape.ndims
        for known in (begin, sizes):
            if rank is None and known is not None:
                rank = len(known)
        if rank is None:
            return [(x.dtype, TensorShape(None))]
        if begin is not None and sizes is not None and len(begin) != len(sizes):
            raise ValueError(f"Expected begin and size arguments to be 1-D tensors of one "
                             f"size, but got {len(begin)} and {len(sizes)} elements")
        begin = begin or [None] * rank
        sizes = sizes or [None] * rank
        dims = x.shape.as_list() if x.shape.ndims is not None else [None] * rank
        out = []
        for i, (d, b, s) in enumerate(zip(dims, begin, sizes)):
            if b is not None and (b < 0 or d is not None and b > d):
                raise ValueError(f"Expected begin[{i}] in [0, {d}], but got {b}")
            if s is not None and s < -1:
                raise ValueError(f"Expected size[{i}] >= -1, but got {s}")
            if s == -1:
                out.append(None if d is None or b is None else d - b)
                continue
            if s is not None and d is not None and b is not None and b + s > d:
                raise ValueError(f"Expected size[{i}] in [0, {d - b}], but got {s}")
            out.append(s)
        return [(x.dtype, out)]

    def kernel(self, x, begin, size_):
        if len(begin) != x.ndim or len(size_) != x.ndim:
            raise _invalid_argument(
                f"Expected begin and size arguments to be 1-D tensors of size {x.ndim}, but "
                f"got shapes {list(np.shape(begin))} and {list(np.shape(size_))} instead.")
        index = []
        for i, (d, b, s) in enumerate(zip(x.shape, begin.tolist(), size_.tolist())):
            if not 0 <= b <= d:
                raise _invalid_argument(f"Expected begin[{i}] in [0, {d}], but got {b}")
            if s == -1:
                s = d - b
            if not 0 <= s <= d - b:
                raise _invalid_argument(f"Expected size[{i}] in [0, {d - b}], but got {s}")
            index.append(_py_slice(b, b + s))
        return x[tuple(index)]

    def grad(self, op, dy):
        """dy padded with zeros back to the input's shape."""
        from flowgraph.ops.array_grad import dense, shape_tensor
        from flowgraph.ops.pad import pad
        x, begin_t, _ = op.inputs
        y = op.outputs[0]
        begin = constant_value(begin_t)
        if begin is not None and x.shape.is_fully_defined() and y.shape.is_fully_defined():
            after = np.array(x.shape.as_list()) - np.array(y.shape.as_list()) - begin
            paddings: Any = np.stack([begin, after], axis=1).astype(begin_t.dtype.np)
        else:
            after = shape_tensor(x, begin_t.dtype) - shape_tensor(y, begin_t.dtype) - begin_t
            paddings = stack([begin_t, after], axis=1)
        return [pad(dense(dy), paddings), None, None]


def slice(input_: Any, begin: Any, size: Any, name: Optional[str] = None) -> Tensor:
    """Extracts the block of `size` starting at `begin` (``size[i] == -1``: all remaining
    elements of dimension i).

    >>> fg.slice(x, [1, 0], [1, -1])     # x[1:2, :]
    """
    return apply_op(Slice(), [convert_to_tensor(input_), as_int_tensor(begin, "begin"),
                              as_int_tensor(size, "size")], name=name)


# --------------------------------------------------------------------------- StridedSlice
def expand_spec(length: int, rank: int, ellipsis_mask: int, new_axis_mask: int,
                error: Any) -> list:
    """The sparse slice spec of `length` entries laid over an input of `rank` dimensions.

    Returns one item per output-producing entry, in order: ("new", None) for a new axis,
    ("full", d) for input dimension d covered by an (explicit or trailing implicit) ellipsis,
    and ("spec", (i, d)) for spec entry i applied to input dimension d.
    """
    if bin(ellipsis_mask & ((1 << length) - 1)).count("1") > 1:
        raise error("Multiple ellipses in slice spec not allowed")
    items: list = []
    dim = 0
    for i in range(length):
        bit = 1 << i
        if ellipsis_mask & bit:
            after = sum(1 for j in range(i + 1, length) if not new_axis_mask & (1 << j))
            stop = max(dim, rank - after)
            items.extend(("full", d) for d in range(dim, stop))
            dim = stop
        elif new_axis_mask & bit:
            items.append(("new", None))
        else:
            if dim >= rank:
                raise error(f"Index out of range using input dim {dim}; input has only {rank} "
                            "dims")
            items.append(("spec", (i, dim)))
            dim += 1
    items.extend(("full", d) for d in range(dim, rank))
    return items


@register
class StridedSlice(Op):
    """``input[begin:end:strides]`` per dimension, with TF1's masks: bit i of `begin_mask` /
    `end_mask` ignores begin[i] / end[i] (full range), of `ellipsis_mask` makes entry i an
    ellipsis, of `new_axis_mask` inserts a dimension of 1, and of `shrink_axis_mask` takes the
    single index begin[i] and removes the dimension."""

    begin_mask: int = 0
    end_mask: int = 0
    ellipsis_mask: int = 0
    new_axis_mask: int = 0
    shrink_axis_mask: int = 0

    def infer(self, op):
        x, begin_t, end_t, strides_t = op.inputs
        length = None
        for t, what in ((begin_t, "begin"), (end_t, "end"), (strides_t, "strides")):
            check_index_dtype(op, t, what)
            check_vector(op, t, what, length)
            if t.shape.ndims == 1 and t.shape[0].value is not None:
                length = t.shape[0].value
        if begin_t.dtype != end_t.dtype or begin_t.dtype != strides_t.dtype:
            raise TypeError(f"StridedSlice needs begin, end and strides of one dtype, got "
                            f"{begin_t.dtype.name}, {end_t.dtype.name} and "
                            f"{strides_t.dtype.name}")
        if length is None or x.shape.ndims is None:
            return [(x.dtype, TensorShape(None))]
        dims = x.shape.as_list()
        begin, end, strides = (known_vector(t) or [None] * length
                               for t in (begin_t, end_t, strides_t))
        out = []
        for kind, where in expand_spec(length, len(dims), self.ellipsis_mask,
                                       self.new_axis_mask, ValueError):
            if kind == "new":
                out.append(1)
            elif kind == "full":
                out.append(dims[where])
            else:
                size = self._static_size(where, dims, begin, end, strides)
                if size != "shrink":
                    out.append(size)
        return [(x.dtype, out)]

    def _static_size(self, where: tuple, dims: list, begin: list, end: list,
                     strides: list) -> Any:
        i, d = where
        bit = 1 << i
        dim, b, e, s = dims[d], begin[i], end[i], strides[i]
        if s == 0:
            raise ValueError(f"strides[{i}] must be non-zero")
        if self.shrink_axis_mask & bit:
            if s is not None and s < 0:
                raise ValueError("only stride 1 allowed on non-range indexing.")
            if dim is not None and b is not None and not -dim <= b < dim:
                raise ValueError(f"slice index {b} of dimension {d} out of bounds.")
            return "shrink"
        start = None if self.begin_mask & bit else b
        stop = None if self.end_mask & bit else e
        if dim is None or s is None or (start is None and not self.begin_mask & bit) or \
                (stop is None and not self.end_mask & bit):
            return None
        return len(builtins.range(*_py_slice(start, stop, s).indices(dim)))

    def numpy_index(self, x: np.ndarray, begin: Any, end: Any, strides: Any) -> tuple:
        """The numpy basic index equivalent to this slice spec on `x` (InvalidArgumentError
        for a bad spec)."""
        begin, end, strides = begin.tolist(), end.tolist(), strides.tolist()
        if not len(begin) == len(end) == len(strides):
            raise _invalid_argument(
                f"Expected begin, end, and strides to be 1D equal size tensors, but got shapes "
                f"[{len(begin)}], [{len(end)}], and [{len(strides)}] instead.")
        items = expand_spec(len(begin), x.ndim, self.ellipsis_mask, self.new_axis_mask,
                            _invalid_argument)
        index: list = []
        for kind, where in items:
            if kind == "new":
                index.append(None)
                continue
            if kind == "full":
                index.append(_py_slice(None))
                continue
            i, d = where
            bit = 1 << i
            b, s = begin[i], strides[i]
            if s == 0:
                raise _invalid_argument(f"strides[{i}] must be non-zero")
            if self.shrink_axis_mask & bit:
                if s < 0:
                    raise _invalid_argument("only stride 1 allowed on non-range indexing.")
                if not -x.shape[d] <= b < x.shape[d]:
                    raise _invalid_argument(f"slice index {b} of dimension {d} out of bounds.")
                index.append(b)
                continue
            index.append(_py_slice(None if self.begin_mask & bit else b,
                                   None if self.end_mask & bit else end[i], s))
        return tuple(index) + (Ellipsis,)

    def kernel(self, x, begin, end, strides):
        return x[self.numpy_index(x, begin, end, strides)]

    def grad(self, op, dy):
        """dy written back into zeros of the input's shape (a StridedSliceGrad node)."""
        from flowgraph.ops.array_grad import strided_slice_grad
        return [strided_slice_grad(op, dy), None, None, None]

    def static_value(self, op):
        values = [constant_value(t) for t in op.inputs]
        if all(v is not None for v in values):
            try:
                result = np.asarray(self.kernel(*values))
            except Exception:  # fails again, with context, when run
                return None
            return (result,) if result.size <= _MAX_STATIC_ELEMENTS else None
        known = sliced_known_vector(op)
        if known is None or isinstance(known, list) and None in known:
            return None
        return (np.array(known, dtype=op.inputs[0].dtype.np),)


def strided_slice(input_: Any, begin: Any, end: Any, strides: Any = None, begin_mask: int = 0,
                  end_mask: int = 0, ellipsis_mask: int = 0, new_axis_mask: int = 0,
                  shrink_axis_mask: int = 0, var: Any = None,
                  name: Optional[str] = None) -> Tensor:
    """``input_[begin:end:strides]`` with TF1's mask semantics (see `StridedSlice`); `strides`
    defaults to ones. `var` is accepted for TF1 compatibility and ignored."""
    del var
    x = convert_to_tensor(input_)
    begin_t = as_int_tensor(begin, "begin")
    end_t = as_int_tensor(end, "end")
    if strides is None:
        length = begin_t.shape[0].value if begin_t.shape.ndims == 1 else None
        if length is None:
            from flowgraph.ops.fill import ones_like
            strides_t = ones_like(begin_t)
        else:
            strides_t = constant(np.ones(length, dtype=begin_t.dtype.np))
    else:
        strides_t = as_int_tensor(strides, "strides")
    op_def = StridedSlice(begin_mask=begin_mask, end_mask=end_mask, ellipsis_mask=ellipsis_mask,
                          new_axis_mask=new_axis_mask, shrink_axis_mask=shrink_axis_mask)
    return apply_op(op_def, [x, begin_t, end_t, strides_t], name=name)


# --------------------------------------------------------------------------- tensor[key]
_INDEX_HELP = ("Only integers, slices (`:`), ellipsis (`...`), fg.newaxis (`None`) and scalar "
               "fg.int32/fg.int64 tensors are valid indices")


def _check_index(value: Any) -> Any:
    """A valid slice bound or index: an int, or a scalar int32/int64 Tensor."""
    if isinstance(value, Dimension) and value.value is not None:
        return value.value
    if isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_)):
        return int(value)
    if isinstance(value, Tensor) or hasattr(value, "__fg_tensor__"):
        tensor = convert_to_tensor(value)
        if tensor.dtype not in (dtypes.int32, dtypes.int64):
            raise TypeError(f"{_INDEX_HELP}, got the {tensor.dtype.name} tensor {tensor.name}")
        if tensor.shape.ndims not in (None, 0):
            raise TypeError(f"{_INDEX_HELP}, got the tensor {tensor.name} of shape "
                            f"{tensor.shape}; use fg.gather or fg.boolean_mask to index with "
                            "a tensor of indices")
        return tensor
    raise TypeError(f"{_INDEX_HELP}, got {value!r}")


def getitem(tensor: Any, key: Any) -> Tensor:
    """``tensor[key]`` with numpy's basic-indexing semantics, as one StridedSlice node.

    >>> x[1:, ::-1, None, 0]       # slice, reverse, new axis, and drop a dimension
    >>> x[..., i]                   # i may be a scalar int tensor
    """
    x = convert_to_tensor(tensor)
    spec = list(key) if isinstance(key, (list, tuple)) else [key]
    begin: list = []
    end: list = []
    strides: list = []
    masks = {"begin_mask": 0, "end_mask": 0, "ellipsis_mask": 0, "new_axis_mask": 0,
             "shrink_axis_mask": 0}
    shrunk: list = []
    for i, item in enumerate(spec):
        bit = 1 << i
        if isinstance(item, _py_slice):
            for value, bounds, mask in ((item.start, begin, "begin_mask"),
                                        (item.stop, end, "end_mask")):
                if value is None:
                    bounds.append(0)
                    masks[mask] |= bit
                else:
                    bounds.append(_check_index(value))
            strides.append(1 if item.step is None else _check_index(item.step))
        elif item is Ellipsis or item is None:
            begin.append(0)
            end.append(0)
            strides.append(1)
            masks["ellipsis_mask" if item is Ellipsis else "new_axis_mask"] |= bit
        else:
            index = _check_index(item)
            begin.append(index)
            end.append(None)  # index + 1, filled in below (a tensor needs an Add node)
            shrunk.append(i)
            strides.append(1)
            masks["shrink_axis_mask"] |= bit
    with op_scope(None, "strided_slice", [x]) as scope:
        for i in shrunk:
            index = begin[i]
            if isinstance(index, Tensor):
                from flowgraph.ops.math import add
                end[i] = add(index, constant(1, dtype=index.dtype))
            else:
                end[i] = index + 1
        vectors = _pack_indices([begin, end, strides], ["stack", "stack_1", "stack_2"])
        return apply_op(StridedSlice(**masks), [x] + vectors, name=scope)


def _pack_indices(vectors: list, names: list) -> list:
    """begin/end/strides lists (ints and scalar tensors) as three vectors of one int dtype."""
    tensors = [v for vector in vectors for v in vector if isinstance(v, Tensor)]
    wide = any(t.dtype == dtypes.int64 for t in tensors) or any(
        not -2**31 <= v < 2**31 for vector in vectors for v in vector if isinstance(v, int))
    dtype = dtypes.int64 if wide else dtypes.int32
    packed = []
    for vector, name in zip(vectors, names):
        if any(isinstance(v, Tensor) for v in vector):
            items = [_as_index(v, dtype) for v in vector]
            packed.append(stack(items, name=name))
        else:
            packed.append(constant(np.array(vector, dtype=dtype.np).reshape(len(vector)),
                                   name=name))
    return packed


def _as_index(value: Any, dtype: dtypes.DType) -> Tensor:
    """An index as a scalar tensor of `dtype` (int32 tensors are widened as TF1 does when
    another index is int64)."""
    if not isinstance(value, Tensor):
        return constant(value, dtype=dtype)
    if value.dtype != dtype:
        from flowgraph.ops.cast import cast
        return cast(value, dtype)
    return value
