"""The object graph behind `fg.train.Checkpoint`: which Variables a root object reaches,
and the checkpoint key of each (TF's object-based names).

A Variable reached by the attribute path ``model -> layers -> 0 -> w`` is stored as
``model/layers/0/w/.ATTRIBUTES/VARIABLE_VALUE``; an optimizer slot of it as
``model/layers/0/w/.OPTIMIZER_SLOT/optimizer/m/.ATTRIBUTES/VARIABLE_VALUE``. Local names
are escaped as TF's ("." -> "..", "/" -> ".S"). Objects are visited breadth first, children
in sorted order, so an object reachable along several paths gets the shortest.
"""

from __future__ import annotations

from typing import Any, Optional

from flowgraph.graph import Graph
from flowgraph.variables import Variable

__all__ = ["ObjectGraph", "walk", "is_trackable", "OBJECT_GRAPH_KEY", "VARIABLE_SUFFIX"]

OBJECT_GRAPH_KEY = "_CHECKPOINTABLE_OBJECT_GRAPH"
VARIABLE_SUFFIX = ".ATTRIBUTES/VARIABLE_VALUE"


def escape_local_name(name: str) -> str:
    """TF's escaping of one path component."""
    return name.replace(".", "..").replace("/", ".S")


def is_trackable(value: Any) -> bool:
    """True for what a Checkpoint can track: Variables, Modules, Checkpoints, optimizers,
    layers, and lists / tuples / dicts holding any of them."""
    from flowgraph.layers.base import Layer
    from flowgraph.module import Module
    from flowgraph.train.optimizer import Optimizer

    if isinstance(value, (Variable, Module, Optimizer, Layer)):
        return True
    if getattr(value, "_fg_trackable", False):
        return True
    if isinstance(value, dict):
        return any(is_trackable(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return any(is_trackable(v) for v in value)
    return False


def _children(obj: Any, graph: Graph) -> list:
    """The (local name, child) pairs of trackable `obj`, sorted by name."""
    from flowgraph.layers.base import Layer
    from flowgraph.train.optimizer import Optimizer

    if isinstance(obj, Variable):
        return []
    if isinstance(obj, dict):
        pairs = [(str(key), value) for key, value in obj.items()]
    elif isinstance(obj, (list, tuple)):
        pairs = [(str(index), value) for index, value in enumerate(obj)]
    elif isinstance(obj, Optimizer):
        pairs = [(name, var) for (name, var_graph), var in obj._non_slot_dict.items()
                 if var_graph is graph]
    elif isinstance(obj, Layer):
        pairs = [(v.op.name.rsplit("/", 1)[-1], v) for v in obj.weights]
    else:
        custom = getattr(obj, "_fg_checkpoint_children", None)
        pairs = list(custom()) if custom is not None else list(vars(obj).items())
    pairs = [(name, value) for name, value in pairs if is_trackable(value)]
    if isinstance(obj, (list, tuple)):
        return pairs
    return sorted(pairs, key=lambda pair: pair[0])


class ObjectGraph:
    """What `walk` found: `variables` {checkpoint key: Variable} (slots included, in
    `slot_keys` too) and `nodes` (paths of the non-Variable objects, root excluded)."""

    def __init__(self) -> None:
        self.variables: dict = {}
        self.nodes: list = []
        self.slot_keys: set = set()

    def key_of(self, variable: Variable) -> Optional[str]:
        for key, value in self.variables.items():
            if value is variable:
                return key
        return None


def walk(root: Any, graph: Graph) -> ObjectGraph:
    """The object graph reachable from `root`, for Variables of `graph`."""
    from flowgraph.train.optimizer import Optimizer

    found = ObjectGraph()
    paths: dict = {id(root): ""}
    queue = [(root, "")]
    var_paths: dict = {}
    optimizers = []
    while queue:
        obj, path = queue.pop(0)
        if isinstance(obj, Optimizer):
            optimizers.append((obj, path))
        for name, child in _children(obj, graph):
            if id(child) in paths:
                continue
            child_path = f"{path}/{escape_local_name(name)}" if path else escape_local_name(name)
            paths[id(child)] = child_path
            if isinstance(child, Variable):
                if child.graph is graph:
                    found.variables[f"{child_path}/{VARIABLE_SUFFIX}"] = child
                    var_paths[child.op] = child_path
                continue
            found.nodes.append(child_path)
            queue.append((child, child_path))
    for optimizer, opt_path in optimizers:
        for slot_name in sorted(optimizer._slots):
            for var_op, slot in optimizer._slots[slot_name].items():
                var_path = var_paths.get(var_op)
                if var_path is None or not isinstance(slot, Variable) or slot.graph is not graph:
                    continue
                key = (f"{var_path}/.OPTIMIZER_SLOT/{opt_path}/{escape_local_name(slot_name)}"
                       f"/{VARIABLE_SUFFIX}")
                found.variables[key] = slot
                found.slot_keys.add(key)
    return found
