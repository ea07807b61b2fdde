"""The process-wide settings of `tf.config` (TF1's eager-context configuration), kept in
ONE place: `DEFAULTS`.

In TensorFlow the `tf.config.threading` / `tf.config.optimizer` / soft-placement setters
configure the default context, whose ConfigProto a `tf.compat.v1.Session` created without
a config uses. flowgraph keeps those settings here, and `apply_to` fills them into the
ConfigProto of every Session created afterwards, in the fields that ConfigProto leaves at
their defaults (a thread count of 0, a RewriterConfig toggle at DEFAULT, ...): a value
the Session's own ConfigProto sets always wins.

This is, with the op registry, flowgraph's only process-wide mutable state; it is read
once when a Session is created, never while it runs.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any, Optional

from flowgraph.runtime.config import ConfigProto, OptimizerOptions, RewriterConfig

# TF 1.15's `tf.config.optimizer.set_experimental_options` names, in the order
# `get_experimental_options` lists them. Toggles take True / False; the two `disable_...`
# fields are plain bools; `min_graph_nodes` is an int.
OPTIMIZER_TOGGLES = ("layout_optimizer", "constant_folding", "shape_optimization", "remapping",
                     "arithmetic_optimization", "dependency_optimization", "loop_optimization",
                     "function_optimization", "debug_stripper", "disable_model_pruning",
                     "scoped_allocator_optimization", "pin_to_host_optimization",
                     "implementation_selector", "auto_mixed_precision",
                     "disable_meta_optimizer", "min_graph_nodes")
_BOOL_OPTIONS = ("disable_model_pruning", "disable_meta_optimizer")


@dataclass
class ProcessDefaults:
    """What `tf.config` has set for this process (see the module docstring).

    ``inter_op_parallelism_threads`` / ``intra_op_parallelism_threads``: 0 leaves the
    Session's ConfigProto (and so the per-core default) alone; ``jit``: True gives new
    Sessions ``global_jit_level`` ON_1 (flowgraph's elementwise fusion, on anyway);
    ``soft_device_placement``: None (unset) reads as False in graph mode, as TF1;
    ``optimizer_options``: the set_experimental_options dict (option -> bool / int);
    ``visible_devices``: what `tf.config.set_visible_devices` left visible (None: unset,
    every physical device).
    """

    inter_op_parallelism_threads: int = 0
    intra_op_parallelism_threads: int = 0
    jit: bool = False
    soft_device_placement: Optional[bool] = None
    optimizer_options: dict = field(default_factory=dict)
    visible_devices: Optional[list] = None

    def is_default(self) -> bool:
        return self == ProcessDefaults()


DEFAULTS = ProcessDefaults()


def reset() -> None:
    """Restores every `tf.config` setting to its start-up value (for tests)."""
    fresh = ProcessDefaults()
    for name in fresh.__dataclass_fields__:
        setattr(DEFAULTS, name, getattr(fresh, name))


def apply_to(config: ConfigProto) -> ConfigProto:
    """`config` with the process settings filled into the fields it leaves at their
    defaults: a copy when anything changes, `config` itself (unchanged) otherwise."""
    d = DEFAULTS
    changes: list = []
    if d.inter_op_parallelism_threads and not config.inter_op_parallelism_threads:
        changes.append(("inter_op_parallelism_threads", d.inter_op_parallelism_threads))
    if d.intra_op_parallelism_threads and not config.intra_op_parallelism_threads:
        changes.append(("intra_op_parallelism_threads", d.intra_op_parallelism_threads))
    if d.soft_device_placement and not config.allow_soft_placement:
        changes.append(("allow_soft_placement", True))
    opt = config.graph_options.optimizer_options
    jit = d.jit and opt.global_jit_level == OptimizerOptions.DEFAULT
    rewrites = _rewrite_changes(config.graph_options.rewrite_options)
    if not changes and not jit and not rewrites:
        return config
    config = copy.deepcopy(config)
    for name, value in changes:
        setattr(config, name, value)
    if jit:
        config.graph_options.optimizer_options.global_jit_level = OptimizerOptions.ON_1
    for name, value in rewrites:
        setattr(config.graph_options.rewrite_options, name, value)
    return config


def _rewrite_changes(rw: RewriterConfig) -> list:
    """(RewriterConfig field, value) pairs the experimental options set where `rw` leaves
    the field at its default. Options without a RewriterConfig field in flowgraph
    (debug_stripper, scoped_allocator_optimization, ...) have nothing to switch."""
    out: list = []
    for name, value in DEFAULTS.optimizer_options.items():
        if not hasattr(rw, name):
            continue
        current: Any = getattr(rw, name)
        if name in _BOOL_OPTIONS:
            if value and not current:
                out.append((name, True))
        elif name == "min_graph_nodes":
            if current == 0:
                out.append((name, value))
        elif current == RewriterConfig.DEFAULT:
            out.append((name, RewriterConfig.ON if value else RewriterConfig.OFF))
    return out
