"""TF1's proximal optimizers (FOBOS with l1 / l2 penalties) and AdagradDA."""

from __future__ import annotations

from typing import Any

from flowgraph import dtypes
from flowgraph.ops.cast import cast
from flowgraph.ops.constant import identity
from flowgraph.ops.math import add
from flowgraph.ops.training import apply_update
from flowgraph.ops.training_proximal import (
    ApplyAdagradDA,
    ApplyProximalAdagrad,
    ApplyProximalGradientDescent,
    SparseApplyAdagradDA,
    SparseApplyProximalAdagrad,
    SparseApplyProximalGradientDescent,
)
from flowgraph.train.optimizer import Optimizer

__all__ = ["ProximalGradientDescentOptimizer", "ProximalAdagradOptimizer",
           "AdagradDAOptimizer"]


class ProximalGradientDescentOptimizer(Optimizer):
    """Gradient descent followed by the proximal step of the l1 / l2 penalties:
    ``prox = var - lr * g; var = sign(prox) * max(|prox| - lr * l1, 0) / (1 + lr * l2)``."""

    def __init__(self, learning_rate: Any, l1_regularization_strength: float = 0.0,
                 l2_regularization_strength: float = 0.0, use_locking: bool = False,
                 name: str = "ProximalGradientDescent") -> None:
        super().__init__(use_locking, name)
        self._learning_rate = learning_rate
        self._l1_regularization_strength = l1_regularization_strength
        self._l2_regularization_strength = l2_regularization_strength

    def _prepare(self) -> None:
        self._learning_rate_tensor = self._hyper_tensor(self._learning_rate, "learning_rate")
        self._l1_tensor = self._hyper_tensor(self._l1_regularization_strength,
                                             "l1_regularization_strength")
        self._l2_tensor = self._hyper_tensor(self._l2_regularization_strength,
                                             "l2_regularization_strength")

    def _scalars(self, var):
        return [self._cast(self._learning_rate_tensor, var), self._cast(self._l1_tensor, var),
                self._cast(self._l2_tensor, var)]

    def _apply_dense(self, grad, var):
        return apply_update(ApplyProximalGradientDescent, [var, *self._scalars(var), grad],
                            use_locking=self._use_locking).op

    def _apply_sparse(self, grad, var):
        return apply_update(SparseApplyProximalGradientDescent,
                            [var, *self._scalars(var), grad.values, grad.indices],
                            use_locking=self._use_locking).op


class ProximalAdagradOptimizer(Optimizer):
    """Adagrad step sizes with the proximal l1 / l2 step: ``accum += g^2; s = lr /
    sqrt(accum); prox = var - s * g; var = sign(prox) * max(|prox| - s * l1, 0) /
    (1 + s * l2)``. Slot "accumulator" (`<var>/ProximalAdagrad`)."""

    def __init__(self, learning_rate: Any, initial_accumulator_value: float = 0.1,
                 l1_regularization_strength: float = 0.0,
                 l2_regularization_strength: float = 0.0, use_locking: bool = False,
                 name: str = "ProximalAdagrad") -> None:
        if initial_accumulator_value <= 0.0:
            raise ValueError("initial_accumulator_value must be positive: "
                             f"{initial_accumulator_value}")
        super().__init__(use_locking, name)
        self._learning_rate = learning_rate
        self._initial_accumulator_value = initial_accumulator_value
        self._l1_regularization_strength = l1_regularization_strength
        self._l2_regularization_strength = l2_regularization_strength

    def _create_slots(self, var_list):
        for v in var_list:
            self._filled_slot(v, "accumulator", self._name, self._initial_accumulator_value)

    _prepare = ProximalGradientDescentOptimizer._prepare
    _scalars = ProximalGradientDescentOptimizer._scalars

    def _apply_dense(self, grad, var):
        return apply_update(ApplyProximalAdagrad, [
            var, self.get_slot(var, "accumulator"), *self._scalars(var), grad],
            use_locking=self._use_locking).op

    def _apply_sparse(self, grad, var):
        return apply_update(SparseApplyProximalAdagrad, [
            var, self.get_slot(var, "accumulator"), *self._scalars(var), grad.values,
            grad.indices], use_locking=self._use_locking).op


class AdagradDAOptimizer(Optimizer):
    """Adagrad Dual Averaging (for sparse linear models), as TF1's: with the global step t
    (the `global_step` Variable + 1), ``g_acc += g; gg_acc += g^2; var = -lr *
    sign(g_acc) * max(|g_acc| - l1 * t, 0) / (l2 * t * lr + sqrt(gg_acc))``. Slots
    "gradient_accumulator" (zeros) and "gradient_squared_accumulator" (starting at
    `initial_gradient_squared_accumulator_value`)."""

    def __init__(self, learning_rate: Any, global_step: Any,
                 initial_gradient_squared_accumulator_value: float = 0.1,
                 l1_regularization_strength: float = 0.0,
                 l2_regularization_strength: float = 0.0, use_locking: bool = False,
                 name: str = "AdagradDA") -> None:
        if initial_gradient_squared_accumulator_value <= 0.0:
            raise ValueError("initial_gradient_squared_accumulator_value must be positive: "
                             f"{initial_gradient_squared_accumulator_value}")
        super().__init__(use_locking, name)
        self._learning_rate = learning_rate
        self._initial_gradient_squared_accumulator_value = \
            initial_gradient_squared_accumulator_value
        self._l1_regularization_strength = l1_regularization_strength
        self._l2_regularization_strength = l2_regularization_strength
        self._global_step = global_step

    def _create_slots(self, var_list):
        for v in var_list:
            self._zeros_slot(v, "gradient_accumulator", self._name)
            self._filled_slot(v, "gradient_squared_accumulator", self._name,
                              self._initial_gradient_squared_accumulator_value)

    def _prepare(self) -> None:
        ProximalGradientDescentOptimizer._prepare(self)
        self._global_step_on_worker = add(identity(self._global_step),
                                          cast(1, dtypes.as_dtype(self._global_step.dtype)
                                               .base_dtype))

    def _inputs(self, var):
        lr, l1, l2 = ProximalGradientDescentOptimizer._scalars(self, var)
        return [lr, l1, l2, cast(self._global_step_on_worker, var.dtype)]

    def _apply_dense(self, grad, var):
        return apply_update(ApplyAdagradDA, [
            var, self.get_slot(var, "gradient_accumulator"),
            self.get_slot(var, "gradient_squared_accumulator"), grad, *self._inputs(var)],
            use_locking=self._use_locking).op

    def _apply_sparse(self, grad, var):
        return apply_update(SparseApplyAdagradDA, [
            var, self.get_slot(var, "gradient_accumulator"),
            self.get_slot(var, "gradient_squared_accumulator"), grad.values, grad.indices,
            *self._inputs(var)], use_locking=self._use_locking).op
