"""TF1's ``tf.train.ClusterSpec``: the jobs of a cluster and their tasks' network addresses."""

from __future__ import annotations

from typing import Any

__all__ = ["ClusterSpec"]

_CLUSTER_TYPE_ERROR = ("`cluster` must be a dictionary mapping one or more job names to lists "
                       "of network addresses, or a `ClusterDef` (as_cluster_def()'s dict)")


class ClusterSpec:
    """A cluster as a set of jobs, each a set of tasks with network addresses, as TF1's.

    Built from a dict ``{job: [address, ...]}`` (task i at index i) or ``{job: {index:
    address}}`` (sparse task indices), another ClusterSpec, or an `as_cluster_def` dict.

    >>> cluster = fg.train.ClusterSpec({"worker": ["w0:2222", "w1:2222"], "ps": ["p0:2222"]})
    >>> cluster.num_tasks("worker")
    2
    """

    def __init__(self, cluster: Any) -> None:
        if isinstance(cluster, ClusterSpec):
            self._cluster_spec = {job: dict(tasks)
                                  for job, tasks in cluster._cluster_spec.items()}
        elif isinstance(cluster, dict) and "job" in cluster and isinstance(cluster["job"], list):
            self._cluster_spec = self._from_cluster_def(cluster)
        elif isinstance(cluster, dict):
            self._cluster_spec = {}
            for job_name, tasks in cluster.items():
                if isinstance(tasks, (list, tuple)):
                    job_tasks = dict(enumerate(tasks))
                elif isinstance(tasks, dict):
                    job_tasks = {int(index): address for index, address in tasks.items()}
                else:
                    raise TypeError(f"The tasks for job {job_name!r} must be a list or a "
                                    "dictionary from integers to strings.")
                self._cluster_spec[job_name] = job_tasks
        else:
            raise TypeError(_CLUSTER_TYPE_ERROR)
        for job_name, tasks in self._cluster_spec.items():
            if not isinstance(job_name, str):
                raise TypeError(f"Job names must be strings, got {job_name!r}")
            for index, address in tasks.items():
                if not isinstance(address, str):
                    raise TypeError(f"Task {index} of job {job_name!r} has address "
                                    f"{address!r}; addresses must be strings "
                                    "('host:port').")

    @staticmethod
    def _from_cluster_def(cluster_def: dict) -> dict:
        spec: dict = {}
        for job in cluster_def["job"]:
            name = job.get("name")
            if not isinstance(name, str) or not name:
                raise ValueError(f"A ClusterDef job needs a non-empty 'name', got {job!r}")
            if name in spec:
                raise ValueError(f"Duplicated job name in ClusterDef: {name!r}")
            spec[name] = {int(i): address for i, address in job.get("tasks", {}).items()}
        return spec

    def __bool__(self) -> bool:
        return bool(self._cluster_spec)

    def __eq__(self, other: Any) -> bool:
        return isinstance(other, ClusterSpec) and self._cluster_spec == other._cluster_spec

    def __ne__(self, other: Any) -> bool:
        return not self == other

    __hash__ = None  # type: ignore[assignment]  # mutable-like value, as TF1's (unhashable)

    def __str__(self) -> str:
        key_values = self.as_dict()
        body = ", ".join(f"{k!r}: {key_values[k]!r}" for k in sorted(key_values))
        return f"ClusterSpec({{{body}}})"

    __repr__ = __str__

    def as_dict(self) -> dict:
        """``{job: [addresses]}`` for jobs whose task indices are 0..n-1, else
        ``{job: {index: address}}``."""
        result: dict = {}
        for job in self.jobs:
            tasks = self._cluster_spec[job]
            indices = sorted(tasks)
            if indices == list(range(len(indices))):
                result[job] = [tasks[i] for i in indices]
            else:
                result[job] = {i: tasks[i] for i in indices}
        return result

    def as_cluster_def(self) -> dict:
        """TF1's ClusterDef as a plain dict: ``{"job": [{"name": job, "tasks": {index:
        address}}]}``, jobs sorted by name and tasks by index."""
        return {"job": [{"name": job, "tasks": dict(sorted(tasks.items()))}
                        for job, tasks in sorted(self._cluster_spec.items())]}

    @property
    def jobs(self) -> list:
        """The job names, in the order given."""
        return list(self._cluster_spec)

    def _tasks(self, job_name: str) -> dict:
        try:
            return self._cluster_spec[job_name]
        except KeyError:
            raise ValueError(f"No such job in cluster: {job_name!r}") from None

    def num_tasks(self, job_name: str) -> int:
        """The number of tasks of `job_name` (ValueError for an unknown job)."""
        return len(self._tasks(job_name))

    def task_indices(self, job_name: str) -> list:
        """The sorted task indices of `job_name`."""
        return sorted(self._tasks(job_name))

    def task_address(self, job_name: str, task_index: int) -> str:
        """The address of task `task_index` of `job_name`."""
        tasks = self._tasks(job_name)
        try:
            return tasks[task_index]
        except KeyError:
            raise ValueError(f"No task with index {task_index!r} in job {job_name!r}") from None

    def job_tasks(self, job_name: str) -> list:
        """The addresses of `job_name`'s tasks, at their indices (None at missing ones)."""
        tasks = self._tasks(job_name)
        ret: list = [None] * (max(tasks) + 1 if tasks else 0)
        for index, address in tasks.items():
            ret[index] = address
        return ret
