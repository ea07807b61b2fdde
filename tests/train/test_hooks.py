"""The standard SessionRunHooks, each in a small monitored session."""

import logging

import numpy as np
import pytest

import flowgraph as tf
from flowgraph.summary.writer import FileWriterCache


@pytest.fixture(autouse=True)
def close_cached_writers():
    yield
    FileWriterCache.clear()


def _steps_model():
    step = tf.train.get_or_create_global_step()
    return step, tf.assign_add(step, 1)


def _run_until_stop(hooks, fetch, max_runs=100, **kwargs):
    runs = 0
    with tf.train.MonitoredSession(hooks=hooks, **kwargs) as sess:
        while not sess.should_stop() and runs < max_runs:
            sess.run(fetch)
            runs += 1
    return runs


def test_stop_at_step_hook_num_steps_and_last_step():
    step, train_op = _steps_model()
    assert _run_until_stop([tf.train.StopAtStepHook(num_steps=4)], train_op) == 4
    with tf.Graph().as_default():
        step, train_op = _steps_model()
        assert _run_until_stop([tf.train.StopAtStepHook(last_step=3)], train_op) == 3
    with pytest.raises(ValueError, match="One of num_steps or last_step must be specified."):
        tf.train.StopAtStepHook()
    with pytest.raises(ValueError, match="Only one of num_steps or last_step can be"):
        tf.train.StopAtStepHook(num_steps=1, last_step=2)


def test_stop_at_step_hook_needs_a_global_step():
    tf.constant(1.0)
    with pytest.raises(RuntimeError, match="Global step should be created to use StopAtStep"):
        tf.train.MonitoredSession(hooks=[tf.train.StopAtStepHook(num_steps=1)])


def test_logging_tensor_hook(caplog):
    step, train_op = _steps_model()
    doubled = tf.identity(tf.cast(step, tf.float32) * 2.0, name="doubled")
    hooks = [tf.train.LoggingTensorHook({"twice": doubled}, every_n_iter=2),
             tf.train.LoggingTensorHook(["doubled"], at_end=True,
                                        formatter=lambda v: f"END {v['doubled']}"),
             tf.train.StopAtStepHook(num_steps=5)]
    with caplog.at_level(logging.INFO, logger="flowgraph.train"):
        _run_until_stop(hooks, train_op)
    messages = [r.getMessage() for r in caplog.records]
    # Logged at iterations 0, 2 and 4, with the value read in that step.
    logged = [m for m in messages if m.startswith("twice = ")]
    assert [m.split(" ")[2] for m in logged] == ["0.0", "4.0", "8.0"]
    assert "sec)" in logged[1]
    assert "END 10.0" in messages
    with pytest.raises(ValueError, match="exactly one of every_n_iter and every_n_secs"):
        tf.train.LoggingTensorHook({"a": doubled})


def test_checkpoint_saver_hook_steps_and_listeners(tmp_path):
    step, train_op = _steps_model()
    events = []

    class Listener(tf.train.CheckpointSaverListener):
        def begin(self):
            events.append("begin")

        def before_save(self, session, global_step_value):
            events.append(("before", global_step_value))

        def after_save(self, session, global_step_value):
            events.append(("after", global_step_value))
            return global_step_value >= 4  # asks training to stop

        def end(self, session, global_step_value):
            events.append(("end", global_step_value))

    hook = tf.train.CheckpointSaverHook(str(tmp_path), save_steps=2, listeners=[Listener()])
    assert _run_until_stop([hook], train_op) == 4
    assert events == ["begin", ("before", 0), ("after", 0), ("before", 2), ("after", 2),
                      ("before", 4), ("after", 4), ("end", 4)]
    assert tf.train.latest_checkpoint(str(tmp_path)).endswith("model.ckpt-4")
    with pytest.raises(ValueError, match="You cannot provide both saver and scaffold."):
        tf.train.CheckpointSaverHook(str(tmp_path), save_steps=1, saver=object(),
                                     scaffold=object())
    with pytest.raises(ValueError, match="Can not provide both every_secs and every_steps."):
        tf.train.CheckpointSaverHook(str(tmp_path), save_steps=1, save_secs=1)


def test_summary_saver_and_step_counter_hooks(tmp_path):
    step, train_op = _steps_model()
    value = tf.summary.scalar("step_value", tf.cast(step, tf.float32))
    hooks = [tf.train.SummarySaverHook(save_steps=2, output_dir=str(tmp_path),
                                       summary_op=value),
             tf.train.StepCounterHook(every_n_steps=2, output_dir=str(tmp_path)),
             tf.train.StopAtStepHook(num_steps=5)]
    _run_until_stop(hooks, train_op)
    FileWriterCache.clear()
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    acc = EventAccumulator(str(tmp_path), size_guidance={"scalars": 0})
    acc.Reload()
    # Summaries at steps 1, 3, 5 (after each run), holding the value read during that run.
    assert [(e.step, e.value) for e in acc.Scalars("step_value")] == \
        [(1, 0.0), (3, 2.0), (5, 4.0)]
    rates = acc.Scalars("global_step/sec")
    assert [e.step for e in rates] == [3, 5] and all(e.value > 0 for e in rates)
    with pytest.raises(ValueError, match="Exactly one of scaffold or summary_op"):
        tf.train.SummarySaverHook(save_steps=1)


def test_nan_tensor_hook():
    step, train_op = _steps_model()
    loss = tf.cond(step >= 2, lambda: tf.constant(np.nan), lambda: tf.constant(1.0))
    with tf.control_dependencies([loss]):
        train = tf.group(train_op)
    assert _run_until_stop([tf.train.NanTensorHook(loss, fail_on_nan_loss=False)], train) == 3
    with tf.Graph().as_default():
        loss = tf.constant(np.nan)
        with pytest.raises(tf.train.NanLossDuringTrainingError):
            _run_until_stop([tf.train.NanTensorHook(loss)], loss)


def test_feed_fn_hook_and_final_ops_hook():
    x = tf.placeholder(tf.float32, [])
    total = tf.Variable(0.0, collections=[tf.GraphKeys.LOCAL_VARIABLES])
    add = tf.assign_add(total, x)
    values = iter([1.0, 2.0, 4.0])
    final = tf.train.FinalOpsHook({"total": total.read_value()})
    with tf.train.MonitoredSession(hooks=[tf.train.FeedFnHook(lambda: {x: next(values)}),
                                          final]) as sess:
        for _ in range(3):
            sess.run(add)
    assert final.final_ops_values == {"total": 7.0}


def test_global_step_waiter_hook():
    step, train_op = _steps_model()
    hook = tf.train.GlobalStepWaiterHook(wait_until_step=0)
    assert _run_until_stop([hook, tf.train.StopAtStepHook(num_steps=2)], train_op) == 2


def test_second_or_step_timer():
    timer = tf.train.SecondOrStepTimer(every_steps=3)
    assert timer.should_trigger_for_step(0)
    assert timer.update_last_triggered_step(0) == (None, None)
    assert not timer.should_trigger_for_step(0)
    assert not timer.should_trigger_for_step(2)
    assert timer.should_trigger_for_step(3)
    secs, steps = timer.update_last_triggered_step(4)
    assert steps == 4 and secs >= 0 and timer.last_triggered_step() == 4
    with pytest.raises(ValueError, match="Either every_secs or every_steps should be provided."):
        tf.train.SecondOrStepTimer()
