"""`fg.summary`: TensorBoard logs with TF1's `tf.summary` names.

Summary ops (`scalar`, `histogram`, `image`, `audio`, `text`, `tensor_summary`) output
serialized `Summary` protobufs; `merge` / `merge_all` combine them; `FileWriter` writes them,
the graph and traced run timings to event files for ``tensorboard --logdir``::

    fg.summary.scalar("loss", loss)
    merged = fg.summary.merge_all()
    with fg.summary.FileWriter("logs", sess.graph) as writer:
        writer.add_summary(sess.run(merged, feed_dict), global_step=step)

Building summary ops needs nothing extra; running them and writing files needs
tensorboardX: ``pip install 'flowgraph[tensorboard]'``.
"""

from flowgraph.summary.builders import (
    audio,
    histogram,
    image,
    merge,
    merge_all,
    scalar,
    tensor_summary,
    text,
)
from flowgraph.summary.graph_mode import (
    all_v2_summary_ops,
    get_summary_description,
    initialize,
)
from flowgraph.summary.protos import (
    Event,
    HistogramProto,
    LogMessage,
    SessionLog,
    Summary,
    SummaryDescription,
    SummaryMetadata,
    TaggedRunMetadata,
)
from flowgraph.summary.writer import FileWriter, FileWriterCache

__all__ = ["scalar", "histogram", "image", "audio", "text", "tensor_summary", "merge",
           "merge_all", "FileWriter", "FileWriterCache", "Summary", "SummaryMetadata",
           "SummaryDescription", "HistogramProto", "Event", "SessionLog", "LogMessage",
           "TaggedRunMetadata", "all_v2_summary_ops", "get_summary_description",
           "initialize"]
