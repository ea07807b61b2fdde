"""Hooks and monitored sessions against log lines, values and files taken from a real
TensorFlow (tf.compat.v1.train) run of the same code (hard-coded here)."""

import logging
import os
import re

import pytest

import flowgraph as tf
from flowgraph.summary.writer import FileWriterCache


@pytest.fixture(autouse=True)
def close_cached_writers():
    yield
    FileWriterCache.clear()


@pytest.fixture
def messages():
    got = []

    class Collect(logging.Handler):
        def emit(self, record):
            got.append(record.getMessage())

    handler = Collect(level=logging.INFO)
    logger = logging.getLogger("flowgraph")
    old_level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    yield got
    logger.removeHandler(handler)
    logger.setLevel(old_level)


def _model():
    step = tf.train.get_or_create_global_step()
    x = tf.Variable(1.0, name="x")
    loss = tf.square(x, name="loss")
    train = tf.train.GradientDescentOptimizer(0.1).minimize(loss, global_step=step)
    return x, loss, train


def test_logging_tensor_hook_formats_values_with_str(messages):
    with tf.Graph().as_default():
        x, loss, train = _model()
        hook = tf.train.LoggingTensorHook({"loss": loss, "xx": x * 1.0}, every_n_iter=2)
        with tf.train.MonitoredSession(hooks=[hook]) as sess:
            for _ in range(5):
                sess.run(train)
    got = [re.sub(r"\(\d+\.\d+ sec\)", "(T sec)", m) for m in messages]
    assert got == ["Graph was finalized.", "Running local_init_op.",
                   "Done running local_init_op.", "loss = 1.0, xx = 1.0",
                   "loss = 0.4096, xx = 0.64 (T sec)",
                   "loss = 0.16777213, xx = 0.40959996 (T sec)"]


def test_scaffold_local_init_feed_dict(messages):
    with tf.Graph().as_default():
        p = tf.placeholder(tf.float32, [])
        lv = tf.Variable(0.0, collections=[tf.GraphKeys.LOCAL_VARIABLES], name="lv")
        scaffold = tf.train.Scaffold(local_init_op=tf.group(lv.assign(p * 2)),
                                     local_init_feed_dict={p: 3.0})
        creator = tf.train.ChiefSessionCreator(scaffold=scaffold)
        with tf.train.MonitoredSession(session_creator=creator) as sess:
            assert sess.run(lv) == 6.0
    assert messages == ["Graph was finalized.", "Running local_init_op.",
                        "Done running local_init_op."]


def test_monitored_training_session_without_graph_def(tmp_path):
    with tf.Graph().as_default():
        _, _, train = _model()
        with tf.train.MonitoredTrainingSession(checkpoint_dir=str(tmp_path),
                                               save_graph_def=False,
                                               save_checkpoint_steps=2) as sess:
            for _ in range(3):
                sess.run(train)
    files = sorted(re.sub(r"events\.out\.tfevents\..*", "EVENTS", f)
                   for f in os.listdir(tmp_path))
    assert files == ["EVENTS", "checkpoint",
                     "model.ckpt-0.data-00000-of-00001", "model.ckpt-0.index",
                     "model.ckpt-2.data-00000-of-00001", "model.ckpt-2.index",
                     "model.ckpt-3.data-00000-of-00001", "model.ckpt-3.index"]


def test_profiler_hook_writes_timelines_at_tf1_steps(tmp_path, messages):
    import json
    with tf.Graph().as_default():
        _, _, train = _model()
        hook = tf.train.ProfilerHook(save_steps=2, output_dir=str(tmp_path))
        with tf.train.MonitoredSession(hooks=[hook]) as sess:
            for _ in range(6):
                sess.run(train)
    timelines = sorted(f for f in os.listdir(tmp_path) if f.startswith("timeline"))
    assert timelines == ["timeline-2.json", "timeline-4.json", "timeline-6.json"]
    saves = [re.sub(r"\d+", "N", m.replace(str(tmp_path), "DIR")) for m in messages
             if m.startswith("Saving timeline")]
    assert saves == ["Saving timeline for N into 'DIR/timeline-N.json'."] * 3
    with open(tmp_path / "timeline-2.json") as f:
        events = json.load(f)["traceEvents"]
    ops = [e for e in events if e["ph"] == "X"]
    assert sorted(ops[0]) == ["args", "cat", "dur", "name", "ph", "pid", "tid", "ts"]
    assert any(e["args"]["name"].startswith("GradientDescent") for e in ops)
    with tf.Graph().as_default():
        tf.Variable(1.0)
        with pytest.raises(RuntimeError, match="Global step should be created"):
            with tf.train.MonitoredSession(hooks=[tf.train.ProfilerHook(save_steps=1)]):
                pass


def test_hooks_always_get_run_options_and_metadata():
    seen = []

    class Probe(tf.train.SessionRunHook):
        def after_run(self, run_context, run_values):
            seen.append((type(run_values.options).__name__,
                         type(run_values.run_metadata).__name__))

    with tf.Graph().as_default():
        _, _, train = _model()
        with tf.train.MonitoredSession(hooks=[Probe()]) as sess:
            sess.run(train)
    assert seen == [("RunOptions", "RunMetadata")]
