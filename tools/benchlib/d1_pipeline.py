"""D1 (issue 8): an input pipeline feeding training. Softmax regression (SGD) on batches of
128 from a map-heavy fg.data pipeline (ROUNDS rounds of tanh / exp over each 128 x 2048
batch: several ms of GIL-releasing numpy work per batch, more than the training step), with
``prefetch(2)`` and ``num_parallel_calls=2`` against the same pipeline without them. The row
is the throughput gained (plain time per step / pipelined time per step); target: at least
1.5x.

Both sessions warm up first and are then timed in alternating windows of steps, with BLAS at
one thread (on two cores, multithreaded BLAS would fight the input threads for them).
"""

from __future__ import annotations

import collections
import statistics
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np

import flowgraph as fg
from benchlib.common import mean_xent_loss, numpy_xent, session
from benchlib.report import Row, Target
from benchlib.timing import Settings

ROWS, FEATURES, BATCH, CLASSES = 2048, 2048, 128, 10
ROUNDS = 16
WINDOW, SKIP, SETTLE_S = 100, 10, 0.05  # steps timed / untimed per window, pause before


def augment(x, y):
    """The heavy map: ROUNDS rounds of two tanh / exp passes over the batch."""
    for _ in range(ROUNDS):
        x = fg.tanh(x * 1.01 + 0.1)
        x = fg.exp(-x * x)
    return x, y


def dataset_arrays() -> tuple:
    rng = np.random.default_rng(0)
    return (rng.standard_normal((ROWS, FEATURES)).astype(np.float32),
            rng.integers(0, CLASSES, ROWS).astype(np.int32))


def numpy_steps(pipelined: bool):
    """The same work in numpy: a step function (map, then an SGD step) that, when
    `pipelined`, takes batches mapped ahead by a 2-thread pool (3 in flight, like
    prefetch(2) behind two parallel calls). Returns (step, pool or None)."""
    features, labels = dataset_arrays()
    w = np.zeros((FEATURES, CLASSES), np.float32)
    starts = iter(range(0, 1 << 62, BATCH))

    def augment_np(i: int) -> np.ndarray:
        x = features[i % ROWS:i % ROWS + BATCH]
        for _ in range(ROUNDS):
            x = np.tanh(x * np.float32(1.01) + np.float32(0.1))
            x = np.exp(-x * x)
        return x

    def train(i: int, x: np.ndarray) -> None:
        y = labels[i % ROWS:i % ROWS + BATCH]
        _, delta = numpy_xent(x @ w, y)
        w[...] -= np.float32(0.1) * (x.T @ delta)

    if not pipelined:
        def step() -> None:
            i = next(starts)
            train(i, augment_np(i))
        return step, None
    pool = ThreadPoolExecutor(2)
    queue = collections.deque()

    def step_ahead() -> None:
        while len(queue) < 3:
            i = next(starts)
            queue.append((i, pool.submit(augment_np, i)))
        i, future = queue.popleft()
        train(i, future.result())
    return step_ahead, pool


def build(pipelined: bool) -> tuple:
    """(session, train op, loss) of the training step fed by the pipeline."""
    from flowgraph.data import Dataset
    features, labels = dataset_arrays()
    graph = fg.Graph()
    with graph.as_default():
        data = Dataset.from_tensor_slices((features, labels)).batch(BATCH).repeat()
        data = data.map(augment, num_parallel_calls=2 if pipelined else None)
        if pipelined:
            data = data.prefetch(2)
        x, y = data.make_one_shot_iterator().get_next()
        w = fg.Variable(np.zeros((FEATURES, CLASSES), np.float32))
        loss = mean_xent_loss(y, fg.matmul(x, w))
        train = fg.train.GradientDescentOptimizer(0.1).minimize(loss)
    sess = session(graph)
    sess.run(w.initializer)
    return sess, train, loss


def measure(settings: Settings) -> dict:
    """Seconds per step of the four variants: fg / np, plain / pipelined."""
    plain, piped = build(False), build(True)
    first = [s.run([t, cost])[1] for s, t, cost in (plain, piped) for _ in range(3)]
    np.testing.assert_allclose(first[:3], first[3:], rtol=1e-5)  # same batches, same steps
    (np_plain, _), (np_piped, pool) = numpy_steps(False), numpy_steps(True)
    steps = {"fg_plain": lambda: plain[0].run(plain[1]), "fg_piped": lambda: piped[0].run(piped[1]),
             "np_plain": np_plain, "np_piped": np_piped}
    # Throughput is a steady-state rate: each window is long (a start-up transient of one
    # map call is a few % of it) and starts after SKIP untimed steps, more than any of the
    # pipelines holds ahead, so buffers filled while another variant ran are drained first.
    # Before that, a pause lets the previous variant's background threads finish the work
    # they had in flight, which would otherwise run during this variant's window.
    window, skip, settle = (5, 2, 0.0) if settings.quick else (WINDOW, SKIP, SETTLE_S)
    for step in steps.values():  # warm-up: allocator, plans, buffers
        for _ in range(max(window, 20)):
            step()
    times: dict = {name: [] for name in steps}
    deadline = time.perf_counter() + len(steps) * settings.budget
    while time.perf_counter() < deadline or len(times["fg_piped"]) < settings.min_rounds:
        for name, step in steps.items():
            time.sleep(settle)
            for _ in range(skip):
                step()
            start = time.perf_counter()
            for _ in range(window):
                step()
            times[name].append((time.perf_counter() - start) / window)
    for sess, _, _ in (plain, piped):
        sess.close()
    pool.shutdown()
    return {name: statistics.median(values) for name, values in times.items()}


def run(settings: Settings) -> list:
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # measured with BLAS as it is
        t = measure(settings)
    else:
        with threadpool_limits(1, user_api="blas"):
            t = measure(settings)
    return [Row("D1", "map-heavy pipeline: prefetch + 2 parallel calls vs none", "x faster",
                t["fg_plain"] / t["fg_piped"], numpy=t["np_plain"] / t["np_piped"],
                ratios=False, targets=[Target("value", 1.5, higher=True)],
                notes={k + "_ms_per_step": v * 1e3 for k, v in t.items()})]
