"""Cases for queue_ops.py and reader_ops.py: each case builds a queue (or a Variable) in its
own graph, fills it within the same run through control dependencies, and checks what comes
out (literal expectations)."""

import os
import tempfile

import numpy as np

import flowgraph as fg
from flowgraph.ops.reader_ops import count_up_to
from tests.ops.harness import OpCase


def _queue_round_trip(x):
    q = fg.FIFOQueue(10, [fg.float32], shapes=[[2]])
    put = q.enqueue_many([x])
    with fg.control_dependencies([put]):
        size = q.size()
    with fg.control_dependencies([size]):
        first = q.dequeue()
    with fg.control_dependencies([first]):
        rest = q.dequeue_many(2)
    with fg.control_dependencies([rest]):
        closed_before = q.is_closed()
    with fg.control_dependencies([closed_before]):
        close = q.close()
    with fg.control_dependencies([close]):
        closed_after = q.is_closed()
    return [size, first, rest, closed_before, closed_after]


def _read_lines(name):
    path = os.path.join(tempfile.mkdtemp(), "lines.txt")
    with open(path, "w") as f:
        f.write("alpha\nbeta\n")
    q = fg.FIFOQueue(2, [fg.string], shapes=[[]])
    with fg.control_dependencies([q.enqueue([name + path])]):
        key, value = fg.TextLineReader().read(q)
    return value


def _count(start):
    v = fg.Variable(start, name="counter")
    with fg.control_dependencies([v.initializer]):
        before = count_up_to(v, 5)
    with fg.control_dependencies([before]):
        after = v.read_value()
    return [before, after]


def _check_round_trip(outputs, inputs):
    size, first, rest, closed_before, closed_after = outputs
    assert size == 3 and not closed_before and closed_after
    np.testing.assert_array_equal(first, inputs[0][0])
    np.testing.assert_array_equal(rest, inputs[0][1:])


CASES = [
    OpCase("QueueHandle", _queue_round_trip,
           [np.arange(6, dtype=np.float32).reshape(3, 2)], check=_check_round_trip),
    OpCase("QueueEnqueue", _queue_round_trip,
           [np.arange(6, dtype=np.float32).reshape(3, 2)], check=_check_round_trip),
    OpCase("QueueDequeue", _queue_round_trip,
           [np.arange(6, dtype=np.float32).reshape(3, 2)], check=_check_round_trip),
    OpCase("QueueSize", _queue_round_trip,
           [np.arange(6, dtype=np.float32).reshape(3, 2)], check=_check_round_trip),
    OpCase("QueueClose", _queue_round_trip,
           [np.arange(6, dtype=np.float32).reshape(3, 2)], check=_check_round_trip),
    OpCase("QueueIsClosed", _queue_round_trip,
           [np.arange(6, dtype=np.float32).reshape(3, 2)], check=_check_round_trip),
    OpCase("ReaderReadV2", _read_lines, [np.array(b"", dtype=object)],
           expected=np.array(b"alpha", dtype=object), partial_shapes=False),
    OpCase("CountUpTo", _count, [np.array(3, np.int64)],
           expected=[np.array(3, np.int64), np.array(4, np.int64)], partial_shapes=False),
]
