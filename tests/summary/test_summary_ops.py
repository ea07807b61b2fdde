"""TF1 behaviour of the summary builders: names, tags, families, collections, merge, errors."""

import numpy as np
import pytest

import flowgraph as fg
import flowgraph.summary as summary
from flowgraph import errors


def tags_of(serialized) -> list:
    return [v.tag for v in summary.Summary.FromString(serialized).value]


def run(tensor, feed=None):
    with fg.Session(graph=tensor.graph) as sess:
        return sess.run(tensor, feed)


def test_tag_is_the_uniquified_scope_name_case_insensitively():
    loss = fg.identity(fg.constant(1.5), name="Loss")
    s = summary.scalar("loss", loss)
    assert s.op.name == "loss_1"
    assert s.op.type == "ScalarSummary"
    assert tags_of(run(s)) == ["loss_1"]
    again = summary.scalar("loss", loss)
    assert again.op.name == "loss_2"
    assert tags_of(run(again)) == ["loss_2"]


def test_tag_constant_lives_in_the_summary_scope():
    s = summary.scalar("lr", 0.1)
    graph = fg.get_default_graph()
    assert graph.get_operation_by_name("lr/tags").type == "Const"
    assert graph.get_operation_by_name("lr/values").type == "Const"
    assert [t.op.name for t in s.op.inputs] == ["lr/tags", "lr/values"]
    a = summary.audio("clip", fg.zeros([1, 4]), 8000)
    assert [t.op.name for t in a.op.inputs] == ["clip/tag", "zeros", "clip/sample_rate"]


def test_outer_name_scope_prefixes_the_tag():
    x = fg.constant([1.0, 2.0])
    with fg.name_scope("train"):
        s = summary.histogram("weights", x)
        with fg.name_scope("inner"):
            t = summary.scalar("loss", fg.reduce_sum(x))
    assert s.op.name == "train/weights"
    assert t.op.name == "train/inner/loss"
    assert tags_of(run(summary.merge([s, t]))) == ["train/weights", "train/inner/loss"]


def test_family_prefixes_scope_and_tag_as_tf1():
    s = summary.scalar("lr", 0.5, family="optimizer")
    assert s.op.name == "optimizer/lr"
    assert tags_of(run(s)) == ["optimizer/optimizer/lr"]
    img = summary.image("pic", np.zeros((1, 2, 2, 1), np.uint8), max_outputs=1,
                        family="inputs")
    assert tags_of(run(img)) == ["inputs/inputs/pic/image"]


def test_invalid_tag_characters_are_replaced():
    s = summary.scalar("my loss:1", 2.0)
    assert s.op.name == "my_loss_1"
    assert tags_of(run(s)) == ["my_loss_1"]
    t = summary.scalar("/leading", 1.0)
    assert t.op.name == "leading"


def test_histogram_default_name():
    h = summary.histogram(None, [1.0, 2.0])
    assert h.op.name == "HistogramSummary"


def test_collections_default_custom_and_empty():
    a = summary.scalar("a", 1.0)
    b = summary.scalar("b", 2.0, collections=["mine"])
    c = summary.scalar("c", 3.0, collections=[])
    assert fg.get_collection(fg.GraphKeys.SUMMARIES) == [a]
    assert fg.get_collection("mine") == [b]
    assert all(c not in fg.get_collection(k) for k in fg.get_default_graph()
               .get_all_collection_keys())
    with pytest.raises(TypeError, match="list of collection keys"):
        summary.scalar("d", 4.0, collections="mine")


def test_merge_all_none_names_scope_and_key():
    assert summary.merge_all() is None
    with fg.name_scope("train"):
        a = summary.scalar("loss", 1.0)
    b = summary.scalar("acc", 0.5)
    summary.scalar("other", 3.0, collections=["extra"])
    merged = summary.merge_all()
    assert merged.op.name == "Merge/MergeSummary"
    assert merged.op.type == "MergeSummary"
    assert merged.dtype == fg.string and merged.shape.as_list() == []
    assert [t.op for t in merged.op.inputs] == [a.op, b.op]
    assert tags_of(run(merged)) == ["train/loss", "acc"]
    only_train = summary.merge_all(scope="train")
    assert tags_of(run(only_train)) == ["train/loss"]
    assert tags_of(run(summary.merge_all(key="extra"))) == ["other"]
    # merge results are not collected by default
    assert merged not in fg.get_collection(fg.GraphKeys.SUMMARIES)
    named = summary.merge([a, b], name="summaries")
    assert named.op.name == "summaries/summaries"


def test_merge_duplicate_tags_fail_at_run_time():
    a = summary.scalar("x", 1.0)
    b = summary.scalar("y", 2.0)
    twice = summary.merge([a, summary.merge([a, b])])
    with pytest.raises(errors.InvalidArgumentError, match="Duplicate tag x found"):
        run(twice)


def test_merge_rejects_bad_inputs():
    with pytest.raises(ValueError, match="at least one"):
        summary.merge([])
    with pytest.raises(TypeError, match="list of summary tensors"):
        summary.merge(summary.scalar("x", 1.0))
    with pytest.raises(TypeError, match="string"):
        summary.merge([fg.constant(1.0)])
    bad = summary.merge([fg.constant(b"not a protobuf \xff\xff")])
    with pytest.raises(errors.InvalidArgumentError, match="Could not parse"):
        run(bad)


def test_scalar_needs_a_single_value():
    with pytest.raises(ValueError, match="same shape"):
        summary.scalar("v", fg.constant([1.0, 2.0]))
    x = fg.placeholder(fg.float32)
    s = summary.scalar("v", x)
    assert tags_of(run(s, {x: 3.0})) == ["v_1"]  # the failed call used the scope "v", as TF1
    with pytest.raises(errors.InvalidArgumentError, match=r"not the same shape: \[\] != \[2\]"):
        run(s, {x: [1.0, 2.0]})
    with pytest.raises(TypeError, match="floating or integer"):
        summary.scalar("s", fg.constant("text"))
    with pytest.raises(TypeError):
        summary.scalar("b", fg.constant(True))


def test_histogram_rejects_nan_and_inf_at_run_time():
    x = fg.placeholder(fg.float32, [None])
    h = summary.histogram("weights", x)
    with pytest.raises(errors.InvalidArgumentError, match="Nan in summary histogram for: "
                                                          "weights"):
        run(h, {x: [1.0, np.nan]})
    with pytest.raises(errors.InvalidArgumentError, match="Infinity in summary histogram"):
        run(h, {x: [np.inf]})


def test_image_checks():
    with pytest.raises(ValueError, match="4-D"):
        summary.image("i", fg.zeros([2, 2, 3]))
    with pytest.raises(ValueError, match="1, 3 or 4 channels"):
        summary.image("i", fg.zeros([1, 2, 2, 2]))
    with pytest.raises(TypeError, match="uint8, float16, float32 or float64"):
        summary.image("i", fg.zeros([1, 2, 2, 3], dtype=fg.int32))
    with pytest.raises(ValueError, match="max_images must be >= 1"):
        summary.image("i", fg.zeros([1, 2, 2, 3]), max_outputs=0)
    x = fg.placeholder(fg.float32)
    img = summary.image("i", x)
    with pytest.raises(errors.InvalidArgumentError, match="4-D with last dim 1, 3, or 4"):
        run(img, {x: np.zeros((1, 2, 2, 5))})


def test_image_float16_and_batch_smaller_than_max_outputs():
    x = np.array([[[[0.0, 1.0, 2.0]]]], dtype=np.float16)
    s = summary.Summary.FromString(run(summary.image("h", x, max_outputs=5)))
    assert [v.tag for v in s.value] == ["h/image/0"]
    assert (s.value[0].image.width, s.value[0].image.height) == (1, 1)


def test_audio_checks():
    with pytest.raises(TypeError, match="float32"):
        summary.audio("a", fg.zeros([1, 4], dtype=fg.float64), 8000)
    with pytest.raises(ValueError, match="2-D"):
        summary.audio("a", fg.zeros([4]), 8000)
    x = fg.placeholder(fg.float32, [1, 4])
    rate = fg.placeholder(fg.float32, [])
    a = summary.audio("a", x, rate)
    with pytest.raises(errors.InvalidArgumentError, match="sample_rate must be > 0"):
        run(a, {x: np.zeros((1, 4)), rate: 0.0})


def test_text_needs_strings():
    with pytest.raises(ValueError, match="dtype string"):
        summary.text("t", fg.constant([1, 2]))
    t = summary.text("t", "plain python string")
    value = summary.Summary.FromString(run(t)).value[0]
    assert list(value.tensor.string_val) == [b"plain python string"]
    assert value.metadata.plugin_data.plugin_name == "text"


def test_tensor_summary_with_metadata_proto_and_bytes():
    meta = summary.SummaryMetadata(display_name="shown", summary_description="why")
    meta.plugin_data.plugin_name = "custom"
    meta.plugin_data.content = b"\x01\x02"
    a = summary.tensor_summary("a", fg.constant([1.5, 2.5]), summary_metadata=meta)
    b = summary.tensor_summary("b", fg.constant(1.0), summary_metadata=meta.SerializeToString(),
                               display_name="override")
    merged = summary.Summary.FromString(run(summary.merge([a, b])))
    first, second = merged.value
    assert first.metadata.plugin_data.plugin_name == "custom"
    assert first.metadata.plugin_data.content == b"\x01\x02"
    assert first.metadata.summary_description == "why"
    assert np.frombuffer(first.tensor.tensor_content, "<f4").tolist() == [1.5, 2.5]
    assert second.metadata.display_name == "override"
    assert a.op.op_def.plugin_name == "custom"


def test_summary_ops_go_to_the_graph_of_their_input():
    other = fg.Graph()
    with other.as_default():
        x = fg.constant(1.0)
    s = summary.scalar("x", x)
    assert s.graph is other
    assert other.get_collection(fg.GraphKeys.SUMMARIES) == [s]
    assert fg.get_collection(fg.GraphKeys.SUMMARIES) == []
    assert len(fg.get_default_graph().get_operations()) == 0


def test_summary_ops_are_not_differentiable():
    for name in ("ScalarSummary", "HistogramSummary", "ImageSummary", "AudioSummaryV2",
                 "TensorSummaryV2", "MergeSummary"):
        assert fg.registered_ops()[name].differentiable is False


def test_hand_built_summary_protos():
    value = summary.Summary.Value(tag="manual", simple_value=0.25)
    proto = summary.Summary(value=[value])
    assert isinstance(proto, summary.Summary)
    assert not isinstance(b"bytes", summary.Summary)
    assert summary.Summary.FromString(proto.SerializeToString()).value[0].simple_value == 0.25
    event = summary.Event(step=3, summary=proto)
    assert isinstance(event, summary.Event)
    assert summary.SessionLog.START == 1
