"""TF1's remaining tf.summary functions: get_summary_description, all_v2_summary_ops,
initialize (flowgraph has no v2 summary writers, as TF1 graph code without
tf.contrib.summary)."""

import pytest

import flowgraph as fg
from flowgraph.io.graph_def import NodeDef


def test_get_summary_description_reads_tensor_summary_nodes():
    node = NodeDef("s", "TensorSummary", attr={"description": '{"typeHint": "scalar"}'})
    assert fg.summary.get_summary_description(node).type_hint == "scalar"


def test_get_summary_description_refuses_other_ops():
    with fg.Graph().as_default():
        value = fg.summary.tensor_summary("t", fg.constant([1.0]))
        # TF1's tensor_summary makes TensorSummaryV2 nodes, which TF1 refuses here too.
        with pytest.raises(ValueError, match="Can't get_summary_description on "
                                             "TensorSummaryV2"):
            fg.summary.get_summary_description(value.op.node_def)


def test_all_v2_summary_ops_is_empty_for_v1_summaries():
    with fg.Graph().as_default():
        fg.summary.scalar("loss", fg.constant(1.0))
        assert fg.summary.all_v2_summary_ops() == []


def test_initialize_without_a_v2_writer_raises_as_tf1():
    with fg.Graph().as_default(), fg.Session():
        with pytest.raises(RuntimeError, match="No default tf.contrib.summary.SummaryWriter"):
            fg.summary.initialize()
