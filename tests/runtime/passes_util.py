"""Helpers for the pass tests: sessions with exactly one optimization on, and runs of a
graph under several configurations."""

import numpy as np

import flowgraph as fg
from flowgraph.runtime.config import ConfigProto, OptimizerOptions, RewriterConfig

OFF, ON = RewriterConfig.OFF, RewriterConfig.ON
# Each pass and the RewriterConfig toggle that switches it.
PASS_TOGGLES = {
    "constant_folding": "constant_folding",
    "common_subexpression": "common_subgraph_elimination",
    "arithmetic": "arithmetic_optimization",
    "dependency": "dependency_optimization",
    "remapping": "remapping",
    "elementwise_fusion": "elementwise_fusion",
    "matmul_slicing": "matmul_slicing",
    "matmul_stacking": "matmul_stacking",
}


def reference_config() -> ConfigProto:
    config = ConfigProto(inter_op_parallelism_threads=1)
    config.experimental.executor_type = "REFERENCE"
    return config


def only(pass_name: str = None, memory: bool = True) -> ConfigProto:
    """A config running the compiled executor with just `pass_name` (None: no pass)."""
    config = ConfigProto(inter_op_parallelism_threads=1)
    rw = config.graph_options.rewrite_options
    for field in PASS_TOGGLES.values():
        setattr(rw, field, OFF)
    if pass_name is not None:
        setattr(rw, PASS_TOGGLES[pass_name], ON)
    if not memory:
        rw.memory_optimization = RewriterConfig.NO_MEM_OPT
    return config


def all_on(threads: int = 1) -> ConfigProto:
    return ConfigProto(inter_op_parallelism_threads=threads)


def configs() -> dict:
    """{label: ConfigProto}: the reference, each pass alone, no pass, everything."""
    out = {"reference": reference_config(), "none": only(None),
           "none-no-memory": only(None, memory=False), "all": all_on(),
           "all-threads": all_on(threads=4)}
    for name in PASS_TOGGLES:
        out[name] = only(name)
    no_l1 = only(None)
    no_l1.graph_options.optimizer_options.opt_level = OptimizerOptions.L0
    out["L0"] = no_l1
    return out


def run_runs(graph, config, fetches, feeds_per_run, init=None):
    """Runs `fetches` once per feed dict in a fresh Session of `graph`; returns the results
    (copied) and the Session's plan of the last run."""
    results = []
    with fg.Session(graph=graph, config=config) as sess:
        if init is not None:
            sess.run(init)
        for feeds in feeds_per_run:
            out = sess.run(fetches, feeds)
            results.append(_copy(out))
        plans = list(sess._plans.values())
        # The compiled sub-graphs of control-flow ops (cond branches, loop bodies).
        plans += [f.plan for f in sess.state.functions.values()]
    return results, plans


def _copy(value):
    if isinstance(value, (list, tuple)):
        return type(value)(_copy(v) for v in value)
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    return np.array(value, copy=True) if value is not None else None


def assert_same(got, want, exact: bool):
    if isinstance(want, (list, tuple)):
        assert len(got) == len(want)
        for g, w in zip(got, want):
            assert_same(g, w, exact)
        return
    if isinstance(want, dict):
        assert sorted(got) == sorted(want)
        for key in want:
            assert_same(got[key], want[key], exact)
        return
    if want is None:
        assert got is None
        return
    got, want = np.asarray(got), np.asarray(want)
    assert got.shape == want.shape and got.dtype == want.dtype
    if exact or want.dtype.kind not in "fc":
        np.testing.assert_array_equal(got, want)
    else:
        np.testing.assert_allclose(got, want, rtol=2e-6, atol=1e-6)


def check_all_configs(graph, fetches, feeds_per_run, init=None, expect=None):
    """Runs under every config of `configs()` and compares with the reference executor
    (exactly, except with elementwise fusion: numexpr's libm may differ in the last bit,
    and the matmul passes: BLAS may sum a narrower or a stacked product in another order).
    `expect` maps a config label to a pass that must have rewritten something."""
    reference, _ = run_runs(graph, reference_config(), fetches, feeds_per_run, init)
    counts = {}
    for label, config in configs().items():
        got, plans = run_runs(graph, config, fetches, feeds_per_run, init)
        exact = label not in ("elementwise_fusion", "matmul_slicing", "matmul_stacking",
                              "all", "all-threads")
        assert_same(got, reference, exact)
        counts[label] = _sum_counts(plans)
    for label, pass_name in (expect or {}).items():
        assert counts[label].get(pass_name, 0) > 0, (label, pass_name, counts[label])
    return reference, counts


def _sum_counts(plans) -> dict:
    total: dict = {}
    for plan in plans:
        for key, value in plan.pass_counts.items():
            total[key] = total.get(key, 0) + value
    return total
