"""Grouping ops with control dependencies: group, tuple, with_dependencies."""

from __future__ import annotations

import builtins
from typing import Any, Optional, Sequence

from flowgraph.graph import Operation, Tensor, _as_operation, get_default_graph
from flowgraph.ops.constant import NoOp, convert_to_tensor, identity
from flowgraph.ops.registry import graph_of

__all__ = ["group", "tuple", "with_dependencies"]


def _control_op(item: Any) -> Operation:
    to_op = getattr(item, "__fg_control__", None)
    return _as_operation(to_op() if to_op is not None else item)


def group(*inputs: Any, name: Optional[str] = None) -> Operation:
    """An op that runs all `inputs` (tensors or ops) and outputs nothing."""
    flat = []
    for item in inputs:
        if isinstance(item, (list, builtins.tuple, set)):
            flat.extend(item)
        elif isinstance(item, dict):
            flat.extend(item.values())
        else:
            flat.append(item)
    ops = [_control_op(i) for i in flat if i is not None]
    graph = ops[0].graph if ops else get_default_graph()
    with graph.control_dependencies(ops):
        return graph.create_op(NoOp(), [], name=name or "group_deps")


def tuple(tensors: Sequence[Any], name: Optional[str] = None,  # noqa: A001 - TF1's name
          control_inputs: Optional[Sequence[Any]] = None) -> list:
    """Identities of `tensors` that are only available once all of them are computed."""
    tensors = [None if t is None else convert_to_tensor(t) for t in tensors]
    graph = graph_of(*[t for t in tensors if t is not None])
    with graph.name_scope(name or "tuple"):
        gate = group(*[t for t in tensors if t is not None], *(control_inputs or ()))
        with graph.control_dependencies([gate]):
            # As TF1 (with_dependencies): tuple/control_dependency, ..._1, ...
            return [None if t is None else identity(t, name="control_dependency")
                    for t in tensors]


def with_dependencies(dependencies: Sequence[Any], output_tensor: Any,
                      name: Optional[str] = None) -> Tensor:
    """`output_tensor`'s value, computed only after `dependencies` have run."""
    output_tensor = convert_to_tensor(output_tensor)
    with output_tensor.graph.control_dependencies([_control_op(d) for d in dependencies]):
        return identity(output_tensor, name=name or "control_dependency")
