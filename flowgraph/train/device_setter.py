"""`fg.train.replica_device_setter`: TF1's device function for between-graph replication,
placing Variables round-robin on parameter-server tasks and every other op on the worker.

flowgraph runs every op in one process whatever its device string; the device names are
kept (`op.device`, GraphDefs, meta graphs) so that TF1 code and its checks run unchanged.
"""

from __future__ import annotations

from typing import Any, Callable, Optional

from flowgraph.devices import DeviceSpec

__all__ = ["replica_device_setter"]

# TF1's STANDARD_PS_OPS: the op types that hold state and go to parameter servers.
STANDARD_PS_OPS = ("Variable", "VariableV2", "AutoReloadVariable", "MutableHashTable",
                   "MutableHashTableV2", "MutableHashTableOfTensors",
                   "MutableHashTableOfTensorsV2", "MutableDenseHashTable",
                   "MutableDenseHashTableV2", "VarHandleOp", "BoostedTreesEnsembleResourceHandleOp")


class _RoundRobinStrategy:
    """Each new ps op goes to the next ps task, cycling."""

    def __init__(self, num_tasks: int) -> None:
        self._num_tasks = num_tasks
        self._next_task = 0

    def __call__(self, unused_op: Any) -> int:
        task = self._next_task
        self._next_task = (self._next_task + 1) % self._num_tasks
        return task


class _ReplicaDeviceChooser:
    def __init__(self, ps_tasks: int, ps_device: str, worker_device: str,
                 merge_devices: bool, ps_ops: Any, ps_strategy: Callable) -> None:
        self._ps_tasks = ps_tasks
        self._ps_device = ps_device
        self._worker_device = worker_device
        self._merge_devices = merge_devices
        self._ps_ops = tuple(ps_ops)
        self._ps_strategy = ps_strategy

    def device_function(self, op: Any) -> str:
        """The device of `op`: a ps task for state ops, else the worker (fields already set
        on the op, by an inner `fg.device`, win when merging)."""
        if not self._merge_devices and op.device:
            return op.device
        current = DeviceSpec.from_string(op.device or "")
        if self._ps_tasks and self._ps_device and op.type in self._ps_ops:
            ps_device = DeviceSpec.from_string(self._ps_device)
            if ps_device.job and (not current.job or current.job == ps_device.job):
                ps_device = ps_device.replace(task=self._ps_strategy(op))
            return ps_device.make_merged_spec(current).to_string()
        worker = DeviceSpec.from_string(self._worker_device or "")
        return worker.make_merged_spec(current).to_string()


def replica_device_setter(ps_tasks: int = 0, ps_device: str = "/job:ps",
                          worker_device: str = "/job:worker", merge_devices: bool = True,
                          cluster: Any = None, ps_ops: Any = None,
                          ps_strategy: Optional[Callable] = None) -> Optional[Callable]:
    """A device function for `fg.device`: Variables (and other `ps_ops`) go to
    ``/job:ps/task:i`` round-robin (or by `ps_strategy(op)`), other ops to `worker_device`.

    `cluster` (a dict {job: [addresses]} or an object with `as_dict()`) gives the number
    of ps tasks. Returns None when there are no ps tasks, as TF1 (``fg.device(None)``).

    >>> with fg.device(fg.train.replica_device_setter(ps_tasks=2)):
    ...     w = fg.Variable(...)    # /job:ps/task:0
    ...     b = fg.Variable(...)    # /job:ps/task:1
    """
    if cluster is not None:
        spec = cluster.as_dict() if hasattr(cluster, "as_dict") else dict(cluster)
        ps_job = DeviceSpec.from_string(ps_device).job or "ps"
        if ps_job not in spec:
            return None
        ps_tasks = len(spec[ps_job])
    if ps_tasks == 0:
        return None
    if ps_ops is None:
        ps_ops = list(STANDARD_PS_OPS)
    if not merge_devices:
        import logging
        logging.getLogger(__name__).warning(
            "DEPRECATION: It is recommended to set merge_devices=true in "
            "replica_device_setter")
    if ps_strategy is None:
        ps_strategy = _RoundRobinStrategy(ps_tasks)
    if not callable(ps_strategy):
        raise TypeError("ps_strategy must be callable")
    chooser = _ReplicaDeviceChooser(ps_tasks, ps_device, worker_device, merge_devices, ps_ops,
                                    ps_strategy)
    return chooser.device_function
