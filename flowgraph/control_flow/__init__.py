"""Control flow as TF1's: fg.cond, fg.case, fg.while_loop, fg.map_fn, fg.scan, fg.foldl,
fg.foldr and fg.TensorArray.

Branches and loop bodies are Python functions traced once, when the graph is built, into
sub-graphs (FuncGraphs) run by the `If` and `While` ops; everything is differentiable,
serializable and runs in every executor.
"""

from flowgraph.control_flow.cond import case, cond
from flowgraph.control_flow.functional import foldl, foldr, map_fn, scan
from flowgraph.control_flow.tensor_array import TensorArray
from flowgraph.control_flow.while_loop import while_loop

__all__ = ["cond", "case", "while_loop", "map_fn", "scan", "foldl", "foldr", "TensorArray"]
