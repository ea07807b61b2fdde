"""fg.profiler.Profiler, advise, write_op_log, OpLogProto, AdviceProto: hand-counted
parameters and float operations, times taken from the traced RunMetadata."""

import json
import os

import numpy as np
import pytest

import flowgraph as fg
from flowgraph import profiler
from flowgraph.profiler import ProfileOptionBuilder as Builder


def _quiet(options):
    return Builder(options).with_empty_output().build()


def _dense_model():
    x = fg.placeholder(fg.float32, [2, 3], name="x")
    with fg.variable_scope("dense"):
        w = fg.get_variable("W", [3, 4], initializer=fg.ones_initializer())
        b = fg.get_variable("b", [4], initializer=fg.zeros_initializer())
    y = fg.nn.relu(fg.matmul(x, w) + b, name="y")
    return x, fg.reduce_sum(y * 2.0, name="s")


def _traced_run(x, s):
    meta = fg.RunMetadata()
    config = fg.ConfigProto()
    config.experimental.executor_type = "REFERENCE"
    with fg.Session(config=config) as sess:
        sess.run(fg.global_variables_initializer())
        sess.run(s, {x: np.ones((2, 3))}, run_metadata=meta,
                 options=fg.RunOptions(trace_level=fg.RunOptions.FULL_TRACE))
    stats = {n.node_name: n.all_end_rel_micros for n in meta.step_stats.dev_stats[0].node_stats}
    return meta, stats


def test_profiler_parameters_and_flops_hand_counted():
    _dense_model()
    prof = profiler.Profiler(fg.get_default_graph())
    params = prof.profile_name_scope(_quiet(Builder.trainable_variables_parameter()))
    assert params.total_parameters == 3 * 4 + 4
    flops = prof.profile_operations(_quiet(Builder.float_operation()))
    assert flops.total_float_ops == 2 * 3 * 2 * 4 + 2 * 4 + 2 * 4 + (2 * 4 - 1)


def test_one_step_matches_profile_and_run_metadata():
    x, s = _dense_model()
    meta, stats = _traced_run(x, s)
    prof = profiler.Profiler()
    prof.add_step(0, meta)
    opts = _quiet(Builder.time_and_memory(min_micros=0, min_bytes=0))
    mine = prof.profile_name_scope(opts)
    nodes = {c.name: c for c in mine.children}
    assert nodes["MatMul"].exec_micros == stats["MatMul"]
    assert nodes["MatMul"].run_count == 1
    assert nodes["MatMul"].requested_bytes == 2 * 4 * 4
    reference = profiler.profile(run_meta=meta, options=opts)
    assert mine.total_exec_micros == reference.total_exec_micros
    assert mine.total_requested_bytes == reference.total_requested_bytes
    graph_view = prof.profile_graph(opts)
    assert graph_view.name == "_TFProfRoot"
    python_view = prof.profile_python(opts)
    assert python_view.total_exec_micros == reference.total_exec_micros


def test_steps_are_selected_or_averaged():
    x, s = _dense_model()
    meta_a, stats_a = _traced_run(x, s)
    meta_b, stats_b = _traced_run(x, s)
    prof = profiler.Profiler()
    prof.add_step(1, meta_a)
    prof.add_step(2, meta_b)
    base = Builder.time_and_memory(min_micros=0, min_bytes=0)
    step2 = prof.profile_name_scope(Builder(base).with_empty_output().with_step(2).build())
    assert {c.name: c for c in step2.children}["MatMul"].exec_micros == stats_b["MatMul"]
    mean = prof.profile_name_scope(_quiet(base))
    assert {c.name: c for c in mean.children}["MatMul"].exec_micros == \
        (stats_a["MatMul"] + stats_b["MatMul"]) // 2


def test_op_log_adds_float_ops_and_types():
    _dense_model()
    log = profiler.OpLogProto()
    from flowgraph.profiler.protos import OpLogEntry
    log.log_entries.append(OpLogEntry(name="y", float_ops=100, types=["_trainable_variables"]))
    prof = profiler.Profiler(op_log=log)
    result = prof.profile_name_scope(_quiet(Builder.float_operation()))
    assert {c.name: c.float_ops for c in result.children}["y"] == 100
    params = prof.profile_name_scope(_quiet(Builder.trainable_variables_parameter()))
    assert "y" in {c.name for c in params.children}  # now accounted as a trainable var
    with pytest.raises(TypeError, match="OpLogProto"):
        profiler.Profiler(op_log={"y": 1})


def test_write_op_log_round_trip(tmp_path):
    _dense_model()
    profiler.write_op_log(fg.get_default_graph(), str(tmp_path))
    path = tmp_path / "tfprof_log"
    payload = json.loads(path.read_text())
    assert payload["format"] == "flowgraph-op-log-v1"
    entries = {e["name"]: e for e in payload["log_entries"]}
    assert entries["dense/W"]["types"] == ["_trainable_variables"]
    assert entries["x"]["types"] == []
    assert entries["MatMul"]["code_def"]["traces"][0]["file"].endswith("test_profiler_more.py")
    assert [p for p in os.listdir(tmp_path) if p != "tfprof_log"] == []  # no temp files left
    from flowgraph.profiler.profiler_api import read_op_log
    back = read_op_log(str(tmp_path))
    assert {e.name for e in back.log_entries} == set(entries)
    profiler.write_op_log(fg.get_default_graph(), str(tmp_path), add_trace=False)
    again = json.loads(path.read_text())
    assert all(e["code_def"]["traces"] == [] for e in again["log_entries"])


def test_advise_reports_expensive_operations(capsys):
    x, s = _dense_model()
    meta, stats = _traced_run(x, s)
    advice = profiler.advise(run_meta=meta)
    assert isinstance(advice, profiler.AdviceProto)
    assert set(advice.checkers) == {"ExpensiveOperationChecker",
                                    "AcceleratorUtilizationChecker", "OperationChecker"}
    reports = advice.checkers["ExpensiveOperationChecker"].reports
    assert 1 <= len(reports) <= 3
    graph = fg.get_default_graph()
    by_type = {}
    for name, micros in stats.items():
        op_type = graph.get_operation_by_name(name).type
        by_type[op_type] = by_type.get(op_type, 0) + micros
    top = max(by_type.values())
    winners = sorted(t for t, m in by_type.items() if m == top)
    assert reports[0].startswith(f"top 1 operation type: {winners[0]}, cpu: ")
    share = 100.0 * top / sum(by_type.values())
    assert reports[0].endswith(f"({share:.2f}%)")
    assert advice.checkers["AcceleratorUtilizationChecker"].reports == []  # CPU only
    assert "ExpensiveOperationChecker:" in capsys.readouterr().out
    with pytest.raises(ValueError, match="Unknown advisor checkers"):
        profiler.advise(options={"NoSuchChecker": {}})
