"""TF1's ``tf.container``: a scope naming the resource container of stateful ops."""

from __future__ import annotations

from typing import Any

from flowgraph.graph import get_default_graph

__all__ = ["container"]


def container(container_name: str) -> Any:
    """Stateful ops (variables, iterators, ...) created inside get `container_name` as their
    ``container`` attribute, as TF1's ``tf.container`` (a wrapper of the default graph's
    ``Graph.container``). ``""`` restores the default container.

    >>> with fg.container("experiment"):
    ...     v = fg.Variable(1.0)
    >>> v.op.op_def.container
    'experiment'
    """
    return get_default_graph().container(container_name)
