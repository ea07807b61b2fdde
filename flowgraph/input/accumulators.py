"""TF1's `tf.ConditionalAccumulator` and `tf.SparseConditionalAccumulator`: graph objects
whose ops apply gradients to a per-Session accumulator and take their mean (or sum) once
enough have been applied. Gradients whose local_step is older than the accumulator's global
step (advanced by every take) are dropped, as TF1's.

>>> acc = fg.ConditionalAccumulator(fg.float32, shape=[2])
>>> s = fg.Session()
>>> s.run(acc.apply_grad([1.0, 2.0])); s.run(acc.apply_grad([3.0, 4.0]))
>>> s.run(acc.take_grad(2)).tolist()
[2.0, 3.0]
"""

from __future__ import annotations

from typing import Any, Optional

from flowgraph import dtypes
from flowgraph.graph import Operation, Tensor, get_default_graph
from flowgraph.indexed_slices import IndexedSlices
from flowgraph.ops.accumulator_ops import (
    AccumulatorApplyGradient,
    AccumulatorNumAccumulated,
    AccumulatorSetGlobalStep,
    AccumulatorTakeGradient,
    SparseAccumulatorApplyGradient,
    SparseAccumulatorTakeGradient,
)
from flowgraph.ops.accumulator_ops import (
    ConditionalAccumulator as _DenseHandle,
)
from flowgraph.ops.accumulator_ops import (
    SparseConditionalAccumulator as _SparseHandle,
)
from flowgraph.ops.cast import cast
from flowgraph.ops.constant import convert_to_tensor
from flowgraph.ops.registry import apply_op
from flowgraph.shapes import TensorShape, as_shape

__all__ = ["ConditionalAccumulatorBase", "ConditionalAccumulator",
           "SparseConditionalAccumulator"]


def _int64(value: Any, name: str) -> Tensor:
    tensor = convert_to_tensor(value, name=name)
    if not (tensor.dtype.is_integer or tensor.dtype.is_floating):
        raise TypeError(f"{name} must be a number, got a {tensor.dtype.name} tensor")
    return tensor if tensor.dtype == dtypes.int64 else cast(tensor, dtypes.int64)


class ConditionalAccumulatorBase:
    """What dense and sparse accumulators share: the handle, dtype, shape, name and the
    num_accumulated / set_global_step ops (TF1's tf.ConditionalAccumulatorBase)."""

    def __init__(self, dtype: Any, shape: Any, accumulator_ref: Tensor) -> None:
        self._dtype = dtypes.as_dtype(dtype)
        self._shape = TensorShape(None) if shape is None else as_shape(shape)
        self._accumulator_ref = accumulator_ref
        self._name = accumulator_ref.op.name

    @property
    def accumulator_ref(self) -> Tensor:
        """The handle of the underlying accumulator."""
        return self._accumulator_ref

    @property
    def name(self) -> str:
        """The name of the accumulator's handle op."""
        return self._name

    @property
    def dtype(self) -> dtypes.DType:
        """The dtype of the gradients it accumulates."""
        return self._dtype

    def num_accumulated(self, name: Optional[str] = None) -> Tensor:
        """The number of gradients applied since the last take (int32)."""
        return apply_op(AccumulatorNumAccumulated(), [self._accumulator_ref],
                        name=name or f"{self._name}_NumAccumulated")

    def set_global_step(self, new_global_step: Any, name: Optional[str] = None) -> Operation:
        """An op setting the accumulator's global step (gradients with an older local_step
        are dropped from then on)."""
        step = _int64(new_global_step, "new_global_step")
        return apply_op(AccumulatorSetGlobalStep(), [self._accumulator_ref, step],
                        name=name or "AccumulatorSetGlobalStep")


def _handle(op_class: type, dtype: Any, shape: Any, shared_name: Optional[str], name: str,
            reduction_type: str) -> Tensor:
    dims = None
    if shape is not None:
        known = as_shape(shape)
        dims = None if known.ndims is None else tuple(known.as_list())
    op_def = op_class(dtype=dtypes.as_dtype(dtype), shape=dims, shared_name=shared_name or "",
                      reduction_type=reduction_type)
    return apply_op(op_def, [], name=name, graph=get_default_graph())


class ConditionalAccumulator(ConditionalAccumulatorBase):
    """Accumulates dense gradients of `dtype` (float16/32/64) and `shape`; `take_grad`
    returns their mean (reduction_type='MEAN') or sum ('SUM')."""

    def __init__(self, dtype: Any, shape: Any = None, shared_name: Optional[str] = None,
                 name: str = "conditional_accumulator",
                 reduction_type: str = "MEAN") -> None:
        ref = _handle(_DenseHandle, dtype, shape, shared_name, name, reduction_type)
        super().__init__(dtype, shape, ref)

    def apply_grad(self, grad: Any, local_step: Any = 0,
                   name: Optional[str] = None) -> Operation:
        """An op adding `grad` (dropped at run time if local_step is older than the
        accumulator's global step). ValueError if its shape does not fit the accumulator."""
        grad = convert_to_tensor(grad, dtype=self._dtype, name="grad")
        if not grad.shape.is_compatible_with(self._shape):
            raise ValueError(f"Shapes {grad.shape} and {self._shape} are incompatible: the "
                             f"gradient does not fit accumulator '{self._name}'")
        step = _int64(local_step, "local_step")
        return apply_op(AccumulatorApplyGradient(), [self._accumulator_ref, step, grad],
                        name=name or "AccumulatorApplyGradient")

    def take_grad(self, num_required: Any, name: Optional[str] = None) -> Tensor:
        """The mean (or sum) of the gradients, once `num_required` have been applied (the
        run waits until then, or until ConfigProto.operation_timeout_in_ms passes); resets
        the accumulator and advances its global step by one."""
        count = convert_to_tensor(num_required, dtype=dtypes.int32, name="num_required")
        out = apply_op(AccumulatorTakeGradient(dtype=self._dtype),
                       [self._accumulator_ref, count], name=name or "AccumulatorTakeGradient")
        out.set_shape(self._shape)
        return out


class SparseConditionalAccumulator(ConditionalAccumulatorBase):
    """Accumulates sparse gradients (IndexedSlices); each row of the result is the mean (or
    sum) over the gradients that had that row."""

    def __init__(self, dtype: Any, shape: Any = None, shared_name: Optional[str] = None,
                 name: str = "sparse_conditional_accumulator",
                 reduction_type: str = "MEAN") -> None:
        ref = _handle(_SparseHandle, dtype, shape, shared_name, name, reduction_type)
        super().__init__(dtype, shape, ref)

    def apply_indexed_slices_grad(self, grad: IndexedSlices, local_step: Any = 0,
                                  name: Optional[str] = None) -> Operation:
        """An op adding the IndexedSlices `grad`."""
        return self.apply_grad(grad.indices, grad.values, grad.dense_shape,
                               local_step=local_step, name=name)

    def apply_grad(self, grad_indices: Any, grad_values: Any, grad_shape: Any = None,
                   local_step: Any = 0, name: Optional[str] = None) -> Operation:
        """An op adding the sparse gradient (grad_indices, grad_values[, grad_shape])."""
        values = convert_to_tensor(grad_values, dtype=self._dtype, name="grad_values")
        if self._shape.ndims and values.shape.ndims is not None:
            rows = TensorShape([None]).concatenate(self._shape[1:])
            if not values.shape.is_compatible_with(rows):
                raise ValueError(f"Shapes {values.shape} and {rows} are incompatible: the "
                                 f"gradient values do not fit accumulator '{self._name}'")
        indices = _int64(grad_indices, "grad_indices")
        inputs = [self._accumulator_ref, _int64(local_step, "local_step"), indices, values]
        if grad_shape is not None:
            inputs.append(_int64(grad_shape, "grad_shape"))
        op_def = SparseAccumulatorApplyGradient(has_known_shape=grad_shape is not None)
        return apply_op(op_def, inputs, name=name or "SparseAccumulatorApplyGradient")

    def take_grad(self, num_required: Any, name: Optional[str] = None) -> tuple:
        """(indices, values, shape) of the averaged (or summed) gradient, once
        `num_required` gradients have been applied."""
        count = convert_to_tensor(num_required, dtype=dtypes.int32, name="num_required")
        indices, values, shape = apply_op(SparseAccumulatorTakeGradient(dtype=self._dtype),
                                          [self._accumulator_ref, count],
                                          name=name or "SparseAccumulatorTakeGradient")
        return indices, values, shape

    def take_indexed_slices_grad(self, num_required: Any,
                                 name: Optional[str] = None) -> IndexedSlices:
        """As take_grad, as an IndexedSlices."""
        indices, values, shape = self.take_grad(num_required, name=name)
        return IndexedSlices(indices=indices, values=values, dense_shape=shape)
