"""What each op of a graph is, for drawing: its kind, the Variable it belongs to, its group.

- *Variable plumbing*: a TF1 Variable is a `VariableV2` node plus `<v>/read`,
  `<v>/Assign`, `<v>/initial_value` and `<v>/Initializer/...`; drawn as one node.
- *Shape constants*: small integer constants (shapes, axes, permutations, increments)
  are noise at a glance; they can be hidden.
- *Groups*: ops under a `gradients` scope (what `fg.gradients` and `minimize` build) and
  the optimizer's ops (its name scope, e.g. `Adam/...`, and its slot Variables such as
  `dense/kernel/Adam` or `beta1_power`) are grouped, so they can be hidden together.
"""

from __future__ import annotations

import re
from typing import Any, Optional

import numpy as np

from flowgraph.graph import Graph, GraphKeys, Operation
from flowgraph.viz import styles

# The scope components under a Variable's name that belong to the Variable itself.
PLUMBING = frozenset({"read", "Assign", "Initializer", "initial_value",
                      "IsVariableInitialized"})

# Op types drawn as control flow (TF1's dataflow control ops, and grouping NoOps).
CONTROL_TYPES = frozenset({
    "NoOp", "ControlTrigger", "Switch", "RefSwitch", "Merge", "RefMerge", "Enter",
    "RefEnter", "Exit", "RefExit", "NextIteration", "RefNextIteration", "LoopCond",
    "If", "StatelessIf", "While", "StatelessWhile", "Cond", "WhileLoop", "Case",
})

_GRADIENT_SCOPE = re.compile(r"^gradients(_\d+)?$")
_APPLY_TYPE = re.compile(r"^(Resource)?(Sparse)?Apply[A-Z]")
# A constant at most this big and of an integer type is taken for a shape, axis or count.
_SHAPE_CONST_MAX_SIZE = 8

GRADIENTS = "gradients"
OPTIMIZER = "optimizer"


def is_variable(op: Operation) -> bool:
    return bool(getattr(op.op_def, "is_variable", False))


def node_kind(op: Operation) -> str:
    """One of the kinds in `flowgraph.viz.styles` (placeholder, variable, constant, ...)."""
    op_def = op.op_def
    if is_variable(op):
        return styles.VARIABLE
    if getattr(op_def, "requires_feed", False) or op.type in ("Placeholder",
                                                               "PlaceholderWithDefault"):
        return styles.PLACEHOLDER
    if op.type == "Const":
        return styles.CONSTANT
    if op.type in CONTROL_TYPES or getattr(op_def, "is_control_flow", False):
        return styles.CONTROL
    if getattr(op_def, "stateful", False):
        return styles.STATEFUL
    return styles.OP


def variable_owners(ops: list) -> dict:
    """{plumbing op: its Variable op} for the `read`/`Assign`/`Initializer/...` ops of
    every Variable among `ops` (a slot `w/Adam` owns `w/Adam/read`, not `w`)."""
    variables = {op.name: op for op in ops if is_variable(op)}
    owners = {}
    if not variables:
        return owners
    for op in ops:
        if op.name in variables:
            continue
        parts = op.name.split("/")
        for i in range(len(parts) - 1, 0, -1):  # the longest Variable name first
            var = variables.get("/".join(parts[:i]))
            if var is None:
                continue
            if parts[i] in PLUMBING and _plausible_plumbing(op, var, parts[i], i == len(parts) - 1):
                owners[op] = var
            break
    return owners


def _plausible_plumbing(op: Operation, var: Operation, part: str, last: bool) -> bool:
    # `read` and `Assign` must really read or assign the Variable; initializers are
    # whatever sits in the Variable's Initializer scope.
    if part in ("read", "Assign") and last:
        return any(t.op is var for t in op.inputs)
    return True


def is_shape_constant(op: Operation) -> bool:
    """A small integer constant: a shape, axis, permutation, multiple or increment."""
    if op.type != "Const" or len(op.outputs) != 1:
        return False
    out = op.outputs[0]
    if not (out.dtype.is_integer or out.dtype.is_bool):
        return False
    dims = out.shape.as_tuple()
    if dims is None or len(dims) > 1:
        return False
    return not dims or (dims[0] is not None and dims[0] <= _SHAPE_CONST_MAX_SIZE)


def is_gradient_scope(part: str) -> bool:
    """True for the scope names `fg.gradients` uses: `gradients`, `gradients_1`, ..."""
    return _GRADIENT_SCOPE.match(part) is not None


def is_gradient_op(op: Operation) -> bool:
    """True for ops under a `gradients` (or `gradients_1`, ...) name scope."""
    return any(is_gradient_scope(part) for part in op.name.split("/")[:-1])


def optimizer_scopes(ops: list) -> set:
    """The name scopes of the optimizers whose update ops (`Apply*`) are among `ops`:
    ``Adam`` for ``Adam/update_dense/kernel/ApplyAdam``."""
    scopes = set()
    for op in ops:
        if not _APPLY_TYPE.match(op.type):
            continue
        parts = op.name.split("/")
        cut = next((i for i, p in enumerate(parts[:-1]) if p.startswith("update_")), None)
        scope = parts[:cut] if cut is not None else parts[:-1]
        if scope:
            scopes.add("/".join(scope))
    return scopes


def optimizer_scope_of(op: Operation, scopes: set) -> Optional[str]:
    """The optimizer scope `op` lies in (or is named after), or None."""
    name = op.name
    for scope in scopes:
        if name == scope or name.startswith(scope + "/"):
            return scope
    return None


def trainable_variable_ops(graph: Graph) -> set:
    """The Variable ops of the graph's TRAINABLE_VARIABLES collection."""
    return _collection_ops(graph, GraphKeys.TRAINABLE_VARIABLES)


def global_step_ops(graph: Graph) -> set:
    found = _collection_ops(graph, GraphKeys.GLOBAL_STEP)
    if "global_step" in graph:
        op = graph.get_operation_by_name("global_step")
        if is_variable(op):
            found.add(op)
    return found


def _collection_ops(graph: Graph, key: str) -> set:
    result = set()
    for item in graph.get_collection(key):
        op = getattr(item, "op", None)
        if isinstance(op, Operation):
            result.add(op)
    return result


def constant_text(op: Operation) -> Optional[str]:
    """A scalar constant's value, shortly (``0.001``, ``0.9``, ``b'abc'``), else None."""
    value = getattr(op.op_def, "value", None)
    if not isinstance(value, np.ndarray) or value.ndim != 0:
        return None
    item: Any = value.item()
    if isinstance(item, float):
        return f"{item:.4g}"
    if isinstance(item, bytes):
        text = repr(item)
        return text if len(text) <= 16 else text[:13] + "...'"
    return str(item)
