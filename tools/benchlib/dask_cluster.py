"""DASK (issue 11): what running a Session on a Dask cluster costs and where it pays, on a
local cluster of 2 single-threaded worker processes started here. Two rows: the fixed cost
of ``sess.run(x + 1)`` through the cluster (the local Session's cost in the notes), and the
W7 graph (four independent chains of matmul + tanh) on the cluster against one process.
The measurements themselves live in tools/bench_dask.py, which also runs on its own
(``--scheduler`` for a real cluster)."""

from __future__ import annotations

import logging

import bench_dask

from benchlib.report import Row
from benchlib.timing import Settings


def run(settings: Settings) -> list:
    from distributed import Client, LocalCluster
    rounds = 3 if settings.quick else 9
    n = 256 if settings.quick else 1024
    cluster = LocalCluster(n_workers=2, processes=True, threads_per_worker=1,
                           dashboard_address=":0", silence_logs=logging.ERROR)
    client = Client(cluster, set_as_default=False)
    try:
        cost = bench_dask.overhead(client, rounds)
        chains = bench_dask.w7(client, n, rounds)
    finally:
        client.close()
        cluster.close()
    return [
        Row("DASK", "sess.run(x + 1) through a 2-worker local Dask cluster", "ms/run",
            cost["dask"] * 1e3, ratios=False,
            notes={"local_ms_per_run": cost["local"] * 1e3,
                   "dask_over_local": cost["dask"] / cost["local"]}),
        Row("DASK", f"W7 graph ({n}x{n}) on 2 Dask workers vs one process", "x faster",
            chains["local"] / chains["dask"], ratios=False,
            notes={"local_ms": chains["local"] * 1e3, "dask_ms": chains["dask"] * 1e3,
                   "one_core_ms": chains["local_1core"] * 1e3}),
    ]
