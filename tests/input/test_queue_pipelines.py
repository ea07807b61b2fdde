"""TF1 queue-based input pipelines (queues, readers, queue runners, tf.train producers and
batchers). Expected names, shapes and values come from running the same pipelines on a real
TF1 (tf.compat.v1) install."""

import os
import struct
import threading
import time

import numpy as np
import pytest

import flowgraph as fg


def _csv_files(folder):
    paths = []
    for i in range(2):
        path = os.path.join(folder, f"f{i}.csv")
        with open(path, "w") as f:
            for j in range(5):
                f.write(f"{i * 10 + j},{(i * 10 + j) * 0.5}\n")
        paths.append(path)
    return paths


def test_fifo_queue_names_and_semantics_as_tf1():
    q = fg.FIFOQueue(3, fg.float32)
    init = q.enqueue_many(([0.0, 0.0, 0.0],))
    x = q.dequeue()
    q_inc = q.enqueue([x + 1])
    assert [q.queue_ref.op.name, init.name, x.name, q_inc.name, q.size().name] == [
        "fifo_queue", "fifo_queue_EnqueueMany", "fifo_queue_Dequeue:0", "fifo_queue_enqueue",
        "fifo_queue_Size:0"]
    with fg.Session() as sess:
        sess.run(init)
        for _ in range(4):
            sess.run(q_inc)
        assert [float(sess.run(x)) for _ in range(3)] == [1.0, 1.0, 2.0]  # TF1's values
        assert sess.run(q.size()) == 0
        sess.run(q.close())
        with pytest.raises(fg.errors.OutOfRangeError):
            sess.run(x)


def test_reader_batch_pipeline_matches_tf1(tmp_path):
    files = _csv_files(str(tmp_path))
    filenames = fg.train.string_input_producer(files, num_epochs=2, shuffle=False)
    key, value = fg.TextLineReader().read(filenames)
    a, b = fg.decode_csv(value, record_defaults=[[0], [0.0]])
    batch_a, batch_b = fg.train.batch([a, b], batch_size=4)
    assert batch_a.shape.as_list() == [4] and batch_a.dtype == fg.int32
    assert sorted(t.name for t in fg.get_collection(fg.GraphKeys.SUMMARIES)) == [
        "batch/fraction_of_32_full:0", "input_producer/fraction_of_32_full:0"]
    assert len(fg.get_collection(fg.GraphKeys.QUEUE_RUNNERS)) == 2
    assert [v.name for v in fg.local_variables()] == ["input_producer/limit_epochs/epochs:0"]
    batches = []
    with fg.Session() as sess:
        sess.run(fg.local_variables_initializer())
        coord = fg.train.Coordinator()
        threads = fg.train.start_queue_runners(sess, coord=coord)
        with pytest.raises(fg.errors.OutOfRangeError):
            while True:
                batches.append(sess.run(batch_a).tolist())
        coord.request_stop()
        coord.join(threads)
    assert batches == [[0, 1, 2, 3], [4, 10, 11, 12], [13, 14, 0, 1], [2, 3, 4, 10],
                       [11, 12, 13, 14]]


def test_batch_of_a_one_element_list_is_a_tensor_and_smaller_final_batch():
    data = fg.constant(np.arange(10))
    sliced = fg.train.slice_input_producer([data], num_epochs=1, shuffle=False)
    batch = fg.train.batch(sliced, 3, allow_smaller_final_batch=True)
    assert isinstance(batch, fg.Tensor) and batch.shape.as_list() == [None]
    shuffled = fg.train.shuffle_batch([fg.constant([1.0, 2.0])], 5, capacity=20,
                                      min_after_dequeue=5)
    assert shuffled.shape.as_list() == [5, 2]
    out = []
    with fg.Session() as sess:
        sess.run(fg.local_variables_initializer())
        coord = fg.train.Coordinator()
        threads = fg.train.start_queue_runners(sess, coord)
        with pytest.raises(fg.errors.OutOfRangeError):
            while True:
                out.append(sess.run(batch).tolist())
        coord.request_stop()
        coord.join(threads)
    assert out == [[0, 1, 2], [3, 4, 5], [6, 7, 8], [9]]


def test_random_shuffle_and_padding_queues():
    rq = fg.RandomShuffleQueue(10, 2, [fg.int32], shapes=[[]], seed=3)
    pq = fg.PaddingFIFOQueue(10, [fg.int32], shapes=[[None]])
    v = fg.placeholder(fg.int32, [None])
    with fg.Session() as sess:
        sess.run(rq.enqueue_many([list(range(6))]))
        taken = [int(sess.run(rq.dequeue())) for _ in range(4)]  # keeps 2 until closed
        sess.run(rq.close())
        taken += sess.run(rq.dequeue_many(2)).tolist()
        for row in ([1], [2, 3, 4], [5, 6]):
            sess.run(pq.enqueue([v]), {v: row})
        padded = sess.run(pq.dequeue_many(3))
    assert sorted(taken) == list(range(6))
    assert padded.tolist() == [[1, 0, 0], [2, 3, 4], [5, 6, 0]]


def test_named_queue_components_and_shape_errors():
    q = fg.FIFOQueue(4, [fg.float32, fg.int32], shapes=[[2], []], names=["x", "y"])
    with pytest.raises(ValueError):
        q.enqueue({"x": [1.0, 2.0, 3.0], "y": 1})
    put = q.enqueue({"x": [1.0, 2.0], "y": 7})
    got = q.dequeue()
    assert set(got) == {"x", "y"} and got["x"].shape.as_list() == [2]
    with fg.Session() as sess:
        sess.run(put)
        value = sess.run(got)
    assert value["y"] == 7 and value["x"].tolist() == [1.0, 2.0]


def test_other_readers(tmp_path):
    whole = tmp_path / "whole.bin"
    whole.write_bytes(b"abcdef")
    fixed = tmp_path / "fixed.bin"
    fixed.write_bytes(b"HH" + struct.pack("<3h", 1, 2, 3) + b"F")
    from flowgraph.data.tfrecord import write_records
    records = write_records(str(tmp_path / "r.tfrecord"), [b"one", b"two"])
    q1 = fg.train.string_input_producer([str(whole)], shuffle=False, num_epochs=1)
    q2 = fg.train.string_input_producer([str(fixed)], shuffle=False, num_epochs=1)
    q3 = fg.train.string_input_producer([records], shuffle=False, num_epochs=1)
    whole_kv = fg.WholeFileReader().read(q1)
    fixed_kv = fg.FixedLengthRecordReader(2, header_bytes=2, footer_bytes=1).read_up_to(q2, 5)
    record_kv = fg.TFRecordReader().read(q3)
    with fg.Session() as sess:
        sess.run(fg.local_variables_initializer())
        coord = fg.train.Coordinator()
        threads = fg.train.start_queue_runners(sess, coord)
        key, value = sess.run(whole_kv)
        fixed_values = sess.run(fixed_kv[1])
        first, second = sess.run(record_kv)[1], sess.run(record_kv)[1]
        coord.request_stop()
        coord.join(threads)
    assert key.decode() == str(whole) and value == b"abcdef"
    assert [struct.unpack("<h", v)[0] for v in fixed_values] == [1, 2, 3]
    assert (first, second) == (b"one", b"two")


def test_count_up_to_and_limit_epochs():
    v = fg.Variable(0, name="n")
    step = fg.count_up_to(v, 2)
    limited = fg.train.limit_epochs(fg.constant([1, 2]), num_epochs=2)
    with fg.Session() as sess:
        sess.run([fg.global_variables_initializer(), fg.local_variables_initializer()])
        assert [int(sess.run(step)) for _ in range(2)] == [0, 1]
        with pytest.raises(fg.errors.OutOfRangeError):
            sess.run(step)
        sess.run(limited)
        sess.run(limited)
        with pytest.raises(fg.errors.OutOfRangeError):
            sess.run(limited)


def test_closing_the_session_cancels_a_blocked_dequeue():
    q = fg.FIFOQueue(2, [fg.float32], shapes=[[]])
    x = q.dequeue()
    sess = fg.Session()
    errors = []

    def consume():
        try:
            sess.run(x)
        except Exception as e:  # noqa: BLE001 - the error class is what is checked
            errors.append(type(e))

    thread = threading.Thread(target=consume, daemon=True)
    thread.start()
    time.sleep(0.2)
    sess.close()
    thread.join(timeout=10)
    assert not thread.is_alive()
    assert errors and issubclass(errors[0], fg.errors.OpError)
