"""The training loop of `Estimator.train` once the model_fn has built the graph: TF1's
default hooks (NaN check, loss logging, checkpoints, summaries, progress), a Saver keeping
`keep_checkpoint_max` checkpoints, and a MonitoredTrainingSession run until a hook stops it
or the input ends (TF1's `_train_with_estimator_spec`)."""

import logging
from typing import Any, Callable, Optional

from flowgraph.graph import GraphKeys, add_to_collection, get_collection
from flowgraph.train.basic_session_run_hooks import (
    CheckpointSaverHook,
    LoggingTensorHook,
    NanTensorHook,
)
from flowgraph.train.monitored_session import MonitoredTrainingSession
from flowgraph.train.scaffold import Scaffold

_log = logging.getLogger("flowgraph.estimator")


def with_warm_start(scaffold: Scaffold, load: Callable) -> Scaffold:
    """A copy of `scaffold` whose init_fn also loads the warm-start values."""
    user_init_fn = scaffold._user_init_fn

    def init_fn(new_scaffold: Scaffold, session: Any) -> None:
        if user_init_fn is not None:
            user_init_fn(new_scaffold, session)
        load(session)

    return Scaffold(init_fn=init_fn, copy_from_scaffold=scaffold)


def train_with_estimator_spec(estimator: Any, spec: Any, worker_hooks: list, hooks: list,
                              global_step: Any, saving_listeners: list,
                              total_steps: Optional[int]) -> Any:
    """Run the training steps of `spec`; returns the loss of the last step (or None)."""
    from flowgraph import summary
    from flowgraph.estimator.checkpoint_names import default_saver
    from flowgraph.estimator.progress import ProgressHook
    from flowgraph.estimator.warm_starting import plan_warm_start
    from flowgraph.train.checkpoint_summary_hooks import tensorboard_available

    config = estimator._config
    scaffold = spec.scaffold
    warm_start = estimator._warm_start_settings
    if warm_start and not estimator.latest_checkpoint():
        _log.info("Warm-starting with WarmStartSettings: %s", warm_start)
        scaffold = with_warm_start(scaffold, plan_warm_start(warm_start))
    # A 'loss' summary for TensorBoard, unless the model_fn made one.
    if tensorboard_available() and not any(
            x.op.name == "loss" for x in get_collection(GraphKeys.SUMMARIES)):
        summary.scalar("loss", spec.loss)
    add_to_collection(GraphKeys.LOSSES, spec.loss)
    worker_hooks.extend(hooks)
    worker_hooks.append(NanTensorHook(spec.loss))
    if config.log_step_count_steps is not None:
        worker_hooks.append(LoggingTensorHook({"loss": spec.loss, "step": global_step},
                                              every_n_iter=config.log_step_count_steps))
    progress = ProgressHook(spec.loss, global_step, total_steps,
                            every_n_steps=config.log_step_count_steps or 100)
    worker_hooks.append(progress)
    worker_hooks.extend(spec.training_hooks)
    if not (scaffold.saver or get_collection(GraphKeys.SAVERS)):
        # Built once the hooks have made their variables, with TF1's checkpoint names.
        add_to_collection(GraphKeys.SAVERS, default_saver(
            sharded=True, max_to_keep=config.keep_checkpoint_max,
            keep_checkpoint_every_n_hours=config.keep_checkpoint_every_n_hours,
            defer_build=True, save_relative_paths=True))
    chief_hooks: list = []
    all_hooks = worker_hooks + list(spec.training_chief_hooks)
    saver_hooks = [h for h in all_hooks if isinstance(h, CheckpointSaverHook)]
    if (config.save_checkpoints_secs or config.save_checkpoints_steps) and not saver_hooks:
        chief_hooks = [CheckpointSaverHook(
            estimator.model_dir, save_secs=config.save_checkpoints_secs,
            save_steps=config.save_checkpoints_steps, scaffold=scaffold)]
        saver_hooks = [chief_hooks[0]]
    if saving_listeners:
        if not saver_hooks:
            raise ValueError("There should be a CheckpointSaverHook to use saving_listeners. "
                             "Please set one of the RunConfig.save_checkpoints_steps or "
                             "RunConfig.save_checkpoints_secs.")
        # As TF1: the listeners go to the first CheckpointSaverHook.
        for listener in saving_listeners:
            if listener not in saver_hooks[0]._listeners:
                saver_hooks[0]._listeners.append(listener)
    loss = None
    current_step = 0
    try:
        with MonitoredTrainingSession(
                master=config.master, is_chief=config.is_chief,
                checkpoint_dir=estimator.model_dir, scaffold=scaffold, hooks=worker_hooks,
                chief_only_hooks=tuple(chief_hooks) + tuple(spec.training_chief_hooks),
                save_checkpoint_secs=0,  # saving is done by the hook above
                save_summaries_steps=config.save_summary_steps,
                config=estimator._session_config,
                max_wait_secs=config.session_creation_timeout_secs,
                log_step_count_steps=config.log_step_count_steps) as mon_sess:
            while not mon_sess.should_stop():
                current_step += 1
                _, loss = mon_sess.run([spec.train_op, spec.loss])
    finally:
        progress._close()
    if current_step == 0:
        _log.warning("Training with estimator made no steps. Perhaps input is empty or "
                     "misspecified.")
    return loss
