"""TF1's gradient accumulators: per-Session resources that sum the gradients applied to
them (dropping stale ones, whose local_step is older than the accumulator's global step)
and hand out their mean (or sum) once enough have arrived. Used through
flowgraph.input.accumulators (tf.ConditionalAccumulator, tf.SparseConditionalAccumulator)
and by tf.train.SyncReplicasOptimizer.
"""

from __future__ import annotations

import threading
import time
from typing import Any, Optional

import numpy as np

from flowgraph import dtypes, errors
from flowgraph.ops.registry import Op, register
from flowgraph.shapes import TensorShape

__all__: list = []  # used through flowgraph.input.accumulators


class AccumulatorResource:
    """The running sum of one accumulator in one Session (dense or sparse)."""

    def __init__(self, op_def: Any, name: str, sparse: bool, timeout_ms: int) -> None:
        self.name = name
        self.dtype = dtypes.as_dtype(op_def.dtype)
        self.shape = op_def.shape  # tuple with None for unknown dims, or None
        self.mean = op_def.reduction_type == "MEAN"
        self.sparse = sparse
        self.timeout_ms = timeout_ms
        self.global_step = 0
        self.count = 0
        self.total: Any = None  # dense: an array; sparse: {index: [sum, count]}
        self.row_shape: Optional[tuple] = None
        self.dense_shape: Optional[list] = None  # the last gradient's, if it had one
        self.cancelled = False
        self.cond = threading.Condition()

    def _invalid(self, ctx: Any, message: str) -> errors.InvalidArgumentError:
        return errors.InvalidArgumentError(None, ctx.op, f"{message} (accumulator "
                                                         f"'{self.name}')")

    def _check_shape(self, ctx: Any, shape: tuple, what: str) -> None:
        expected = self.shape if not (self.sparse and self.shape == ()) else None
        if expected is not None and (len(expected) != len(shape) or any(
                e is not None and s is not None and e != s for e, s in zip(expected, shape))):
            raise self._invalid(ctx, f"Shape mismatch: expected {list(expected)}, got "
                                     f"{list(shape)} for {what}")

    # -- applying
    def apply_dense(self, ctx: Any, local_step: int, grad: np.ndarray) -> None:
        with self.cond:
            if local_step < self.global_step:
                return  # stale, as TF1 (which logs and drops it)
            self._check_shape(ctx, grad.shape, "the gradient")
            if self.total is None:
                self.total = np.array(grad, dtype=self.dtype.np, copy=True)
            else:
                if self.total.shape != grad.shape:
                    raise self._invalid(ctx, f"Shape mismatch: expected "
                                             f"{list(self.total.shape)}, got "
                                             f"{list(grad.shape)}")
                self.total = self.total + grad
            self.count += 1
            self.cond.notify_all()

    def apply_sparse(self, ctx: Any, local_step: int, indices: np.ndarray,
                     values: np.ndarray, shape: Optional[np.ndarray]) -> None:
        with self.cond:
            if local_step < self.global_step:
                return
            if indices.ndim != 1 or values.ndim < 1 or len(indices) != len(values):
                raise self._invalid(ctx, f"Gradient indices (shape {list(indices.shape)}) "
                                         f"must be a vector with one entry per row of the "
                                         f"values (shape {list(values.shape)})")
            if shape is not None and shape.size:
                self.dense_shape = [int(d) for d in shape]
                self._check_shape(ctx, tuple(self.dense_shape), "the gradient shape")
            if self.shape:  # (shape=() leaves a sparse accumulator unconstrained, as TF1's)
                self._check_shape(ctx, (None,) + values.shape[1:], "the gradient values")
            if self.row_shape is not None and values.shape[1:] != self.row_shape:
                raise self._invalid(ctx, f"Shape mismatch: values rows have shape "
                                         f"{list(values.shape[1:])}, expected "
                                         f"{list(self.row_shape)}")
            if self.total is None:
                self.total = {}
                self.row_shape = values.shape[1:]
            for index, row in zip(indices.tolist(), values):
                entry = self.total.get(index)
                if entry is None:
                    self.total[index] = [np.array(row, dtype=self.dtype.np), 1]
                else:
                    entry[0] = entry[0] + row
                    entry[1] += 1
            self.count += 1
            self.cond.notify_all()

    # -- taking
    def take(self, ctx: Any, num_required: int) -> Any:
        if num_required < 1:
            raise self._invalid(ctx, f"Argument num_required must be positive, but was "
                                     f"{num_required}")
        deadline = time.monotonic() + self.timeout_ms / 1000.0 if self.timeout_ms else None
        with self.cond:
            while self.count < num_required and not self.cancelled:
                wait = None if deadline is None else deadline - time.monotonic()
                if wait is not None and wait <= 0:
                    raise errors.DeadlineExceededError(
                        None, ctx.op, f"Timed out waiting for {num_required} gradients in "
                                      f"accumulator '{self.name}' (has {self.count}); "
                                      "ConfigProto.operation_timeout_in_ms was exceeded")
                self.cond.wait(wait)
            if self.cancelled:
                raise errors.CancelledError(None, ctx.op, f"Accumulator '{self.name}' was "
                                                          "cancelled (its Session closed)")
            total, count = self.total, self.count
            self.total, self.count, self.row_shape = None, 0, None
            self.global_step += 1
        if not self.sparse:
            return total / count if self.mean else total
        indices = sorted(total)
        rows = [total[i][0] / total[i][1] if self.mean else total[i][0] for i in indices]
        row_shape = rows[0].shape if rows else ()
        values = np.stack(rows).astype(self.dtype.np) if rows else np.zeros(
            (0,) + tuple(row_shape), self.dtype.np)
        return np.array(indices, np.int64), values

    def set_global_step(self, step: int) -> None:
        with self.cond:
            # TF1 warns when the step goes backwards, and sets it anyway.
            self.global_step = step

    def num_accumulated(self) -> int:
        with self.cond:
            return self.count

    def close(self) -> None:
        """The Session is closing: wakes waiting take ops, which fail with CancelledError."""
        with self.cond:
            self.cancelled = True
            self.cond.notify_all()


def _resource(ctx: Any, handle: Any) -> AccumulatorResource:
    name = handle.item()
    name = name.decode() if isinstance(name, bytes) else str(name)
    resource = ctx.state.resources.get("accumulator:" + name)
    if resource is None:
        raise errors.FailedPreconditionError(None, ctx.op, f"Accumulator {name!r} does not "
                                                           "exist in this Session")
    return resource


@register
class ConditionalAccumulator(Op):
    """Creates (once per Session) a dense gradient accumulator; outputs its handle."""

    dtype: dtypes.DType = dtypes.float32
    shape: Optional[tuple] = None
    shared_name: str = ""
    reduction_type: str = "MEAN"

    stateful = True
    needs_state = True
    differentiable = False
    sparse = False

    def check(self) -> None:
        if self.reduction_type not in ("MEAN", "SUM"):
            raise ValueError(f"Attr 'reduction_type' of '{self.type_name}' Op passed string "
                             f"{self.reduction_type!r} not in: \"MEAN\", \"SUM\".")
        if self.dtype not in (dtypes.float16, dtypes.float32, dtypes.float64):
            raise TypeError(f"{self.type_name}: dtype must be float16, float32 or float64 "
                            f"(the kernels TF1 has), got {self.dtype.name}")

    def infer(self, op):
        return [(dtypes.string, TensorShape([]))]

    def kernel(self, ctx):
        name = self.shared_name or ctx.op.name
        key = "accumulator:" + name
        state = ctx.state
        if key not in state.resources:
            with state.lock:
                if key not in state.resources:
                    timeout = getattr(state, "operation_timeout_in_ms", 0) or 0
                    state.resources[key] = AccumulatorResource(self, name, self.sparse,
                                                               int(timeout))
        return np.array(name.encode(), dtype=object)


@register
class SparseConditionalAccumulator(ConditionalAccumulator):
    """Creates (once per Session) a sparse (IndexedSlices) gradient accumulator."""

    sparse = True


class _AccumulatorOp(Op):
    stateful = True
    needs_state = True
    differentiable = False


@register
class AccumulatorApplyGradient(_AccumulatorOp):
    """Adds gradient (input 2) applied at local_step (input 1, int64) to the accumulator
    (input 0), unless local_step is older than the accumulator's global step."""

    def infer(self, op):
        return []

    def kernel(self, ctx, handle, local_step, grad):
        _resource(ctx, handle).apply_dense(ctx, int(local_step), np.asarray(grad))
        return ()


@register
class SparseAccumulatorApplyGradient(_AccumulatorOp):
    """Adds the IndexedSlices (indices: input 2, values: input 3, optional dense shape:
    input 4) applied at local_step (input 1) to the sparse accumulator (input 0)."""

    has_known_shape: bool = False

    def infer(self, op):
        return []

    def kernel(self, ctx, handle, local_step, indices, values, *shape):
        dense_shape = np.asarray(shape[0]) if shape and self.has_known_shape else None
        _resource(ctx, handle).apply_sparse(ctx, int(local_step), np.asarray(indices),
                                            np.asarray(values), dense_shape)
        return ()


@register
class AccumulatorTakeGradient(_AccumulatorOp):
    """The mean (or sum) of the gradients applied since the last take, once num_required
    (input 1) have been applied (waits until then); resets the accumulator and advances
    its global step."""

    dtype: dtypes.DType = dtypes.float32

    def infer(self, op):
        return [(self.dtype, TensorShape(None))]

    def kernel(self, ctx, handle, num_required):
        return np.asarray(_resource(ctx, handle).take(ctx, int(num_required)),
                          dtype=self.dtype.np)


@register
class SparseAccumulatorTakeGradient(_AccumulatorOp):
    """As AccumulatorTakeGradient for a sparse accumulator: outputs (indices, values, shape)
    with sorted unique indices, each row averaged over the gradients that had it."""

    dtype: dtypes.DType = dtypes.float32

    def infer(self, op):
        return [(dtypes.int64, TensorShape(None)), (self.dtype, TensorShape(None)),
                (dtypes.int64, TensorShape(None))]

    def kernel(self, ctx, handle, num_required):
        resource = _resource(ctx, handle)
        indices, values = resource.take(ctx, int(num_required))
        if resource.shape:
            dims = list(resource.shape)
        elif resource.dense_shape is not None:
            dims = list(resource.dense_shape)
        else:
            dims = [-1] + list(values.shape[1:])
        if dims and dims[0] is None:
            dims[0] = -1
        dims = [-1 if d is None else d for d in dims]
        return indices, values.astype(self.dtype.np, copy=False), np.array(dims, np.int64)


@register
class AccumulatorNumAccumulated(_AccumulatorOp):
    """The number of gradients applied to the accumulator (input 0) since its last take."""

    def infer(self, op):
        return [(dtypes.int32, TensorShape([]))]

    def kernel(self, ctx, handle):
        return np.array(_resource(ctx, handle).num_accumulated(), np.int32)


@register
class AccumulatorSetGlobalStep(_AccumulatorOp):
    """Sets the accumulator's (input 0) global step to new_global_step (input 1, int64)."""

    def infer(self, op):
        return []

    def kernel(self, ctx, handle, step):
        _resource(ctx, handle).set_global_step(int(step))
        return ()
