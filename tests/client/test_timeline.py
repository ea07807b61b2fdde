"""fg.client.timeline: Chrome traces of traced runs, in TF1's layout."""

import json

import numpy as np

import flowgraph as fg
from flowgraph.client import timeline
from flowgraph.runtime.config import DeviceStepStats, NodeExecStats, StepStats


def _traced_run():
    x = fg.placeholder(fg.float32, [2, 3], name="x")
    w = fg.Variable(np.ones((3, 4), np.float32), name="w")
    m = fg.matmul(x, w, name="m")
    y = fg.reduce_sum(m, axis=1, name="y")
    z = fg.concat([m, y[:, None]], axis=1, name="z")
    meta = fg.RunMetadata()
    config = fg.ConfigProto()
    config.experimental.executor_type = "REFERENCE"  # one traced step per op
    with fg.Session(config=config) as sess:
        sess.run(fg.global_variables_initializer())
        sess.run(z, {x: np.ones((2, 3))},
                 options=fg.RunOptions(trace_level=fg.RunOptions.FULL_TRACE),
                 run_metadata=meta)
    return meta


def test_trace_of_a_real_run_lists_its_ops():
    meta = _traced_run()
    trace = json.loads(timeline.Timeline(meta.step_stats).generate_chrome_trace_format())
    events = trace["traceEvents"]
    names = [e["args"]["name"] for e in events if e["ph"] == "M"]
    device = meta.step_stats.dev_stats[0].device
    assert names == ["Allocators", device + " Compute", device + " Tensors"]
    ops = {e["args"]["name"]: e for e in events if e["ph"] == "X"}
    assert {"m", "y", "z"} <= set(ops)
    assert ops["m"]["name"] == "MatMul" and ops["m"]["cat"] == "Op"
    assert ops["y"]["args"] == {"name": "y", "op": "Sum", "input0": "m"}
    assert ops["m"]["args"]["input0"] == "x"
    assert ops["z"]["args"]["input0"] == "m"
    assert all(e["pid"] == 1 and e["dur"] >= 0 for e in ops.values())


def test_labels_name_inputs_as_tf1():
    meta = _traced_run()
    labels = {s.node_name: s.timeline_label for s in meta.step_stats.dev_stats[0].node_stats}
    assert labels["y"] == "y = Sum(m)"
    assert labels["m"].startswith("m = MatMul(x, ")


def _stats(*nodes):
    return StepStats([DeviceStepStats("/cpu:0", [NodeExecStats(name, start, 0, dur, dur, label)
                                                 for name, start, dur, label in nodes])])


def test_lanes_and_dataflow_arrows():
    # a and b overlap in time -> two lanes; c reads both, so one arrow crosses lanes.
    stats = _stats(("a", 100, 50, "a = Const()"), ("b", 120, 10, "b = Const()"),
                   ("c", 200, 5, "c = Add(a, b)"))
    events = json.loads(timeline.Timeline(stats).generate_chrome_trace_format())["traceEvents"]
    lanes = {e["args"]["name"]: e["tid"] for e in events if e["ph"] == "X"}
    assert lanes == {"a": 0, "b": 1, "c": 0}
    flows = [e for e in events if e.get("cat") == "DataFlow"]
    assert [(e["ph"], e["name"], e["tid"], e["ts"]) for e in flows] == \
        [("s", "b", 1, 130), ("t", "b", 0, 200)]
    assert flows[0]["id"] == flows[1]["id"]
    no_flow = json.loads(timeline.Timeline(stats).generate_chrome_trace_format(
        show_dataflow=False))["traceEvents"]
    assert not [e for e in no_flow if e.get("cat") == "DataFlow"]
    # the step stats themselves are not modified
    assert [s.thread_id for s in stats.dev_stats[0].node_stats] == [0, 0, 0]


def test_unparseable_label_gives_unknown_op():
    stats = _stats(("n", 1, 2, "garbage"))
    (event,) = [e for e in json.loads(timeline.Timeline(stats).generate_chrome_trace_format())
                ["traceEvents"] if e["ph"] == "X"]
    assert event["name"] == "unknown" and event["args"] == {"name": "n", "op": "unknown"}


def test_analyze_step_stats_returns_trace_and_maximums():
    analysis = timeline.Timeline(_stats(("a", 1, 2, "a = Const()"))).analyze_step_stats()
    assert analysis.allocator_maximums == {}
    text = analysis.chrome_trace.format_to_string(pretty=False)
    assert json.loads(text)["traceEvents"][0]["args"] == {"name": "Allocators"}


def test_tf1_import_path(monkeypatch):
    from flowgraph.tf1 import alias
    alias.install()
    try:
        from tensorflow.python.client import timeline as tf_timeline
        assert tf_timeline.Timeline is timeline.Timeline
    finally:
        alias.uninstall()
