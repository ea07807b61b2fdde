"""FtrlOptimizer: FTRL-proximal (McMahan et al., "Ad Click Prediction", 2013)."""

from __future__ import annotations

from typing import Any, Optional

from flowgraph.ops.training import ApplyFtrl, ApplyFtrlV2, apply_update
from flowgraph.ops.training_sparse import SparseApplyFtrl, SparseApplyFtrlV2
from flowgraph.train.optimizer import Optimizer

__all__ = ["FtrlOptimizer"]


class FtrlOptimizer(Optimizer):
    """FTRL-proximal with online L1/L2 regularization and optional shrinkage-type L2.

    Slots "accum" (`<var>/Ftrl`, starting at `initial_accumulator_value`) and "linear"
    (`<var>/Ftrl_1`, zeros). Per step (TF1's ApplyFtrl, p = -learning_rate_power)::

        new_accum = accum + grad^2
        linear += grad - (new_accum^p - accum^p) / learning_rate * var
        var = (sign(linear) * l1 - linear) / (new_accum^p / learning_rate + 2 * l2)
              where |linear| > l1, else 0
        accum = new_accum

    With l2_shrinkage_regularization_strength > 0, grad is replaced by
    ``grad + 2 * l2_shrinkage * var`` (ApplyFtrlV2).
    """

    def __init__(self, learning_rate: Any, learning_rate_power: float = -0.5,
                 initial_accumulator_value: float = 0.1,
                 l1_regularization_strength: float = 0.0,
                 l2_regularization_strength: float = 0.0, use_locking: bool = False,
                 name: str = "Ftrl", accum_name: Optional[str] = None,
                 linear_name: Optional[str] = None,
                 l2_shrinkage_regularization_strength: float = 0.0) -> None:
        super().__init__(use_locking, name)
        if initial_accumulator_value < 0.0:
            raise ValueError(f"initial_accumulator_value {initial_accumulator_value:f} needs "
                             "to be positive or zero")
        if learning_rate_power > 0.0:
            raise ValueError(f"learning_rate_power {learning_rate_power:f} needs to be "
                             "negative or zero")
        for what, value in (("l1_regularization_strength", l1_regularization_strength),
                            ("l2_regularization_strength", l2_regularization_strength),
                            ("l2_shrinkage_regularization_strength",
                             l2_shrinkage_regularization_strength)):
            if value < 0.0:
                raise ValueError(f"{what} {value:f} needs to be positive or zero")
        self._learning_rate = learning_rate
        self._learning_rate_power = learning_rate_power
        self._initial_accumulator_value = initial_accumulator_value
        self._l1_regularization_strength = l1_regularization_strength
        self._l2_regularization_strength = l2_regularization_strength
        self._l2_shrinkage_regularization_strength = l2_shrinkage_regularization_strength
        self._accum_name = accum_name
        self._linear_name = linear_name

    def _create_slots(self, var_list):
        for v in var_list:
            self._filled_slot(v, "accum", self._accum_name or self._name,
                              self._initial_accumulator_value)
            self._zeros_slot(v, "linear", self._linear_name or self._name)

    def _prepare(self) -> None:
        tensor = self._hyper_tensor
        self._learning_rate_tensor = tensor(self._learning_rate, "learning_rate")
        self._l1_regularization_strength_tensor = tensor(
            self._l1_regularization_strength, "l1_regularization_strength")
        self._l2_regularization_strength_tensor = tensor(
            self._l2_regularization_strength, "l2_regularization_strength")
        self._l2_shrinkage_regularization_strength_tensor = tensor(
            self._l2_shrinkage_regularization_strength, "l2_shrinkage_regularization_strength")
        self._learning_rate_power_tensor = tensor(self._learning_rate_power,
                                                  "learning_rate_power")

    def _shrinking(self) -> bool:
        return self._l2_shrinkage_regularization_strength > 0.0

    def _scalars(self, var) -> list:
        scalars = [self._learning_rate_tensor, self._l1_regularization_strength_tensor,
                   self._l2_regularization_strength_tensor]
        if self._shrinking():
            scalars.append(self._l2_shrinkage_regularization_strength_tensor)
        scalars.append(self._learning_rate_power_tensor)
        return [self._cast(s, var) for s in scalars]

    def _apply_dense(self, grad, var):
        op_class = ApplyFtrlV2 if self._shrinking() else ApplyFtrl
        slots = [self.get_slot(var, "accum"), self.get_slot(var, "linear")]
        return apply_update(op_class, [var, *slots, grad, *self._scalars(var)],
                            use_locking=self._use_locking).op

    def _apply_sparse(self, grad, var):
        op_class = SparseApplyFtrlV2 if self._shrinking() else SparseApplyFtrl
        slots = [self.get_slot(var, "accum"), self.get_slot(var, "linear")]
        return apply_update(op_class, [var, *slots, grad.values, grad.indices,
                                       *self._scalars(var)],
                            use_locking=self._use_locking).op
