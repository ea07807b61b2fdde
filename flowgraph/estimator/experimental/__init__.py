"""`fg.estimator.experimental`: TF1's `tf.estimator.experimental` (early stopping hooks,
logit function builders of the canned models)."""

from flowgraph.estimator.canned.dnn_model import dnn_logit_fn_builder
from flowgraph.estimator.canned.linear_model import linear_logit_fn_builder
from flowgraph.estimator.experimental.early_stopping import (
    make_early_stopping_hook,
    read_eval_metrics,
    stop_if_higher_hook,
    stop_if_lower_hook,
    stop_if_no_decrease_hook,
    stop_if_no_increase_hook,
)
from flowgraph.estimator.experimental.hooks import (
    call_logit_fn,
    make_stop_at_checkpoint_step_hook,
)
from flowgraph.estimator.experimental.in_memory_evaluator import InMemoryEvaluatorHook

__all__ = ["make_early_stopping_hook", "stop_if_higher_hook", "stop_if_lower_hook",
           "stop_if_no_decrease_hook", "stop_if_no_increase_hook", "read_eval_metrics",
           "make_stop_at_checkpoint_step_hook", "call_logit_fn", "dnn_logit_fn_builder",
           "linear_logit_fn_builder", "InMemoryEvaluatorHook"]
