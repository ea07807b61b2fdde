"""tf.train.Supervisor: sessions, checkpoints and summaries in logdir, restore, stops."""

import glob
import os
import threading
import time

import numpy as np
import pytest

import flowgraph as tf


def _model():
    gs = tf.train.get_or_create_global_step()
    w = tf.Variable(1.0, name="w")
    tf.summary.scalar("w_value", w)
    train = tf.group(tf.assign_add(w, 1.0), tf.assign_add(gs, 1))
    return gs, w, train


def _events(logdir):
    events = []
    for path in sorted(glob.glob(os.path.join(logdir, "events.out.tfevents.*"))):
        events.extend(tf.train.summary_iterator(path))
    return events


def test_training_writes_checkpoints_and_summaries_and_second_supervisor_resumes(tmp_path):
    logdir = str(tmp_path)
    with tf.Graph().as_default():
        gs, w, train = _model()
        sv = tf.train.Supervisor(logdir=logdir, save_summaries_secs=0.15, save_model_secs=0.15)
        assert sv.save_path == os.path.join(logdir, "model.ckpt")
        assert sv.global_step.name == "global_step:0"
        with sv.managed_session() as sess:
            for _ in range(8):
                sess.run(train)
                time.sleep(0.06)
            assert sess.run(gs) == 8
            np.testing.assert_allclose(sess.run(w), 9.0)
    ckpt = tf.train.latest_checkpoint(logdir)
    assert ckpt is not None and os.path.basename(ckpt).startswith("model.ckpt-")
    assert os.path.exists(os.path.join(logdir, "graph.pbtxt"))
    saved_step = int(ckpt.rsplit("-", 1)[1])

    pytest.importorskip("tensorboardX")
    events = _events(logdir)
    tags = {v.tag for e in events if e.HasField("summary") for v in e.summary.value}
    assert {"w_value", "global_step/sec"} <= tags
    # Every recorded w is 1 + the step it was recorded at (each step adds 1 to both).
    recorded = [(e.step, v.simple_value) for e in events if e.HasField("summary")
                for v in e.summary.value if v.tag == "w_value"]
    assert recorded
    for step, value in recorded:
        assert value == pytest.approx(1.0 + step)
    statuses = [e.session_log.status for e in events if e.HasField("session_log")]
    log_cls = type(events[-1].session_log)
    assert log_cls.START in statuses and log_cls.STOP in statuses
    assert log_cls.CHECKPOINT in statuses

    with tf.Graph().as_default():
        gs, w, train = _model()
        sv = tf.train.Supervisor(logdir=logdir, save_model_secs=0, save_summaries_secs=0)
        with sv.managed_session() as sess:
            step, value = sess.run([gs, w])
    assert step == saved_step
    np.testing.assert_allclose(value, 1.0 + saved_step)


def test_without_logdir_initializes_and_runs_no_services():
    with tf.Graph().as_default():
        gs, w, train = _model()
        sv = tf.train.Supervisor()
        assert sv.save_path is None and sv.summary_writer is None and sv.is_chief
        with sv.managed_session() as sess:
            sess.run(train)
            np.testing.assert_allclose(sess.run(w), 2.0)
            assert sv.start_standard_services(sess) is None
            with pytest.raises(RuntimeError, match="requires a summary writer"):
                sv.summary_computed(sess, b"")
        assert sv.should_stop()


def test_graph_is_finalized_and_default_ops_are_collected():
    g = tf.Graph()
    with g.as_default():
        _model()
        sv = tf.train.Supervisor()
        assert g.get_collection(tf.GraphKeys.INIT_OP) == [sv.init_op]
        assert g.get_collection(tf.GraphKeys.READY_OP) == [sv.ready_op]
        assert g.get_collection(tf.GraphKeys.SAVERS) == [sv.saver]
        assert g.get_collection(tf.GraphKeys.SUMMARY_OP) == [sv.summary_op]
        with pytest.raises(RuntimeError):
            tf.constant(1.0)


def test_init_fn_and_init_feed_dict():
    with tf.Graph().as_default():
        start = tf.placeholder(tf.float32, [])
        v = tf.Variable(start, name="v")
        called = []
        sv = tf.train.Supervisor(init_feed_dict={start: 5.0},
                                 init_fn=lambda sess: called.append(sess.run(v)))
        with sv.managed_session() as sess:
            np.testing.assert_allclose(sess.run(v), 5.0)
        assert called == [5.0]


def test_out_of_range_ends_training_cleanly_other_errors_are_reraised():
    with tf.Graph().as_default():
        _model()
        sv = tf.train.Supervisor()
        with sv.managed_session():
            raise tf.errors.OutOfRangeError(None, None, "done")
        assert sv.should_stop()
        with pytest.raises(ValueError, match="boom"):
            with sv.managed_session():
                raise ValueError("boom")


def test_queue_runners_are_started_and_input_exhaustion_stops():
    with tf.Graph().as_default():
        queue = tf.train.range_input_producer(5, num_epochs=1, shuffle=False)
        item = queue.dequeue()
        sv = tf.train.Supervisor()
        seen = []
        with sv.managed_session() as sess:
            while not sv.should_stop():
                seen.append(int(sess.run(item)))
        assert seen == [0, 1, 2, 3, 4]


def test_loop_runs_target_until_stop():
    with tf.Graph().as_default():
        _model()
        sv = tf.train.Supervisor()
        calls = []
        with sv.managed_session():
            looper = sv.loop(0.01, calls.append, args=("tick",))
            time.sleep(0.2)
        assert not looper.is_alive()
        assert len(calls) >= 3 and set(calls) == {"tick"}


def test_non_chief_requires_variable_devices():
    with tf.Graph().as_default():
        tf.Variable(1.0)
        with pytest.raises(ValueError, match="must have their device set"):
            tf.train.Supervisor(is_chief=False)


def test_basic_train_loop_runs_until_stop_requested():
    with tf.Graph().as_default():
        gs, w, train = _model()
        sv = tf.train.Supervisor()
        steps = []

        def step_fn(sess, limit, scale=1):
            steps.append(sess.run(train))
            if len(steps) * scale >= limit:
                sv.request_stop()

        tf.train.basic_train_loop(sv, step_fn, args=(6,), kwargs={"scale": 2})
        assert len(steps) == 3


def test_looper_thread_validation_and_exception_reporting():
    coord = tf.train.Coordinator()
    with pytest.raises(ValueError, match="must be a Coordinator"):
        tf.train.LooperThread("not a coordinator", 1.0)
    with pytest.raises(ValueError, match="require that you also pass 'target'"):
        tf.train.LooperThread(coord, 1.0, args=(1,))

    counter = []
    lock = threading.Lock()

    def work():
        with lock:
            counter.append(1)
            if len(counter) == 5:
                raise RuntimeError("fifth call fails")

    looper = tf.train.LooperThread.loop(coord, None, target=work)
    assert looper.daemon
    with pytest.raises(RuntimeError, match="fifth call fails"):
        coord.join(stop_grace_period_secs=5)
    assert len(counter) == 5
