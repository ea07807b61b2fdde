"""The global step: the Variable that counts training steps (TF1's training_util)."""

from __future__ import annotations

from typing import Any, Optional

from flowgraph import dtypes
from flowgraph.graph import Graph, GraphKeys, Tensor, get_default_graph
from flowgraph.variables import Variable

__all__ = ["global_step", "get_global_step", "create_global_step", "get_or_create_global_step",
           "assert_global_step"]


def global_step(sess: Any, global_step_tensor: Any) -> int:
    """The value of the global step in `sess`, as a Python int.

    >>> fg.train.global_step(sess, fg.train.get_global_step())
    0
    """
    return int(sess.run(global_step_tensor))


def assert_global_step(global_step_tensor: Any) -> None:
    """TypeError unless `global_step_tensor` is an integer scalar Variable or Tensor."""
    if not isinstance(global_step_tensor, (Variable, Tensor)):
        raise TypeError(f'Existing "global_step" must be a Variable or Tensor: '
                        f"{global_step_tensor}.")
    if not global_step_tensor.dtype.is_integer:
        raise TypeError('Existing "global_step" does not have integer type: '
                        f"{global_step_tensor.dtype.name}")
    shape = global_step_tensor.shape
    if shape.ndims != 0 and shape.is_fully_defined():
        raise TypeError(f'Existing "global_step" is not scalar: {shape}')


def get_global_step(graph: Optional[Graph] = None) -> Any:
    """The global step of `graph` (default: the default graph), or None if it has none.

    It is the single member of the GLOBAL_STEP collection, else the tensor "global_step:0".
    """
    graph = get_default_graph() if graph is None else graph
    found = graph.get_collection(GraphKeys.GLOBAL_STEP)
    if len(found) > 1:
        return None  # as TF1, which logs "Multiple tensors in global_step collection."
    if found:
        step = found[0]
    else:
        try:
            step = graph.get_tensor_by_name("global_step:0")
        except (KeyError, ValueError):
            return None
    assert_global_step(step)
    return step


def create_global_step(graph: Optional[Graph] = None) -> Variable:
    """Creates the global step of `graph`: a non-trainable int64 scalar Variable named
    "global_step", starting at 0, in the GLOBAL_VARIABLES and GLOBAL_STEP collections.

    ValueError if the graph already has one.
    """
    graph = get_default_graph() if graph is None else graph
    if get_global_step(graph) is not None:
        raise ValueError('"global_step" already exists.')
    from flowgraph.initializers import zeros_initializer
    from flowgraph.variable_scope import get_variable
    with graph.as_default(), graph.name_scope(None):
        return get_variable(GraphKeys.GLOBAL_STEP, shape=[], dtype=dtypes.int64,
                            initializer=zeros_initializer(), trainable=False,
                            collections=[GraphKeys.GLOBAL_VARIABLES, GraphKeys.GLOBAL_STEP])


def get_or_create_global_step(graph: Optional[Graph] = None) -> Any:
    """The global step of `graph`, created first if it has none."""
    graph = get_default_graph() if graph is None else graph
    step = get_global_step(graph)
    if step is None:
        step = create_global_step(graph)
    return step
