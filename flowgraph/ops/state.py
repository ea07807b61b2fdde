"""Variable state ops: the Variable node itself, assign, assign_add, scatter updates.

A Variable's value lives in each Session's state, keyed by the Variable node's name.
Ops that change a Variable take it by reference (`ref_inputs`): the plan hands them the
variable's key instead of reading its value, so assigning to an uninitialized Variable works.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Optional

import numpy as np

from flowgraph import errors
from flowgraph.dtypes import DType, bool_, string
from flowgraph.graph import Tensor
from flowgraph.ops.constant import convert_to_tensor
from flowgraph.ops.registry import Op, apply_op, register
from flowgraph.shapes import TensorShape

__all__ = ["assign", "assign_add", "assign_sub", "scatter_update", "scatter_add",
           "scatter_sub", "is_variable_initialized"]


class _AllInputs:
    """`ref_inputs` value meaning every input is taken by reference."""

    def __contains__(self, index: Any) -> bool:
        return True


ALL_INPUTS = _AllInputs()


@register
class VariableV2(Op):
    """A Variable: reading it yields the Session's current value of this variable."""

    shape: TensorShape
    dtype: DType
    container: str = ""
    shared_name: str = ""

    stateful = True
    needs_state = True
    is_variable = True
    differentiable = False  # a gradient source, with no inputs

    def infer(self, op):
        return [(self.dtype, self.shape)]

    def kernel(self, ctx):
        return ctx.read_variable(ctx.op.name)

    @classmethod
    def default_name(cls) -> str:
        return "Variable"


def _variable_tensor(ref: Any) -> Tensor:
    """The VariableV2 output behind a Variable object or tensor (to assign to)."""
    target = getattr(ref, "_variable", ref)
    if not isinstance(target, Tensor) or not getattr(target.op.op_def, "is_variable", False):
        raise TypeError(f"Expected a Variable to assign to, got {ref!r}. Only Variables can be "
                        "assigned; create one with fg.Variable or fg.get_variable.")
    return target


def _check_value_shape(ctx: Any, var_shape: tuple, value: np.ndarray) -> None:
    if var_shape is not None and (len(var_shape) != value.ndim or any(
            d is not None and d != s for d, s in zip(var_shape, value.shape))):
        raise errors.InvalidArgumentError(
            None, ctx.op, f"Assign requires shapes of both tensors to match: variable "
            f"{ctx.op.inputs[0].op.name} has shape {list(var_shape)}, value has shape "
            f"{list(value.shape)}.")


@dataclasses.dataclass(frozen=True, kw_only=True)
class _UpdateOp(Op):
    """Base of ops that write a Variable (input 0, by reference)."""

    use_locking: bool = False
    stateful = True
    needs_state = True
    differentiable = False
    stops_gradient = True  # as TF1's NotDifferentiable("Assign"...): gradients are None
    ref_inputs = (0,)

    def infer(self, op):
        ref, value = op.inputs[0], op.inputs[1]
        if ref.dtype != value.dtype:
            raise TypeError(f"{op.type} value has dtype {value.dtype.name} but variable "
                            f"{ref.op.name} has dtype {ref.dtype.name}; use fg.cast.")
        if not ref.shape.is_compatible_with(value.shape):
            raise ValueError(f"Shapes of variable {ref.op.name} {ref.shape} and value "
                             f"{value.shape} are incompatible for {op.type}.")
        return [(ref.dtype, ref.shape)]


@register
class Assign(_UpdateOp):
    """Sets a Variable to a value; outputs the new value."""

    validate_shape: bool = True
    use_locking: bool = True

    def infer(self, op):
        if self.validate_shape:
            return super().infer(op)
        ref, value = op.inputs
        if ref.dtype != value.dtype:
            raise TypeError(f"Assign value has dtype {value.dtype.name} but variable "
                            f"{ref.op.name} has dtype {ref.dtype.name}; use fg.cast.")
        return [(ref.dtype, value.shape)]

    def kernel(self, ctx, ref, value):
        value = np.asarray(value)
        if self.validate_shape:
            _check_value_shape(ctx, ctx.op.inputs[0].shape.as_tuple(), value)
        return ctx.write_variable(ref.key, value)


@register
class AssignAdd(_UpdateOp):
    """Adds a value to a Variable; outputs the new value."""

    def kernel(self, ctx, ref, delta):
        old = ctx.read_variable(ref.key)
        return ctx.write_variable(ref.key, np.add(old, delta, dtype=old.dtype), owned=True)


@register
class AssignSub(_UpdateOp):
    """Subtracts a value from a Variable; outputs the new value."""

    def kernel(self, ctx, ref, delta):
        old = ctx.read_variable(ref.key)
        return ctx.write_variable(ref.key, np.subtract(old, delta, dtype=old.dtype),
                                  owned=True)


@dataclasses.dataclass(frozen=True, kw_only=True)
class _ScatterOp(Op):
    """Base of sparse updates: rows `indices` of a Variable get `updates`."""

    use_locking: bool = False
    stateful = True
    needs_state = True
    differentiable = False
    stops_gradient = True  # as TF1's NotDifferentiable("Assign"...): gradients are None
    ref_inputs = (0,)

    def infer(self, op):
        ref, indices, updates = op.inputs
        if not indices.dtype.is_integer:
            raise TypeError(f"{op.type} indices must be int32 or int64, got "
                            f"{indices.dtype.name}")
        if ref.dtype != updates.dtype:
            raise TypeError(f"{op.type} updates have dtype {updates.dtype.name} but variable "
                            f"{ref.op.name} has dtype {ref.dtype.name}")
        # As TF1's scatter kernels, a scalar update applies to every indexed element.
        if ref.shape.ndims is not None and indices.shape.ndims is not None and \
                updates.shape.ndims != 0:
            expected = indices.shape.concatenate(ref.shape[1:])
            if not updates.shape.is_compatible_with(expected):
                raise ValueError(f"{op.type} updates must have shape indices.shape + "
                                 f"ref.shape[1:] = {expected}, got {updates.shape}")
        return [(ref.dtype, ref.shape)]

    def kernel(self, ctx, ref, indices, updates):
        old = ctx.read_variable(ref.key)
        indices = np.asarray(indices)
        if indices.size and (indices.min() < 0 or indices.max() >= old.shape[0]):
            bad = indices[(indices < 0) | (indices >= old.shape[0])].reshape(-1)[0]
            raise errors.InvalidArgumentError(
                None, ctx.op, f"{ctx.op.type}: index {bad} is not in [0, {old.shape[0]}) for "
                f"variable {ref.key} of shape {list(old.shape)}")
        new = old.copy()
        self.update(new, indices, np.asarray(updates, dtype=old.dtype))
        return ctx.write_variable(ref.key, new, owned=True)


@register
class ScatterUpdate(_ScatterOp):
    """Sets rows `indices` of a Variable to `updates` (the last write wins on duplicates)."""

    def update(self, target, indices, updates):
        target[indices] = updates


@register
class ScatterAdd(_ScatterOp):
    """Adds `updates` to rows `indices` of a Variable (duplicates add up)."""

    def update(self, target, indices, updates):
        np.add.at(target, indices, updates)


@register
class ScatterSub(_ScatterOp):
    """Subtracts `updates` from rows `indices` of a Variable (duplicates add up)."""

    def update(self, target, indices, updates):
        np.subtract.at(target, indices, updates)


@register
class IsVariableInitialized(Op):
    """True once the Variable has a value in this Session."""

    stateful = True
    needs_state = True
    differentiable = False
    ref_inputs = (0,)

    def infer(self, op):
        return [(bool_, TensorShape([]))]

    def kernel(self, ctx, ref):
        return np.bool_(ref.key in ctx.state.variables)


@register
class VariableValueOrInitial(Op):
    """A Variable's value if it has one in this Session, else the given initial value (the
    guard for initial values computed from other Variables)."""

    stateful = True
    needs_state = True
    differentiable = False
    ref_inputs = (0,)

    def infer(self, op):
        return [(op.inputs[1].dtype, op.inputs[1].shape)]

    def kernel(self, ctx, ref, initial):
        return ctx.state.variables.get(ref.key, initial)


@register
class ReportUninitializedVariables(Op):
    """The names of the input Variables that have no value yet in this Session."""

    stateful = True
    needs_state = True
    differentiable = False
    ref_inputs = ALL_INPUTS

    def infer(self, op):
        return [(string, TensorShape([None]))]

    def kernel(self, ctx, *refs):
        names = [r.key.encode("utf-8") for r in refs if r.key not in ctx.state.variables]
        return np.array(names, dtype=object).reshape(-1)


def _update(cls: type, ref: Any, value: Any, name: Optional[str], **attrs: Any) -> Tensor:
    target = _variable_tensor(ref)
    value = convert_to_tensor(value, dtype=target.dtype)
    return apply_op(cls(**attrs), [target, value], name=name)


def assign(ref: Any, value: Any, validate_shape: Optional[bool] = None,
           use_locking: Optional[bool] = None, name: Optional[str] = None) -> Tensor:
    """Sets Variable `ref` to `value`; returns the new value (run it to assign)."""
    return _update(Assign, ref, value, name, validate_shape=validate_shape is not False,
                   use_locking=use_locking is not False)


def assign_add(ref: Any, value: Any, use_locking: Optional[bool] = None,
               name: Optional[str] = None) -> Tensor:
    """Adds `value` to Variable `ref`; returns the new value."""
    return _update(AssignAdd, ref, value, name, use_locking=bool(use_locking))


def assign_sub(ref: Any, value: Any, use_locking: Optional[bool] = None,
               name: Optional[str] = None) -> Tensor:
    """Subtracts `value` from Variable `ref`; returns the new value."""
    return _update(AssignSub, ref, value, name, use_locking=bool(use_locking))


def _scatter(cls: type, ref: Any, indices: Any, updates: Any, use_locking: bool,
             name: Optional[str]) -> Tensor:
    target = _variable_tensor(ref)
    indices = convert_to_tensor(indices)
    updates = convert_to_tensor(updates, dtype=target.dtype)
    return apply_op(cls(use_locking=bool(use_locking)), [target, indices, updates], name=name)


def scatter_update(ref: Any, indices: Any, updates: Any, use_locking: bool = True,
                   name: Optional[str] = None) -> Tensor:
    """Sets rows `indices` of Variable `ref` to `updates`; returns the new value."""
    return _scatter(ScatterUpdate, ref, indices, updates, use_locking, name)


def scatter_add(ref: Any, indices: Any, updates: Any, use_locking: bool = False,
                name: Optional[str] = None) -> Tensor:
    """Adds `updates` to rows `indices` of Variable `ref`; returns the new value."""
    return _scatter(ScatterAdd, ref, indices, updates, use_locking, name)


def scatter_sub(ref: Any, indices: Any, updates: Any, use_locking: bool = False,
                name: Optional[str] = None) -> Tensor:
    """Subtracts `updates` from rows `indices` of Variable `ref`; returns the new value."""
    return _scatter(ScatterSub, ref, indices, updates, use_locking, name)


def is_variable_initialized(variable: Any) -> Tensor:
    """A bool scalar: whether `variable` has a value in the Session that runs it."""
    return apply_op(IsVariableInitialized(), [_variable_tensor(variable)],
                    name="IsVariableInitialized")
