"""The rest of TF1's `tf.compat.v1.summary` module: `get_summary_description`,
`all_v2_summary_ops` and `initialize`.

flowgraph writes summaries only the TF1 way (summary ops whose serialized `Summary` a
`FileWriter` writes); TF2's summary writers (`tf.contrib.summary`) do not exist here, so
there are never any "v2" summary ops and no default v2 writer to initialize.
"""

from __future__ import annotations

import json
from typing import Any, Optional

from flowgraph.graph import get_default_graph

__all__ = ["get_summary_description", "all_v2_summary_ops", "initialize"]

# TF1's graph collection of the ops made by v2 (tf.contrib.summary) summary functions.
SUMMARY_V2_COLLECTION = "_SUMMARY_V2"


def get_summary_description(node_def: Any) -> Any:
    """The `SummaryDescription` stored in a `TensorSummary` node, as TF1's
    `tf.summary.get_summary_description`.

    Parameters
    ----------
    node_def : NodeDef
        A node of a GraphDef (``graph.as_graph_def().node[i]`` or ``op.node_def``).

    Raises
    ------
    ValueError
        If the node is not a `TensorSummary` op (TF1 checks the op type, so the
        `TensorSummaryV2` nodes `tensor_summary` makes are refused too, as in TF1).
    """
    op_type = getattr(node_def, "op", None)
    if op_type != "TensorSummary":
        raise ValueError(f"Can't get_summary_description on {op_type}")
    from flowgraph.summary.protos import SummaryDescription

    raw = node_def.attr.get("description", "")
    raw = getattr(raw, "s", raw)  # an AttrValue-like value, or the plain string
    text = raw.decode("utf-8") if isinstance(raw, (bytes, bytearray)) else str(raw)
    fields = json.loads(text) if text.strip() else {}
    if not isinstance(fields, dict):
        raise ValueError(f"The description of node {getattr(node_def, 'name', '?')} is not "
                         f"a JSON object: {text[:80]!r}")
    hint = fields.get("typeHint", fields.get("type_hint", ""))
    return SummaryDescription(type_hint=str(hint))


def all_v2_summary_ops() -> list:
    """The v2 summary ops of the default graph, as TF1's `tf.summary.all_v2_summary_ops`
    (always empty in flowgraph: it has no v2 summary functions)."""
    return get_default_graph().get_collection(SUMMARY_V2_COLLECTION)


def initialize(graph: Any = None, session: Optional[Any] = None) -> None:
    """TF1's `tf.summary.initialize`: initialize the default v2 (tf.contrib.summary)
    summary writer. flowgraph has no v2 summary writers, so there is never a default one
    and this raises as TF1 does without one.

    Raises
    ------
    RuntimeError
        Always: use `fg.summary.FileWriter` (with `add_summary`, `add_graph`) instead.
    """
    del graph, session
    raise RuntimeError("No default tf.contrib.summary.SummaryWriter found: flowgraph writes "
                       "summaries with fg.summary.FileWriter(logdir, graph) and "
                       "writer.add_summary(sess.run(fg.summary.merge_all()), step).")
