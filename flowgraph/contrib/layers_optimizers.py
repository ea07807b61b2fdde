"""TF1's `tf.contrib.layers.optimize_loss` and `adaptive_clipping_fn` (contrib's
layers/optimizers.py): one call that builds the learning-rate variable, the optimizer, the
gradients (with optional noise, multipliers and clipping), their summaries and the train op.
"""

from __future__ import annotations

from typing import Any, Callable, Optional

from flowgraph.graph import GraphKeys, Tensor, get_default_graph
from flowgraph.indexed_slices import IndexedSlices
from flowgraph.ops.constant import convert_to_tensor
from flowgraph.train.adagrad import AdagradOptimizer
from flowgraph.train.adam import AdamOptimizer
from flowgraph.train.ftrl import FtrlOptimizer
from flowgraph.train.gradient_descent import GradientDescentOptimizer
from flowgraph.train.momentum import MomentumOptimizer
from flowgraph.train.optimizer import Optimizer
from flowgraph.train.rmsprop import RMSPropOptimizer
from flowgraph.variable_scope import get_variable, variable_scope
from flowgraph.variables import Variable

__all__ = ["optimize_loss", "adaptive_clipping_fn", "OPTIMIZER_CLS_NAMES",
           "OPTIMIZER_SUMMARIES"]

OPTIMIZER_CLS_NAMES = {
    "Adagrad": AdagradOptimizer,
    "Adam": AdamOptimizer,
    "Ftrl": FtrlOptimizer,
    "Momentum": lambda learning_rate: MomentumOptimizer(learning_rate, momentum=0.9),
    "RMSProp": RMSPropOptimizer,
    "SGD": GradientDescentOptimizer,
}

OPTIMIZER_SUMMARIES = [
    "learning_rate",
    "loss",
    "gradients",
    "gradient_norm",
    "global_gradient_norm",
]


def _learning_rate(learning_rate: Any) -> Any:
    """The learning-rate tensor: a 0-d tensor as is, a float as the non-trainable variable
    ``<scope>/learning_rate``."""
    from flowgraph.initializers import constant_initializer
    if learning_rate is None:
        return None
    if isinstance(learning_rate, (Tensor, Variable)) and learning_rate.shape.ndims == 0:
        return learning_rate
    if isinstance(learning_rate, float):
        if learning_rate < 0.0:
            raise ValueError(f"Invalid learning_rate {learning_rate}: it must be >= 0.")
        return get_variable("learning_rate", [], trainable=False,
                            initializer=constant_initializer(learning_rate))
    raise ValueError(f"Learning rate should be 0d Tensor or float. Got {learning_rate!r} of "
                     f"type {type(learning_rate)} (write e.g. 0.1, not 1 or [0.1])")


def _make_optimizer(optimizer: Any, lr: Any, learning_rate: Any) -> Optimizer:
    if isinstance(optimizer, str):
        if lr is None:
            raise ValueError(f"Learning rate is None, but should be specified if optimizer "
                             f"is string ({optimizer}).")
        if optimizer not in OPTIMIZER_CLS_NAMES:
            raise ValueError(f"Optimizer name should be one of "
                             f"[{', '.join(OPTIMIZER_CLS_NAMES)}], you provided {optimizer}.")
        return OPTIMIZER_CLS_NAMES[optimizer](learning_rate=lr)
    if isinstance(optimizer, type) and issubclass(optimizer, Optimizer):
        if lr is None:
            raise ValueError(f"Learning rate is None, but should be specified if optimizer "
                             f"is class ({optimizer}).")
        return optimizer(learning_rate=lr)
    if isinstance(optimizer, Optimizer):
        return optimizer
    if callable(optimizer):
        opt = optimizer(lr) if learning_rate is not None else optimizer()
        if not isinstance(opt, Optimizer):
            raise ValueError(f"Unrecognized optimizer: function should return subclass of "
                             f"Optimizer. Got {opt}.")
        return opt
    raise ValueError(f"Unrecognized optimizer: should be string, subclass of Optimizer, "
                     f"instance of subclass of Optimizer or function with one argument. "
                     f"Got {optimizer}.")


def _scale(grad: Any, factor: Any) -> Any:
    if isinstance(grad, IndexedSlices):
        return IndexedSlices(grad.values * factor, grad.indices, grad.dense_shape)
    return grad * factor


def _add_scaled_noise(grads_and_vars: list, scale: float) -> list:
    """Adds truncated-normal noise times `scale` to every gradient (IndexedSlices become
    dense, as TF1's ``IndexedSlices + Tensor``)."""
    from flowgraph.ops.random import truncated_normal
    noisy = []
    for grad, var in grads_and_vars:
        if grad is not None:
            if isinstance(grad, IndexedSlices):
                grad = convert_to_tensor(grad)
            grad = grad + truncated_normal(grad.shape.as_list()
                                           if grad.shape.is_fully_defined()
                                           else _dyn_shape(grad)) * scale
        noisy.append((grad, var))
    return noisy


def _dyn_shape(tensor: Any) -> Any:
    from flowgraph.ops.shape_ops import shape
    return shape(tensor)


def _multiply(grads_and_vars: list, multipliers: dict) -> list:
    from flowgraph.ops.constant import constant
    out = []
    for grad, var in grads_and_vars:
        key = var if var in multipliers else var.name if var.name in multipliers else None
        if grad is not None and key is not None:
            # TF1 makes a float32 constant; the gradient's own dtype also serves float64.
            values = grad.values if isinstance(grad, IndexedSlices) else grad
            grad = _scale(grad, constant(multipliers[key], dtype=values.dtype.base_dtype))
        out.append((grad, var))
    return out


def _grad_values(grads_and_vars: list) -> list:
    return [g for g, _ in grads_and_vars]


def optimize_loss(loss: Any, global_step: Any, learning_rate: Any, optimizer: Any,
                  gradient_noise_scale: Optional[float] = None,
                  gradient_multipliers: Optional[dict] = None, clip_gradients: Any = None,
                  learning_rate_decay_fn: Optional[Callable] = None, update_ops: Any = None,
                  variables: Any = None, name: Optional[str] = None, summaries: Any = None,
                  colocate_gradients_with_ops: bool = False,
                  increment_global_step: bool = True) -> Tensor:
    """The training op for `loss`, as TF1's `tf.contrib.layers.optimize_loss`.

    Parameters
    ----------
    loss : Tensor
        A scalar.
    global_step : Tensor or None
        Incremented by each run (unless `increment_global_step` is False); None takes
        the graph's global step (if there is none, no step is counted).
    learning_rate : float, 0-d Tensor or None
        A float becomes the non-trainable variable ``OptimizeLoss/learning_rate``.
    optimizer : str, Optimizer subclass, Optimizer or callable
        A name in OPTIMIZER_CLS_NAMES ("SGD", "Adam", "Adagrad", "Momentum", "RMSProp",
        "Ftrl"); a class called with ``learning_rate=lr``; an instance; or a function of
        the learning rate (of nothing when `learning_rate` is None) returning an Optimizer.
    gradient_noise_scale : float
        Adds truncated-normal noise times this to each gradient.
    gradient_multipliers : dict
        Variable (or variable name) -> factor for its gradient.
    clip_gradients : float or callable
        A float clips the gradients to that global norm; a callable maps the list of
        (gradient, variable) pairs to a new one (e.g. adaptive_clipping_fn()).
    learning_rate_decay_fn : callable
        ``fn(learning_rate, global_step) -> Tensor``, e.g. tf.train.exponential_decay.
    update_ops : list
        Ops run before the loss (default: the UPDATE_OPS collection).
    variables : list
        The variables to train (default: all trainable variables).
    summaries : list
        Some of OPTIMIZER_SUMMARIES (default: "loss", "learning_rate",
        "global_gradient_norm"); as TF1, the learning rate is summarized only when a
        `learning_rate_decay_fn` is given.

    Returns
    -------
    Tensor
        The loss, computed after the gradient updates have been applied
        (``OptimizeLoss/control_dependency``): running it takes one training step.
    """
    from flowgraph import summary
    from flowgraph.ops.clip import clip_by_global_norm, global_norm
    from flowgraph.ops.control import with_dependencies
    from flowgraph.train.training_util import assert_global_step, get_global_step
    from flowgraph.variables import trainable_variables
    loss = convert_to_tensor(loss)
    if loss.shape.ndims is not None and loss.shape.ndims != 0:
        raise ValueError(f"Expected scalar shape for {loss.name}, saw shape: {loss.shape}. "
                         "Reduce the loss first, e.g. with reduce_mean.")
    if global_step is None:
        global_step = get_global_step()
    else:
        assert_global_step(global_step)
    with variable_scope(name, "OptimizeLoss", [loss, global_step]):
        if update_ops is None:
            update_ops = set(get_default_graph().get_collection(GraphKeys.UPDATE_OPS))
        if update_ops:
            loss = with_dependencies(list(update_ops), loss)

        lr = _learning_rate(learning_rate)
        if summaries is None:
            summaries = ["loss", "learning_rate", "global_gradient_norm"]
        else:
            for summ in summaries:
                if summ not in OPTIMIZER_SUMMARIES:
                    raise ValueError(f"Summaries should be one of "
                                     f"[{', '.join(OPTIMIZER_SUMMARIES)}], you provided "
                                     f"{summ}.")
        if learning_rate is not None and learning_rate_decay_fn is not None:
            if global_step is None:
                raise ValueError("global_step is required for learning_rate_decay_fn.")
            lr = learning_rate_decay_fn(lr, global_step)
            if "learning_rate" in summaries:
                summary.scalar("learning_rate", lr)

        opt = _make_optimizer(optimizer, lr, learning_rate)
        if variables is None:
            variables = trainable_variables()
        gradients = opt.compute_gradients(
            loss, variables, colocate_gradients_with_ops=colocate_gradients_with_ops)
        if gradient_noise_scale is not None:
            gradients = _add_scaled_noise(gradients, gradient_noise_scale)
        if gradient_multipliers is not None:
            gradients = _multiply(gradients, gradient_multipliers)
            if not gradients:
                raise ValueError("Empty list of (gradient, var) pairs encountered. This is "
                                 "most likely to be caused by an improper value of "
                                 "gradient_multipliers.")
        norm_summaries = "global_gradient_norm" in summaries or "gradient_norm" in summaries
        if norm_summaries:
            summary.scalar("global_norm/gradient_norm", global_norm(_grad_values(gradients)))

        if isinstance(clip_gradients, float):
            clipped, _ = clip_by_global_norm(_grad_values(gradients), clip_gradients)
            gradients = list(zip(clipped, [v for _, v in gradients]))
        elif callable(clip_gradients):
            gradients = clip_gradients(gradients)
        elif clip_gradients is not None:
            raise ValueError(f"Unknown type {type(clip_gradients)} for clip_gradients (give "
                             "a float global norm or a callable)")

        if "loss" in summaries:
            summary.scalar("loss", loss)
        for grad, var in gradients:
            values = grad.values if isinstance(grad, IndexedSlices) else grad
            if values is not None:
                var_name = var.name.replace(":", "_")
                if "gradients" in summaries:
                    summary.histogram(f"gradients/{var_name}", values)
                if "gradient_norm" in summaries:
                    summary.scalar(f"gradient_norm/{var_name}", global_norm([values]))
        if clip_gradients is not None and norm_summaries:
            summary.scalar("global_norm/clipped_gradient_norm",
                           global_norm(_grad_values(gradients)))

        grad_updates = opt.apply_gradients(
            gradients, global_step=global_step if increment_global_step else None,
            name="train")
        return with_dependencies([grad_updates], loss)


def _adaptive_max_norm(norm: Any, std_factor: Any, decay: Any, global_step: Any,
                       epsilon: float, name: Optional[str]) -> tuple:
    """(max_norm, mean of log norm) from moving averages of log(norm) and its square."""
    from flowgraph.initializers import zeros_initializer
    from flowgraph.ops.cast import cast
    from flowgraph.ops.math import maximum, minimum
    from flowgraph.ops.unary import exp, log, sqrt, square
    from flowgraph.train.moving_averages import assign_moving_average
    with variable_scope(name, "AdaptiveMaxNorm", [norm]):
        log_norm = log(norm + epsilon)

        def moving_average(var_name: str, value: Any, decay: Any) -> Any:
            var = get_variable(var_name, shape=value.shape, dtype=value.dtype,
                               initializer=zeros_initializer(), trainable=False)
            return assign_moving_average(var, value, decay, zero_debias=False)

        if global_step is not None:  # quicker adaptation at the beginning
            n = cast(global_step, log_norm.dtype)
            decay = minimum(decay, n / (n + 1.0))
        mean = moving_average("mean", log_norm, decay)
        sq_mean = moving_average("sq_mean", square(log_norm), decay)
        std = sqrt(maximum(epsilon, sq_mean - square(mean)))
        return exp(mean + std_factor * std), mean


def adaptive_clipping_fn(std_factor: float = 2.0, decay: float = 0.95,
                         static_max_norm: Optional[float] = None, global_step: Any = None,
                         report_summary: bool = False, epsilon: float = 1e-8,
                         name: Optional[str] = None) -> Callable:
    """A `clip_gradients` function for optimize_loss, as TF1's
    `tf.contrib.layers.adaptive_clipping_fn` (arXiv:1412.1602, section 3.2.1).

    It keeps moving averages (variables ``AdaptiveMaxNorm/mean`` and ``.../sq_mean``) of
    the mean and square of log(global gradient norm); when the norm exceeds
    ``exp(mean + std_factor * std)`` all gradients are rescaled to the norm ``exp(mean)``.
    `static_max_norm` additionally caps the norm.
    """
    def gradient_clipping(grads_and_vars: list) -> list:
        from flowgraph import summary
        from flowgraph.ops.clip import global_norm
        from flowgraph.ops.fill import ones_like
        from flowgraph.ops.logic import where
        from flowgraph.ops.math import minimum
        from flowgraph.ops.unary import exp
        grads = [g for g, _ in grads_and_vars]
        norm = global_norm(grads)
        max_norm, log_mean = _adaptive_max_norm(norm, std_factor, decay, global_step,
                                                epsilon, name)
        if report_summary:
            summary.scalar("global_norm/adaptive_max_gradient_norm", max_norm)
        factor = where(norm < max_norm, ones_like(norm), exp(log_mean) / norm)
        if static_max_norm is not None:
            factor = minimum(static_max_norm / norm, factor)
        return [(None if g is None else _scale(g, factor), v) for g, v in grads_and_vars]

    return gradient_clipping
