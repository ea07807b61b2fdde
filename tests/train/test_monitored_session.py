"""MonitoredSession, SingularMonitoredSession, MonitoredTrainingSession, Scaffold and
the session creators."""

import os

import numpy as np
import pytest

import flowgraph as tf
from flowgraph.summary.writer import FileWriterCache


@pytest.fixture(autouse=True)
def close_cached_writers():
    yield
    FileWriterCache.clear()


def _counter_model():
    """w starts at 1 and is doubled by train_op, which also increments the global step."""
    step = tf.train.get_or_create_global_step()
    w = tf.Variable(1.0, name="w")
    train_op = tf.group(tf.assign(w, w * 2.0), tf.assign_add(step, 1))
    return step, w, train_op


class RecordingHook(tf.train.SessionRunHook):
    def __init__(self):
        self.calls = []

    def begin(self):
        self.calls.append("begin")

    def after_create_session(self, session, coord):
        self.calls.append("after_create_session")

    def before_run(self, run_context):
        self.calls.append("before_run")

    def after_run(self, run_context, run_values):
        self.calls.append("after_run")

    def end(self, session):
        self.calls.append("end")


def test_training_session_restores_and_continues(tmp_path):
    for expected_step, expected_w in ((3, 8.0), (6, 64.0)):
        with tf.Graph().as_default():
            step, w, train_op = _counter_model()
            with tf.train.MonitoredTrainingSession(
                    checkpoint_dir=str(tmp_path), save_summaries_steps=None,
                    hooks=[tf.train.StopAtStepHook(num_steps=3)]) as sess:
                while not sess.should_stop():
                    sess.run(train_op)
        # The final checkpoint is written when the session closes.
        latest = tf.train.latest_checkpoint(str(tmp_path))
        assert latest.endswith(f"model.ckpt-{expected_step}")
        assert tf.train.load_variable(latest, "w") == expected_w


def test_hook_order_and_end_of_data_ends_the_block_cleanly():
    dataset = tf.data.Dataset.range(3)
    value = tf.data.make_one_shot_iterator(dataset).get_next()
    hook = RecordingHook()
    seen = []
    with tf.train.MonitoredSession(hooks=[hook]) as sess:
        while not sess.should_stop():
            seen.append(sess.run(value))
    assert seen == [0, 1, 2]
    assert hook.calls[:2] == ["begin", "after_create_session"]
    # Three steps, the fourth fails with OutOfRangeError, then end() is still called.
    assert hook.calls[2:] == ["before_run", "after_run"] * 3 + ["before_run", "end"]


def test_other_errors_propagate_without_end():
    x = tf.placeholder(tf.float32, [])
    hook = RecordingHook()
    check = tf.Assert(x > 0.0, [x])
    with pytest.raises(tf.errors.InvalidArgumentError):
        with tf.train.MonitoredSession(hooks=[hook]) as sess:
            sess.run(check, feed_dict={x: 0.0})
    assert "end" not in hook.calls


def test_graph_is_finalized_only_while_the_session_lives():
    graph = tf.get_default_graph()
    tf.Variable(1.0)
    sess = tf.train.MonitoredSession()
    assert graph.finalized
    sess.close()
    assert not graph.finalized
    with pytest.raises(RuntimeError, match="Session is already closed."):
        sess.close()


def test_stop_requests_and_run_after_stop():
    step, w, train_op = _counter_model()
    with tf.train.MonitoredSession(hooks=[tf.train.StopAtStepHook(last_step=2)]) as sess:
        sess.run(train_op)
        assert not sess.should_stop()
        sess.run(train_op)
        assert sess.should_stop()
        with pytest.raises(RuntimeError, match="Run called even after should_stop requested."):
            sess.run(train_op)


def test_hook_fetches_and_feeds():
    x = tf.placeholder(tf.float32, [])
    y = tf.placeholder(tf.float32, [])
    total = x + y
    results = []

    class FeedAndFetch(tf.train.SessionRunHook):
        def before_run(self, run_context):
            assert run_context.original_args.fetches is total
            return tf.train.SessionRunArgs({"t": total}, feed_dict={y: 10.0})

        def after_run(self, run_context, run_values):
            results.append(run_values.results["t"])

    with tf.train.MonitoredSession(hooks=[FeedAndFetch()]) as sess:
        assert sess.run(total, feed_dict={x: 1.0}) == 11.0
        with pytest.raises(RuntimeError, match="Same tensor is fed by a SessionRunHook and"):
            sess.run(total, feed_dict={x: 1.0, y: 2.0})
    assert results == [11.0]


def test_run_step_fn_and_raw_session():
    step, w, train_op = _counter_model()

    def step_fn(step_context):
        step_context.run_with_hooks(train_op)
        if step_context.session.run(step) >= 2:
            step_context.request_stop()
        return "ran"

    with tf.train.SingularMonitoredSession() as sess:
        assert sess.run_step_fn(step_fn) == "ran"
        assert sess.run_step_fn(step_fn) is None
        assert sess.should_stop()
        assert sess.raw_session().run(w) == 4.0
        with pytest.raises(ValueError, match="`step_fn` may either have one `step_context`"):
            sess.run_step_fn(lambda a, b: None)


def test_scaffold_init_fn_feed_and_collections(tmp_path):
    v = tf.Variable(tf.zeros([2]), name="v")
    start = tf.placeholder(tf.float32, [2])
    init_op = tf.assign(v, start)
    calls = []
    scaffold = tf.train.Scaffold(init_op=init_op, init_feed_dict={start: [3.0, 4.0]},
                                 init_fn=lambda scaffold_, sess: calls.append(scaffold_))
    with tf.train.SingularMonitoredSession(scaffold=scaffold) as sess:
        np.testing.assert_array_equal(sess.run(v), [3.0, 4.0])
    assert calls == [scaffold]
    assert scaffold.saver is not None and scaffold.ready_op is not None
    assert tf.get_collection(tf.GraphKeys.SAVERS) == [scaffold.saver]
    tf.add_to_collection(tf.GraphKeys.READY_OP, tf.constant(1))
    tf.add_to_collection(tf.GraphKeys.READY_OP, tf.constant(2))
    with pytest.raises(RuntimeError, match="More than one item in the collection"):
        tf.train.Scaffold.get_or_default("ready_op", tf.GraphKeys.READY_OP, lambda: None)


def test_uninitialized_variables_are_reported():
    tf.Variable(1.0, name="forgotten")
    scaffold = tf.train.Scaffold(init_op=tf.no_op())
    with pytest.raises(RuntimeError, match="Init operations did not make model ready.*forgotten"):
        tf.train.MonitoredSession(tf.train.ChiefSessionCreator(scaffold=scaffold))
    assert not tf.get_default_graph().finalized  # a failed creation does not lock the graph


def test_chief_session_creator_from_a_checkpoint_file(tmp_path):
    v = tf.Variable(5.0, name="v")
    saver = tf.train.Saver()
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(tf.assign(v, 42.0))
        path = saver.save(sess, str(tmp_path / "ckpt"))
    creator = tf.train.ChiefSessionCreator(checkpoint_filename_with_path=path)
    with tf.train.MonitoredSession(session_creator=creator) as sess:
        assert sess.run(v) == 42.0


def test_worker_session_creator_gives_up_when_never_ready():
    tf.Variable(1.0)
    creator = tf.train.WorkerSessionCreator(max_wait_secs=0)
    with pytest.raises(tf.errors.DeadlineExceededError, match="Session was not ready after"):
        tf.train.MonitoredSession(session_creator=creator)


def test_session_is_recreated_after_a_preemption_error():
    step, w, train_op = _counter_model()
    created = []

    class FailOnce(tf.train.SessionRunHook):
        def __init__(self):
            self.failed = False

        def after_create_session(self, session, coord):
            created.append(session)

        def before_run(self, run_context):
            if not self.failed:
                self.failed = True
                raise tf.errors.AbortedError(None, None, "preempted")

    with tf.train.MonitoredSession(hooks=[FailOnce()]) as sess:
        sess.run(train_op)
        assert sess.run(w) == 2.0
    assert len(created) == 2 and created[0] is not created[1]


def test_training_session_default_hooks_write_to_checkpoint_dir(tmp_path):
    step, w, train_op = _counter_model()
    tf.summary.scalar("w_value", w)
    with tf.train.MonitoredTrainingSession(checkpoint_dir=str(tmp_path),
                                           save_checkpoint_steps=2, save_summaries_steps=1,
                                           log_step_count_steps=1) as sess:
        for _ in range(3):
            sess.run(train_op)
    FileWriterCache.clear()
    names = os.listdir(tmp_path)
    assert {"model.ckpt-0.index", "model.ckpt-2.index", "model.ckpt-3.index",
            "graph.pbtxt", "checkpoint"} <= set(names)
    assert any(n.startswith("events.out.tfevents") for n in names)
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    acc = EventAccumulator(str(tmp_path), size_guidance={"scalars": 0})
    acc.Reload()
    assert [(e.step, e.value) for e in acc.Scalars("w_value")] == [(1, 1.0), (2, 2.0), (3, 4.0)]
    assert "global_step/sec" in acc.Tags()["scalars"]


def test_non_chief_training_session_writes_nothing(tmp_path):
    # A worker waits for a ready model (none of its own variables here) and saves nothing.
    total = tf.constant(2.0) * 3.0
    with tf.train.MonitoredTrainingSession(is_chief=False, checkpoint_dir=str(tmp_path),
                                           max_wait_secs=0) as sess:
        assert sess.run(total) == 6.0
    assert os.listdir(tmp_path) == []


def test_coordinator():
    coord = tf.train.Coordinator()
    assert not coord.should_stop()
    with coord.stop_on_exception():
        raise ValueError("boom")
    assert coord.should_stop() and coord.wait_for_stop(0.01)
    with pytest.raises(ValueError, match="boom"):
        coord.join()
    coord.clear_stop()
    coord.request_stop(tf.errors.OutOfRangeError(None, None, "end"))  # a clean stop
    coord.join()
