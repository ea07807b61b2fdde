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
class OptimizerOptions:
    """TF1's graph optimizer options (``config.graph_options.optimizer_options``).

    ``opt_level`` L1 (the default) turns on common-subexpression elimination and constant
    folding; with L0 each runs only if its ``do_...`` field is True. ``global_jit_level``
    OFF turns off flowgraph's fusion of elementwise chains (TF1's XLA switch; flowgraph
    fuses by default, DEFAULT / ON_1 / ON_2 keep it on). ``max_folded_constant_in_bytes``
    caps the size of a folded result (0: 10 MiB, as TF1).
    """

    L1 = 0
    L0 = -1
    DEFAULT = 0
    OFF = -1
    ON_1 = 1
    ON_2 = 2

    do_common_subexpression_elimination: bool = False
    do_constant_folding: bool = False
    max_folded_constant_in_bytes: int = 0
    do_function_inlining: bool = False
    opt_level: int = 0
    global_jit_level: int = 0
    cpu_global_jit: bool = False


@dataclass
class RewriterConfig:
    """Grappler's switches (``config.graph_options.rewrite_options``), with TF1's names.

    Each field is a Toggle: DEFAULT (0) and ON (1) run the pass, OFF (2) skips it.
    ``constant_folding``, ``common_subgraph_elimination``, ``arithmetic_optimization``
    (x * 1, x + 0, double transposes, reshapes of reshapes, identities),
    ``dependency_optimization`` (pruning no-ops), ``remapping`` (matmul + bias +
    activation fused into one kernel; a ReLU's gradient applied to the pooled gradient
    of the max pool that reads it; a convolution's two gradients run as one node, and
    its bias and ReLU in its own blocks);
    ``memory_optimization`` NO_MEM_OPT (1) turns off the memory planner (buffers reused
    across runs, in-place kernels).
    ``disable_meta_optimizer`` turns every one of them off.

    flowgraph only: ``elementwise_fusion`` (chains of elementwise ops run as one kernel:
    in place with numpy ``out=``, or through numexpr for small arrays when it is installed);
    ``matmul_slicing`` (a matmul whose result is split, with pieces nobody reads, computes
    only the pieces read: e.g. the gradient of ``concat([x, h])`` feeding a matmul; a
    matmul read only by a gradient-descent update runs into it by slices of rows);
    ``matmul_stacking`` (a sum of matmuls runs as one matmul of the stacked operands: e.g.
    the kernel gradient of an unrolled RNN).
    """

    DEFAULT = 0
    ON = 1
    OFF = 2
    AGGRESSIVE = 3
    DEFAULT_MEM_OPT = 0
    NO_MEM_OPT = 1
    MANUAL = 2
    HEURISTICS = 3

    constant_folding: int = 0
    common_subgraph_elimination: int = 0
    arithmetic_optimization: int = 0
    dependency_optimization: int = 0
    remapping: int = 0
    layout_optimizer: int = 0
    shape_optimization: int = 0
    loop_optimization: int = 0
    function_optimization: int = 0
    memory_optimization: int = 0
    disable_model_pruning: bool = False
    disable_meta_optimizer: bool = False
    min_graph_nodes: int = 0
    elementwise_fusion: int = 0
    matmul_slicing: int = 0
    matmul_stacking: int = 0


@dataclass
class GraphOptions:
    """Graph-level options: ``optimizer_options`` and ``rewrite_options`` switch the plan
    optimization passes (see `PlanOptions.from_config`)."""

    enable_bfloat16_sendrecv: bool = False
    infer_shapes: bool = False
    place_pruned_graph: bool = False
    optimizer_options: OptimizerOptions = field(default_factory=OptimizerOptions)
    rewrite_options: RewriterConfig = field(default_factory=RewriterConfig)
    build_cost_model: int = 0
    timeline_step: int = 0


@dataclass
class Experimental:
    """``ConfigProto.experimental``. ``executor_type``: "" (the default: compiled plans,
    the thread pool for independent heavy ops), "SINGLE_THREADED_EXECUTOR" (compiled plans,
    no thread pool) or "REFERENCE" (flowgraph: the plain reference loop, without the
    optimization passes or the memory planner; for debugging and tests)."""

    executor_type: str = ""
    disable_thread_spinning: bool = False
    use_numa_affinity: bool = False
    collective_group_leader: str = ""


EXECUTOR_TYPES = ("", "DEFAULT", "SINGLE_THREADED_EXECUTOR", "REFERENCE")


@dataclass
class ConfigProto:
    """How a Session runs: thread counts, plan optimizations and logging.

    ``inter_op_parallelism_threads``: ops run at once (0: one per core);
    ``intra_op_parallelism_threads``: BLAS threads inside one op (0: the library's
    default), applied with threadpoolctl; ``graph_options``: the optimization passes;
    ``experimental.executor_type``: which executor runs plans.
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
    experimental: Experimental = field(default_factory=Experimental)

    def __post_init__(self) -> None:
        for name in ("inter_op_parallelism_threads", "intra_op_parallelism_threads"):
            value = getattr(self, name)
            if not isinstance(value, int) or value < 0:
                raise ValueError(f"ConfigProto.{name} must be an int >= 0, got {value!r}")
        if self.experimental.executor_type not in EXECUTOR_TYPES:
            raise ValueError(f"ConfigProto.experimental.executor_type must be one of "
                             f"{list(EXECUTOR_TYPES)}, got {self.experimental.executor_type!r}")

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
