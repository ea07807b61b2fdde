"""What running a Session on Dask costs, and where it pays (flowgraph.runtime.distributed).

Each number is a ratio against a baseline measured in the same run, on the same machine:

- overhead: the fixed cost of `sess.run(x + 1)` (x of shape (4,)) on a local Dask cluster
  of 2 worker processes, against a local Session (the cost of a Dask round trip: graph to
  the scheduler, task on a worker, result back);
- W7: four independent chains of four 1024x1024 matmul + tanh, summed, on 2 workers of one
  thread each, against one process: a local Session with its defaults (inter-op thread pool,
  BLAS on every core) and a local Session on one core (inter_op 1, intra_op 1: what one
  worker has).
- MLP step: one training step of a 784-128-64-10 MLP (Adam, batch 64) on the cluster, against
  a local Session: what small graphs pay per step.

Run: python tools/bench_dask.py [--quick] [--scheduler tcp://host:8786]
"""

from __future__ import annotations

import argparse
import logging
import os
import statistics
import sys
import time
from typing import Callable, Dict

import numpy as np

import flowgraph as fg


def timed(fns: Dict[str, Callable[[], object]], rounds: int, warmup: int = 2) -> dict:
    """Median seconds per call of each function, timed in alternation (so that load from
    other processes falls on all of them alike)."""
    for fn in fns.values():
        for _ in range(warmup):
            fn()
    samples: dict = {name: [] for name in fns}
    for _ in range(rounds):
        for name, fn in fns.items():
            start = time.perf_counter()
            fn()
            samples[name].append(time.perf_counter() - start)
    return {name: statistics.median(s) for name, s in samples.items()}


def overhead(client, rounds: int) -> dict:
    graph = fg.Graph()
    with graph.as_default():
        x = fg.placeholder(fg.float32, [4])
        y = x + 1.0
    value = np.arange(4, dtype=np.float32)
    with fg.Session(graph=graph) as local, fg.Session(client, graph=graph) as remote:
        np.testing.assert_array_equal(remote.run(y, {x: value}), value + 1)
        t = timed({"local": lambda: local.run(y, {x: value}),
                   "dask": lambda: remote.run(y, {x: value})}, rounds * 10)
    return t


def w7(client, n: int, rounds: int) -> dict:
    rng = np.random.default_rng(5)
    x_value = rng.standard_normal((n, n), dtype=np.float32)
    weights = [[rng.standard_normal((n, n), dtype=np.float32) / np.float32(np.sqrt(n))
                for _ in range(4)] for _ in range(4)]
    graph = fg.Graph()
    with graph.as_default():
        x = fg.placeholder(fg.float32, (n, n))
        outs = []
        for chain in weights:
            h = x
            for w in chain:
                h = fg.tanh(fg.matmul(h, fg.Variable(w)))
            outs.append(h)
        total = fg.add_n(outs)
        init = fg.global_variables_initializer()
    expect = 0
    for chain in weights:
        h = x_value
        for w in chain:
            h = np.tanh(h @ w)
        expect = expect + h
    one_core = fg.ConfigProto(inter_op_parallelism_threads=1, intra_op_parallelism_threads=1)
    sessions = {"local": fg.Session(graph=graph), "dask": fg.Session(client, graph=graph)}
    for sess in sessions.values():
        sess.run(init)
        np.testing.assert_allclose(sess.run(total, {x: x_value}), expect, atol=1e-3)
    fns = {name: (lambda s=sess: s.run(total, {x: x_value})) for name, sess in sessions.items()}
    t = timed(fns, rounds)
    for sess in sessions.values():
        sess.close()
    # Last: threadpoolctl's one-thread BLAS limit applies to the whole process.
    with fg.Session(graph=graph, config=one_core) as sess:
        sess.run(init)
        t["local_1core"] = timed({"one": lambda: sess.run(total, {x: x_value})}, rounds)["one"]
    from threadpoolctl import threadpool_limits
    threadpool_limits(limits=os.cpu_count() or 1, user_api="blas")
    return t


def mlp_step(client, rounds: int) -> dict:
    from flowgraph.demo import build_mlp
    rng = np.random.default_rng(0)
    images = rng.random((64, 784), dtype=np.float32)
    labels = rng.integers(0, 10, 64)
    graph = fg.Graph()
    with graph.as_default():
        model = build_mlp(hidden=(128, 64))
        init = fg.global_variables_initializer()
    feed = {model["images"]: images, model["labels"]: labels}
    with fg.Session(graph=graph) as local, fg.Session(client, graph=graph) as remote:
        local.run(init)
        remote.run(init)
        return timed({"local": lambda: local.run(model["train_op"], feed),
                      "dask": lambda: remote.run(model["train_op"], feed)}, rounds * 3)


def main(argv: list) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="seconds in all: smaller W7")
    parser.add_argument("--scheduler", default="", help="use this Dask cluster instead")
    args = parser.parse_args(argv)
    from distributed import Client, LocalCluster
    cluster = None
    if args.scheduler:
        client = Client(args.scheduler, set_as_default=False)
    else:
        cluster = LocalCluster(n_workers=2, processes=True, threads_per_worker=1,
                               dashboard_address=":0", silence_logs=logging.ERROR)
        client = Client(cluster, set_as_default=False)
    workers = len(client.scheduler_info()["workers"])
    print(f"Dask cluster: {workers} workers at {client.scheduler.address}; "
          f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}")
    rounds = 3 if args.quick else 9
    n = 256 if args.quick else 1024
    try:
        t = overhead(client, rounds)
        print(f"overhead  sess.run(x + 1): local {t['local'] * 1e3:8.3f} ms   dask "
              f"{t['dask'] * 1e3:8.3f} ms   dask costs {t['dask'] / t['local']:7.0f}x")
        t = mlp_step(client, rounds)
        print(f"MLP step  784-128-64-10 Adam:  local {t['local'] * 1e3:8.3f} ms   dask "
              f"{t['dask'] * 1e3:8.3f} ms   dask costs {t['dask'] / t['local']:7.1f}x")
        t = w7(client, n, rounds)
        print(f"W7 4x4 ({n}x{n} matmul+tanh): one process {t['local'] * 1e3:8.1f} ms "
              f"(one core {t['local_1core'] * 1e3:.1f} ms)   dask on {workers} workers "
              f"{t['dask'] * 1e3:8.1f} ms")
        print(f"          speed-up on dask: {t['local'] / t['dask']:.2f}x against one process, "
              f"{t['local_1core'] / t['dask']:.2f}x against one core")
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


if __name__ == "__main__":
    main(sys.argv[1:])
