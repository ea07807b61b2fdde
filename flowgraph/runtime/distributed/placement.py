"""Which Dask worker a device string names.

`with fg.device("/job:worker/task:1")` pins nodes to task 1. Task N is the worker whose
Dask name is N (a `LocalCluster` names its workers 0, 1, ...; `dask worker --name 1` names
one), or else the N-th worker in the order of their addresses. The job name is not used,
except that "/job:localhost" (and a device without a task, such as "/cpu:0") pins nothing:
those nodes go wherever Dask puts them.
"""

from __future__ import annotations

from typing import Any

from flowgraph import errors


def workers_for(client: Any, tasks: list) -> dict:
    """{task number: worker address}; InvalidArgumentError for a task with no worker."""
    workers = client.scheduler_info()["workers"]
    return assign(workers, tasks)


def assign(workers: dict, tasks: list) -> dict:
    """Maps task numbers to addresses, given {address: {"name": ..., ...}} as Dask reports
    its workers."""
    by_name = {str(info.get("name")): address for address, info in workers.items()}
    ordered = sorted(workers)
    found = {}
    for task in tasks:
        address = by_name.get(str(task))
        if address is None and not any(name.isdigit() for name in by_name):
            address = ordered[task] if 0 <= task < len(ordered) else None
        if address is None:
            names = ", ".join(sorted(by_name)) or "none"
            raise errors.InvalidArgumentError(
                None, None, f"Cannot place nodes on /job:worker/task:{task}: the Dask cluster "
                f"has {len(workers)} worker(s) (names: {names}) and none of them is task "
                f"{task}. Start more workers (task N is the worker named N, or the N-th by "
                "address), or change the fg.device(...) of those nodes.")
        found[task] = address
    return found
