"""The optimizer argument of canned estimators: a name, an Optimizer, or a callable
returning one (TF1's `tensorflow_estimator.python.estimator.canned.optimizers`)."""

from __future__ import annotations

from typing import Any, Optional

from flowgraph.train import (
    AdagradOptimizer,
    AdamOptimizer,
    FtrlOptimizer,
    GradientDescentOptimizer,
    Optimizer,
    RMSPropOptimizer,
)

_OPTIMIZER_CLS_NAMES = {
    "Adagrad": AdagradOptimizer,
    "Adam": AdamOptimizer,
    "Ftrl": FtrlOptimizer,
    "RMSProp": RMSPropOptimizer,
    "SGD": GradientDescentOptimizer,
}


def get_optimizer_instance(opt: Any, learning_rate: Optional[float] = None) -> Optimizer:
    """An Optimizer from `opt`.

    Parameters
    ----------
    opt : str, Optimizer or callable
        One of 'Adagrad', 'Adam', 'Ftrl', 'RMSProp', 'SGD' (built with `learning_rate`
        and the class's other defaults), an Optimizer, or a callable returning one.
    learning_rate : float, optional
        Required when `opt` is a name.
    """
    if isinstance(opt, str):
        if opt in _OPTIMIZER_CLS_NAMES:
            if learning_rate is None:
                raise ValueError("learning_rate must be specified when opt is string.")
            return _OPTIMIZER_CLS_NAMES[opt](learning_rate=learning_rate)
        raise ValueError(f"Unsupported optimizer name: {opt}. Supported names are: "
                         f"{tuple(sorted(_OPTIMIZER_CLS_NAMES))}")
    if callable(opt) and not isinstance(opt, Optimizer):
        opt = opt()
    if not isinstance(opt, Optimizer):
        raise ValueError(f"The given object is not an Optimizer instance. Given: {opt}")
    return opt
