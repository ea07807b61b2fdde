"""TF1's ``tf.profiler.Profiler``, ``tf.profiler.advise`` and ``tf.profiler.write_op_log``.

    profiler = fg.profiler.Profiler(sess.graph)
    for step in range(3):
        sess.run(train_op, options=fg.RunOptions(trace_level=fg.RunOptions.FULL_TRACE),
                 run_metadata=meta)
        profiler.add_step(step, meta)
    profiler.profile_name_scope(fg.profiler.ProfileOptionBuilder.time_and_memory())
    profiler.advise(fg.profiler.ALL_ADVICE)

The statistics are those of `fg.profiler.profile`: a Profiler with one step reports what
``profile(graph, run_meta=...)`` reports. Options' ``step`` picks one added step; -1 (the
default) averages the times and run counts over the steps in which each op ran (TF1's
rule).
"""

from __future__ import annotations

import copy
import json
import logging
import os
import tempfile
from typing import Any, Optional

from flowgraph.profiler import dataflow_views, views
from flowgraph.profiler.model_analyzer import (
    _checked_options,
    _emit,
    _output_bytes,
    _timings,
    collect_records,
)
from flowgraph.profiler.protos import AdviceProto, CodeDef, CodeDefTrace, OpLogEntry, OpLogProto
from flowgraph.profiler.views import _time

__all__ = ["Profiler", "advise", "write_op_log", "ALL_ADVICE", "OP_LOG_FORMAT"]

_log = logging.getLogger("flowgraph.profiler")

ALL_ADVICE = {"ExpensiveOperationChecker": {}, "AcceleratorUtilizationChecker": {},
              "JobChecker": {}, "OperationChecker": {}}
_DEFAULT_ADVISE_OPTIONS = 0
OP_LOG_FORMAT = "flowgraph-op-log-v1"
_OP_LOG_FILE = "tfprof_log"
_TRAINABLE = "_trainable_variables"


def _default_graph(graph: Any) -> Any:
    if graph is None:
        from flowgraph.graph import get_default_graph
        graph = get_default_graph()
    return graph


def _checked_op_log(op_log: Any) -> Optional[OpLogProto]:
    if op_log is not None and not isinstance(op_log, OpLogProto):
        raise TypeError(f"op_log must be an fg.profiler.OpLogProto or None, got "
                        f"{type(op_log).__name__}")
    return op_log


def _merged_op_log(graph: Any, op_log: Optional[OpLogProto], add_trace: bool) -> OpLogProto:
    """TF1's ``merge_default_with_oplog``: an entry per op with its account types
    (``_trainable_variables`` for trainable Variables), its creation site when
    `add_trace`, and the float_ops/types of `op_log` merged in."""
    trainable = {getattr(v, "op", None) for v in graph.get_collection("trainable_variables")}
    entries = {}
    for op in graph.get_operations():
        entry = OpLogEntry(name=op.name)
        if op in trainable:
            entry.types.append(_TRAINABLE)
        site = op.creation_site
        if add_trace and site is not None:
            entry.code_def = CodeDef(traces=[CodeDefTrace(
                file=site.filename, lineno=int(site.lineno), function=site.function,
                line=getattr(site, "line", "") or "")])
        entries[op.name] = entry
    for extra in (op_log.log_entries if op_log is not None else []):
        entry = entries.setdefault(extra.name, OpLogEntry(name=extra.name))
        if extra.float_ops > 0:
            entry.float_ops = int(extra.float_ops)
        entry.types.extend(t for t in extra.types if t not in entry.types)
        if extra.code_def.traces:
            entry.code_def = copy.deepcopy(extra.code_def)
    return OpLogProto(log_entries=list(entries.values()))


def write_op_log(graph: Any, log_dir: str, op_log: Any = None, run_meta: Any = None,
                 add_trace: bool = True) -> None:
    """Writes ``<log_dir>/tfprof_log``: the op log of `graph` (each op's account types,
    creation site when `add_trace`, and the entries of `op_log` merged in).

    The file is flowgraph's format (no protobuf): UTF-8 JSON
    ``{"format": "flowgraph-op-log-v1", "log_entries": [{"name", "float_ops", "types",
    "code_def": {"traces": [{"file", "lineno", "function", "line"}]}}], "id_to_string":
    {}}``, written to a temporary file and renamed, so readers never see a partial file.
    `read_op_log` reads it back. `run_meta` is accepted as TF1's (flowgraph's shapes are
    static, so it adds nothing).
    """
    graph = _default_graph(graph)
    merged = _merged_op_log(graph, _checked_op_log(op_log), add_trace)
    del run_meta  # TF1 uses it only to complete unknown shapes
    payload = {"format": OP_LOG_FORMAT, "id_to_string": dict(merged.id_to_string),
               "log_entries": [{"name": e.name, "float_ops": int(e.float_ops),
                                "types": list(e.types),
                                "code_def": {"traces": [vars(t) for t in e.code_def.traces]}}
                               for e in merged.log_entries]}
    os.makedirs(log_dir, exist_ok=True)
    handle, tmp = tempfile.mkstemp(prefix=".tfprof_log.", dir=log_dir)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump(payload, out)
        os.replace(tmp, os.path.join(log_dir, _OP_LOG_FILE))
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise


def read_op_log(path: str) -> OpLogProto:
    """The OpLogProto in a file written by `write_op_log` (the file or its folder)."""
    if os.path.isdir(path):
        path = os.path.join(path, _OP_LOG_FILE)
    with open(path, encoding="utf-8") as handle:
        payload = json.load(handle)
    if not isinstance(payload, dict) or payload.get("format") != OP_LOG_FORMAT:
        raise ValueError(f"{path} is not a flowgraph op log (expected format "
                         f"{OP_LOG_FORMAT!r}; write it with fg.profiler.write_op_log)")
    entries = [OpLogEntry(name=e["name"], float_ops=int(e["float_ops"]), types=list(e["types"]),
                          code_def=CodeDef(traces=[CodeDefTrace(**t)
                                                   for t in e["code_def"]["traces"]]))
               for e in payload["log_entries"]]
    return OpLogProto(log_entries=entries, id_to_string=dict(payload["id_to_string"]))


class Profiler:
    """TF1's ``tf.profiler.Profiler``: profiles `graph` over the steps added with
    `add_step`, by name scope, graph, Python code or op type, and gives advice.

    Parameters
    ----------
    graph : Graph, optional
        Default: the default graph.
    op_log : OpLogProto, optional
        Extra float_ops and account types per op (merged with the trainable Variables).
    """

    def __init__(self, graph: Any = None, op_log: Any = None) -> None:
        self._graph = _default_graph(graph)
        self._op_log = _merged_op_log(self._graph, _checked_op_log(op_log), add_trace=False)
        self._steps: dict = {}  # step -> {op name: (runs, micros)}
        self._run_metas: dict = {}

    def add_step(self, step: int, run_meta: Any) -> None:
        """Adds the statistics of one traced run (a RunMetadata) as `step`; adding a step
        again adds its times to it."""
        if run_meta is None or not hasattr(run_meta, "step_stats"):
            raise TypeError("run_meta must be a RunMetadata filled by a run with "
                            "options=fg.RunOptions(trace_level=fg.RunOptions.FULL_TRACE)")
        step = int(step)
        timings = self._steps.setdefault(step, {})
        for name, (runs, micros) in _timings(run_meta).items():
            old_runs, old_micros = timings.get(name, (0, 0))
            timings[name] = (old_runs + runs, old_micros + micros)
        self._run_metas.setdefault(step, []).append(run_meta)

    def _records(self, step: int) -> list:
        records = collect_records(self._graph, None)
        log = {e.name: e for e in self._op_log.log_entries}
        timings = self._selected_timings(step)
        for node, types, op in records:
            entry = log.get(op.name)
            if entry is not None:
                if entry.float_ops > 0:
                    node.float_ops = entry.float_ops
                types.extend(t for t in entry.types if t not in types)
            runs, micros = timings.get(op.name, (0, 0))
            if runs:  # as fg.profiler.profile does for the ops of a traced run
                node.run_count = runs
                node.exec_micros = node.cpu_exec_micros = micros
                node.float_ops *= runs
                node.requested_bytes = node.output_bytes = _output_bytes(op)
        return records

    def _selected_timings(self, step: int) -> dict:
        if step >= 0:
            return dict(self._steps.get(step, {}))
        per_op: dict = {}
        for timings in self._steps.values():
            for name, (runs, micros) in timings.items():
                per_op.setdefault(name, []).append((runs, micros))
        return {name: (sum(r for r, _ in seen) // len(seen), sum(m for _, m in seen) // len(seen))
                for name, seen in per_op.items()}

    def _profile(self, build: Any, options: Any) -> Any:
        opts = _checked_options(options)
        root, text = build(self._records(int(opts["step"])), opts)
        meta = self._last_run_meta(int(opts["step"]))
        _emit(text, opts["output"], meta)
        return root

    def _last_run_meta(self, step: int) -> Any:
        if step in self._run_metas:
            return self._run_metas[step][-1]
        if step < 0 and self._run_metas:
            return self._run_metas[max(self._run_metas)][-1]
        return None

    def profile_name_scope(self, options: Any) -> Any:
        """The scope view (a GraphNodeProto tree), reported as `options` say."""
        return self._profile(views.scope_view, options)

    def profile_graph(self, options: Any) -> Any:
        """The graph view (a GraphNodeProto tree: children are inputs)."""
        return self._profile(dataflow_views.graph_view, options)

    def profile_python(self, options: Any) -> Any:
        """The code view (a MultiGraphNodeProto tree of Python call sites)."""
        return self._profile(dataflow_views.code_view, options)

    def profile_operations(self, options: Any) -> Any:
        """The op view (a MultiGraphNodeProto chain of op types)."""
        return self._profile(views.op_view, options)

    def advise(self, options: Any) -> AdviceProto:
        """Runs the checkers named in `options` (keys of `ALL_ADVICE`) over all steps,
        prints their reports and returns them as an AdviceProto."""
        return _advise(self._records(-1), [m for ms in self._run_metas.values() for m in ms],
                       bool(self._steps), options)


def advise(graph: Any = None, run_meta: Any = None,
           options: Any = _DEFAULT_ADVISE_OPTIONS) -> AdviceProto:
    """TF1's ``tf.profiler.advise``: the advice of the checkers in `options` (default:
    `ALL_ADVICE`) on `graph` and the traced run `run_meta`."""
    if isinstance(options, int) and not isinstance(options, bool) and \
            options == _DEFAULT_ADVISE_OPTIONS:
        options = copy.deepcopy(ALL_ADVICE)
    profiler = Profiler(graph)
    if run_meta is not None:
        profiler.add_step(0, run_meta)
    return profiler.advise(options)


def _advise(records: list, run_metas: list, has_steps: bool, options: Any) -> AdviceProto:
    if not isinstance(options, dict):
        raise TypeError(f"advise options must be a dict of checker names (see "
                        f"fg.profiler.ALL_ADVICE), got {type(options).__name__}")
    unknown = sorted(set(options) - set(ALL_ADVICE))
    if unknown:
        raise ValueError(f"Unknown advisor checkers {unknown}; the checkers are "
                         f"{sorted(ALL_ADVICE)}")
    advice = AdviceProto()
    checks = {"AcceleratorUtilizationChecker": lambda: _accelerator_reports(run_metas),
              "OperationChecker": lambda: _operation_reports(records),
              "ExpensiveOperationChecker": lambda: _expensive_reports(records, has_steps)}
    for name in options:
        if name in checks:  # JobChecker is internal to Google in TF1 too: no report
            advice.checkers[name] = AdviceProto.Checker(reports=checks[name]())
    for name, checker in advice.checkers.items():
        print(f"{name}:")
        for report in checker.reports:
            print(report)
    return advice


def _accelerator_reports(run_metas: list) -> list:
    """TF1's rule: an accelerator busy for under half of its traced time is reported."""
    busy: dict = {}
    for meta in run_metas:
        for device in meta.step_stats.dev_stats:
            if "gpu" not in device.device.lower() or not device.node_stats:
                continue
            start = min(s.all_start_micros for s in device.node_stats)
            end = max(s.all_start_micros + s.all_end_rel_micros for s in device.node_stats)
            used = sum(s.all_end_rel_micros for s in device.node_stats)
            total, spent = busy.get(device.device, (0, 0))
            busy[device.device] = (total + max(end - start, 1), spent + used)
    reports = []
    for device, (total, spent) in sorted(busy.items()):
        utilization = min(spent / total, 1.0)
        if utilization < 0.5:
            reports.append(f"device: {device} low utilization: {utilization:.2f}")
    return reports


def _operation_reports(records: list) -> list:
    for _, _, op in records:
        layout = getattr(op.op_def, "data_format", None)
        if layout in ("NHWC", b"NHWC") and "gpu" in (op.device or "").lower():
            return ["Found operation using NHWC data_format on GPU. Maybe NCHW is faster."]
    return []


def _expensive_reports(records: list, has_steps: bool) -> list:
    """The three op types taking the most time (TF1's report lines)."""
    if not has_steps:
        _log.warning("ExpensiveOperationChecker: Missing RunMetadata (add a traced step).")
        return []
    by_type: dict = {}
    for node, _, op in records:
        cpu, accelerator = by_type.get(op.type, (0, 0))
        by_type[op.type] = (cpu + node.cpu_exec_micros, accelerator + node.accelerator_exec_micros)
    everything = sum(c + a for c, a in by_type.values()) or 1
    ranked = sorted(by_type.items(), key=lambda item: (-(item[1][0] + item[1][1]), item[0]))
    return [f"top {i} operation type: {name}, cpu: {_time(cpu)}, accelerator: "
            f"{_time(acc)}, total: {_time(cpu + acc)} ({100.0 * (cpu + acc) / everything:.2f}%)"
            for i, (name, (cpu, acc)) in enumerate(ranked[:3], start=1) if cpu + acc > 0]

