"""`fg.profiler.profile` (TF1's ``tf.profiler.profile``): parameters, float operations,
time and memory of a graph's ops, organized by name scope ("scope"), by inputs ("graph"),
by the Python call sites that created them ("code") or by op type ("op").

    opts = fg.profiler.ProfileOptionBuilder.float_operation()
    flops = fg.profiler.profile(fg.get_default_graph(), run_meta=run_metadata,
                                cmd="op", options=opts)
    print(flops.total_float_ops)

As TF1, the whole graph is profiled (initializers and training ops included), float
operations are counted only for op types with TF1's registered counts (see
`flowgraph.profiler.flops`), and time comes from `run_meta` (a RunMetadata filled by a
traced run). flowgraph's traces record no allocations: the bytes of an executed op are
the sizes of its outputs' static shapes (0 where a shape is not fully defined).
"""

from __future__ import annotations

import logging
import os
from typing import Any, Optional

from flowgraph import errors
from flowgraph.profiler import dataflow_views, views
from flowgraph.profiler.flops import float_ops
from flowgraph.profiler.nodes import GraphNodeProto
from flowgraph.profiler.option_builder import TRAINABLE_VARIABLES, ProfileOptionBuilder
from flowgraph.shapes import TensorShape

__all__ = ["profile"]

_log = logging.getLogger("flowgraph.profiler")

# TF1's default `options` value: use `trainable_variables_parameter()`.
_DEFAULT_PROFILE_OPTIONS = 0
_CMDS = ("scope", "op", "graph", "code")
_OPTION_DEFAULTS = {"max_depth": 10, "min_bytes": 0, "min_peak_bytes": 0,
                    "min_residual_bytes": 0, "min_output_bytes": 0, "min_micros": 0,
                    "min_accelerator_micros": 0, "min_cpu_micros": 0, "min_params": 0,
                    "min_float_ops": 0, "min_occurrence": 0, "step": -1, "order_by": "name",
                    "account_type_regexes": [], "start_name_regexes": [],
                    "trim_name_regexes": [], "show_name_regexes": [],
                    "hide_name_regexes": [], "account_displayed_op_only": False,
                    "select": [], "output": "stdout"}
_ORDERS = ("name", "bytes", "peak_bytes", "residual_bytes", "output_bytes", "micros",
           "accelerator_micros", "cpu_micros", "params", "float_ops", "occurrence")


def profile(graph: Any = None, run_meta: Any = None, op_log: Any = None,
            cmd: str = "scope", options: Any = _DEFAULT_PROFILE_OPTIONS) -> Any:
    """Profiles `graph` and reports as `options["output"]` says (stdout by default).

    Parameters
    ----------
    graph : Graph, optional
        Default: the default graph.
    run_meta : RunMetadata, optional
        From a run with ``RunOptions(trace_level=RunOptions.FULL_TRACE)``: op times,
        run counts (and float operations times run counts for the ops that ran).
    op_log : optional
        Accepted as TF1's; flowgraph has no OpLogProto, so it must be None.
    cmd : str
        "scope" (a tree of name scopes), "graph" (each node's children are its inputs),
        "code" (a tree of the Python call sites that created the ops; see
        `flowgraph.profiler.dataflow_views`) or "op" (op types, largest first).
    options : dict
        From `ProfileOptionBuilder`; default: `trainable_variables_parameter()`.

    Returns
    -------
    GraphNodeProto or MultiGraphNodeProto
        The root ``_TFProfRoot``: ``total_parameters``, ``total_float_ops``,
        ``total_exec_micros``, ... and the displayed ``children``.

    Raises
    ------
    InvalidArgumentError
        For an unknown `cmd` (TF1's error).
    """
    if graph is None:
        from flowgraph.graph import get_default_graph
        graph = get_default_graph()
    if isinstance(options, int) and not isinstance(options, bool) and \
            options == _DEFAULT_PROFILE_OPTIONS:
        options = ProfileOptionBuilder.trainable_variables_parameter()
    if cmd not in _CMDS:
        raise errors.InvalidArgumentError(None, None, f"unknown cmd: {cmd}\n(expected one "
                                          "of 'scope', 'op', 'graph', 'code')")
    if op_log is not None:
        raise ValueError("op_log: flowgraph has no OpLogProto; pass op_log=None (op types "
                         "and trainable Variables are logged automatically)")
    opts = _checked_options(options)
    records = collect_records(graph, run_meta)
    build = {"scope": views.scope_view, "op": views.op_view,
             "graph": dataflow_views.graph_view, "code": dataflow_views.code_view}[cmd]
    root, text = build(records, opts)
    _emit(text, opts["output"], run_meta)
    return root


def _checked_options(options: Any) -> dict:
    if not isinstance(options, dict):
        raise TypeError(f"options must be a dict (from ProfileOptionBuilder), got "
                        f"{type(options).__name__}")
    unknown = sorted(set(options) - set(_OPTION_DEFAULTS) - {"dump_to_file"})
    if unknown:
        raise ValueError(f"Unknown profiler options {unknown}; the options are "
                         f"{sorted(_OPTION_DEFAULTS)}")
    opts = dict(_OPTION_DEFAULTS)
    opts.update(options)
    if opts["order_by"] not in _ORDERS:
        raise errors.InvalidArgumentError(None, None, f"Unknown order_by "
                                          f"{opts['order_by']!r}; one of {list(_ORDERS)}")
    return opts


def collect_records(graph: Any, run_meta: Any) -> list:
    """One GraphNodeProto (own statistics only) and its account types per graph op."""
    trainable = {getattr(v, "op", None) for v in graph.get_collection("trainable_variables")}
    timings = _timings(run_meta)
    records = []
    for op in graph.get_operations():
        node = GraphNodeProto(name=op.name, devices=[op.device] if op.device else [],
                              shapes=[t.shape.as_list() if t.shape.ndims is not None
                                      else None for t in op.outputs])
        node.total_definition_count = 1
        types = [op.type] + ([op.device] if op.device else [])
        if op in trainable:
            types.append(TRAINABLE_VARIABLES)
        node.parameters = _parameters(op)
        node.float_ops = float_ops(op)
        runs, micros = timings.get(op.name, (0, 0))
        if runs:
            node.run_count = runs
            node.exec_micros = node.cpu_exec_micros = micros
            node.float_ops *= runs  # as TF1: measured ops count once per run
            node.requested_bytes = node.output_bytes = _output_bytes(op)
        records.append((node, types, op))
    return records


def _parameters(op: Any) -> int:
    """TF1 counts the elements of an op's ``shape`` attribute as its parameters
    (Variables, and also placeholders, which only trainable-variable views hide)."""
    shape = getattr(op.op_def, "shape", None)
    if isinstance(shape, TensorShape) and shape.is_fully_defined():
        return int(shape.num_elements())
    return 0


def _timings(run_meta: Any) -> dict:
    """{op name: (run count, microseconds)} of the traced runs in `run_meta`."""
    timings: dict = {}
    if run_meta is None:
        return timings
    for device in run_meta.step_stats.dev_stats:
        for stat in device.node_stats:
            runs, micros = timings.get(stat.node_name, (0, 0))
            timings[stat.node_name] = (runs + 1, micros + int(stat.all_end_rel_micros))
    return timings


def _output_bytes(op: Any) -> int:
    total = 0
    for tensor in op.outputs:
        shape = tensor.shape
        if shape.is_fully_defined():
            total += int(shape.num_elements()) * int(getattr(tensor.dtype.np, "itemsize", 0))
    return total


def _emit(text: str, output: str, run_meta: Optional[Any]) -> None:
    kind, _, rest = output.partition(":")
    values = dict(item.split("=", 1) for item in rest.split(",") if "=" in item)
    if kind == "none":
        return
    if kind == "stdout":
        print(text, end="")
        return
    if kind in ("file", "timeline") and "outfile" in values:
        path = values["outfile"]
        if kind == "timeline":
            if run_meta is None:
                raise ValueError("timeline output needs run_meta (a traced RunMetadata)")
            from flowgraph.client.timeline import Timeline
            text = Timeline(run_meta.step_stats).generate_chrome_trace_format()
        folder = os.path.dirname(path)
        if folder:
            os.makedirs(folder, exist_ok=True)
        with open(path, "w") as handle:
            handle.write(text)
        _log.info("Profile written to %s", path)
        return
    raise errors.InvalidArgumentError(None, None, f"Unsupported profiler output {output!r}: "
                                      "use 'stdout', 'none', 'file:outfile=<path>' or "
                                      "'timeline:outfile=<path>'")
