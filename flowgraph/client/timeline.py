"""Chrome trace files of traced runs (TF1's ``tensorflow.python.client.timeline``).

    options = fg.RunOptions(trace_level=fg.RunOptions.FULL_TRACE)
    run_metadata = fg.RunMetadata()
    sess.run(train_op, options=options, run_metadata=run_metadata)
    trace = timeline.Timeline(run_metadata.step_stats)
    with open("timeline.json", "w") as f:
        f.write(trace.generate_chrome_trace_format())

Open the file at chrome://tracing or https://ui.perfetto.dev. The layout is TF1's: a
process "Allocators", then per device a "<device> Compute" process holding one complete
("X") event per op (named by op type, ``args`` = node name, op type and ``input<i>``
names) and a "<device> Tensors" process; ops overlapping in time go to separate lanes
(threads), and with `show_dataflow` an arrow (flow events) joins a producer to a consumer
in another lane. Memory events (`show_memory`) need per-output allocation records
(``node_stats.output``), which flowgraph's traces do not record: they are emitted only
for step stats that carry them.
"""

from __future__ import annotations

import collections
import json
import re
from typing import Any, Optional

__all__ = ["AllocationMaximum", "StepStatsAnalysis", "Timeline"]

AllocationMaximum = collections.namedtuple("AllocationMaximum",
                                           ("timestamp", "num_bytes", "tensors"))
AllocationMaximum.__doc__ = """The peak use of one allocator: when, how many bytes, which
tensors."""

StepStatsAnalysis = collections.namedtuple("StepStatsAnalysis",
                                           ("chrome_trace", "allocator_maximums"))
StepStatsAnalysis.__doc__ = """`Timeline.analyze_step_stats`'s result: the trace formatter
and {allocator name: AllocationMaximum}."""

_LABEL_RE = re.compile(r"(.*) = (.*)\((.*)\)")
_OP_TIMES = ("schedule", "gpu", "all")


class _ChromeTraceFormatter:
    """Collects Chrome trace events (the catapult JSON format)."""

    def __init__(self) -> None:
        self._events: list = []
        self._metadata: list = []

    def _event(self, ph: str, category: str, name: str, pid: int, tid: int,
               timestamp: int) -> dict:
        return {"ph": ph, "cat": category, "name": name, "pid": pid, "tid": tid,
                "ts": timestamp}

    def emit_pid(self, name: str, pid: int) -> None:
        self._metadata.append({"name": "process_name", "ph": "M", "pid": pid,
                               "args": {"name": name}})

    def emit_tid(self, name: str, pid: int, tid: int) -> None:
        self._metadata.append({"name": "thread_name", "ph": "M", "pid": pid, "tid": tid,
                               "args": {"name": name}})

    def emit_region(self, timestamp: int, duration: int, pid: int, tid: int,
                    category: str, name: str, args: dict) -> None:
        event = self._event("X", category, name, pid, tid, timestamp)
        event["dur"] = duration
        event["args"] = args
        self._events.append(event)

    def _emit_with_id(self, ph: str, category: str, name: str, timestamp: int, pid: int,
                      tid: int, object_id: int) -> dict:
        event = self._event(ph, category, name, pid, tid, timestamp)
        event["id"] = object_id
        self._events.append(event)
        return event

    def emit_obj_create(self, category: str, name: str, timestamp: int, pid: int, tid: int,
                        object_id: int) -> None:
        self._emit_with_id("N", category, name, timestamp, pid, tid, object_id)

    def emit_obj_delete(self, category: str, name: str, timestamp: int, pid: int, tid: int,
                        object_id: int) -> None:
        self._emit_with_id("D", category, name, timestamp, pid, tid, object_id)

    def emit_obj_snapshot(self, category: str, name: str, timestamp: int, pid: int,
                          tid: int, object_id: int, snapshot: dict) -> None:
        event = self._emit_with_id("O", category, name, timestamp, pid, tid, object_id)
        event["args"] = {"snapshot": snapshot}

    def emit_flow_start(self, name: str, timestamp: int, pid: int, tid: int,
                        flow_id: int) -> None:
        self._emit_with_id("s", "DataFlow", name, timestamp, pid, tid, flow_id)

    def emit_flow_end(self, name: str, timestamp: int, pid: int, tid: int,
                      flow_id: int) -> None:
        self._emit_with_id("t", "DataFlow", name, timestamp, pid, tid, flow_id)

    def emit_counter(self, category: str, name: str, pid: int, timestamp: int,
                     counter: str, value: int) -> None:
        event = self._event("C", category, name, pid, 0, timestamp)
        event["args"] = {counter: value}
        self._events.append(event)

    def format_to_string(self, pretty: bool = False) -> str:
        """The trace as JSON: ``{"traceEvents": [metadata..., events...]}``."""
        trace = {"traceEvents": self._metadata + self._events}
        if pretty:
            return json.dumps(trace, indent=4, separators=(",", ": "))
        return json.dumps(trace, separators=(",", ":"))


class _Tensor:
    """One output tensor's lifetime for the memory view."""

    def __init__(self, name: str, object_id: int, create_time: int, pid: int,
                 allocator: str, num_bytes: int) -> None:
        self.name, self.object_id, self.create_time = name, object_id, create_time
        self.pid, self.allocator, self.num_bytes = pid, allocator, num_bytes
        self.last_unref = create_time

    def touch(self, timestamp: int) -> None:
        self.last_unref = max(self.last_unref, timestamp)


def parse_op_label(label: str) -> tuple:
    """(node name, op type, [input names]) of a ``"name = Type(a, b:1)"`` label."""
    match = _LABEL_RE.match(label or "")
    if match is None:
        return "unknown", "unknown", []
    name, op, inputs = match.groups()
    return name, op, inputs.split(", ") if inputs else []


class Timeline:
    """The op timings of one traced step, as a Chrome trace.

    Parameters
    ----------
    step_stats : StepStats
        ``run_metadata.step_stats`` of a run with ``RunOptions(trace_level=FULL_TRACE)``.
    graph : Graph, optional
        Accepted as TF1's (unused there too).
    """

    def __init__(self, step_stats: Any, graph: Optional[Any] = None) -> None:
        self._step_stats = step_stats
        self._graph = graph
        self._chrome_trace = _ChromeTraceFormatter()
        self._next_pid = 0
        self._device_pids: dict = {}
        self._tensor_pids: dict = {}
        self._lanes: dict = {}  # id(node stats) -> lane (thread id in the trace)
        self._tensors: dict = {}  # tensor name -> _Tensor
        self._flow_starts: dict = {}  # tensor or node name -> (end time, pid, lane)
        self._next_flow_id = 0
        self._allocator_maximums: dict = {}

    def _alloc_pid(self) -> int:
        self._next_pid += 1
        return self._next_pid - 1

    def _allocate_pids(self) -> None:
        self._allocators_pid = self._alloc_pid()
        self._chrome_trace.emit_pid("Allocators", self._allocators_pid)
        for device in self._step_stats.dev_stats:
            self._device_pids[device.device] = self._alloc_pid()
            self._tensor_pids[device.device] = self._alloc_pid()
            self._chrome_trace.emit_pid(device.device + " Compute",
                                        self._device_pids[device.device])
            self._chrome_trace.emit_pid(device.device + " Tensors",
                                        self._tensor_pids[device.device])

    def _assign_lanes(self) -> None:
        # An op goes to the first lane free before it starts (TF1's rule), so ops that ran
        # at the same time are drawn side by side. The step stats are left untouched.
        for device in self._step_stats.dev_stats:
            lanes = [0]
            for stat in device.node_stats:
                start = stat.all_start_micros
                end = start + stat.all_end_rel_micros
                for i, free_at in enumerate(lanes):
                    if start > free_at:
                        lanes[i] = end
                        self._lanes[id(stat)] = i
                        break
                else:
                    self._lanes[id(stat)] = len(lanes)
                    lanes.append(end)

    def _analyze_tensors(self, show_memory: bool) -> None:
        for device in self._step_stats.dev_stats:
            pid = self._device_pids[device.device]
            tensors_pid = self._tensor_pids[device.device]
            for stat in device.node_stats:
                lane = self._lanes[id(stat)]
                start = stat.all_start_micros
                end = start + stat.all_end_rel_micros
                self._flow_starts[stat.node_name] = (end, pid, lane)
                for index, output in enumerate(getattr(stat, "output", None) or ()):
                    name = f"{stat.node_name}:{index}" if index else stat.node_name
                    allocation = output.tensor_description.allocation_description
                    tensor = _Tensor(name, len(self._tensors), start, tensors_pid,
                                     allocation.allocator_name, allocation.requested_bytes)
                    tensor.touch(end)
                    self._tensors[name] = tensor
                    self._flow_starts[name] = (end, pid, lane)
                    if show_memory:
                        self._chrome_trace.emit_obj_create("Tensor", name, start,
                                                           tensors_pid, lane, tensor.object_id)
                        snapshot = {"tensor_description":
                                    str(output.tensor_description).replace('"', "")}
                        self._chrome_trace.emit_obj_snapshot("Tensor", name, end - 1,
                                                             tensors_pid, lane,
                                                             tensor.object_id, snapshot)

    def _show_compute(self, show_dataflow: bool) -> None:
        for device in self._step_stats.dev_stats:
            pid = self._device_pids[device.device]
            for stat in device.node_stats:
                lane = self._lanes[id(stat)]
                start = stat.all_start_micros
                end = start + stat.all_end_rel_micros
                _, op, inputs = parse_op_label(stat.timeline_label)
                args = {"name": stat.node_name, "op": op}
                for i, name in enumerate(inputs):
                    args[f"input{i}"] = name
                self._chrome_trace.emit_region(start, stat.all_end_rel_micros, pid, lane,
                                               "Op", op, args)
                for name in inputs:
                    self._link_input(name, start, end, pid, lane, show_dataflow)

    def _link_input(self, name: str, start: int, end: int, pid: int, lane: int,
                    show_dataflow: bool) -> None:
        if name.startswith("^"):
            return  # control edges carry no tensor
        tensor = self._tensors.get(name)
        if tensor is not None:
            tensor.touch(end - 1)
        source = self._flow_starts.get(name) or self._flow_starts.get(name.split(":")[0])
        if not show_dataflow or source is None:
            return
        created, source_pid, source_lane = source
        if source_pid != pid or source_lane != lane:
            flow_id = self._next_flow_id
            self._next_flow_id += 1
            self._chrome_trace.emit_flow_start(name, created, source_pid, source_lane,
                                               flow_id)
            self._chrome_trace.emit_flow_end(name, start, pid, lane, flow_id)

    def _show_memory_counters(self) -> None:
        changes: dict = {}
        for name, tensor in self._tensors.items():
            self._chrome_trace.emit_obj_delete("Tensor", name, tensor.last_unref,
                                               tensor.pid, 0, tensor.object_id)
            changes.setdefault(tensor.allocator, []).extend([
                (tensor.create_time, tensor.num_bytes, name),
                (tensor.last_unref, -tensor.num_bytes, name)])
        for allocator, events in changes.items():
            total, live = 0, set()
            peak = AllocationMaximum(timestamp=0, num_bytes=0, tensors=set())
            for timestamp, num_bytes, name in sorted(events, key=lambda e: e[0]):
                total += num_bytes
                if num_bytes < 0:
                    live.discard(name)
                else:
                    live.add(name)
                if total > peak.num_bytes:
                    peak = AllocationMaximum(timestamp, total, set(live))
                self._chrome_trace.emit_counter("Memory", allocator, self._allocators_pid,
                                                timestamp, allocator, total)
            self._allocator_maximums[allocator] = peak

    def analyze_step_stats(self, show_dataflow: bool = True, show_memory: bool = True,
                           op_time: str = "schedule") -> StepStatsAnalysis:
        """The trace of the step, and the peak memory of each allocator.

        `op_time` ("schedule", "gpu" or "all") is accepted as TF1's; on flowgraph's CPU
        runtime the three agree.
        """
        if op_time not in _OP_TIMES:
            raise ValueError(f"op_time must be one of {list(_OP_TIMES)}, got {op_time!r}")
        self._allocate_pids()
        self._assign_lanes()
        self._analyze_tensors(show_memory)
        self._show_compute(show_dataflow)
        if show_memory:
            self._show_memory_counters()
        return StepStatsAnalysis(chrome_trace=self._chrome_trace,
                                 allocator_maximums=self._allocator_maximums)

    def generate_chrome_trace_format(self, show_dataflow: bool = True,
                                     show_memory: bool = False,
                                     op_time: str = "schedule") -> str:
        """The Chrome trace JSON text of the step (indented, as TF1 writes it).

        Parameters
        ----------
        show_dataflow : bool
            Add flow events (arrows) from producers to consumers in other lanes.
        show_memory : bool
            Add tensor lifetime and allocator counter events (when recorded).
        op_time : str
            "schedule", "gpu" or "all" (all the same on the CPU).
        """
        analysis = self.analyze_step_stats(show_dataflow=show_dataflow,
                                           show_memory=show_memory, op_time=op_time)
        return analysis.chrome_trace.format_to_string(pretty=True)
