"""Exponential moving averages of Variables (TF1's moving_averages)."""

from __future__ import annotations

from typing import Any, Optional

from flowgraph import dtypes
from flowgraph.graph import GraphKeys, Operation, Tensor, get_default_graph
from flowgraph.ops.cast import cast
from flowgraph.ops.constant import convert_to_tensor
from flowgraph.ops.control import group
from flowgraph.ops.elementwise import op_scope
from flowgraph.ops.state import assign, assign_add, assign_sub
from flowgraph.train import slot_creator
from flowgraph.variables import Variable

__all__ = ["ExponentialMovingAverage", "assign_moving_average"]

_FLOAT_DTYPES = (dtypes.float16, dtypes.float32, dtypes.float64)


def assign_moving_average(variable: Variable, value: Any, decay: Any, zero_debias: bool = True,
                          name: Optional[str] = None) -> Tensor:
    """``variable -= (variable - value) * (1 - decay)``; returns the new value.

    With `zero_debias` (meant for Variables that start at zero), the update goes to a biased
    copy (`<variable>/biased`, with its step count `<variable>/local_step`) and the Variable
    is set to the biased average divided by ``1 - decay ^ steps`` (Kingma and Ba's bias
    correction).
    """
    with op_scope(name, "AssignMovingAvg", [variable, value, decay]) as scope:
        one_minus_decay = convert_to_tensor(1.0 - convert_to_tensor(decay), name="decay")
        if one_minus_decay.dtype != variable.dtype:
            one_minus_decay = cast(one_minus_decay, variable.dtype)
        value = convert_to_tensor(value, dtype=variable.dtype)
        if zero_debias:
            return _zero_debias(variable, value, one_minus_decay, scope)
        return assign_sub(variable, (variable.read_value() - value) * one_minus_decay,
                          name=scope)


def _zero_debias(unbiased: Variable, value: Tensor, one_minus_decay: Tensor,
                 scope: str) -> Tensor:
    from flowgraph.ops.math import pow
    graph = unbiased.graph
    base = unbiased.op.name
    with graph.name_scope(None), graph.control_dependencies(None), \
            graph.colocate_with(unbiased.op):
        biased = _new_variable(graph, f"{base}/biased", unbiased.shape, unbiased.dtype)
        local_step = _new_variable(graph, f"{base}/local_step", [], unbiased.dtype)
    with graph.name_scope(scope):
        update_biased = assign_sub(biased, (biased.read_value() - value) * one_minus_decay)
        update_step = assign_add(local_step, 1)
        bias_factor = 1 - pow(1.0 - one_minus_decay, update_step)
        return assign(unbiased, update_biased / bias_factor, name=scope)


def _new_variable(graph: Any, name: str, shape: Any, dtype: dtypes.DType) -> Variable:
    from flowgraph.ops.fill import zeros
    unique = graph.unique_name(name)
    dims = list(shape)
    return Variable(lambda: zeros(dims, dtype=dtype), trainable=False, name=f"{unique}/",
                    dtype=dtype)


class ExponentialMovingAverage:
    """Maintains moving averages of Variables (or Tensors) with an exponential decay.

    ``apply(var_list)`` creates a shadow Variable per item (`<var>/ExponentialMovingAverage`,
    starting at the variable's initial value, or zeros for a Tensor) and returns an op that
    updates them: ``shadow -= (1 - decay) * (shadow - var)``. With `num_updates`, the decay
    used is ``min(decay, (1 + num_updates) / (10 + num_updates))``.

    >>> ema = fg.train.ExponentialMovingAverage(0.999)
    >>> with fg.control_dependencies([train_op]):
    ...     train_op = ema.apply(fg.trainable_variables())
    """

    def __init__(self, decay: Any, num_updates: Any = None, zero_debias: bool = False,
                 name: str = "ExponentialMovingAverage") -> None:
        self._decay = decay
        self._num_updates = num_updates
        self._zero_debias = zero_debias
        self._name = name
        self._averages: dict = {}

    @property
    def name(self) -> str:
        return self._name

    def apply(self, var_list: Any = None) -> Operation:
        """Creates the shadow variables (once per item) and returns the op updating them."""
        if var_list is None:
            from flowgraph.variables import trainable_variables
            var_list = trainable_variables()
        var_list = list(var_list)
        debiased = set()
        for var in var_list:
            if var.dtype not in _FLOAT_DTYPES:
                raise TypeError(f"The variables must be half, float, or double: {var.name}")
            if _key(var) in self._averages:
                continue
            graph = var.graph
            with graph.control_dependencies(None):
                if isinstance(var, Variable):
                    average = slot_creator.create_slot(var, var.value(), self._name)
                    graph.add_to_collection(GraphKeys.MOVING_AVERAGE_VARIABLES, var)
                else:
                    colocate = getattr(var.op.op_def, "is_variable", False)
                    average = slot_creator.create_zeros_slot(
                        var, self._name, colocate_with_primary=colocate)
                    if self._zero_debias:
                        debiased.add(_key(average))
            self._averages[_key(var)] = average
        graph = var_list[0].graph if var_list else get_default_graph()
        with graph.as_default(), graph.name_scope(self._name) as scope:
            decay = convert_to_tensor(self._decay, name="decay")
            if self._num_updates is not None:
                from flowgraph.ops.math import minimum
                num_updates = cast(self._num_updates, dtypes.float32, name="num_updates")
                decay = minimum(decay, (1.0 + num_updates) / (10.0 + num_updates))
            updates = []
            for var in var_list:
                average = self._averages[_key(var)]
                # A fresh read: under control_dependencies([train_op]) it sees the trained
                # value, as TF1's in-place variables do.
                value = var.read_value() if isinstance(var, Variable) else var
                updates.append(assign_moving_average(
                    average, value, decay, zero_debias=_key(average) in debiased))
            return group(*updates, name=scope)

    def average(self, var: Any) -> Optional[Variable]:
        """The shadow Variable of `var`, or None."""
        return self._averages.get(_key(var))

    def average_name(self, var: Any) -> str:
        """The name of `var`'s shadow Variable (the one it would get, before `apply`)."""
        average = self._averages.get(_key(var))
        if average is not None:
            return average.op.name
        return get_default_graph().unique_name(f"{var.op.name}/{self._name}",
                                               mark_as_used=False)

    def variables_to_restore(self, moving_avg_variables: Any = None) -> dict:
        """{checkpoint name: Variable} restoring each average's value into its variable
        (and every other global variable under its own name), for evaluation with the
        averaged weights: ``fg.train.Saver(ema.variables_to_restore())``."""
        from flowgraph.variables import (
            global_variables,
            moving_average_variables,
            trainable_variables,
        )
        if moving_avg_variables is None:
            moving_avg_variables = trainable_variables() + moving_average_variables()
        unique = list(dict.fromkeys(moving_avg_variables))
        name_map = {self.average_name(v): v for v in unique}
        names = {v.name for v in unique}
        for v in global_variables():
            if v.name not in names and v.op.name not in name_map:
                name_map[v.op.name] = v
        return name_map


def _key(var: Any) -> Any:
    return var.op if isinstance(var, Variable) else var
