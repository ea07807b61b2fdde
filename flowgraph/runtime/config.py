"""Session configuration and per-run options, with TF1's names (`fg.ConfigProto`, ...)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Optional


@dataclass
class GPUOptions:
    """Accepted for TF1 compatibility; flowgraph runs on the CPU."""

    allow_growth: bool = False
    per_process_gpu_memory_fraction: float = 1.0
    visible_device_list: str = ""


@dataclass
class GraphOptions:
    """Graph-level options (optimizer settings are read by later passes)."""

    enable_bfloat16_sendrecv: bool = False
    infer_shapes: bool = False
    place_pruned_graph: bool = False


@dataclass
class ConfigProto:
    """How a Session runs: thread counts and logging.

    ``inter_op_parallelism_threads``: ops run at once (0: one per core);
    ``intra_op_parallelism_threads``: BLAS threads inside one op (0: the library's default).
    """

    inter_op_parallelism_threads: int = 0
    intra_op_parallelism_threads: int = 0
    log_device_placement: bool = False
    allow_soft_placement: bool = False
    device_count: dict = field(default_factory=dict)
    gpu_options: GPUOptions = field(default_factory=GPUOptions)
    graph_options: GraphOptions = field(default_factory=GraphOptions)
    use_per_session_threads: bool = False
    operation_timeout_in_ms: int = 0

    def __post_init__(self) -> None:
        for name in ("inter_op_parallelism_threads", "intra_op_parallelism_threads"):
            value = getattr(self, name)
            if not isinstance(value, int) or value < 0:
                raise ValueError(f"ConfigProto.{name} must be an int >= 0, got {value!r}")

    def inter_op_threads(self) -> int:
        """The effective number of inter-op threads."""
        return self.inter_op_parallelism_threads or (os.cpu_count() or 1)


@dataclass
class RunOptions:
    """Per-run options: ``timeout_in_ms`` and ``trace_level`` (FULL_TRACE records op times)."""

    NO_TRACE = 0
    SOFTWARE_TRACE = 1
    HARDWARE_TRACE = 2
    FULL_TRACE = 3

    trace_level: int = 0
    timeout_in_ms: int = 0
    inter_op_thread_pool: int = 0
    output_partition_graphs: bool = False
    report_tensor_allocations_upon_oom: bool = False


@dataclass
class NodeExecStats:
    """Timing of one op in a traced run (microseconds, as TF1's step stats)."""

    node_name: str
    all_start_micros: int
    op_start_rel_micros: int
    op_end_rel_micros: int
    all_end_rel_micros: int
    timeline_label: str = ""
    thread_id: int = 0


@dataclass
class DeviceStepStats:
    device: str
    node_stats: list = field(default_factory=list)


@dataclass
class StepStats:
    dev_stats: list = field(default_factory=list)


@dataclass
class RunMetadata:
    """Filled by `Session.run(..., options=RunOptions(trace_level=FULL_TRACE),
    run_metadata=meta)`: ``meta.step_stats.dev_stats[0].node_stats``."""

    step_stats: StepStats = field(default_factory=StepStats)
    partition_graphs: list = field(default_factory=list)
    cost_graph: Optional[object] = None

    def Clear(self) -> None:  # noqa: N802 - TF1's protobuf spelling
        self.step_stats = StepStats()
        self.partition_graphs = []
