"""`fg.graph_util` (TF1's ``tf.graph_util``): freezing and pruning GraphDefs.

    frozen = fg.graph_util.convert_variables_to_constants(
        sess, sess.graph.as_graph_def(), ["logits"])
    fg.train.write_graph(frozen, "/tmp/model", "frozen.pb", as_text=False)
"""

from flowgraph.graph_util.freeze import convert_variables_to_constants
from flowgraph.graph_util.prune import (
                                        extract_sub_graph,
                                        must_run_on_cpu,
                                        remove_training_nodes,
                                        tensor_shape_from_node_def_name,
)

__all__ = ["convert_variables_to_constants", "extract_sub_graph", "must_run_on_cpu",
           "remove_training_nodes", "tensor_shape_from_node_def_name"]

from flowgraph.io.importer import import_graph_def  # noqa: E402 - tf.graph_util.import_graph_def

__all__ += ["import_graph_def"]
