"""Slot variables: per-variable optimizer state (accumulators, moments, moving averages).

A slot of variable `w` made by an optimizer called "Adam" is the non-trainable Variable
`w/Adam` (then `w/Adam_1`, ... for further slots with that name), as TF1's
`slot_creator`. It sits on `w`'s device, lives in GLOBAL_VARIABLES (so
`global_variables_initializer` initializes it) and does not depend on the control
dependencies around its creation.
"""

from __future__ import annotations

import contextlib
from typing import Any, Callable, Union

from flowgraph import dtypes
from flowgraph.graph import Tensor
from flowgraph.shapes import TensorShape, as_shape
from flowgraph.variable_scope import get_variable_scope
from flowgraph.variables import Variable

__all__ = ["create_slot", "create_slot_with_initializer", "create_zeros_slot"]


def _slot_variable(primary: Any, initial_value: Union[Any, Callable[[], Any]], name: str,
                   dtype: Any, validate_shape: bool, colocate_with_primary: bool) -> Variable:
    graph = primary.graph
    colocation = graph.colocate_with(primary.op) if colocate_with_primary else \
        contextlib.nullcontext()
    with graph.as_default(), graph.name_scope(None), graph.control_dependencies(None), \
            colocation:
        # Under the current variable scope, as TF1's slot_creator.
        scope = get_variable_scope().name
        base = f"{scope}/{primary.op.name}/{name}" if scope else f"{primary.op.name}/{name}"
        unique = graph.unique_name(base)
        # A name ending in "/" names the Variable exactly (no uniquifying, no outer scope).
        slot = Variable(initial_value, trainable=False, name=f"{unique}/", dtype=dtype,
                        validate_shape=validate_shape)
    info = getattr(primary, "_save_slice_info", None)
    if info is not None:
        # As TF1: the slot of a part of a partitioned variable is the same part of a
        # partitioned slot (checkpoint name `full_name/Adam`), e.g. `v/part_0/Adam` ->
        # `v/Adam`.
        real_slot_name = slot.op.name[len(primary.op.name + "/"):]
        slot._save_slice_info = type(info)(f"{info.full_name}/{real_slot_name}",
                                           info.full_shape, info.var_offset, info.var_shape)
    return slot


def create_slot(primary: Any, val: Any, name: str, colocate_with_primary: bool = True) -> Variable:
    """A slot of `primary` (a Variable or Tensor) initialized to the tensor `val`.

    `val` may read Variables (e.g. `primary` itself): it is computed from their initial
    values when they are not initialized yet.
    """
    shape = getattr(val, "shape", None)
    validate = not isinstance(shape, TensorShape) or shape.is_fully_defined()
    return _slot_variable(primary, val, name, None, validate, colocate_with_primary)


def create_slot_with_initializer(primary: Any, initializer: Callable, shape: Any, dtype: Any,
                                 name: str, colocate_with_primary: bool = True) -> Variable:
    """A slot of `primary` of `shape` and `dtype`, initialized by `initializer(shape,
    dtype=dtype)` (an initializer object or function)."""
    shape = as_shape(shape)
    dtype = dtypes.as_dtype(dtype)
    return _slot_variable(primary, lambda: initializer(shape.as_list(), dtype=dtype), name,
                          dtype, shape.is_fully_defined(), colocate_with_primary)


def create_zeros_slot(primary: Any, name: str, dtype: Any = None,
                      colocate_with_primary: bool = True) -> Variable:
    """A slot of `primary` filled with zeros (of primary's shape; dtype defaults to its)."""
    return _filled_slot(primary, name, dtype, 0, colocate_with_primary)


def create_ones_slot(primary: Any, name: str, dtype: Any = None,
                     colocate_with_primary: bool = True) -> Variable:
    """A slot of `primary` filled with ones (RMSProp's mean square starts there)."""
    return _filled_slot(primary, name, dtype, 1, colocate_with_primary)


def create_constant_slot(primary: Any, name: str, value: float, dtype: Any = None,
                         colocate_with_primary: bool = True) -> Variable:
    """A slot of `primary` filled with `value` (Adagrad's and Ftrl's accumulators)."""
    return _filled_slot(primary, name, dtype, value, colocate_with_primary)


def _filled_slot(primary: Any, name: str, dtype: Any, value: float,
                 colocate_with_primary: bool) -> Variable:
    from flowgraph.ops.fill import fill, ones, zeros
    from flowgraph.ops.shape_ops import shape as shape_of
    dtype = dtypes.as_dtype(dtype) if dtype is not None else primary.dtype
    static: TensorShape = primary.shape
    if static.is_fully_defined():
        dims = static.as_list()
        if value == 0:
            def initial() -> Tensor:
                return zeros(dims, dtype=dtype)
        elif value == 1:
            def initial() -> Tensor:
                return ones(dims, dtype=dtype)
        else:
            def initial() -> Tensor:
                from flowgraph.ops.constant import constant
                return constant(value, dtype=dtype, shape=dims)
        return _slot_variable(primary, initial, name, dtype, True, colocate_with_primary)

    def dynamic() -> Tensor:
        # The shape of the primary's value (its initial value while it has none).
        from flowgraph.ops.constant import constant, convert_to_tensor
        return fill(shape_of(convert_to_tensor(primary)), constant(value, dtype=dtype))

    return _slot_variable(primary, dynamic, name, dtype, False, colocate_with_primary)
