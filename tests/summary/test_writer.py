"""FileWriter: event files read back with TensorBoard's own EventAccumulator."""

import glob
import io
import os
import subprocess
import sys
import textwrap
import time
import wave

import numpy as np
import pytest
from PIL import Image
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
from tensorboard.backend.event_processing.event_file_loader import EventFileLoader

import flowgraph as fg
import flowgraph.summary as summary

EVERYTHING = {"scalars": 0, "histograms": 0, "images": 0, "audio": 0, "tensors": 0,
              "compressedHistograms": 0}


def accumulate(logdir) -> EventAccumulator:
    acc = EventAccumulator(str(logdir), size_guidance=EVERYTHING)
    acc.Reload()
    return acc


def event_files(logdir) -> list:
    return sorted(glob.glob(os.path.join(str(logdir), "events.out.tfevents.*")))


def raw_events(path) -> list:
    return list(EventFileLoader(path).Load())


def test_scalars_steps_and_values(tmp_path):
    x = fg.placeholder(fg.float32, [])
    loss = summary.scalar("loss", x * 2.0)
    with fg.Session() as sess, summary.FileWriter(tmp_path) as writer:
        for step in range(3):
            writer.add_summary(sess.run(loss, {x: step + 0.5}), global_step=step)
    events = accumulate(tmp_path).Scalars("loss")
    assert [e.step for e in events] == [0, 1, 2]
    np.testing.assert_allclose([e.value for e in events], [1.0, 3.0, 5.0])
    assert all(e.wall_time > 1e9 for e in events)


def test_merged_summaries_of_every_kind(tmp_path):
    data = np.array([[-1.0, 0.5, 2.0], [3.0, 3.0, 4.5]], dtype=np.float32)
    x = fg.placeholder(fg.float32, [None, 3])
    with fg.name_scope("layer1"):
        summary.histogram("activations", x)
    summary.scalar("average", fg.reduce_mean(x))
    pixels = np.arange(2 * 4 * 5 * 3, dtype=np.uint8).reshape(2, 4, 5, 3)
    summary.image("inputs", fg.constant(pixels), max_outputs=2)
    summary.text("notes", fg.constant(["**bold**", "plain"]))
    wave_data = np.sin(np.linspace(0, 20, 800, dtype=np.float32))[None, :, None] * 0.5
    summary.audio("sound", fg.constant(wave_data), 8000, max_outputs=1)
    merged = summary.merge_all()
    with fg.Session() as sess:
        serialized = sess.run(merged, {x: data})
    writer = summary.FileWriter(str(tmp_path))
    writer.add_summary(serialized, 7)
    writer.close()

    acc = accumulate(tmp_path)
    tags = acc.Tags()
    assert tags["histograms"] == ["layer1/activations"]
    assert tags["scalars"] == ["average"]
    assert sorted(tags["images"]) == ["inputs/image/0", "inputs/image/1"]
    assert tags["tensors"] == ["notes"]
    assert tags["audio"] == ["sound/audio"]

    histo = acc.Histograms("layer1/activations")[0]
    assert histo.step == 7
    h = histo.histogram_value
    assert (h.min, h.max, h.num) == (-1.0, 4.5, 6)
    assert h.sum == pytest.approx(data.sum())
    assert h.sum_squares == pytest.approx(float((data.astype(np.float64) ** 2).sum()))
    assert sum(h.bucket) == 6

    assert acc.Scalars("average")[0].value == pytest.approx(data.mean())

    for i in range(2):
        event = acc.Images(f"inputs/image/{i}")[0]
        assert (event.width, event.height) == (5, 4)
        decoded = np.asarray(Image.open(io.BytesIO(event.encoded_image_string)))
        np.testing.assert_array_equal(decoded, pixels[i])

    text = acc.Tensors("notes")[0]
    assert list(text.tensor_proto.string_val) == [b"**bold**", b"plain"]
    assert acc.SummaryMetadata("notes").plugin_data.plugin_name == "text"

    clip = acc.Audio("sound/audio")[0]
    assert (clip.sample_rate, clip.length_frames, clip.content_type) == (8000, 800, "audio/wav")
    with wave.open(io.BytesIO(clip.encoded_audio_string)) as f:
        assert (f.getnchannels(), f.getframerate(), f.getnframes()) == (1, 8000, 800)


def test_hand_built_summary_proto_and_0d_array(tmp_path):
    proto = summary.Summary(value=[summary.Summary.Value(tag="manual", simple_value=1.25)])
    with summary.FileWriter(tmp_path) as writer:
        writer.add_summary(proto, 1)
        writer.add_summary(np.array(proto.SerializeToString(), dtype=object), 2)
    assert [(e.step, e.value) for e in accumulate(tmp_path).Scalars("manual")] == \
        [(1, 1.25), (2, 1.25)]
    assert len(proto.value) == 1  # the caller's proto is not changed


def test_add_summary_rejects_tensors_with_a_hint(tmp_path):
    s = summary.scalar("x", 1.0)
    with summary.FileWriter(tmp_path) as writer:
        with pytest.raises(TypeError, match="run the summary op in a Session"):
            writer.add_summary(s)


def test_metadata_kept_only_on_the_first_value_of_a_tag(tmp_path):
    t = summary.text("log", fg.constant("line"))
    with fg.Session() as sess, summary.FileWriter(tmp_path) as writer:
        for step in range(2):
            writer.add_summary(sess.run(t), step)
    (path,) = event_files(tmp_path)
    values = [e.summary.value[0] for e in raw_events(path) if e.HasField("summary")]
    assert [v.HasField("metadata") for v in values] == [True, False]
    assert [e.step for e in accumulate(tmp_path).Tensors("log")] == [0, 1]


def test_graph_node_names_and_scopes(tmp_path):
    x = fg.placeholder(fg.float32, [None, 4], name="x")
    with fg.name_scope("dense"):
        w = fg.Variable(fg.zeros([4, 2]), name="kernel")
        y = fg.matmul(x, w)
    summary.scalar("loss", fg.reduce_mean(y))
    graph = fg.get_default_graph()
    with fg.Session() as sess:
        writer = summary.FileWriter(tmp_path, sess.graph)
        writer.close()
    graph_def = accumulate(tmp_path).Graph()
    names = [n.name for n in graph_def.node]
    assert names == [op.name for op in graph.get_operations()]
    assert {"x", "dense/kernel", "dense/MatMul", "loss", "loss/tags"} <= set(names)
    matmul = next(n for n in graph_def.node if n.name == "dense/MatMul")
    assert matmul.op == "MatMul"
    assert list(matmul.input) == ["x", "dense/kernel/read"]
    assert [d.size for d in matmul.attr["_output_shapes"].list.shape[0].dim] == [-1, 2]


def test_add_graph_variants(tmp_path):
    fg.constant(1.0, name="c")
    graph = fg.get_default_graph()
    graph_def = summary.graph_proto.graph_def(graph)
    with summary.FileWriter(tmp_path, graph_def=graph_def) as writer:
        with pytest.raises(ValueError, match="only graph, or graph_def"):
            writer.add_graph(graph, graph_def=graph_def)
        with pytest.raises(TypeError, match="fg.Graph or a GraphDef"):
            writer.add_graph(42)
    assert [n.name for n in accumulate(tmp_path).Graph().node] == ["c"]


def test_run_metadata(tmp_path):
    x = fg.placeholder(fg.float32, [None], name="x")
    y = fg.reduce_sum(fg.square(x), name="total")
    meta = fg.RunMetadata()
    options = fg.RunOptions(trace_level=fg.RunOptions.FULL_TRACE)
    with fg.Session() as sess:
        sess.run(y, {x: [1.0, 2.0]}, options=options, run_metadata=meta)
    with summary.FileWriter(tmp_path) as writer:
        writer.add_run_metadata(meta, "step_1", global_step=1)
        with pytest.raises(ValueError, match="already used"):
            writer.add_run_metadata(meta, "step_1")
    acc = accumulate(tmp_path)
    assert acc.Tags()["run_metadata"] == ["step_1"]
    proto = acc.RunMetadata("step_1")
    (dev,) = proto.step_stats.dev_stats
    expected = meta.step_stats.dev_stats[0]
    assert dev.device == expected.device
    assert [n.node_name for n in dev.node_stats] == [s.node_name for s in expected.node_stats]
    assert "total" in [n.node_name for n in dev.node_stats]
    assert [n.all_start_micros for n in dev.node_stats] == \
        [s.all_start_micros for s in expected.node_stats]
    assert [n.timeline_label for n in dev.node_stats] == \
        [s.timeline_label for s in expected.node_stats]


def test_flush_writes_pending_events_without_closing(tmp_path):
    writer = summary.FileWriter(tmp_path, max_queue=2, flush_secs=3600)
    for step in range(20):
        writer.add_summary(summary.Summary(value=[summary.Summary.Value(
            tag="v", simple_value=float(step))]), step)
    writer.flush()
    assert [e.step for e in accumulate(tmp_path).Scalars("v")] == list(range(20))
    writer.close()


def test_close_reopen_and_closed_warning(tmp_path):
    def value(v):
        return summary.Summary(value=[summary.Summary.Value(tag="v", simple_value=v)])

    writer = summary.FileWriter(tmp_path, filename_suffix=".fg")
    assert writer.get_logdir() == str(tmp_path)
    writer.add_summary(value(1.0), 1)
    writer.close()
    writer.close()  # closing twice is fine
    with pytest.warns(UserWarning, match="closed FileWriter"):
        writer.add_summary(value(2.0), 2)
    writer.reopen()
    writer.add_summary(value(3.0), 3)
    writer.close()
    files = event_files(tmp_path)
    assert len(files) == 2 and all(f.endswith(".fg") for f in files)
    assert [(e.step, e.value) for e in accumulate(tmp_path).Scalars("v")] == \
        [(1, 1.0), (3, 3.0)]


def test_two_writers_in_one_second_keep_both_files(tmp_path):
    first = summary.FileWriter(tmp_path)
    second = summary.FileWriter(tmp_path)
    first.add_summary(summary.Summary(value=[summary.Summary.Value(tag="a",
                                                                   simple_value=1)]), 1)
    second.add_summary(summary.Summary(value=[summary.Summary.Value(tag="b",
                                                                    simple_value=2)]), 2)
    first.close()
    second.close()
    files = event_files(tmp_path)
    assert len(files) == 2
    tags = set()
    for path in files:
        for event in raw_events(path):
            tags.update(v.tag for v in event.summary.value)
    assert tags == {"a", "b"}


def test_file_version_session_log_and_add_event(tmp_path):
    with summary.FileWriter(tmp_path) as writer:
        writer.add_session_log(summary.SessionLog(status=summary.SessionLog.START), 0)
        writer.add_event(summary.Event(wall_time=time.time(), step=5, summary=summary.Summary(
            value=[summary.Summary.Value(tag="direct", simple_value=9.0)])))
        with pytest.raises(TypeError, match="Event protobuf"):
            writer.add_event("not an event")
    (path,) = event_files(tmp_path)
    events = raw_events(path)
    assert events[0].file_version == "brain.Event:2"
    assert events[1].session_log.status == 1
    assert events[2].step == 5 and events[2].summary.value[0].tag == "direct"


def test_file_writer_cache(tmp_path):
    fg.constant(1.0, name="cached")
    try:
        a = summary.FileWriterCache.get(str(tmp_path))
        assert summary.FileWriterCache.get(str(tmp_path)) is a
        other = summary.FileWriterCache.get(str(tmp_path / "other"))
        assert other is not a
    finally:
        summary.FileWriterCache.clear()
    assert a._closed and other._closed
    assert summary.FileWriterCache.get(str(tmp_path)) is not a
    summary.FileWriterCache.clear()
    assert [n.name for n in accumulate(tmp_path).Graph().node] == ["cached"]


def test_add_graph_of_flowgraphs_own_graph_def(tmp_path):
    x = fg.placeholder(fg.float32, [None, 2], name="x")
    with fg.name_scope("scope"):
        fg.reduce_sum(x, name="total")
    own = fg.get_default_graph().as_graph_def()
    with summary.FileWriter(tmp_path) as writer:
        writer.add_graph(None, graph_def=own)
    graph_def = accumulate(tmp_path).Graph()
    assert [n.name for n in graph_def.node] == ["x", "scope/total"]
    assert [d.size for d in graph_def.node[0].attr["_output_shapes"].list.shape[0].dim] == \
        [-1, 2]


def test_pending_events_are_written_at_exit_without_close(tmp_path):
    code = textwrap.dedent(f"""
        import flowgraph.summary as summary
        writer = summary.FileWriter({str(tmp_path)!r}, flush_secs=3600)
        for step in range(5):
            writer.add_summary(summary.Summary(value=[summary.Summary.Value(
                tag="late", simple_value=step)]), step)
    """)
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)
    assert [e.step for e in accumulate(tmp_path).Scalars("late")] == list(range(5))


def test_add_meta_graph_protobuf(tmp_path):
    from tensorboard.compat.proto import meta_graph_pb2

    meta = meta_graph_pb2.MetaGraphDef()
    meta.graph_def.node.add(name="from_meta", op="NoOp")
    with summary.FileWriter(tmp_path) as writer:
        writer.add_meta_graph(meta)
        with pytest.raises(TypeError, match="add_graph"):
            writer.add_meta_graph(fg.get_default_graph())
    acc = accumulate(tmp_path)
    assert acc.Tags()["meta_graph"] is True
    assert [n.name for n in acc.MetaGraph().graph_def.node] == ["from_meta"]
