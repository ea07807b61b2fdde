"""A run on Dask never hangs: deadlines hold, and a lost worker is retried by Dask or fails
the run with UnavailableError."""

import os
import signal
import threading
import time

import numpy as np
import pytest

import flowgraph as fg
from flowgraph import errors

from .conftest import start_cluster, worker_names

pytest.importorskip("distributed")

N, DEPTH = 384, 60  # a chain of about a second on one core


@pytest.fixture(scope="module")
def client():
    # A cluster of its own: these tests kill workers.
    cluster, client = start_cluster()
    yield client
    client.close()
    cluster.close()


def _chain(device=None):
    rng = np.random.default_rng(3)
    w = (rng.standard_normal((N, N)) / np.sqrt(N)).astype(np.float32)
    x_value = rng.standard_normal((N, N)).astype(np.float32)
    graph = fg.Graph()
    with graph.as_default(), fg.device(device):
        x = fg.placeholder(fg.float32, [N, N], name="x")
        h = x
        for _ in range(DEPTH):
            h = fg.tanh(fg.matmul(h, w))
    expect = x_value
    for _ in range(DEPTH):
        expect = np.tanh(expect @ w)
    return graph, {x: x_value}, h, expect


def _busy_worker(client, timeout=20.0):
    """The address of the worker running the chain's task, once it runs (data the run sends,
    whose keys start with "flowgraph-", is not what we wait for)."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        for address, keys in client.processing().items():
            if any(not str(key).startswith("flowgraph-") for key in keys):
                return address
        time.sleep(0.01)
    raise AssertionError("no task started")


def _kill(client, address):
    """Kills the worker process at `address` (the cluster's nanny starts a new one)."""
    pid = client.run(os.getpid, workers=[address])[address]
    os.kill(pid, signal.SIGKILL)


def _run_in_thread(sess, fetch, feed, options=None):
    outcome = {}

    def run():
        try:
            outcome["value"] = sess.run(fetch, feed, options=options)
        except Exception as exc:  # handed to the test
            outcome["error"] = exc

    thread = threading.Thread(target=run)
    thread.start()
    return thread, outcome


def test_deadline_is_honoured(client):
    graph, feed, h, _ = _chain()
    with fg.Session(client, graph=graph) as sess:
        start = time.monotonic()
        with pytest.raises(errors.DeadlineExceededError, match="timeout_in_ms"):
            sess.run(h, feed, options=fg.RunOptions(timeout_in_ms=100))
        assert time.monotonic() - start < 3.0


def test_worker_lost_mid_run_is_retried(client):
    graph, feed, h, expect = _chain()
    with fg.Session(client, graph=graph) as sess:
        start = time.monotonic()
        thread, outcome = _run_in_thread(sess, h, feed, fg.RunOptions(timeout_in_ms=60000))
        _kill(client, _busy_worker(client))
        thread.join(60)
        assert not thread.is_alive()
        assert "error" not in outcome, outcome.get("error")
        np.testing.assert_allclose(outcome["value"], expect, atol=1e-4)
        assert time.monotonic() - start < 60
    client.wait_for_workers(2, timeout=60)


def test_pinned_worker_lost_mid_run_is_unavailable(client):
    client.wait_for_workers(2, timeout=60)
    graph, feed, h, expect = _chain("/job:worker/task:1")
    with fg.Session(client, graph=graph) as sess:
        start = time.monotonic()
        thread, outcome = _run_in_thread(sess, h, feed)
        busy = _busy_worker(client)
        assert worker_names(client)[busy] == 1  # it runs where it was pinned
        _kill(client, busy)
        thread.join(30)
        assert not thread.is_alive()
        assert isinstance(outcome.get("error"), errors.UnavailableError), outcome
        assert "task:1" in str(outcome["error"])
        assert time.monotonic() - start < 30
        # Once the worker is back (a new process, the same name), runs place on it again.
        client.wait_for_workers(2, timeout=60)
        deadline = time.monotonic() + 30
        while 1 not in worker_names(client).values() and time.monotonic() < deadline:
            time.sleep(0.1)
        np.testing.assert_allclose(sess.run(h, feed), expect, atol=1e-4)
