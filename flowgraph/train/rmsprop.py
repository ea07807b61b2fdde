"""RMSPropOptimizer: gradients scaled by a moving average of their squares (Hinton)."""

from __future__ import annotations

from typing import Any

from flowgraph.ops.training import ApplyCenteredRMSProp, ApplyRMSProp, apply_update
from flowgraph.ops.training_sparse import SparseApplyCenteredRMSProp, SparseApplyRMSProp
from flowgraph.train.optimizer import Optimizer

__all__ = ["RMSPropOptimizer"]


class RMSPropOptimizer(Optimizer):
    """``ms = decay * ms + (1 - decay) * grad^2;
    mom = momentum * mom + learning_rate * grad / sqrt(ms + epsilon); var -= mom``.

    Slots: "rms" (`<var>/RMSProp`, starting at ONES, as TF1), "momentum"
    (`<var>/RMSProp_1`, zeros); with ``centered=True`` also "mg" (the mean gradient,
    `<var>/RMSProp_1`, momentum then being `<var>/RMSProp_2`), and the denominator becomes
    ``sqrt(ms - mg^2 + epsilon)``.
    """

    def __init__(self, learning_rate: Any, decay: Any = 0.9, momentum: Any = 0.0,
                 epsilon: Any = 1e-10, use_locking: bool = False, centered: bool = False,
                 name: str = "RMSProp") -> None:
        super().__init__(use_locking, name)
        self._learning_rate = learning_rate
        self._decay = decay
        self._momentum = momentum
        self._epsilon = epsilon
        self._centered = centered

    def _create_slots(self, var_list):
        for v in var_list:
            self._filled_slot(v, "rms", self._name, 1.0)
            if self._centered:
                self._zeros_slot(v, "mg", self._name)
            self._zeros_slot(v, "momentum", self._name)

    def _prepare(self) -> None:
        tensor = self._hyper_tensor
        self._learning_rate_tensor = tensor(self._learning_rate, "learning_rate")
        self._decay_tensor = tensor(self._decay, "decay")
        self._momentum_tensor = tensor(self._momentum, "momentum")
        self._epsilon_tensor = tensor(self._epsilon, "epsilon")

    def _hyper(self, var) -> list:
        return [self._cast(t, var) for t in (self._learning_rate_tensor, self._decay_tensor,
                                             self._momentum_tensor, self._epsilon_tensor)]

    def _slots_of(self, var) -> list:
        slots = [self.get_slot(var, "rms"), self.get_slot(var, "momentum")]
        if self._centered:
            slots.insert(0, self.get_slot(var, "mg"))
        return slots

    def _apply_dense(self, grad, var):
        op_class = ApplyCenteredRMSProp if self._centered else ApplyRMSProp
        return apply_update(op_class, [var, *self._slots_of(var), *self._hyper(var), grad],
                            use_locking=self._use_locking).op

    def _apply_sparse(self, grad, var):
        op_class = SparseApplyCenteredRMSProp if self._centered else SparseApplyRMSProp
        return apply_update(op_class, [var, *self._slots_of(var), *self._hyper(var),
                                       grad.values, grad.indices],
                            use_locking=self._use_locking).op
