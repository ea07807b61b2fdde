"""TF1's checkpoint names for the variables the canned estimators partition.

TF1's DNN and linear estimators create their variables under a variable partitioner
(`min_max_variable_partitioner`), which without parameter servers makes one partition:
the graph holds ``dnn/hiddenlayer_0/kernel/part_0`` and the checkpoint stores it under its
full name ``dnn/hiddenlayer_0/kernel``. An optimizer slot of such a variable gets the
checkpoint name ``full_name + "/" + slot_op_name[len(part_op_name + "/"):]`` (TF1's
`slot_creator`), so a slot made under an outer variable scope comes out shifted by that
scope: ``dnn/hiddenlayer_0/kernel/t_0/Adagrad`` (DNNClassifier, scope ``dnn/``) and
``linear/linear_model/x/weights/part_0/Ftrl`` (LinearClassifier, scope ``linear/``).
These are the names TF1 users see in `Estimator.get_variable_names()`.

flowgraph does not partition: the canned model functions mark the variables TF1 would
partition (`mark_partitioned`) and the Estimator's Savers use `checkpoint_var_list`, which
names those variables and their slots as TF1's checkpoints do.
"""

from __future__ import annotations

import contextlib
from typing import Any, Iterable, Iterator, Optional

from flowgraph.graph import GraphKeys, get_default_graph

__all__ = ["mark_partitioned", "partitioned_variables", "checkpoint_var_list",
           "default_saver"]

# Graph collection of the Variables TF1 would have created as one-partition variables.
PARTITIONED_VARIABLES = "_flowgraph_tf1_partitioned_variables"
# The suffix of the single partition of a partitioned variable in TF1's graph.
_PART_SUFFIX = "/part_0"


def mark_partitioned(variables: Iterable[Any], graph: Any = None) -> None:
    """Record that TF1 creates `variables` through a partitioner (one partition each)."""
    graph = graph or get_default_graph()
    known = {id(v) for v in graph.get_collection(PARTITIONED_VARIABLES)}
    for var in variables:
        if id(var) not in known:
            graph.add_to_collection(PARTITIONED_VARIABLES, var)
            known.add(id(var))


@contextlib.contextmanager
def partitioned_variables() -> Iterator[None]:
    """Mark the global variables created inside as TF1-partitioned (`mark_partitioned`):
    the canned DNN and linear model functions build their logits in here, as TF1 builds
    them under a variable partitioner."""
    graph = get_default_graph()
    existing = {id(v) for v in graph.get_collection(GraphKeys.GLOBAL_VARIABLES)}
    yield
    mark_partitioned((v for v in graph.get_collection(GraphKeys.GLOBAL_VARIABLES)
                      if id(v) not in existing), graph)


def _slot_checkpoint_name(slot_name: str, primaries: list) -> Optional[str]:
    """TF1's checkpoint name of the slot variable `slot_name` when it is a slot of one of
    `primaries` (op names of partitioned variables), else None."""
    for primary in primaries:  # longest first: the most specific primary wins
        marker = primary + "/"
        start = slot_name.find(marker)
        if start < 0 or (start > 0 and slot_name[start - 1] != "/"):
            continue
        outer_scope, rest = slot_name[:start], slot_name[start + len(marker):]
        if not rest:
            continue
        # The slot's op name in TF1's graph, where the primary is `primary/part_0`.
        tf1_slot = f"{outer_scope}{primary}{_PART_SUFFIX}/{rest}"
        real_slot_name = tf1_slot[len(primary + _PART_SUFFIX + "/"):]
        return f"{primary}/{real_slot_name}"
    return None


def checkpoint_var_list(graph: Any = None) -> Optional[dict]:
    """{checkpoint name: Variable} for every global variable of `graph`, with TF1's names
    for marked (partitioned) variables and their slots; None when nothing is marked (then
    a Saver's default naming by op name is already TF1's)."""
    graph = graph or get_default_graph()
    marked = graph.get_collection(PARTITIONED_VARIABLES)
    if not marked or graph.get_collection(GraphKeys.SAVEABLE_OBJECTS):
        return None
    marked_ids = {id(v) for v in marked}
    primaries = sorted({v.op.name for v in marked}, key=len, reverse=True)
    names: dict = {}
    for var in graph.get_collection(GraphKeys.GLOBAL_VARIABLES):
        info = getattr(var, "_save_slice_info", None)
        if info is not None:  # a part of a really partitioned variable: one entry for all
            parts = names.setdefault(info.full_name, [])
            if not isinstance(parts, list):
                return None
            parts.append(var)
            continue
        op_name = var.op.name
        name = op_name if id(var) in marked_ids else (
            _slot_checkpoint_name(op_name, primaries) or op_name)
        if name in names:
            return None  # ambiguous: keep the plain op names rather than lose a variable
        names[name] = var
    return names


def default_saver(graph: Any = None, **saver_kwargs: Any) -> Any:
    """A Saver over all saveable variables of `graph` with TF1's checkpoint names (see
    `checkpoint_var_list`), built with `saver_kwargs`; with ``defer_build=True`` the
    variables (and their names) are collected when it is built, as TF1's Estimator does, so
    variables made by hooks' `begin` are saved too."""
    from flowgraph.train.saver import Saver

    class NamedSaver(Saver):
        def build(self) -> None:
            if not self._is_built and self.saver_def is None:
                self._var_list = checkpoint_var_list(self._graph)
            super().build()

    graph = graph or get_default_graph()
    with graph.as_default():
        return NamedSaver(**saver_kwargs)


def add_default_saver(scaffold: Any, **saver_kwargs: Any) -> None:
    """Put a `default_saver` in the SAVERS collection when the scaffold has no Saver and
    the graph none yet and some variables need TF1's partitioned names."""
    graph = get_default_graph()
    if scaffold.saver is not None or graph.get_collection(GraphKeys.SAVERS):
        return
    if not graph.get_collection(PARTITIONED_VARIABLES):
        return
    graph.add_to_collection(GraphKeys.SAVERS, default_saver(graph, defer_build=True,
                                                            **saver_kwargs))
