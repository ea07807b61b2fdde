"""The profile results (TF1's ``tfprof_output_pb2.GraphNodeProto`` and
``MultiGraphNodeProto``): one node per graph node or name scope (scope view) or per op
type (op view), with its own statistics and the totals of its subtree."""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["GraphNodeProto", "MultiGraphNodeProto", "ROOT_NAME"]

ROOT_NAME = "_TFProfRoot"


@dataclass
class _Stats:
    name: str = ""
    run_count: int = 0
    exec_micros: int = 0
    accelerator_exec_micros: int = 0
    cpu_exec_micros: int = 0
    requested_bytes: int = 0
    peak_bytes: int = 0
    residual_bytes: int = 0
    output_bytes: int = 0
    parameters: int = 0
    float_ops: int = 0
    total_definition_count: int = 0
    total_run_count: int = 0
    total_exec_micros: int = 0
    total_accelerator_exec_micros: int = 0
    total_cpu_exec_micros: int = 0
    total_requested_bytes: int = 0
    total_peak_bytes: int = 0
    total_residual_bytes: int = 0
    total_output_bytes: int = 0
    total_parameters: int = 0
    total_float_ops: int = 0
    children: list = field(default_factory=list)


# The statistics summed into totals: (own field, total field).
STAT_FIELDS = (("run_count", "total_run_count"), ("exec_micros", "total_exec_micros"),
               ("accelerator_exec_micros", "total_accelerator_exec_micros"),
               ("cpu_exec_micros", "total_cpu_exec_micros"),
               ("requested_bytes", "total_requested_bytes"),
               ("peak_bytes", "total_peak_bytes"),
               ("residual_bytes", "total_residual_bytes"),
               ("output_bytes", "total_output_bytes"),
               ("parameters", "total_parameters"), ("float_ops", "total_float_ops"))


@dataclass
class GraphNodeProto(_Stats):
    """A graph node or a name scope: `name`, its own `parameters`, `float_ops`,
    `exec_micros`, `requested_bytes`, ..., the `total_*` of its displayed subtree,
    `devices`, `shapes` (output shapes) and `children` (displayed GraphNodeProtos)."""

    devices: list = field(default_factory=list)
    shapes: list = field(default_factory=list)
    input_shapes: dict = field(default_factory=dict)


@dataclass
class MultiGraphNodeProto(_Stats):
    """An op type (op view): statistics summed over `graph_nodes` (GraphNodeProtos of its
    ops). As in TF1, the op view is a chain: each node's single child is the next op
    type, and its `total_*` sum its own statistics and those after it."""

    graph_nodes: list = field(default_factory=list)
