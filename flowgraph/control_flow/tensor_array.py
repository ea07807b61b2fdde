"""fg.TensorArray: a list of tensors written and read one element at a time, as TF1's.

A TensorArray object wraps one `variant` tensor (its `flow`, also its `handle`) holding an
immutable list of arrays. `write`, `scatter`, `unstack` and `split` return a new
TensorArray: use the returned object (``ta = ta.write(t, x)``), as TF1 requires. It can be a
`while_loop` variable, and gradients flow through writes and reads.

>>> ta = fg.TensorArray(fg.float32, size=3)
>>> ta = ta.unstack(fg.constant([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]))
>>> fg.Session().run(ta.read(1))
array([3., 4.], dtype=float32)
"""

from __future__ import annotations

from typing import Any, Optional

from flowgraph import dtypes, errors
from flowgraph.graph import Operation, Tensor, name_scope
from flowgraph.ops.constant import convert_to_tensor, identity
from flowgraph.ops.registry import apply_op
from flowgraph.ops.tensor_array_ops import (
    TensorArrayCloseV3,
    TensorArrayConcatV3,
    TensorArrayGatherV3,
    TensorArrayReadV3,
    TensorArrayScatterV3,
    TensorArraySizeV3,
    TensorArraySplitV3,
    TensorArrayV3,
    TensorArrayWriteV3,
)
from flowgraph.shapes import TensorShape, as_shape

__all__ = ["TensorArray"]


class TensorArray:
    """A sequence of `size` tensors of one dtype (and, with `infer_shape`, one shape).

    Parameters (as TF1's ``tf.TensorArray``)
    ----------
    dtype : DType
        The elements' dtype.
    size : int or int32 scalar Tensor
        The number of elements (required unless `flow` / `handle` is given).
    dynamic_size : bool
        Whether writing past the end grows the array (default False).
    clear_after_read : bool
        Accepted for TF1 compatibility (elements are values here; reading twice is fine).
    tensor_array_name : str
        Kept as an attribute of the creating node.
    handle, flow : Tensor
        An existing TensorArray value (variant tensor) to wrap.
    infer_shape : bool
        Whether all elements must have the same shape (then known statically after the
        first write).
    element_shape : TensorShape
        The elements' (partial) shape, if known.
    colocate_with_first_write_call : bool
        Accepted for TF1 compatibility.
    name : str
        Name scope of the creating node.
    """

    def __init__(self, dtype: Any, size: Any = None, dynamic_size: Optional[bool] = None,
                 clear_after_read: Optional[bool] = None,
                 tensor_array_name: Optional[str] = None, handle: Any = None, flow: Any = None,
                 infer_shape: bool = True, element_shape: Any = None,
                 colocate_with_first_write_call: bool = True,
                 name: Optional[str] = None) -> None:
        self._dtype = dtypes.as_dtype(dtype)
        self._dynamic_size = bool(dynamic_size)
        self._clear_after_read = True if clear_after_read is None else bool(clear_after_read)
        self._infer_shape = bool(infer_shape)
        # One list shared by every TensorArray derived from this one (writes, loop
        # variables), so a shape learnt from a write inside a loop is known after it.
        self._element_shape = [as_shape(element_shape) if element_shape is not None
                               else TensorShape(None)]
        existing = flow if flow is not None else handle
        if existing is not None:
            if size is not None:
                raise ValueError("Cannot provide both a flow/handle and size at the same "
                                 "time")
            existing = convert_to_tensor(existing)
            if existing.dtype != dtypes.variant:
                raise TypeError(f"A TensorArray's handle/flow is a variant tensor (another "
                                f"TensorArray's .flow), got {existing.name} of dtype "
                                f"{existing.dtype.name}")
            self._flow = existing
            self._size = None
            return
        if size is None:
            raise ValueError("Size must be provided if handle is not provided")
        with name_scope(name, "TensorArray", [size]) as scope:
            size = convert_to_tensor(size, dtype=dtypes.int32)
            # As TF1: a fixed-size TensorArray's size() is its creation size (so stacking
            # it keeps a static first dimension).
            self._size = None if self._dynamic_size else size
            op_def = TensorArrayV3(dtype=self._dtype, element_shape=self._element_shape[0],
                                   dynamic_size=self._dynamic_size,
                                   clear_after_read=self._clear_after_read,
                                   identical_element_shapes=self._infer_shape,
                                   tensor_array_name=tensor_array_name or "")
            self._flow = apply_op(op_def, [size], name=scope)

    # -- properties
    @property
    def dtype(self) -> dtypes.DType:
        return self._dtype

    @property
    def flow(self) -> Tensor:
        """The variant tensor holding this TensorArray's value."""
        return self._flow

    @property
    def handle(self) -> Tensor:
        """The same tensor as `flow` (TensorArrays are values, not resources, here)."""
        return self._flow

    @property
    def element_shape(self) -> TensorShape:
        return self._element_shape[0]

    @property
    def dynamic_size(self) -> bool:
        return self._dynamic_size

    @property
    def graph(self) -> Any:
        return self._flow.graph

    def _with_flow(self, flow: Tensor) -> "TensorArray":
        """A TensorArray holding `flow`, sharing this one's settings and element shape."""
        ta = TensorArray.__new__(TensorArray)
        ta._dtype = self._dtype
        ta._dynamic_size = self._dynamic_size
        ta._clear_after_read = self._clear_after_read
        ta._infer_shape = self._infer_shape
        ta._element_shape = self._element_shape
        ta._size = self._size
        ta._flow = flow
        return ta

    def _merge_element_shape(self, shape: TensorShape) -> None:
        if not self._infer_shape:
            return
        current = self._element_shape[0]
        if not current.is_compatible_with(shape):
            raise ValueError(f"Inconsistent shapes: saw {shape} but expected {current} (and "
                             "infer_shape=True)")
        self._element_shape[0] = current.merge_with(shape)

    def _value(self, value: Any) -> Tensor:
        value = convert_to_tensor(value, preferred_dtype=self._dtype, name="value")
        if value.dtype != self._dtype:
            raise errors.InvalidArgumentError(
                None, None, f"TensorArray dtype is {self._dtype.name} but Op is trying to "
                f"write dtype {value.dtype.name}")
        return value

    # -- element access
    def read(self, index: Any, name: Optional[str] = None) -> Tensor:
        """Element `index` (an int32 scalar)."""
        index = convert_to_tensor(index, dtype=dtypes.int32)
        return apply_op(TensorArrayReadV3(dtype=self._dtype, element_shape=self.element_shape),
                        [self._flow, index], name=name)

    def write(self, index: Any, value: Any, name: Optional[str] = None) -> "TensorArray":
        """A TensorArray with `value` written at `index` (each index is written once)."""
        with name_scope(name, "TensorArrayWrite", [self._flow, index, value]):
            value = self._value(value)
            self._merge_element_shape(value.shape)
            index = convert_to_tensor(index, dtype=dtypes.int32)
            flow = apply_op(TensorArrayWriteV3(), [self._flow, index, value])
        return self._with_flow(flow)

    def gather(self, indices: Any, name: Optional[str] = None) -> Tensor:
        """The elements at `indices` (an int32 vector), stacked along a new first axis."""
        indices = convert_to_tensor(indices, dtype=dtypes.int32)
        return apply_op(TensorArrayGatherV3(dtype=self._dtype,
                                            element_shape=self.element_shape),
                        [self._flow, indices], name=name)

    def stack(self, name: Optional[str] = None) -> Tensor:
        """All elements stacked along a new first axis."""
        from flowgraph.ops.fill import range as range_
        with name_scope(name, "TensorArrayStack", [self._flow]):
            return self.gather(range_(0, self.size()))

    def scatter(self, indices: Any, value: Any, name: Optional[str] = None) -> "TensorArray":
        """A TensorArray with row k of `value` written at `indices[k]`."""
        with name_scope(name, "TensorArrayScatter", [self._flow, value, indices]):
            value = self._value(value)
            if value.shape.ndims is not None and value.shape.ndims > 0:
                self._merge_element_shape(TensorShape(value.shape.as_list()[1:]))
            indices = convert_to_tensor(indices, dtype=dtypes.int32)
            flow = apply_op(TensorArrayScatterV3(), [self._flow, indices, value])
        return self._with_flow(flow)

    def unstack(self, value: Any, name: Optional[str] = None) -> "TensorArray":
        """A TensorArray holding the rows of `value` (along its first axis)."""
        from flowgraph.ops.fill import range as range_
        from flowgraph.ops.shape_ops import shape
        with name_scope(name, "TensorArrayUnstack", [self._flow, value]):
            value = self._value(value)
            count = shape(value)[0]
            return self.scatter(range_(0, count), value)

    def concat(self, name: Optional[str] = None) -> Tensor:
        """All elements concatenated along their first axis."""
        dims = self.element_shape.as_tuple()
        rest = TensorShape(list(dims[1:])) if dims else TensorShape(None)
        value, _ = apply_op(TensorArrayConcatV3(dtype=self._dtype, element_shape_except0=rest),
                            [self._flow], name=name)
        return value

    def split(self, value: Any, lengths: Any, name: Optional[str] = None) -> "TensorArray":
        """A TensorArray of the pieces of `value` (along its first axis) of `lengths`."""
        with name_scope(name, "TensorArraySplit", [self._flow, value, lengths]):
            value = self._value(value)
            lengths = convert_to_tensor(lengths, preferred_dtype=dtypes.int64)
            if lengths.dtype != dtypes.int64:
                from flowgraph.ops.cast import cast
                lengths = cast(lengths, dtypes.int64)
            dims = value.shape.as_tuple()
            if dims:
                self._merge_element_shape(TensorShape([None] + list(dims[1:])))
            flow = apply_op(TensorArraySplitV3(), [self._flow, value, lengths])
        return self._with_flow(flow)

    def size(self, name: Optional[str] = None) -> Tensor:
        """The number of elements (int32 scalar)."""
        if self._size is not None:
            from flowgraph.ops.constant import identity as identity_
            with name_scope(name, "TensorArraySizeV3", [self._flow]):
                if self._size.op.type == "Const":
                    return self._size
                return identity_(self._size)
        return apply_op(TensorArraySizeV3(), [self._flow], name=name)

    def identity(self) -> "TensorArray":
        """A TensorArray with the same value (a new node, e.g. for control dependencies)."""
        return self._with_flow(identity(self._flow))

    def close(self, name: Optional[str] = None) -> Operation:
        """An op marking the TensorArray as no longer used."""
        return apply_op(TensorArrayCloseV3(), [self._flow], name=name)

    def grad(self, source: Any, flow: Any = None, name: Optional[str] = None) -> Any:
        raise NotImplementedError(
            "TensorArray.grad is not needed in flowgraph: fg.gradients differentiates "
            "through TensorArray reads and writes directly.")

    def __fg_control__(self) -> Operation:
        return self._flow.op

    def __repr__(self) -> str:
        return (f"<fg.TensorArray dtype={self._dtype.name} element_shape="
                f"{self.element_shape} flow={self._flow.name}>")


def tensor_array_like(template: TensorArray, flow: Tensor) -> TensorArray:
    """A TensorArray holding `flow` with `template`'s settings (shared element shape)."""
    return template._with_flow(flow)

