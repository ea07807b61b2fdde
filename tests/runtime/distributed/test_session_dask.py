"""A Session on a Dask cluster gives what a local Session gives."""

import threading
import time

import numpy as np
import pytest

import flowgraph as fg
from flowgraph import errors
from flowgraph.demo import build_mlp

from .conftest import worker_names

pytest.importorskip("distributed")


def _reference():
    """The config of a local Session that runs each node's own kernel, as the cluster does
    (the default local plans also fuse and rewrite nodes, which can change the last bits)."""
    config = fg.ConfigProto()
    config.experimental.executor_type = "REFERENCE"
    return config


def _both(client, build, runs, targets=None):
    """Builds a graph with `build()` for each target (default: a local reference Session, then
    the cluster) and returns what `runs(sess, built)` gives on each."""
    results = []
    for target, config in targets or (("", _reference()), (client, None)):
        graph = fg.Graph()
        with graph.as_default():
            built = build()
        with fg.Session(target, graph=graph, config=config) as sess:
            results.append(runs(sess, built))
    return results


def test_values_match_numpy(client):
    x_value = np.arange(12, dtype=np.float32).reshape(3, 4)
    w_value = np.linspace(-1, 1, 8, dtype=np.float32).reshape(4, 2)
    graph = fg.Graph()
    with graph.as_default():
        x = fg.placeholder(fg.float32, [None, 4], name="x")
        y = fg.matmul(x + 1.0, w_value)
        parts = fg.split(y, 2, axis=1)
        total = fg.reduce_sum(fg.tanh(y), axis=0)
    with fg.Session(client, graph=graph) as sess:
        got_y, got_parts, got_total = sess.run([y, parts, total], {x: x_value})
    expect_y = (x_value + 1) @ w_value
    np.testing.assert_allclose(got_y, expect_y, rtol=1e-6)
    np.testing.assert_allclose(got_parts[1], expect_y[:, 1:], rtol=1e-6)
    np.testing.assert_allclose(got_total, np.tanh(expect_y).sum(axis=0), rtol=1e-6)


def test_mlp_training_gives_identical_variables(client):
    rng = np.random.default_rng(0)
    batches = [(rng.random((16, 784), dtype=np.float32), rng.integers(0, 10, 16))
               for _ in range(3)]

    def build():
        fg.set_random_seed(1)
        model = build_mlp(hidden=(32, 16))
        return model, fg.global_variables_initializer(), fg.global_variables()

    def runs(sess, built):
        model, init, variables = built
        sess.run(init)
        losses = [sess.run([model["train_op"], model["loss"]],
                           {model["images"]: images, model["labels"]: labels})[1]
                  for images, labels in batches * 2]
        return losses, {v.op.name: value for v, value in zip(variables, sess.run(variables))}

    (local_losses, local), (dask_losses, remote), (_, optimized) = _both(
        client, build, runs, (("", _reference()), (client, None), ("", None)))
    assert local_losses == dask_losses
    assert dask_losses[-1] < dask_losses[0]  # it learns
    assert sorted(local) == sorted(remote) and len(remote) > 6  # weights, Adam slots, step
    for name, value in local.items():
        np.testing.assert_array_equal(remote[name], value, err_msg=name)
        np.testing.assert_allclose(remote[name], optimized[name], rtol=1e-4, atol=1e-6,
                                   err_msg=name)
    assert remote["global_step"] == 6


def test_random_ops_draw_the_local_sessions_numbers(client):
    def build():
        return fg.random_uniform([4], seed=7), fg.random_normal([2, 2], seed=3)

    def runs(sess, built):
        return [sess.run(list(built)) for _ in range(3)]

    local, remote = _both(client, build, runs)
    for (u_local, n_local), (u_remote, n_remote) in zip(local, remote):
        np.testing.assert_array_equal(u_remote, u_local)
        np.testing.assert_array_equal(n_remote, n_local)
    assert not np.array_equal(remote[0][0], remote[1][0])  # each run draws anew


def test_client_side_nodes_iterators_cond_while(client):
    data = np.arange(12, dtype=np.float32).reshape(6, 2)

    def build():
        batch = fg.data.Dataset.from_tensor_slices(data).batch(2) \
            .make_one_shot_iterator().get_next()
        v = fg.Variable(np.ones(2, np.float32), name="v")
        update = fg.assign_add(v, fg.reduce_sum(batch * 2.0, axis=0))
        picked = fg.cond(fg.reduce_sum(batch) > 5.0, lambda: update * 10.0, lambda: update - 1.0)
        _, doubled = fg.while_loop(lambda i, s: i < 3, lambda i, s: (i + 1, s * 2.0),
                                   [fg.constant(0), picked])
        return fg.global_variables_initializer(), (batch, picked, doubled)

    def runs(sess, built):
        init, fetches = built
        sess.run(init)
        return [sess.run(fetches) for _ in range(3)]

    local, remote = _both(client, build, runs)
    v = np.ones(2, np.float32)
    for i, (batch, picked, doubled) in enumerate(remote):
        np.testing.assert_array_equal(batch, data[2 * i:2 * i + 2])
        v = v + 2 * batch.sum(axis=0)
        expect = v * 10 if batch.sum() > 5 else v - 1
        np.testing.assert_array_equal(picked, expect)
        np.testing.assert_array_equal(doubled, expect * 8)
        for got, want in zip((batch, picked, doubled), local[i]):
            np.testing.assert_array_equal(got, want)


def test_pinned_nodes_run_on_their_worker(client):
    from distributed import get_task_stream
    graph = fg.Graph()
    with graph.as_default():
        x = fg.placeholder(fg.float32, [3], name="x")
        with fg.device("/job:worker/task:0"):
            on_zero = fg.multiply(x, 2.0, name="on_zero")
        with fg.device("/job:worker/task:1"):
            on_one = fg.add(on_zero, 1.0, name="on_one")
        with fg.device("/job:worker/task:0"):
            back = fg.square(on_one, name="back_on_zero")
    names = worker_names(client)
    with fg.Session(client, graph=graph) as sess:
        for _ in range(2):
            with get_task_stream(client=client) as stream:
                got = sess.run(back, {x: np.array([1, 2, 3], np.float32)})
            np.testing.assert_array_equal(got, [9, 25, 49])
            ran_on = {}
            for record in stream.data:
                key = record["key"]
                node = (key if isinstance(key, str) else key[0]).rsplit("-", 1)[0]
                ran_on[node] = names[record["worker"]]
            assert ran_on["on_zero"] == 0
            assert ran_on["on_one"] == 1
            assert ran_on["back_on_zero"] == 0


def test_pinning_to_a_missing_worker_is_an_error(client):
    # (On a loaded machine the scheduler may briefly miss a worker's heartbeat: the message
    # counts the workers it knows at that moment.)
    client.wait_for_workers(2, timeout=60)
    graph = fg.Graph()
    with graph.as_default():
        with fg.device("/job:worker/task:5"):
            y = fg.constant(1.0) + fg.constant(2.0)
    with fg.Session(client, graph=graph) as sess:
        with pytest.raises(errors.InvalidArgumentError, match="task:5.*2 worker"):
            sess.run(y)


def _errors(client, build, fetch_feed):
    found = []
    for target, config in (("", _reference()), (client, None)):
        graph = fg.Graph()
        with graph.as_default():
            built = build()
        with fg.Session(target, graph=graph, config=config) as sess:
            fetch, feed = fetch_feed(built)
            with pytest.raises(errors.OpError) as info:
                sess.run(fetch, feed)
            found.append((info.value, built))
    return found


def test_error_in_a_task_names_the_node(client):
    def build():
        x = fg.placeholder(fg.float32, [None], name="x")
        return fg.reshape(x + 1.0, [2, 3], name="bad_reshape")

    (local, _), (remote, built) = _errors(
        client, build, lambda y: (y, {y.graph.get_tensor_by_name("x:0"): np.zeros(5)}))
    assert type(remote) is errors.InvalidArgumentError
    assert remote.op is built.op
    assert "bad_reshape" in str(remote) and "test_session_dask.py" in str(remote)
    assert str(remote) == str(local)


def test_uninitialized_variable_names_the_variable(client):
    def build():
        v = fg.Variable(np.zeros(3, np.float32), name="never_set")
        return v * 2.0

    (local, _), (remote, built) = _errors(client, build, lambda y: (y, None))
    assert type(remote) is errors.FailedPreconditionError
    assert remote.op is built.graph.get_operation_by_name("never_set")
    assert str(remote) == str(local)


def test_large_values_are_sent_once_and_changes_are_seen(client):
    big = np.arange(256 * 256, dtype=np.float32).reshape(256, 256)  # 256 KiB
    graph = fg.Graph()
    with graph.as_default():
        x = fg.placeholder(fg.float32, [256], name="x")
        v = fg.Variable(np.ones((256, 256), np.float32), name="big_v")
        y = fg.reduce_sum(fg.matmul(fg.expand_dims(x, 0), fg.constant(big, name="big") + v))
        new_value = fg.placeholder(fg.float32, [256, 256])
        assign = fg.assign(v, new_value)

    def keys_on_cluster(prefix):
        # Releases reach the scheduler asynchronously: give them a moment.
        for _ in range(20):
            keys = client.run_on_scheduler(lambda dask_scheduler: [str(k) for k in
                                                                   dask_scheduler.tasks])
            found = [k for k in keys if k.startswith(f"flowgraph-{prefix}-")]
            if len(found) <= 1:
                break
            time.sleep(0.1)
        return found

    ones = np.ones(256, np.float32)
    with fg.Session(client, graph=graph) as sess:
        sess.run(v.initializer)
        for _ in range(3):
            assert sess.run(y, {x: ones}) == pytest.approx((big + 1).sum(), rel=1e-6)
        assert len(keys_on_cluster("const-big")) == 1  # once per plan, not per run
        assert len(keys_on_cluster("var-big_v")) == 1
        sess.run(assign, {new_value: np.full((256, 256), 2, np.float32)})
        assert sess.run(y, {x: ones}) == pytest.approx((big + 2).sum(), rel=1e-6)
        assert len(keys_on_cluster("var-big_v")) == 1  # the old value is released


def test_full_trace_records_the_remote_nodes(client):
    graph = fg.Graph()
    with graph.as_default():
        y = fg.tanh(fg.constant([1.0, 2.0]), name="traced_tanh")
    with fg.Session(client, graph=graph) as sess:
        metadata = fg.RunMetadata()
        sess.run(y, options=fg.RunOptions(trace_level=fg.RunOptions.FULL_TRACE),
                 run_metadata=metadata)
    names = [s.node_name for d in metadata.step_stats.dev_stats for s in d.node_stats]
    assert "traced_tanh" in names


def test_variable_reads_and_writes_follow_the_local_order(client):
    def build():
        v = fg.Variable(1.0, name="v")
        u = fg.Variable(v.initialized_value() * 5.0, name="u")  # initial value from v
        table = fg.Variable(np.zeros((4, 2), np.float32), name="table")
        before = fg.multiply(v, 2.0, name="before")
        with fg.control_dependencies([before]):
            write = fg.assign(v, 10.0)
        with fg.control_dependencies([write]):
            after = fg.multiply(v.read_value(), 3.0, name="after")
        scatter = fg.scatter_add(table, [0, 2, 0], np.ones((3, 2), np.float32))
        bump = fg.assign_add(u, after)
        ready = fg.is_variable_initialized(u)
        return fg.global_variables_initializer(), [before, write, after, scatter, bump, ready,
                                                  v, u]

    def runs(sess, built):
        init, fetches = built
        sess.run(init)
        return [sess.run(fetches) for _ in range(2)]

    local, remote = _both(client, build, runs)
    assert [float(x) for x in remote[0][:3]] == [2.0, 10.0, 30.0]
    assert [float(x) for x in remote[1][:3]] == [20.0, 10.0, 30.0]
    np.testing.assert_array_equal(remote[1][3], [[4, 4], [0, 0], [2, 2], [0, 0]])
    for run_local, run_remote in zip(local, remote):
        for want, got in zip(run_local, run_remote):
            np.testing.assert_array_equal(got, want)


def test_concurrent_runs_keep_every_update(client):
    graph = fg.Graph()
    with graph.as_default():
        counter = fg.Variable(0.0, name="counter")
        bump = fg.assign_add(counter, 1.0)
        draw = fg.random_uniform([2], seed=11)
    with fg.Session(client, graph=graph) as sess:
        sess.run(counter.initializer)
        draws, failures = [], []

        def work():
            try:
                for _ in range(5):
                    sess.run(bump)
                    draws.append(tuple(sess.run(draw)))
            except Exception as exc:  # handed to the test
                failures.append(exc)

        threads = [threading.Thread(target=work) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        assert not failures
        assert sess.run(counter) == 20.0
        assert len(set(draws)) == 20  # no two runs drew from the same generator state


def test_a_closed_client_is_unavailable():
    cluster_client = pytest.importorskip("distributed").Client
    graph = fg.Graph()
    with graph.as_default():
        y = fg.constant(1.0) + 1.0
    closed = cluster_client(processes=False, n_workers=1, threads_per_worker=1,
                            dashboard_address=":0", set_as_default=False)
    closed.close()
    with fg.Session(closed, graph=graph) as sess:
        with pytest.raises(errors.UnavailableError, match="ClosedClientError"):
            sess.run(y)
