"""tf.train.init_from_checkpoint, warm_start, checkpoints_iterator and summary_iterator."""

import os

import numpy as np
import pytest

import flowgraph as tf
from flowgraph import errors

A = np.arange(6, dtype=np.float32).reshape(2, 3)
B = np.float32([7, 8])


def _save(folder, step=1, scale=1.0):
    with tf.Graph().as_default():
        with tf.variable_scope("old"):
            tf.get_variable("a", initializer=A * scale)
            tf.get_variable("b", initializer=B * scale)
        tf.get_variable("c", initializer=np.float32(3.0))
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            return tf.train.Saver().save(sess, os.path.join(folder, "model.ckpt"),
                                         global_step=step)


@pytest.fixture
def ckpt_dir(tmp_path):
    _save(str(tmp_path))
    return str(tmp_path)


def test_scope_to_scope_and_variable_object(ckpt_dir):
    with tf.Graph().as_default():
        with tf.variable_scope("new"):
            a = tf.get_variable("a", shape=[2, 3])
            b = tf.get_variable("b", shape=[2])
        c = tf.Variable(0.0, name="cc")
        other = tf.Variable(5.0, name="other")
        tf.train.init_from_checkpoint(ckpt_dir, {"old/": "new/", "c": c})
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            got = sess.run([a, b, c, other])
    np.testing.assert_array_equal(got[0], A)
    np.testing.assert_array_equal(got[1], B)
    assert got[2] == 3.0 and got[3] == 5.0


def test_values_are_read_when_the_initializer_runs(tmp_path):
    first = _save(str(tmp_path), step=1)
    with tf.Graph().as_default():
        with tf.variable_scope("old"):
            a = tf.get_variable("a", shape=[2, 3])
        tf.train.init_from_checkpoint(first, {"old/a": "old/a"})
        init = tf.global_variables_initializer()
        # Overwrite the same checkpoint prefix after the graph is built.
        with tf.Graph().as_default():
            with tf.variable_scope("old"):
                v = tf.get_variable("a", initializer=A * 10)
                tf.get_variable("b", initializer=B)
            tf.get_variable("c", initializer=np.float32(3.0))
            with tf.Session() as sess:
                sess.run(tf.global_variables_initializer())
                tf.train.Saver().save(sess, first)
            del v
        with tf.Session() as sess:
            sess.run(init)
            np.testing.assert_array_equal(sess.run(a), A * 10)


def test_root_to_scope(ckpt_dir):
    with tf.Graph().as_default():
        with tf.variable_scope("top"):
            c = tf.get_variable("c", shape=[])
        tf.train.init_from_checkpoint(ckpt_dir, {"/": "top/"})
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            assert sess.run(c) == 3.0


def test_one_name_to_another(ckpt_dir):
    with tf.Graph().as_default():
        with tf.variable_scope("new"):
            w = tf.get_variable("w", shape=[2])
        tf.train.init_from_checkpoint(ckpt_dir, [("old/b", "new/w")])
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            np.testing.assert_array_equal(sess.run(w), B)


@pytest.mark.parametrize("amap, message", [
    ({"old/zz": "new/a"}, "Tensor old/zz is not found in"),
    ({"old/b": "new/a"}, r"Shape of variable new/a:0 \(\(2, 3\)\) doesn't match with shape "
                         r"of tensor old/b \(\[2\]\) from checkpoint reader."),
    ({"old/a": "new/zz"}, "Assignment map with scope only name new should map to scope only "
                          "old/a. Should be 'scope/': 'other_scope/'."),
    ({"nope/": "new/"}, r"Tensor nope/a \(a in nope/\) is not found in"),
])
def test_errors(ckpt_dir, amap, message):
    with tf.Graph().as_default():
        with tf.variable_scope("new"):
            tf.get_variable("a", shape=[2, 3])
        with pytest.raises(ValueError, match=message):
            tf.train.init_from_checkpoint(ckpt_dir, amap)


def test_empty_folder_and_dtype_mismatch(tmp_path, ckpt_dir):
    os.makedirs(tmp_path / "empty")
    with tf.Graph().as_default():
        with pytest.raises(ValueError, match="Couldn't find 'checkpoint' file"):
            tf.train.init_from_checkpoint(str(tmp_path / "empty"), {"/": "/"})
        v = tf.get_variable("c", shape=[], dtype=tf.float64)
        tf.train.init_from_checkpoint(ckpt_dir, {"c": v})
        with tf.Session() as sess:
            with pytest.raises(errors.InvalidArgumentError, match="expected dtype float64"):
                sess.run(tf.global_variables_initializer())


def test_warm_start_regex_rename_and_errors(ckpt_dir):
    with tf.Graph().as_default():
        with tf.variable_scope("old"):
            a = tf.get_variable("a", shape=[2, 3])
        renamed = tf.get_variable("renamed", shape=[2])
        skipped = tf.get_variable("skipped", initializer=np.float32([1, 1]), trainable=False)
        tf.train.warm_start(ckpt_dir, vars_to_warm_start=".*",
                            var_name_to_prev_var_name={"renamed": "old/b"})
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            got = sess.run([a, renamed, skipped])
    np.testing.assert_array_equal(got[0], A)
    np.testing.assert_array_equal(got[1], B)
    np.testing.assert_array_equal(got[2], [1, 1])
    with tf.Graph().as_default():
        tf.get_variable("x", shape=[2])
        with pytest.raises(ValueError, match="var_name_to_prev_var_name that were not used"):
            tf.train.warm_start(ckpt_dir, "x", var_name_to_prev_var_name={"y": "old/b",
                                                                          "x": "old/b"})
        with pytest.raises(ValueError, match="must be a `list` or `str`"):
            tf.train.warm_start(ckpt_dir, 3)


def test_warm_start_vocab_remaps_rows(tmp_path):
    old_vocab, new_vocab = tmp_path / "old.txt", tmp_path / "new.txt"
    old_vocab.write_text("apple\nbanana\ncherry\n")
    new_vocab.write_text("cherry\ndate\napple\n")
    old = np.float32([[1, 1], [2, 2], [3, 3]])
    with tf.Graph().as_default():
        tf.get_variable("emb", initializer=old)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            tf.train.Saver().save(sess, str(tmp_path / "m.ckpt"))
    with tf.Graph().as_default():
        emb = tf.get_variable("emb", shape=[4, 2])  # 3 tokens + 1 OOV bucket
        info = tf.train.VocabInfo(str(new_vocab), 3, 1, str(old_vocab),
                                  backup_initializer=tf.constant_initializer(-1.0))
        tf.train.warm_start(str(tmp_path), None, var_name_to_vocab_info={"emb": info})
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            np.testing.assert_array_equal(sess.run(emb),
                                          [[3, 3], [-1, -1], [1, 1], [-1, -1]])


def test_checkpoints_iterator(tmp_path):
    folder = str(tmp_path)
    assert list(tf.train.checkpoints_iterator(folder, timeout=0)) == []
    first = _save(folder, step=1)
    calls = []

    def timeout_fn():
        calls.append(1)
        if len(calls) == 1:
            _save(folder, step=2)
            return False
        return True

    got = list(tf.train.checkpoints_iterator(folder, timeout=0, timeout_fn=timeout_fn))
    assert got == [first, os.path.join(folder, "model.ckpt-2")]
    assert len(calls) == 2


def test_summary_iterator_reads_file_writer_events(tmp_path):
    pytest.importorskip("tensorboardX")
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, [])
        merged = tf.summary.merge([tf.summary.scalar("x", x)])
        with tf.Session() as sess, tf.summary.FileWriter(str(tmp_path)) as writer:
            for step, value in ((1, 0.5), (2, 1.5)):
                writer.add_summary(sess.run(merged, {x: value}), global_step=step)
    (path,) = [os.path.join(tmp_path, f) for f in os.listdir(tmp_path)]
    events = list(tf.train.summary_iterator(path))
    assert events[0].file_version == "brain.Event:2"
    scalars = [(e.step, v.tag, v.simple_value) for e in events for v in e.summary.value]
    assert scalars == [(1, "x", 0.5), (2, "x", 1.5)]
