"""The leaves of control-flow structures: Tensors, TensorArrays, Variables, Python values.

A TensorArray leaf travels as its variant `flow` tensor and is rebuilt around the matching
tensor on the other side (a branch's placeholder, the op's output).
"""

from __future__ import annotations

from typing import Any

from flowgraph.control_flow import nest
from flowgraph.control_flow.tensor_array import TensorArray
from flowgraph.graph import Graph, Operation, Tensor
from flowgraph.indexed_slices import IndexedSlices
from flowgraph.ops.constant import convert_to_tensor


def to_tensor(leaf: Any, what: str) -> Tensor:
    """The tensor carrying `leaf` (a TensorArray's flow; a Python value as a constant)."""
    if isinstance(leaf, TensorArray):
        return leaf.flow
    if isinstance(leaf, Operation):
        raise TypeError(f"{what} contains the Operation {leaf.name!r}; only tensors (and "
                        "TensorArrays) can be passed through control flow. Use "
                        "fg.control_dependencies to run an op first.")
    if leaf is None:
        raise TypeError(f"{what} contains None; every value must be a tensor, a TensorArray "
                        "or a value convertible to a tensor.")
    if isinstance(leaf, IndexedSlices):
        return convert_to_tensor(leaf)
    try:
        return convert_to_tensor(leaf)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{what} contains {leaf!r:.80}, which is not a tensor: {exc}") from None


def to_output(graph: Graph, leaf: Any, what: str) -> Tensor:
    """`leaf` as a tensor of `graph` (a FuncGraph being built): outer tensors are captured,
    Python values become constants of `graph`."""
    with graph.as_default():
        tensor = to_tensor(leaf, what)
        if tensor.graph is not graph:
            tensor = graph.capture(tensor)
    return tensor


def flat_tensors(structure: Any, what: str) -> list:
    return [to_tensor(leaf, what) for leaf in nest.flatten(structure)]


def rebuild(structure: Any, tensors: list) -> Any:
    """`structure` with its leaves replaced by `tensors` (TensorArray leaves rebuilt around
    theirs, sharing the template's settings)."""
    leaves = nest.flatten(structure)
    new = [leaf._with_flow(t) if isinstance(leaf, TensorArray) else t
           for leaf, t in zip(leaves, tensors)]
    return nest.pack_sequence_as(structure, new)
