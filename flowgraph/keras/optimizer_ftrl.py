"""`tf.keras.optimizers.Ftrl` as TF 1.15 had it (OptimizerV2; the ApplyFtrl / ApplyFtrlV2
kernels' maths, composed from ordinary ops)."""

from __future__ import annotations

from typing import Any

import flowgraph as fg
from flowgraph.keras.optimizers import Optimizer, _lr

__all__ = ["Ftrl"]


class Ftrl(Optimizer):
    """Follow The Regularized Leader (McMahan et al., 2013), per element::

        g' = g + 2 * l2_shrinkage * var
        acc_new = acc + g^2
        linear += g' - (acc_new^(-p) - acc^(-p)) / lr * var         (p = learning_rate_power)
        var = (clip(linear, -l1, l1) - linear) / (acc_new^(-p) / lr + 2 * l2)
        acc = acc_new

    (so `var` is 0 where ``|linear| <= l1``). The slots ``accumulator`` (starting at
    `initial_accumulator_value`) and ``linear`` (zeros) are made for each variable.
    """

    _config_keys = ("learning_rate", "decay", "initial_accumulator_value",
                    "learning_rate_power", "l1_regularization_strength",
                    "l2_regularization_strength", "l2_shrinkage_regularization_strength")

    def __init__(self, learning_rate: Any = 0.001, learning_rate_power: Any = -0.5,
                 initial_accumulator_value: float = 0.1,
                 l1_regularization_strength: Any = 0.0, l2_regularization_strength: Any = 0.0,
                 name: str = "Ftrl", l2_shrinkage_regularization_strength: float = 0.0,
                 **kwargs: Any) -> None:
        checks = (("initial_accumulator_value", initial_accumulator_value, "positive or zero"),
                  ("learning_rate_power", -learning_rate_power, "negative or zero"),
                  ("l1_regularization_strength", l1_regularization_strength,
                   "positive or zero"),
                  ("l2_regularization_strength", l2_regularization_strength,
                   "positive or zero"),
                  ("l2_shrinkage_regularization_strength",
                   l2_shrinkage_regularization_strength, "positive or zero"))
        for key, value, needs in checks:
            if isinstance(value, (int, float)) and value < 0.0:
                shown = -value if key == "learning_rate_power" else value
                raise ValueError(f"{key} {shown:f} needs to be {needs}")
        super().__init__(name, **kwargs)
        self._set_hypers(learning_rate=_lr(kwargs, learning_rate),
                         learning_rate_power=learning_rate_power,
                         l1_regularization_strength=l1_regularization_strength,
                         l2_regularization_strength=l2_regularization_strength)
        self._initial_accumulator_value = initial_accumulator_value
        self._l2_shrinkage_regularization_strength = l2_shrinkage_regularization_strength

    @property
    def initial_accumulator_value(self) -> float:
        return self._initial_accumulator_value

    @property
    def l2_shrinkage_regularization_strength(self) -> float:
        return self._l2_shrinkage_regularization_strength

    def _create_slots(self, var_list: list) -> None:
        for var in var_list:
            self.add_slot(var, "accumulator", float(self._initial_accumulator_value))
            self.add_slot(var, "linear")

    def _apply_dense(self, grad: Any, var: Any, state: dict) -> Any:
        dtype = var.dtype.base_dtype
        lr = state["lr_t"]
        power = self._get_hyper("learning_rate_power", dtype)
        l1 = self._get_hyper("l1_regularization_strength", dtype)
        l2 = self._get_hyper("l2_regularization_strength", dtype)
        accum = self.get_slot(var, "accumulator")
        linear = self.get_slot(var, "linear")
        shrunk = grad
        if self._l2_shrinkage_regularization_strength > 0.0:
            shrunk = grad + 2.0 * self._l2_shrinkage_regularization_strength * var
        new_accum = accum + grad * grad
        accum_power = fg.pow(new_accum, -power)
        sigma = (accum_power - fg.pow(accum, -power)) / lr
        linear_t = fg.assign(linear, linear + shrunk - sigma * var)
        with fg.control_dependencies([linear_t]):
            accum_t = fg.assign(accum, new_accum)
        quadratic = accum_power / lr + 2.0 * l2
        new_var = (fg.clip_by_value(linear_t, -l1, l1) - linear_t) / quadratic
        with fg.control_dependencies([accum_t]):
            return fg.assign(var, new_var).op
