"""TensorArray ops: a TensorArray's value is a `TensorList`, an immutable sequence of arrays
held in a tensor of dtype `variant`.

Every op that changes a TensorArray (write, scatter, split) returns a new TensorList, so a
TensorArray is an ordinary value: it can be a while_loop variable, be recorded for a
gradient, and its gradient is a TensorList of gradients (`tensor_array_grad_ops`). The
public class is `fg.TensorArray` (flowgraph.control_flow.tensor_array).
"""

from __future__ import annotations

from typing import Any, Optional

import numpy as np

from flowgraph import errors
from flowgraph.dtypes import DType, int32, int64, variant
from flowgraph.ops.registry import Op, register
from flowgraph.shapes import TensorShape

__all__: list = []  # the public API is fg.TensorArray


class TensorList:
    """A TensorArray's value: `items` (arrays, None where nothing was written yet), the
    element dtype, the (partial) element shape all items share (or None), and whether it
    grows on writes past its end. Immutable: updates return a new TensorList."""

    __slots__ = ("items", "dtype", "element_shape", "dynamic_size", "identical_shapes")

    def __init__(self, items: tuple, dtype: np.dtype, element_shape: Optional[tuple],
                 dynamic_size: bool, identical_shapes: bool = True) -> None:
        self.items = items
        self.dtype = dtype
        self.element_shape = element_shape
        self.dynamic_size = dynamic_size
        self.identical_shapes = identical_shapes

    def replace(self, items: tuple, element_shape: Any = "same") -> "TensorList":
        shape = self.element_shape if element_shape == "same" else element_shape
        return TensorList(items, self.dtype, shape, self.dynamic_size, self.identical_shapes)

    def __len__(self) -> int:
        return len(self.items)

    def __repr__(self) -> str:
        written = sum(item is not None for item in self.items)
        return (f"<TensorList of {len(self.items)} {np.dtype(self.dtype).name} items, "
                f"{written} written>")


def invalid(op: Any, message: str) -> errors.InvalidArgumentError:
    return errors.InvalidArgumentError(None, op, message)


def shape_fits(shape: tuple, pattern: Optional[tuple]) -> bool:
    """Whether `shape` is an instance of the partial shape `pattern` (None: any)."""
    if pattern is None:
        return True
    return len(shape) == len(pattern) and all(p is None or p == s
                                              for p, s in zip(pattern, shape))


def check_handle(op: Any, position: int = 0) -> None:
    t = op.inputs[position]
    if t.dtype != variant:
        raise TypeError(f"{op.type} needs a TensorArray handle (a variant tensor) as input "
                        f"{position}, got {t.name} of dtype {t.dtype.name}")


def check_index(op: Any, position: int, vector: bool = False) -> None:
    t = op.inputs[position]
    if t.dtype not in (int32, int64):
        raise TypeError(f"{op.type} needs int32 indices, got {t.name} of dtype "
                        f"{t.dtype.name}")
    rank = 1 if vector else 0
    if t.shape.ndims is not None and t.shape.ndims != rank:
        raise ValueError(f"{op.type} needs {'a vector of indices' if vector else 'a scalar'}"
                         f" as input {position}, got shape {t.shape}")


def element_tuple(shape: TensorShape) -> Optional[tuple]:
    return shape.as_tuple()


def written(op: Any, tl: TensorList, index: int) -> np.ndarray:
    """Item `index` of `tl`, or InvalidArgumentError as TF1's TensorArray read."""
    if not 0 <= index < len(tl.items):
        raise invalid(op, f"Tried to read from index {index} but array size is: "
                      f"{len(tl.items)}")
    item = tl.items[index]
    if item is None:
        # As TF1's TensorArray::LockedRead: an unwritten element reads as zeros once the
        # element shape is fully known (from the constructor or an earlier write).
        shape = tl.element_shape
        if shape is not None and all(d is not None for d in shape):
            return np.zeros(shape, dtype=tl.dtype)
        raise invalid(op, f"Could not read from TensorArray index {index} because it has "
                      "not yet been written to.")
    return item


def stack_items(op: Any, tl: TensorList, items: list, indices: Any,
                static_shape: Optional[tuple] = None) -> np.ndarray:
    """`items` stacked; with no items, an empty array of the element shape known at run
    time or, failing that, the gather node's static `element_shape` (as TF1's
    TensorArrayGatherV3, which lets map_fn over zero rows return [0, ...])."""
    if not items:
        shape = tl.element_shape
        if shape is None or any(d is None for d in shape):
            shape = static_shape if static_shape is not None else shape
        if shape is None or any(d is None for d in shape):
            raise invalid(op, f"TensorArray has size zero, but element shape "
                          f"{'<unknown>' if shape is None else list(shape)} is not fully "
                          "defined. Currently only static shapes are supported when "
                          "packing zero-size TensorArrays.")
        return np.zeros((0,) + tuple(shape), dtype=tl.dtype)
    first = items[0].shape
    for i, item in zip(indices, items):
        if item.shape != first:
            raise invalid(op, f"TensorArray has inconsistent shapes. Index {indices[0]} has "
                          f"shape: {list(first)} but index {i} has shape: "
                          f"{list(item.shape)}")
    return np.stack(items)


def with_items(op: Any, tl: TensorList, indices: Any, values: list,
               identical_shapes: bool = True) -> TensorList:
    """`tl` with `values` written at `indices` (each index written only once, as TF1)."""
    identical_shapes = identical_shapes and tl.identical_shapes
    items = list(tl.items)
    shape = tl.element_shape
    for index, value in zip(indices, values):
        index = int(index)
        if index < 0:
            raise invalid(op, f"Tried to write to index {index} but it is negative")
        if index >= len(items):
            if not tl.dynamic_size:
                raise invalid(op, f"Tried to write to index {index} but array is not "
                              f"resizeable and size is: {len(items)}")
            items.extend([None] * (index + 1 - len(items)))
        if items[index] is not None:
            raise invalid(op, f"Could not write to TensorArray index {index} because it has "
                          "already been written to.")
        value = np.asarray(value)
        if identical_shapes and not shape_fits(value.shape, shape):
            raise invalid(op, f"Could not write to TensorArray index {index} because the "
                          f"value shape is {list(value.shape)} which is incompatible with "
                          f"the TensorArray's inferred element shape: {list(shape)} "
                          "(consider setting infer_shape=False).")
        if identical_shapes:
            shape = value.shape
        items[index] = value
    return tl.replace(tuple(items), shape)


def _handle_spec() -> list:
    return [(variant, TensorShape([]))]


# --------------------------------------------------------------------------- creation
@register
class TensorArrayV3(Op):
    """A new TensorArray of `size` unwritten elements (scalar int32 input)."""

    dtype: DType
    element_shape: TensorShape = TensorShape(None)
    dynamic_size: bool = False
    clear_after_read: bool = True
    identical_element_shapes: bool = True
    tensor_array_name: str = ""

    differentiable = False

    def infer(self, op):
        size = op.inputs[0]
        if size.dtype != int32 or not size.shape.is_compatible_with([]):
            raise TypeError(f"TensorArray size must be a scalar int32, got {size.name} of "
                            f"dtype {size.dtype.name} and shape {size.shape}")
        return _handle_spec()

    def kernel(self, size):
        size = int(size)
        if size < 0:
            raise invalid(None, f"TensorArray size must be >= 0, got {size}")
        return TensorList((None,) * size, self.dtype.np, element_tuple(self.element_shape),
                          self.dynamic_size, self.identical_element_shapes)

    @classmethod
    def default_name(cls) -> str:
        return "TensorArray"


@register
class TensorArraySizeV3(Op):
    """The number of elements of a TensorArray (int32 scalar)."""

    differentiable = False

    def infer(self, op):
        check_handle(op)
        return [(int32, TensorShape([]))]

    def kernel(self, handle):
        return np.asarray(len(handle.items), dtype=np.int32)


@register
class TensorArrayCloseV3(Op):
    """Marks a TensorArray as no longer used (its values are freed with it)."""

    differentiable = False

    def infer(self, op):
        check_handle(op)
        return []

    def kernel(self, handle):
        return ()


# --------------------------------------------------------------------------- element ops
@register
class TensorArrayWriteV3(Op):
    """The TensorArray with `value` written at `index`."""

    def infer(self, op):
        check_handle(op)
        check_index(op, 1)
        return _handle_spec()

    def fast_kernel(self, op):
        def write(handle, index, value):
            return with_items(op, handle, (int(index),), [value])
        return write

    def kernel(self, handle, index, value):
        return with_items(None, handle, (int(index),), [value])

    def grad(self, op, dhandle):
        if dhandle is None:
            return [None, None, None]
        from flowgraph.ops.tensor_array_grad_ops import clear_items, gather_or_zeros
        _, index, value = op.inputs
        return [clear_items(dhandle, index), None, gather_or_zeros(dhandle, index, value)]


@register
class TensorArrayReadV3(Op):
    """Element `index` of a TensorArray."""

    dtype: DType
    element_shape: TensorShape = TensorShape(None)

    def infer(self, op):
        check_handle(op)
        check_index(op, 1)
        return [(self.dtype, self.element_shape)]

    def fast_kernel(self, op):
        def read(handle, index):
            # (the common case, a written item, without the checks' call)
            items = handle.items
            index = int(index)
            if 0 <= index < len(items):
                item = items[index]
                if item is not None:
                    return item
            return written(op, handle, index)
        return read

    def kernel(self, handle, index):
        return written(None, handle, int(index))

    def grad(self, op, dy):
        from flowgraph.ops.tensor_array_grad_ops import scatter_items
        handle, index = op.inputs
        return [scatter_items(handle, index, dy), None]


@register
class TensorArrayGatherV3(Op):
    """The elements at `indices`, stacked along a new first axis (`stack` gathers all)."""

    dtype: DType
    element_shape: TensorShape = TensorShape(None)

    def infer(self, op):
        check_handle(op)
        check_index(op, 1, vector=True)
        dims = op.inputs[1].shape.as_tuple()
        count = dims[0] if dims else None
        return [(self.dtype, TensorShape([count]).concatenate(self.element_shape))]

    def fast_kernel(self, op):
        def gather(handle, indices):
            idx = [int(i) for i in np.asarray(indices).reshape(-1)]
            return stack_items(op, handle, [written(op, handle, i) for i in idx], idx,
                               element_tuple(self.element_shape))
        return gather

    def kernel(self, handle, indices):
        return self.fast_kernel(None)(handle, indices)

    def grad(self, op, dy):
        from flowgraph.ops.tensor_array_grad_ops import scatter_items
        handle, indices = op.inputs
        return [scatter_items(handle, indices, dy), None]


@register
class TensorArrayScatterV3(Op):
    """The TensorArray with row k of `value` written at `indices[k]` (`unstack` scatters
    every row)."""

    def infer(self, op):
        check_handle(op)
        check_index(op, 1, vector=True)
        value = op.inputs[2]
        if value.shape.ndims == 0:
            raise ValueError(f"TensorArray scatter needs a value of rank >= 1, got "
                             f"{value.name} of shape {value.shape}")
        return _handle_spec()

    def fast_kernel(self, op):
        def scatter(handle, indices, value):
            idx = np.asarray(indices).reshape(-1)
            value = np.asarray(value)
            if value.shape[0] != len(idx):
                raise invalid(op, f"Expected len(indices) == values.shape[0], but saw: "
                              f"{len(idx)} vs. {value.shape[0]}")
            return with_items(op, handle, idx, list(value))
        return scatter

    def kernel(self, handle, indices, value):
        return self.fast_kernel(None)(handle, indices, value)

    def grad(self, op, dhandle):
        if dhandle is None:
            return [None, None, None]
        from flowgraph.ops.tensor_array_grad_ops import clear_items, gather_or_zeros
        _, indices, value = op.inputs
        return [clear_items(dhandle, indices), None, gather_or_zeros(dhandle, indices, value)]


@register
class TensorArrayConcatV3(Op):
    """All elements concatenated along their first axis, and each element's length."""

    dtype: DType
    element_shape_except0: TensorShape = TensorShape(None)

    def infer(self, op):
        check_handle(op)
        return [(self.dtype, TensorShape([None]).concatenate(self.element_shape_except0)),
                (int64, TensorShape([None]))]

    def fast_kernel(self, op):
        def concat(handle):
            items = [written(op, handle, i) for i in range(len(handle.items))]
            lengths = np.asarray([item.shape[0] if item.ndim else 0 for item in items],
                                 dtype=np.int64)
            if any(item.ndim == 0 for item in items):
                raise invalid(op, "Concat saw a scalar shape at index 0 but requires at "
                              "least vectors.")
            if not items:
                rest = handle.element_shape[1:] if handle.element_shape else None
                if rest is None or any(d is None for d in rest):
                    raise invalid(op, "Concat of an empty TensorArray needs a fully defined "
                                  "element shape.")
                return np.zeros((0,) + tuple(rest), dtype=handle.dtype), lengths
            tails = {item.shape[1:] for item in items}
            if len(tails) > 1:
                raise invalid(op, f"TensorArray has inconsistent shapes beyond the first "
                              f"axis: {sorted(list(t) for t in tails)}")
            return np.concatenate(items, axis=0), lengths
        return concat

    def kernel(self, handle):
        return self.fast_kernel(None)(handle)

    def grad(self, op, dvalue, dlengths):
        from flowgraph.ops.tensor_array_grad_ops import split_items
        handle = op.inputs[0]
        return [split_items(handle, dvalue, op.outputs[1])]


@register
class TensorArraySplitV3(Op):
    """The TensorArray with `value` split along its first axis into pieces of `lengths`
    (int64), written at 0, 1, ..."""

    def infer(self, op):
        check_handle(op)
        value, lengths = op.inputs[1], op.inputs[2]
        if value.shape.ndims == 0:
            raise ValueError(f"TensorArray split needs a value of rank >= 1, got shape "
                             f"{value.shape}")
        if not lengths.dtype.is_integer or lengths.shape.ndims not in (None, 1):
            raise TypeError(f"TensorArray split needs a vector of integer lengths, got "
                            f"{lengths.dtype.name} of shape {lengths.shape}")
        return _handle_spec()

    def fast_kernel(self, op):
        def split(handle, value, lengths):
            value = np.asarray(value)
            lengths = [int(n) for n in np.asarray(lengths).reshape(-1)]
            if any(n < 0 for n in lengths) or sum(lengths) != value.shape[0]:
                raise invalid(op, f"Expected sum of lengths to be equal to values.shape[0], "
                              f"but sum of lengths is {sum(lengths)} and value's shape is: "
                              f"{list(value.shape)}")
            bounds = np.cumsum([0] + lengths)
            pieces = [value[bounds[i]:bounds[i + 1]] for i in range(len(lengths))]
            # As TF1: unless the array was made with infer_shape=False, every piece must
            # have the same shape.
            return with_items(op, handle, range(len(pieces)), pieces)
        return split

    def kernel(self, handle, value, lengths):
        return self.fast_kernel(None)(handle, value, lengths)

    def grad(self, op, dhandle):
        if dhandle is None:
            return [None, None, None]
        from flowgraph.ops.fill import range as range_
        from flowgraph.ops.shape_ops import size
        from flowgraph.ops.tensor_array_grad_ops import clear_items, concat_or_zeros
        _, value, lengths = op.inputs
        count = size(lengths, out_type=int32)
        return [clear_items(dhandle, range_(0, count)), concat_or_zeros(dhandle, value, lengths),
                None]
