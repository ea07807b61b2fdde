"""The Optimizer base class: gradients of a loss, and the ops that apply them (TF1's)."""

from __future__ import annotations

from typing import Any, Callable, Optional

from flowgraph import dtypes
from flowgraph.graph import GraphKeys, Operation, Tensor, get_default_graph
from flowgraph.indexed_slices import IndexedSlices
from flowgraph.ops.cast import cast
from flowgraph.ops.constant import convert_to_tensor
from flowgraph.ops.control import group
from flowgraph.ops.state import assign_add
from flowgraph.train import slot_creator
from flowgraph.variables import Variable

__all__ = ["Optimizer"]

_VALID_DTYPES = (dtypes.float16, dtypes.float32, dtypes.float64)


def _var_key(var: Any) -> Any:
    return var.op


def _as_list(value: Any) -> list:
    if isinstance(value, (list, tuple)):
        out = []
        for item in value:
            out.extend(_as_list(item))
        return out
    if isinstance(value, dict):
        return _as_list(list(value.values()))
    return [value]


class Optimizer:
    """Base class of optimizers: `minimize(loss)` = `compute_gradients` + `apply_gradients`.

    Subclasses create their slots in `_create_slots`, convert hyper-parameters to tensors in
    `_prepare`, and add one update op per variable in `_apply_dense` (and `_apply_sparse` for
    IndexedSlices gradients).
    """

    GATE_NONE = 0
    GATE_OP = 1
    GATE_GRAPH = 2

    def __init__(self, use_locking: bool, name: str) -> None:
        if not name:
            raise ValueError("Must specify the optimizer name")
        self._use_locking = use_locking
        self._name = name
        self._slots: dict = {}
        self._non_slot_dict: dict = {}
        self._hyper_dtype = dtypes.float32

    def get_name(self) -> str:
        return self._name

    # ------------------------------------------------------------------ the public API
    def minimize(self, loss: Any, global_step: Any = None, var_list: Any = None,
                 gate_gradients: int = GATE_OP, aggregation_method: Any = None,
                 colocate_gradients_with_ops: bool = False, name: Optional[str] = None,
                 grad_loss: Any = None) -> Operation:
        """An op that takes one step of minimizing `loss` (and increments `global_step`)."""
        grads_and_vars = self.compute_gradients(
            loss, var_list=var_list, gate_gradients=gate_gradients,
            aggregation_method=aggregation_method,
            colocate_gradients_with_ops=colocate_gradients_with_ops, grad_loss=grad_loss)
        if not [v for g, v in grads_and_vars if g is not None]:
            raise ValueError(
                "No gradients provided for any variable, check your graph for ops that do "
                f"not support gradients, between variables {[str(v) for _, v in grads_and_vars]}"
                f" and loss {loss}.")
        return self.apply_gradients(grads_and_vars, global_step=global_step, name=name)

    def compute_gradients(self, loss: Any, var_list: Any = None,
                          gate_gradients: int = GATE_OP, aggregation_method: Any = None,
                          colocate_gradients_with_ops: bool = False,
                          grad_loss: Any = None) -> list:
        """[(gradient, variable)] of `loss` for the variables in `var_list` (default: the
        TRAINABLE_VARIABLES collection); the gradient is None for a variable that the loss
        does not depend on, and an IndexedSlices for gather-like paths."""
        if callable(loss) and not isinstance(loss, (Tensor, Variable)):
            loss = loss()
        if gate_gradients not in (Optimizer.GATE_NONE, Optimizer.GATE_OP,
                                  Optimizer.GATE_GRAPH):
            raise ValueError("gate_gradients must be one of: Optimizer.GATE_NONE, "
                             f"Optimizer.GATE_OP, Optimizer.GATE_GRAPH.  Not {gate_gradients}")
        loss = convert_to_tensor(loss)
        self._assert_valid_dtypes([loss])
        if grad_loss is not None:
            grad_loss = convert_to_tensor(grad_loss)
            self._assert_valid_dtypes([grad_loss])
        if var_list is None:
            var_list = loss.graph.get_collection(GraphKeys.TRAINABLE_VARIABLES)
        else:
            var_list = _as_list(var_list)
        if not var_list:
            raise ValueError("No variables to optimize.")
        for v in var_list:
            if not isinstance(v, Variable):
                raise NotImplementedError(f"Trying to optimize unsupported type {v!r}: "
                                          "optimizers train fg.Variable objects.")
        from flowgraph.gradients import gradients
        grads = gradients(loss, var_list, grad_ys=None if grad_loss is None else [grad_loss],
                          gate_gradients=gate_gradients == Optimizer.GATE_OP,
                          aggregation_method=aggregation_method,
                          colocate_gradients_with_ops=colocate_gradients_with_ops)
        if gate_gradients == Optimizer.GATE_GRAPH:
            grads = _gate_all(grads)
        grads_and_vars = list(zip(grads, var_list))
        self._assert_valid_dtypes([v for g, v in grads_and_vars if g is not None])
        return grads_and_vars

    def apply_gradients(self, grads_and_vars: Any, global_step: Any = None,
                        name: Optional[str] = None) -> Operation:
        """An op that applies the gradients (pairs with None gradients are skipped), then
        increments `global_step` by one if given; it is added to the TRAIN_OP collection."""
        grads_and_vars = tuple(grads_and_vars)
        if not grads_and_vars:
            raise ValueError("No variables provided.")
        converted = []
        for pair in grads_and_vars:
            if not isinstance(pair, (tuple, list)) or len(pair) != 2:
                raise TypeError(f"apply_gradients needs (gradient, variable) pairs, got "
                                f"{pair!r}")
            g, v = pair
            if g is not None and not isinstance(g, IndexedSlices):
                try:
                    g = convert_to_tensor(g)
                except (TypeError, ValueError):
                    raise TypeError("Gradient must be convertible to a Tensor or "
                                    f"IndexedSlices, or None: {g!r}") from None
            if not isinstance(v, Variable):
                raise NotImplementedError(f"Trying to update unsupported type {v!r}: "
                                          "optimizers train fg.Variable objects.")
            converted.append((g, v))
        var_list = [v for g, v in converted if g is not None]
        if not var_list:
            raise ValueError("No gradients provided for any variable: "
                             f"{[str(v) for _, v in converted]}.")
        graph = var_list[0].graph
        var_dtypes = {v.dtype for v in var_list}
        # Python-number hyper-parameters become constants of the variables' dtype (float32
        # when they differ), so float64 training does not round them through float32.
        self._hyper_dtype = var_dtypes.pop() if len(var_dtypes) == 1 else dtypes.float32
        with graph.as_default():
            with graph.control_dependencies(None):
                self._create_slots(var_list)
            update_ops = []
            with graph.name_scope(name or self._name) as scope:
                self._prepare()
                for grad, var in converted:
                    if grad is None:
                        continue
                    with graph.name_scope(f"update_{var.op.name}"), \
                            graph.colocate_with(var.op):
                        update_ops.append(self._update_op(grad, var))
                if global_step is None:
                    apply_updates = self._finish(update_ops, scope)
                else:
                    with graph.control_dependencies([self._finish(update_ops, "update")]), \
                            graph.colocate_with(_op_of(global_step)):
                        apply_updates = assign_add(global_step, 1, name=scope).op
            train_ops = graph.get_collection_ref(GraphKeys.TRAIN_OP)
            if apply_updates not in train_ops:
                train_ops.append(apply_updates)
        return apply_updates

    def get_slot(self, var: Any, name: str) -> Optional[Variable]:
        """The slot `name` (e.g. "m", "accumulator") of `var`, or None."""
        named_slots = self._slots.get(name)
        if not named_slots:
            return None
        return named_slots.get(_var_key(var))

    def get_slot_names(self) -> list:
        """The names of the slots this optimizer makes, sorted."""
        return sorted(self._slots)

    def variables(self) -> list:
        """The optimizer's own Variables (slots and e.g. Adam's beta powers) in the default
        graph, sorted by name."""
        current = get_default_graph()
        found = [v for v in self._non_slot_dict.values() if v.graph is current]
        for slots in self._slots.values():
            found.extend(v for v in slots.values() if v.graph is current)
        return sorted(found, key=lambda v: v.name)

    # ------------------------------------------------------------------ subclass hooks
    def _create_slots(self, var_list: list) -> None:
        """Creates the slots of every variable in `var_list` (none by default)."""

    def _prepare(self) -> None:
        """Converts hyper-parameters to tensors, in the optimizer's name scope."""

    def _apply_dense(self, grad: Tensor, var: Variable) -> Operation:
        raise NotImplementedError()

    def _apply_sparse(self, grad: IndexedSlices, var: Variable) -> Operation:
        raise NotImplementedError()

    def _apply_sparse_duplicate_indices(self, grad: IndexedSlices,
                                        var: Variable) -> Operation:
        """The update for an IndexedSlices gradient. flowgraph's sparse update ops sum
        repeated indices themselves, so this is `_apply_sparse`."""
        return self._apply_sparse(grad, var)

    def _finish(self, update_ops: list, name_scope: str) -> Operation:
        """The op that groups the update ops (subclasses add their own final updates)."""
        return group(*update_ops, name=name_scope)

    def _update_op(self, grad: Any, var: Variable) -> Operation:
        if isinstance(grad, IndexedSlices):
            if var.constraint is not None:
                raise RuntimeError("Cannot use a constraint function on a sparse variable.")
            return self._apply_sparse_duplicate_indices(grad, var)
        update = self._apply_dense(grad, var)
        if var.constraint is None:
            return update
        with var.graph.control_dependencies([update]):
            return var.assign(var.constraint(var.read_value())).op

    # ------------------------------------------------------------------ helpers
    def _call_if_callable(self, param: Any) -> Any:
        """Hyper-parameters may be callables returning the value (called when applying)."""
        return param() if callable(param) and not isinstance(param, (Tensor, Variable)) \
            else param

    def _hyper_tensor(self, value: Any, name: str) -> Tensor:
        """A hyper-parameter (called first if callable) as a Tensor: Python numbers become a
        constant `name` of the trained variables' dtype."""
        value = self._call_if_callable(value)
        if isinstance(value, Tensor) or hasattr(value, "__fg_tensor__"):
            return convert_to_tensor(value)
        return convert_to_tensor(value, dtype=self._hyper_dtype, name=name)

    def _hyper_value(self, value: Any) -> Any:
        """A hyper-parameter as the initial value of a Variable (Adam's beta powers)."""
        value = self._call_if_callable(value)
        if isinstance(value, Tensor) or hasattr(value, "__fg_tensor__"):
            return value
        return convert_to_tensor(value, dtype=self._hyper_dtype)

    def _cast(self, value: Tensor, var: Variable) -> Tensor:
        """`value` in var's dtype (as is when it already has it)."""
        return cast(value, var.dtype)

    def _assert_valid_dtypes(self, tensors: list) -> None:
        for t in tensors:
            dtype = t.dtype
            if dtype not in _VALID_DTYPES:
                raise ValueError(f"Invalid type {dtype.name} for {t.name}, expected: "
                                 f"{[d.name for d in _VALID_DTYPES]}.")

    def _slot_dict(self, slot_name: str) -> dict:
        return self._slots.setdefault(slot_name, {})

    def _get_or_make_slot(self, var: Variable, val: Any, slot_name: str,
                          op_name: str) -> Variable:
        """The slot `slot_name` of `var`, made from the tensor `val` if missing."""
        return self._make_slot(var, slot_name,
                               lambda: slot_creator.create_slot(var, val, op_name))

    def _get_or_make_slot_with_initializer(self, var: Variable, initializer: Callable,
                                           shape: Any, dtype: Any, slot_name: str,
                                           op_name: str) -> Variable:
        return self._make_slot(var, slot_name, lambda: slot_creator.create_slot_with_initializer(
            var, initializer, shape, dtype, op_name))

    def _zeros_slot(self, var: Variable, slot_name: str, op_name: str) -> Variable:
        """The slot `slot_name` of `var`, made as zeros of var's shape if missing."""
        return self._make_slot(var, slot_name,
                               lambda: slot_creator.create_zeros_slot(var, op_name))

    def _filled_slot(self, var: Variable, slot_name: str, op_name: str,
                     value: float) -> Variable:
        """The slot `slot_name` of `var`, made filled with `value` if missing."""
        return self._make_slot(var, slot_name, lambda: slot_creator.create_constant_slot(
            var, op_name, value))

    def _make_slot(self, var: Variable, slot_name: str, make: Callable[[], Variable]) -> Variable:
        named_slots = self._slot_dict(slot_name)
        key = _var_key(var)
        if key not in named_slots:
            named_slots[key] = make()
        return named_slots[key]

    def _create_non_slot_variable(self, initial_value: Any, name: str,
                                  colocate_with: Variable) -> Variable:
        """A Variable of the optimizer itself (one per graph), e.g. Adam's `beta1_power`."""
        graph = colocate_with.graph
        key = (name, graph)
        variable = self._non_slot_dict.get(key)
        if variable is None:
            with graph.as_default(), graph.control_dependencies(None), \
                    graph.colocate_with(colocate_with.op):
                variable = Variable(initial_value, name=name, trainable=False)
            self._non_slot_dict[key] = variable
        return variable

    def _get_non_slot_variable(self, name: str, graph: Any = None) -> Optional[Variable]:
        return self._non_slot_dict.get((name, get_default_graph() if graph is None else graph))

    def _non_slot_variables(self) -> list:
        return list(self._non_slot_dict.values())


def _op_of(value: Any) -> Operation:
    return value.op


def _gate_all(grads: list) -> list:
    """GATE_GRAPH: every gradient is available only once all of them are computed."""
    from flowgraph.ops.control import tuple as tuple_
    present = [g for g in grads if g is not None]
    tensors = [convert_to_tensor(g) if not isinstance(g, IndexedSlices) else g.values
               for g in present]
    gated = iter(tuple_(tensors))
    result = []
    for g in grads:
        if g is None:
            result.append(None)
        elif isinstance(g, IndexedSlices):
            result.append(IndexedSlices(next(gated), g.indices, g.dense_shape))
        else:
            result.append(next(gated))
    return result
