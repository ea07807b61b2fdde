"""AdagradOptimizer: per-coordinate learning rates from accumulated squared gradients."""

from __future__ import annotations

from typing import Any

from flowgraph.ops.training import ApplyAdagrad, apply_update
from flowgraph.ops.training_sparse import SparseApplyAdagrad
from flowgraph.train.optimizer import Optimizer

__all__ = ["AdagradOptimizer"]


class AdagradOptimizer(Optimizer):
    """``accum += grad^2; var -= learning_rate * grad / sqrt(accum)``.

    The accumulator is the slot "accumulator" (Variable `<var>/Adagrad`), starting at
    `initial_accumulator_value`.
    """

    def __init__(self, learning_rate: Any, initial_accumulator_value: float = 0.1,
                 use_locking: bool = False, name: str = "Adagrad") -> None:
        if initial_accumulator_value <= 0.0:
            raise ValueError("initial_accumulator_value must be positive: "
                             f"{initial_accumulator_value}")
        super().__init__(use_locking, name)
        self._learning_rate = learning_rate
        self._initial_accumulator_value = initial_accumulator_value

    def _create_slots(self, var_list):
        for v in var_list:
            self._filled_slot(v, "accumulator", self._name, self._initial_accumulator_value)

    def _prepare(self) -> None:
        self._learning_rate_tensor = self._hyper_tensor(self._learning_rate, "learning_rate")

    def _apply_dense(self, grad, var):
        return apply_update(ApplyAdagrad, [
            var, self.get_slot(var, "accumulator"),
            self._cast(self._learning_rate_tensor, var), grad],
            use_locking=self._use_locking).op

    def _apply_sparse(self, grad, var):
        return apply_update(SparseApplyAdagrad, [
            var, self.get_slot(var, "accumulator"),
            self._cast(self._learning_rate_tensor, var), grad.values, grad.indices],
            use_locking=self._use_locking).op
