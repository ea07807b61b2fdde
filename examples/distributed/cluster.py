"""The Dask cluster the distributed examples run on: a scheduler address given on the command
line, or else a local cluster of worker processes started (and stopped) here."""

from __future__ import annotations

import contextlib
import logging
from typing import Iterator, Optional


@contextlib.contextmanager
def dask_cluster(scheduler: Optional[str], workers: int = 2) -> Iterator[str]:
    """Yields the scheduler address to pass as a Session target."""
    if scheduler:
        yield scheduler
        return
    try:
        from distributed import LocalCluster
    except ImportError:
        raise SystemExit('These examples need Dask: pip install "flowgraph[dask]"') from None
    with LocalCluster(n_workers=workers, processes=True, threads_per_worker=1,
                      dashboard_address=":0", silence_logs=logging.ERROR) as cluster:
        print(f"started a local Dask cluster of {workers} worker processes at "
              f"{cluster.scheduler_address}")
        yield cluster.scheduler_address
