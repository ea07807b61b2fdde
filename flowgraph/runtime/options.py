"""Which optimizations a plan gets: the session config (TF1's names) boiled down to switches."""

from __future__ import annotations

import dataclasses
from typing import Any

from flowgraph.runtime.config import (
    EXECUTOR_TYPES,
    ConfigProto,
    OptimizerOptions,
    RewriterConfig,
)

# TF1 folds constants of up to 10 MiB unless max_folded_constant_in_bytes says otherwise.
DEFAULT_MAX_FOLDED_BYTES = 10 * 1024 * 1024


@dataclasses.dataclass(frozen=True)
class PlanOptions:
    """The passes and runtime features of one plan (all on by default).

    constant_folding, common_subexpression_elimination, arithmetic_simplification,
    prune_no_ops, remapping (matmul + bias + activation; ReluGrad of MaxPoolGrad on the
    pooled gradient; a convolution's two gradients as one node; conv + bias + ReLU),
    elementwise_fusion,
    matmul_slicing (a matmul whose result is split computes only the pieces used; one
    feeding a gradient-descent update runs into it by slices of rows),
    matmul_stacking (a sum of matmuls runs as one matmul of stacked operands): the graph
    passes (flowgraph.runtime.passes); memory_planning: output buffers reused across runs
    and in-place kernels (flowgraph.runtime.memory); compiled: steps run as pre-bound
    closures (flowgraph.runtime.compiler) rather than through the reference loop.
    """

    constant_folding: bool = True
    common_subexpression_elimination: bool = True
    arithmetic_simplification: bool = True
    prune_no_ops: bool = True
    remapping: bool = True
    elementwise_fusion: bool = True
    matmul_slicing: bool = True
    matmul_stacking: bool = True
    memory_planning: bool = True
    compiled: bool = True
    max_folded_constant_in_bytes: int = DEFAULT_MAX_FOLDED_BYTES

    @classmethod
    def reference(cls) -> "PlanOptions":
        """No passes, no memory planning, the reference loop: the plan as the graph says."""
        return cls(constant_folding=False, common_subexpression_elimination=False,
                   arithmetic_simplification=False, prune_no_ops=False, remapping=False,
                   elementwise_fusion=False, matmul_slicing=False, matmul_stacking=False,
                   memory_planning=False, compiled=False)

    @property
    def any_pass(self) -> bool:
        return (self.constant_folding or self.common_subexpression_elimination
                or self.arithmetic_simplification or self.prune_no_ops or self.remapping
                or self.elementwise_fusion or self.matmul_slicing
                or self.matmul_stacking)

    @classmethod
    def from_config(cls, config: ConfigProto) -> "PlanOptions":
        """The options a Session with `config` compiles its plans with.

        A pass runs unless a switch turns it off: TF1's OptimizerOptions (opt_level L0
        turns off CSE and constant folding unless their do_... fields are True;
        global_jit_level OFF turns off elementwise fusion) or Grappler's RewriterConfig
        (a Toggle set to OFF; disable_meta_optimizer turns off every pass).
        """
        opt: OptimizerOptions = config.graph_options.optimizer_options
        rw: RewriterConfig = config.graph_options.rewrite_options
        executor_type = config.experimental.executor_type
        if executor_type not in EXECUTOR_TYPES:
            raise ValueError(f"ConfigProto.experimental.executor_type must be one of "
                             f"{list(EXECUTOR_TYPES)}, got {executor_type!r}")
        if executor_type == "REFERENCE":
            return cls.reference()
        meta = not rw.disable_meta_optimizer
        level1 = opt.opt_level >= OptimizerOptions.L1

        def on(toggle: int) -> bool:
            return meta and toggle != RewriterConfig.OFF

        max_bytes = opt.max_folded_constant_in_bytes or DEFAULT_MAX_FOLDED_BYTES
        return cls(
            constant_folding=on(rw.constant_folding) and (level1 or opt.do_constant_folding),
            common_subexpression_elimination=on(rw.common_subgraph_elimination) and (
                level1 or opt.do_common_subexpression_elimination),
            arithmetic_simplification=on(rw.arithmetic_optimization),
            prune_no_ops=on(rw.dependency_optimization),
            remapping=on(rw.remapping),
            elementwise_fusion=on(rw.elementwise_fusion)
            and opt.global_jit_level != OptimizerOptions.OFF,
            matmul_slicing=on(rw.matmul_slicing),
            matmul_stacking=on(rw.matmul_stacking),
            memory_planning=rw.memory_optimization != RewriterConfig.NO_MEM_OPT,
            max_folded_constant_in_bytes=max_bytes)

    def replace(self, **changes: Any) -> "PlanOptions":
        return dataclasses.replace(self, **changes)
