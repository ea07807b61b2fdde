"""AdadeltaOptimizer: step sizes from running averages of squared gradients and updates."""

from __future__ import annotations

from typing import Any

from flowgraph.ops.training import apply_update
from flowgraph.ops.training_proximal import ApplyAdadelta, SparseApplyAdadelta
from flowgraph.train.optimizer import Optimizer

__all__ = ["AdadeltaOptimizer"]


class AdadeltaOptimizer(Optimizer):
    """Adadelta (Zeiler 2012), as TF1's: ``accum = rho * accum + (1 - rho) * g^2;
    update = sqrt(accum_update + eps) / sqrt(accum + eps) * g;
    accum_update = rho * accum_update + (1 - rho) * update^2; var -= lr * update``.

    Slots "accum" and "accum_update" (Variables `<var>/Adadelta`, `<var>/Adadelta_1`) start
    at zeros.
    """

    def __init__(self, learning_rate: Any = 0.001, rho: Any = 0.95, epsilon: Any = 1e-8,
                 use_locking: bool = False, name: str = "Adadelta") -> None:
        super().__init__(use_locking, name)
        self._lr = learning_rate
        self._rho = rho
        self._epsilon = epsilon

    def _create_slots(self, var_list):
        for v in var_list:
            self._zeros_slot(v, "accum", self._name)
            self._zeros_slot(v, "accum_update", self._name)

    def _prepare(self) -> None:
        self._lr_t = self._hyper_tensor(self._lr, "lr")
        self._rho_t = self._hyper_tensor(self._rho, "rho")
        self._epsilon_t = self._hyper_tensor(self._epsilon, "epsilon")

    def _inputs(self, var):
        return [var, self.get_slot(var, "accum"), self.get_slot(var, "accum_update"),
                self._cast(self._lr_t, var), self._cast(self._rho_t, var),
                self._cast(self._epsilon_t, var)]

    def _apply_dense(self, grad, var):
        return apply_update(ApplyAdadelta, self._inputs(var) + [grad],
                            use_locking=self._use_locking).op

    def _apply_sparse(self, grad, var):
        return apply_update(SparseApplyAdadelta, self._inputs(var) + [grad.values, grad.indices],
                            use_locking=self._use_locking).op
