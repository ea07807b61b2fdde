"""`add_metrics`: extend an Estimator's evaluation with more metrics, as TF1's
`tf.estimator.add_metrics`."""

from typing import Any, Callable

from flowgraph.estimator.model_fn import ModeKeys
from flowgraph.estimator.util import fn_args

__all__ = ["add_metrics"]

_VALID_METRIC_FN_ARGS = {"features", "labels", "predictions", "config"}


def add_metrics(estimator: Any, metric_fn: Callable) -> Any:
    """A new Estimator (same model_dir, config and warm start) whose evaluation also
    reports `metric_fn`'s metrics.

    Parameters
    ----------
    estimator : Estimator
    metric_fn : callable
        Takes any of (features, labels, predictions, config) by name and returns a dict of
        metric name to (value, update_op), e.g. from `fg.metrics`.
    """
    from flowgraph.estimator.estimator import Estimator

    args = set(fn_args(metric_fn))
    invalid = sorted(args - _VALID_METRIC_FN_ARGS)
    if invalid:
        raise ValueError(f"metric_fn ({metric_fn}) has following not expected args: "
                         f"{invalid}")

    def new_model_fn(features: Any, labels: Any, mode: str, config: Any) -> Any:
        spec = estimator.model_fn(features, labels, mode, config)
        if mode != ModeKeys.EVAL:
            return spec
        available = {"features": features, "labels": labels,
                     "predictions": spec.predictions, "config": config}
        new_metrics = metric_fn(**{name: available[name] for name in args})
        all_metrics = dict(spec.eval_metric_ops or {})
        all_metrics.update(new_metrics)
        return spec._replace(eval_metric_ops=all_metrics)

    return Estimator(model_fn=new_model_fn, model_dir=estimator.model_dir,
                     config=estimator.config,
                     warm_start_from=estimator._warm_start_settings)
