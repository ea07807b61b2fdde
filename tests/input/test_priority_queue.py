"""tf.PriorityQueue (outputs checked against TF 1.x's, run with tensorflow.compat.v1)."""

import threading

import numpy as np
import pytest

import flowgraph as fg


def test_lowest_priority_first_and_shapes():
    with fg.Graph().as_default():
        q = fg.PriorityQueue(10, [fg.string], shapes=[[]])
        assert q.dtypes == [fg.int64, fg.string] and q.name == "priority_queue"
        assert [s.as_list() for s in q.shapes] == [[], []]
        put = q.enqueue_many([[5, 1, 3], [b"a", b"b", b"c"]])
        first = q.dequeue()
        rest = q.dequeue_many(2)
        assert first[0].name == "priority_queue_Dequeue:0"
        assert rest[0].shape.as_list() == [2] and rest[1].dtype == fg.string
        with fg.Session() as s:
            s.run(put)
            priority, value = s.run(first)
            assert priority == 1 and value == b"b"                 # TF: [1, b'b']
            priorities, values = s.run(rest)
            np.testing.assert_array_equal(priorities, [3, 5])      # TF: [3 5], [b'c' b'a']
            assert list(values) == [b"c", b"a"]


def test_ties_and_many_components_and_close():
    with fg.Graph().as_default():
        q = fg.io.PriorityQueue(-1, [fg.float32, fg.int32], shapes=[[2], []])
        assert fg.queue.PriorityQueue is fg.PriorityQueue
        prio = fg.placeholder(fg.int64, [])
        put = q.enqueue((prio, [1.0, 2.0], 7))
        take = q.dequeue()
        with fg.Session() as s:
            for p in (9, -4, 9, 0):
                s.run(put, {prio: p})
            assert s.run(q.size()) == 4
            order = [int(s.run(take)[0]) for _ in range(4)]
            assert order == [-4, 0, 9, 9]
            s.run(q.close())
            with pytest.raises(fg.errors.OutOfRangeError):
                s.run(take)


def test_dequeue_waits_for_an_element():
    with fg.Graph().as_default():
        q = fg.PriorityQueue(2, [fg.int32], shapes=[[]])
        put = q.enqueue((3, 30))
        take = q.dequeue()
        with fg.Session() as s:
            out = []
            thread = threading.Thread(target=lambda: out.append(s.run(take)))
            thread.start()
            s.run(put)
            thread.join(timeout=10)
            assert [int(v) for v in out[0]] == [3, 30]


def test_bad_arguments():
    with fg.Graph().as_default():
        with pytest.raises(ValueError, match="same length"):
            fg.PriorityQueue(3, [fg.float32], shapes=[[], []])
        q = fg.PriorityQueue(3, [fg.float32], shapes=[[]])
        with pytest.raises(ValueError, match="components"):
            q.enqueue([1.0])
