"""AdamOptimizer: adaptive moment estimation (Kingma and Ba, 2015)."""

from __future__ import annotations

from typing import Any

from flowgraph.ops.control import group
from flowgraph.ops.training import ApplyAdam, apply_update
from flowgraph.ops.training_sparse import SparseApplyAdam
from flowgraph.train.optimizer import Optimizer

__all__ = ["AdamOptimizer"]


class AdamOptimizer(Optimizer):
    """Adam, with TF1's formulation of the bias correction::

        t += 1
        lr_t = learning_rate * sqrt(1 - beta2^t) / (1 - beta1^t)
        m = beta1 * m + (1 - beta1) * grad
        v = beta2 * v + (1 - beta2) * grad^2
        var -= lr_t * m / (sqrt(v) + epsilon)

    Slots "m" (`<var>/Adam`) and "v" (`<var>/Adam_1`); beta1^t and beta2^t are the
    Variables `beta1_power` and `beta2_power`, updated after all the variables.
    """

    def __init__(self, learning_rate: Any = 0.001, beta1: Any = 0.9, beta2: Any = 0.999,
                 epsilon: Any = 1e-08, use_locking: bool = False, name: str = "Adam") -> None:
        super().__init__(use_locking, name)
        self._lr = learning_rate
        self._beta1 = beta1
        self._beta2 = beta2
        self._epsilon = epsilon
        self._lr_t = self._beta1_t = self._beta2_t = self._epsilon_t = None

    def _get_beta_accumulators(self) -> tuple:
        from flowgraph.graph import get_default_graph
        graph = get_default_graph()
        return (self._get_non_slot_variable("beta1_power", graph=graph),
                self._get_non_slot_variable("beta2_power", graph=graph))

    def _create_slots(self, var_list):
        first_var = min(var_list, key=lambda x: x.name)
        self._create_non_slot_variable(self._hyper_value(self._beta1), "beta1_power",
                                       first_var)
        self._create_non_slot_variable(self._hyper_value(self._beta2), "beta2_power",
                                       first_var)
        for v in var_list:
            self._zeros_slot(v, "m", self._name)
            self._zeros_slot(v, "v", self._name)

    def _prepare(self) -> None:
        tensor = self._hyper_tensor
        self._lr_t = tensor(self._lr, "learning_rate")
        self._beta1_t = tensor(self._beta1, "beta1")
        self._beta2_t = tensor(self._beta2, "beta2")
        self._epsilon_t = tensor(self._epsilon, "epsilon")

    def _inputs(self, var) -> list:
        beta1_power, beta2_power = self._get_beta_accumulators()
        scalars = [beta1_power.value(), beta2_power.value(), self._lr_t, self._beta1_t,
                   self._beta2_t, self._epsilon_t]
        return [var, self.get_slot(var, "m"), self.get_slot(var, "v"),
                *[self._cast(s, var) for s in scalars]]

    def _apply_dense(self, grad, var):
        return apply_update(ApplyAdam, [*self._inputs(var), grad],
                            use_locking=self._use_locking).op

    def _apply_sparse(self, grad, var):
        return apply_update(SparseApplyAdam, [*self._inputs(var), grad.values, grad.indices],
                            use_locking=self._use_locking).op

    def _finish(self, update_ops, name_scope):
        beta1_power, beta2_power = self._get_beta_accumulators()
        graph = beta1_power.graph
        with graph.control_dependencies(update_ops), graph.colocate_with(beta1_power.op):
            update_beta1 = beta1_power.assign(
                beta1_power.read_value() * self._cast(self._beta1_t, beta1_power),
                use_locking=self._use_locking)
            update_beta2 = beta2_power.assign(
                beta2_power.read_value() * self._cast(self._beta2_t, beta2_power),
                use_locking=self._use_locking)
        return group(*update_ops, update_beta1, update_beta2, name=name_scope)
