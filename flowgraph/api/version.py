"""`tf.version`: the build constants of TF1's `tf.compat.v1.version`, the same values as the
top-level `tf.VERSION`, `tf.GIT_VERSION`, ... (flowgraph.api.tf1_names)."""

from flowgraph.api.tf1_names import (COMPILER_VERSION, GIT_VERSION, GRAPH_DEF_VERSION,
                                     GRAPH_DEF_VERSION_MIN_CONSUMER,
                                     GRAPH_DEF_VERSION_MIN_PRODUCER, VERSION)

__all__ = ["VERSION", "GIT_VERSION", "COMPILER_VERSION", "GRAPH_DEF_VERSION",
           "GRAPH_DEF_VERSION_MIN_CONSUMER", "GRAPH_DEF_VERSION_MIN_PRODUCER"]
