"""tf.train.match_filenames_once and the conditional batchers (maybe_batch & co.)."""

import os

import numpy as np
import pytest

import flowgraph as tf


def _run_batches(fetch, count):
    with tf.Session() as sess:
        sess.run(tf.local_variables_initializer())
        coord = tf.train.Coordinator()
        threads = tf.train.start_queue_runners(sess, coord)
        try:
            return [sess.run(fetch) for _ in range(count)]
        finally:
            coord.request_stop()
            coord.join(threads, ignore_live_threads=True)


def test_match_filenames_once_is_a_sorted_local_variable(tmp_path):
    for name in ["b.txt", "a.txt", "c.csv", "d.txt"]:
        (tmp_path / name).write_text("x")
    with tf.Graph().as_default():
        files = tf.train.match_filenames_once(str(tmp_path / "*.txt"))
        assert files.name == "matching_filenames:0"
        assert files in tf.local_variables() and files not in tf.global_variables()
        assert tf.io.match_filenames_once is tf.train.match_filenames_once
        with tf.Session() as sess:
            with pytest.raises(tf.errors.FailedPreconditionError, match="matching_filenames"):
                sess.run(files)
            sess.run(tf.local_variables_initializer())
            got = [f.decode() for f in sess.run(files)]
    assert got == [os.path.join(str(tmp_path), n) for n in ["a.txt", "b.txt", "d.txt"]]


def test_match_filenames_once_named_and_feeding_a_reader(tmp_path):
    (tmp_path / "one.txt").write_text("l1\nl2\n")
    with tf.Graph().as_default():
        files = tf.train.match_filenames_once(str(tmp_path / "*.txt"), name="inputs")
        assert files.name == "inputs:0"
        queue = tf.train.string_input_producer(files, num_epochs=1, shuffle=False)
        _, line = tf.TextLineReader().read(queue)
        got = _run_batches(line, 2)
    assert got == [b"l1", b"l2"]


def test_maybe_batch_keeps_only_kept_elements_with_a_vector_mask():
    with tf.Graph().as_default():
        values = tf.constant([10, 11, 12, 13, 14, 15, 16, 17])
        keep = tf.constant([True, False, False, True, True, False, True, True])
        batch = tf.train.maybe_batch([values], keep, 2, enqueue_many=True)
        assert batch.shape.as_list() == [2]
        got = _run_batches(batch, 2)
    np.testing.assert_array_equal(got[0], [10, 13])
    np.testing.assert_array_equal(got[1], [14, 16])


def test_maybe_batch_with_scalar_keep_input_filters_single_elements():
    with tf.Graph().as_default():
        n = tf.train.range_input_producer(12, shuffle=False).dequeue()
        pair = {"n": n, "sq": tf.stack([n, n * n])}
        batch = tf.train.maybe_batch(pair, tf.equal(n % 3, 0), 3)
        assert batch["sq"].shape.as_list() == [3, 2]
        got = _run_batches(batch, 1)[0]
    np.testing.assert_array_equal(got["n"], [0, 3, 6])
    np.testing.assert_array_equal(got["sq"], [[0, 0], [3, 9], [6, 36]])


def test_maybe_batch_scalar_keep_with_enqueue_many_keeps_or_drops_whole_groups():
    with tf.Graph().as_default():
        group_id = tf.train.range_input_producer(4, shuffle=False).dequeue()
        rows = tf.stack([group_id * 10, group_id * 10 + 1])
        batch = tf.train.maybe_batch(rows, tf.not_equal(group_id, 1), 4, enqueue_many=True)
        got = _run_batches(batch, 1)[0]
    np.testing.assert_array_equal(got, [0, 1, 20, 21])


def test_maybe_batch_join_and_shuffle_variants_keep_only_kept_elements():
    with tf.Graph().as_default():
        a = tf.constant([1, 2, 3, 4])
        b = tf.constant([5, 6, 7, 8])
        keep = tf.constant([True, False, True, False])
        joined = tf.train.maybe_batch_join([[a], [b]], keep, 4, enqueue_many=True)
        shuffled = tf.train.maybe_shuffle_batch([a], 2, capacity=16, min_after_dequeue=0,
                                                keep_input=keep, enqueue_many=True, seed=1)
        shuffled_join = tf.train.maybe_shuffle_batch_join(
            [[a], [b]], 4, capacity=16, min_after_dequeue=0, keep_input=keep,
            enqueue_many=True, seed=2)
        got = _run_batches([joined, shuffled, shuffled_join], 1)[0]
    assert set(got[0].tolist()) <= {1, 3, 5, 7} and len(got[0]) == 4
    assert set(got[1].tolist()) <= {1, 3}
    assert set(got[2].tolist()) <= {1, 3, 5, 7} and len(got[2]) == 4


def test_maybe_batch_validates_keep_input():
    with tf.Graph().as_default():
        x = tf.constant([1, 2])
        with pytest.raises(ValueError, match="cannot be a vector when `enqueue_many=False`"):
            tf.train.maybe_batch([x], tf.constant([True, False]), 2)
        with pytest.raises(ValueError, match="must be 0 or 1 dimensions"):
            tf.train.maybe_batch([x], tf.constant([[True]]), 2, enqueue_many=True)
        with pytest.raises(ValueError, match="must be known at graph construction"):
            tf.train.maybe_batch([x], tf.placeholder(tf.bool), 2, enqueue_many=True)
