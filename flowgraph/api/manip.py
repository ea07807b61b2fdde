"""`fg.manip`: TF1's `tf.manip` namespace (tensor manipulation ops also at the top level)."""

from flowgraph.ops import gather_nd, reshape, reverse, roll, scatter_nd, tile
from flowgraph.ops.space_batch import batch_to_space_nd, space_to_batch_nd

__all__ = ["batch_to_space_nd", "gather_nd", "reshape", "reverse", "roll", "scatter_nd",
           "space_to_batch_nd", "tile"]
