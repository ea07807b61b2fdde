"""`Estimator.predict`: build the PREDICT graph, restore a checkpoint and yield the
predictions batch by batch until the input ends."""

import logging
from typing import Any, Iterator, Optional

from flowgraph.estimator import util
from flowgraph.estimator.checkpoint_names import add_default_saver
from flowgraph.estimator.model_fn import ModeKeys
from flowgraph.graph import Graph
from flowgraph.train.monitored_session import ChiefSessionCreator, MonitoredSession

_log = logging.getLogger("flowgraph.estimator")


def predict(estimator: Any, input_fn: Any, predict_keys: Any, hooks: list,
            checkpoint_path: Optional[str], yield_single_examples: bool) -> Iterator:
    """The generator behind `Estimator.predict` (see there)."""
    if not checkpoint_path:
        checkpoint_path = estimator.latest_checkpoint()
    if not checkpoint_path:
        _log.info("Could not find trained model in model_dir: %s, running initialization to "
                  "predict.", estimator.model_dir)
    config = estimator._config
    graph = Graph()
    # The graph is the default only while it is built: a paused generator must not leave it
    # as the caller's default graph.
    with graph.as_default():
        if config.tf_random_seed is not None:
            graph.seed = config.tf_random_seed
        estimator._create_and_assert_global_step(graph)
        result = estimator._call_input_fn(input_fn, ModeKeys.PREDICT)
        features, _, input_hooks = util.parse_input_fn_result(result)
        spec = estimator._call_model_fn(features, None, ModeKeys.PREDICT, estimator.config)
        scaffold = estimator._maybe_warm_started(spec.scaffold, checkpoint_path)
        add_default_saver(scaffold, sharded=True, allow_empty=True)
        predictions = extract_keys(spec.predictions, predict_keys)
        all_hooks = list(input_hooks) + list(hooks) + list(spec.prediction_hooks or [])
        mon_sess = MonitoredSession(
            session_creator=ChiefSessionCreator(
                checkpoint_filename_with_path=checkpoint_path, master=config.master,
                scaffold=scaffold, config=estimator._session_config),
            hooks=all_hooks)
    with mon_sess:
        while not mon_sess.should_stop():
            preds_evaluated = mon_sess.run(predictions)
            if not yield_single_examples:
                yield preds_evaluated
            elif not isinstance(predictions, dict):
                yield from preds_evaluated
            else:
                for i in range(extract_batch_length(preds_evaluated)):
                    yield {key: value[i] for key, value in preds_evaluated.items()}


def extract_keys(predictions: Any, predict_keys: Any) -> Any:
    """The predictions named in `predict_keys` (all when None)."""
    if not predict_keys:
        return predictions
    if not isinstance(predictions, dict):
        raise ValueError("predict_keys argument is not valid in case of non-dict predictions.")
    existing_keys = list(predictions.keys())
    selected = {key: value for key, value in predictions.items() if key in predict_keys}
    if not selected:
        raise ValueError(f"Expected to run at least one output from {existing_keys}, provided "
                         f"{predict_keys}.")
    return selected


def extract_batch_length(preds_evaluated: dict) -> int:
    """The batch size shared by every prediction of a batch."""
    batch_length = None
    for key, value in preds_evaluated.items():
        batch_length = batch_length or value.shape[0]
        if value.shape[0] != batch_length:
            raise ValueError(f"Batch length of predictions should be same. {key} has "
                             "different batch length than others.")
    return batch_length or 0
