"""Graph optimization passes, run on each plan's private graph (never the user's Graph).

Each pass is one module with ``run(graph, options) -> int`` (the number of rewrites), and is
switched by one field of `PlanOptions` (from the session config: see
`PlanOptions.from_config`). Every pass keeps results unchanged: fetched nodes are never
removed or renamed, stateful nodes are never folded, merged or dropped, and control
dependencies keep their order.
"""

from __future__ import annotations

from flowgraph.runtime.ir import PlanGraph
from flowgraph.runtime.options import PlanOptions
from flowgraph.runtime.passes import (
    arithmetic,
    common_subexpression,
    constant_folding,
    consumed_recordings,
    conv_backprop_pair,
    conv_bias_activation,
    dead_loop_vars,
    dependency,
    fusion,
    matmul_slicing,
    matmul_stacking,
    matmul_update,
    pool_relu_grad,
)


def optimize(graph: PlanGraph, options: PlanOptions) -> dict:
    """Runs the enabled passes on `graph`; returns {pass name: rewrites}."""
    counts: dict = {}

    def step(name: str, enabled: bool, module) -> int:
        if not enabled:
            return 0
        done = module.run(graph, options)
        counts[name] = counts.get(name, 0) + done
        return done

    step("dependency", options.prune_no_ops, dependency)
    # Folding exposes simplifications (x * 1 once 1 is known) and they expose more folding
    # and merging: iterate a few times until nothing changes.
    for _ in range(3):
        changed = step("constant_folding", options.constant_folding, constant_folding)
        changed += step("arithmetic", options.arithmetic_simplification, arithmetic)
        changed += step("common_subexpression", options.common_subexpression_elimination,
                        common_subexpression)
        graph.remove_dead()
        if not changed:
            break
    # A while loop's variables that nothing reads are not computed.
    step("dead_loop_vars", options.prune_no_ops, dead_loop_vars)
    # A backward loop that alone reads a recording drops each entry after reading it.
    step("consumed_recordings", options.memory_planning, consumed_recordings)
    # Before fusion, which would take the matmul as the head of a fused chain.
    step("matmul_slicing", options.matmul_slicing, matmul_slicing)
    step("matmul_stacking", options.matmul_stacking, matmul_stacking)
    step("matmul_update", options.matmul_slicing, matmul_update)
    # Before fusion, which would take the ReluGrad into an elementwise chain.
    step("pool_relu_grad", options.remapping, pool_relu_grad)
    step("conv_backprop_pair", options.remapping, conv_backprop_pair)
    step("conv_bias_activation", options.remapping, conv_bias_activation)
    if options.remapping or options.elementwise_fusion:
        counts["fusion"] = fusion.run(graph, options)
    return counts
