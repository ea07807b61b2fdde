"""GradientDescentOptimizer: var -= learning_rate * gradient."""

from __future__ import annotations

from typing import Any

from flowgraph.ops.training import ApplyGradientDescent, apply_update
from flowgraph.ops.training_sparse import SparseApplyGradientDescent
from flowgraph.train.optimizer import Optimizer

__all__ = ["GradientDescentOptimizer"]


class GradientDescentOptimizer(Optimizer):
    """Plain gradient descent: ``var -= learning_rate * grad``.

    >>> train_op = fg.train.GradientDescentOptimizer(0.1).minimize(loss)
    """

    def __init__(self, learning_rate: Any, use_locking: bool = False,
                 name: str = "GradientDescent") -> None:
        super().__init__(use_locking, name)
        self._learning_rate = learning_rate
        self._learning_rate_tensor = None

    def _prepare(self) -> None:
        self._learning_rate_tensor = self._hyper_tensor(self._learning_rate, "learning_rate")

    def _apply_dense(self, grad, var):
        return apply_update(ApplyGradientDescent, [
            var, self._cast(self._learning_rate_tensor, var), grad],
            use_locking=self._use_locking).op

    def _apply_sparse(self, grad, var):
        return apply_update(SparseApplyGradientDescent, [
            var, self._cast(self._learning_rate_tensor, var), grad.values, grad.indices],
            use_locking=self._use_locking).op
