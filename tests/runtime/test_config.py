"""Session configuration: TF1's switches for the plan passes, the executor type and the
thread settings."""

import numpy as np
import pytest

import flowgraph as fg
from flowgraph.runtime.config import OptimizerOptions, RewriterConfig
from flowgraph.runtime.options import DEFAULT_MAX_FOLDED_BYTES, PlanOptions
from flowgraph.runtime.parallel import ParallelExecutor


def _options(**changes) -> PlanOptions:
    config = fg.ConfigProto()
    for path, value in changes.items():
        target = config
        *parents, leaf = path.split("__")
        for part in parents:
            target = getattr(target, part)
        setattr(target, leaf, value)
    return PlanOptions.from_config(config)


def test_defaults_run_every_pass():
    options = PlanOptions.from_config(fg.ConfigProto())
    assert options == PlanOptions()
    assert options.max_folded_constant_in_bytes == DEFAULT_MAX_FOLDED_BYTES == 10 * 2 ** 20
    assert options.compiled and options.memory_planning


def test_opt_level_l0_turns_off_folding_and_cse_unless_asked_for():
    off = _options(graph_options__optimizer_options__opt_level=OptimizerOptions.L0)
    assert not off.constant_folding and not off.common_subexpression_elimination
    assert off.arithmetic_simplification and off.elementwise_fusion  # Grappler's own switches
    config = fg.ConfigProto()
    opt = config.graph_options.optimizer_options
    opt.opt_level = OptimizerOptions.L0
    opt.do_constant_folding = True
    on = PlanOptions.from_config(config)
    assert on.constant_folding and not on.common_subexpression_elimination


@pytest.mark.parametrize("toggle, field", [
    ("constant_folding", "constant_folding"),
    ("common_subgraph_elimination", "common_subexpression_elimination"),
    ("arithmetic_optimization", "arithmetic_simplification"),
    ("dependency_optimization", "prune_no_ops"),
    ("remapping", "remapping"),
    ("elementwise_fusion", "elementwise_fusion"),
    ("matmul_slicing", "matmul_slicing"),
    ("matmul_stacking", "matmul_stacking"),
])
def test_each_rewriter_toggle_turns_off_its_pass_only(toggle, field):
    options = _options(**{f"graph_options__rewrite_options__{toggle}": RewriterConfig.OFF})
    assert getattr(options, field) is False
    others = [f for f in ("constant_folding", "common_subexpression_elimination",
                          "arithmetic_simplification", "prune_no_ops", "remapping",
                          "elementwise_fusion", "matmul_slicing", "matmul_stacking")
              if f != field]
    assert all(getattr(options, f) for f in others)
    on = _options(**{f"graph_options__rewrite_options__{toggle}": RewriterConfig.ON})
    assert getattr(on, field) is True


def test_meta_optimizer_jit_memory_and_executor_switches():
    assert not _options(graph_options__rewrite_options__disable_meta_optimizer=True).any_pass
    jit_off = _options(graph_options__optimizer_options__global_jit_level=OptimizerOptions.OFF)
    assert not jit_off.elementwise_fusion and jit_off.remapping
    mem = _options(graph_options__rewrite_options__memory_optimization=RewriterConfig.NO_MEM_OPT)
    assert not mem.memory_planning and mem.any_pass
    assert _options(experimental__executor_type="REFERENCE") == PlanOptions.reference()
    folded = _options(graph_options__optimizer_options__max_folded_constant_in_bytes=64)
    assert folded.max_folded_constant_in_bytes == 64
    with pytest.raises(ValueError, match="executor_type"):
        config = fg.ConfigProto()
        config.experimental.executor_type = "FAST"
        PlanOptions.from_config(config)


def test_folding_respects_the_size_limit():
    config = fg.ConfigProto()
    config.graph_options.optimizer_options.max_folded_constant_in_bytes = 64
    c = fg.constant(np.arange(100, dtype=np.float32))
    small = fg.constant(np.arange(4, dtype=np.float32)) * 2.0
    big = c * 2.0  # 400 bytes: left to run time
    with fg.Session(config=config) as sess:
        got_small, got_big = sess.run([small * 1.5, big + 1.0])
        plan = next(iter(sess._plans.values()))
    np.testing.assert_array_equal(got_small, np.arange(4) * 3.0)
    np.testing.assert_array_equal(got_big, np.arange(100) * 2.0 + 1.0)
    kinds = {step.op.type for step in plan.steps}
    assert "Mul" in kinds or "Add" in kinds  # the large product still runs


def test_executor_types_and_thread_settings():
    x = fg.placeholder(fg.float32, [3])
    y = fg.tanh(x) + 1.0
    single = fg.ConfigProto(inter_op_parallelism_threads=4)
    single.experimental.executor_type = "SINGLE_THREADED_EXECUTOR"
    pooled = fg.ConfigProto(inter_op_parallelism_threads=3, intra_op_parallelism_threads=0)
    results = []
    for config in (single, pooled):
        with fg.Session(config=config) as sess:
            results.append(sess.run(y, {x: [0.0, 1.0, -1.0]}))
            executor = sess._executor
            if config is single:
                assert executor is None
            else:
                assert isinstance(executor, ParallelExecutor) and executor.threads == 3
                assert executor.blas_auto  # intra 0: the Session sets BLAS threads per run
    for got in results:
        np.testing.assert_allclose(got, np.tanh([0.0, 1.0, -1.0]) + 1.0, rtol=1e-6)


def test_rewriter_config_has_tf1_values():
    assert (RewriterConfig.DEFAULT, RewriterConfig.ON, RewriterConfig.OFF) == (0, 1, 2)
    assert RewriterConfig.NO_MEM_OPT == 1
    assert (OptimizerOptions.L1, OptimizerOptions.L0) == (0, -1)
    assert (OptimizerOptions.OFF, OptimizerOptions.ON_1) == (-1, 1)
    assert isinstance(fg.ConfigProto().graph_options.rewrite_options, RewriterConfig)


def test_default_threads_run_independent_blas_steps_side_by_side_on_fewer_blas_threads():
    threadpoolctl = pytest.importorskip("threadpoolctl")
    import os

    from flowgraph.ops.registry import apply_op
    from tests.runtime import kernels
    x = fg.placeholder(fg.float32, [1024, 1024])  # a million elements: heavy enough
    a = apply_op(kernels.BlasThreadsProbe(), [x])
    b = apply_op(kernels.BlasThreadsProbe(), [x * 2.0])
    out = a + b
    before = [i["num_threads"] for i in threadpoolctl.threadpool_info()
              if i["user_api"] == "blas"]
    kernels.BLAS_THREADS_SEEN.clear()
    xv = np.ones((1024, 1024), np.float32)
    with fg.Session(config=fg.ConfigProto(inter_op_parallelism_threads=2)) as sess:
        np.testing.assert_array_equal(sess.run(out, {x: xv}), xv * 3)
        plan = next(iter(sess._plans.values()))
        assert sess._executor.worthwhile(plan)
    after = [i["num_threads"] for i in threadpoolctl.threadpool_info()
             if i["user_api"] == "blas"]
    if before:
        assert kernels.BLAS_THREADS_SEEN == [max(1, (os.cpu_count() or 1) // 2)] * 2
        assert after == before  # restored after the run
