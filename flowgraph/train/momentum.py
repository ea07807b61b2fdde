"""MomentumOptimizer: accumulated gradients, optionally with Nesterov's look-ahead."""

from __future__ import annotations

from typing import Any

from flowgraph.ops.training import ApplyMomentum, apply_update
from flowgraph.ops.training_sparse import SparseApplyMomentum
from flowgraph.train.optimizer import Optimizer

__all__ = ["MomentumOptimizer"]


class MomentumOptimizer(Optimizer):
    """``accum = momentum * accum + grad; var -= learning_rate * accum``; with
    ``use_nesterov=True``: ``var -= learning_rate * (grad + momentum * accum)``.

    The accumulator is the slot "momentum" (Variable `<var>/Momentum`), starting at zeros.
    """

    def __init__(self, learning_rate: Any, momentum: Any, use_locking: bool = False,
                 name: str = "Momentum", use_nesterov: bool = False) -> None:
        super().__init__(use_locking, name)
        self._learning_rate = learning_rate
        self._momentum = momentum
        self._use_nesterov = use_nesterov

    def _create_slots(self, var_list):
        for v in var_list:
            self._zeros_slot(v, "momentum", self._name)

    def _prepare(self) -> None:
        self._learning_rate_tensor = self._hyper_tensor(self._learning_rate, "learning_rate")
        self._momentum_tensor = self._hyper_tensor(self._momentum, "momentum")

    def _apply_dense(self, grad, var):
        return apply_update(ApplyMomentum, [
            var, self.get_slot(var, "momentum"), self._cast(self._learning_rate_tensor, var),
            grad, self._cast(self._momentum_tensor, var)],
            use_locking=self._use_locking, use_nesterov=self._use_nesterov).op

    def _apply_sparse(self, grad, var):
        return apply_update(SparseApplyMomentum, [
            var, self.get_slot(var, "momentum"), self._cast(self._learning_rate_tensor, var),
            grad.values, grad.indices, self._cast(self._momentum_tensor, var)],
            use_locking=self._use_locking, use_nesterov=self._use_nesterov).op
