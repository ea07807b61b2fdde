"""Main ops run when a saved model is loaded, as TF1's `tf.saved_model.main_op`."""

from __future__ import annotations

from typing import Any

from flowgraph.ops.control import group
from flowgraph.variables import local_variables_initializer

__all__ = ["main_op", "main_op_with_restore"]


def main_op() -> Any:
    """An op initializing the local variables (and lookup tables, where there are any)."""
    import flowgraph.ops
    init_ops = [local_variables_initializer()]
    tables_initializer = getattr(flowgraph.ops, "tables_initializer", None)
    if tables_initializer is not None:
        init_ops.append(tables_initializer())
    return group(*init_ops)


def main_op_with_restore(restore_op_name: str) -> Any:
    """The main op, run after the op named `restore_op_name`."""
    from flowgraph.graph import control_dependencies, get_default_graph
    restore_op = get_default_graph().as_graph_element(restore_op_name)
    with control_dependencies([restore_op]):
        return main_op()
