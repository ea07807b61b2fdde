"""W1: the fixed cost of ``sess.run(x + 1, {x: arr})`` on a (4,) float32 placeholder, against
numpy's ``arr + 1`` and TF1's Session.run. Target: at least 15x lower than TF1."""

from __future__ import annotations

import numpy as np

import flowgraph as fg
from benchlib.common import session
from benchlib.report import Row, Target, TfSpec
from benchlib.timing import Settings, compare


def run(settings: Settings) -> list:
    arr = np.random.default_rng(0).standard_normal(4, dtype=np.float32)
    graph = fg.Graph()
    with graph.as_default():
        x = fg.placeholder(fg.float32, (4,))
        y = x + 1.0
    sess = session(graph)
    np.testing.assert_allclose(sess.run(y, {x: arr}), arr + 1)
    call = sess.make_callable(y, [x])
    t = compare({"fg": lambda: sess.run(y, feed_dict={x: arr}), "callable": lambda: call(arr),
                 "np": lambda: arr + 1}, settings, warmup=50)
    sess.close()
    return [Row("W1", "sess.run(x + 1), x of shape (4,)", "us/run", t["fg"] * 1e6,
                numpy=t["np"] * 1e6, targets=[Target("tf1", 1 / 15)],
                tf=TfSpec("w1_overhead.py", "W1", "Session.run(feed_dict)", "median", 1e6),
                notes={"make_callable_us": t["callable"] * 1e6})]
