"""`fg.train.Scaffold`: the pieces a monitored session needs to build and initialize a
model (init ops, ready checks, the summary op and the Saver), as TF1's `tf.train.Scaffold`.
"""

import logging
from typing import Any, Callable, Optional

from flowgraph import variables as variables_lib
from flowgraph.graph import GraphKeys, get_default_graph
from flowgraph.ops.control import group

_log = logging.getLogger("flowgraph.train")


class Scaffold:
    """Holds (or builds, at `finalize()`) the ops used to create a monitored session.

    Any piece left as None is taken from the graph's collection of the same role
    (`GraphKeys.INIT_OP`, `READY_OP`, `SAVERS`, ...) or built with TF1's default.

    Parameters
    ----------
    init_op : Operation, optional
        Run once when no checkpoint is restored. Default: initialize global variables.
    init_feed_dict : dict, optional
        Feeds for `init_op`.
    init_fn : callable, optional
        `init_fn(scaffold, session)`, called after `init_op`.
    ready_op : Tensor, optional
        Names of uninitialized variables; empty means the model is ready.
    ready_for_local_init_op : Tensor, optional
        As `ready_op`, checked before `local_init_op` runs (global variables only).
    local_init_op : Operation, optional
        Run on every session creation. Default: initialize local variables and tables.
    summary_op : Tensor, optional
        The merged summaries. Default: `fg.summary.merge_all()`.
    saver : Saver, optional
        Saves and restores checkpoints. Default: a Saver over all saveable variables.
    copy_from_scaffold : Scaffold, optional
        Take any piece not given here from this scaffold.
    local_init_feed_dict : dict, optional
        Feeds for `local_init_op`.
    """

    def __init__(self, init_op: Any = None, init_feed_dict: Optional[dict] = None,
                 init_fn: Optional[Callable] = None, ready_op: Any = None,
                 ready_for_local_init_op: Any = None, local_init_op: Any = None,
                 summary_op: Any = None, saver: Any = None,
                 copy_from_scaffold: Optional["Scaffold"] = None,
                 local_init_feed_dict: Optional[dict] = None) -> None:
        if copy_from_scaffold is not None:
            if not isinstance(copy_from_scaffold, Scaffold):
                raise TypeError("copy_from_scaffold is not a Scaffold instance: "
                                f"{type(copy_from_scaffold).__name__}.")

            def coalesce(value: Any, attr: str) -> Any:
                return value if value is not None else getattr(copy_from_scaffold, attr)

            init_op = coalesce(init_op, "_init_op")
            init_feed_dict = coalesce(init_feed_dict, "_init_feed_dict")
            init_fn = coalesce(init_fn, "_user_init_fn")
            ready_op = coalesce(ready_op, "_ready_op")
            ready_for_local_init_op = coalesce(ready_for_local_init_op,
                                               "_ready_for_local_init_op")
            local_init_op = coalesce(local_init_op, "_local_init_op")
            summary_op = coalesce(summary_op, "_summary_op")
            saver = coalesce(saver, "_saver")
            local_init_feed_dict = coalesce(local_init_feed_dict, "_local_init_feed_dict")
        self._user_init_fn = init_fn
        if init_fn is not None:
            self._init_fn = lambda sess: init_fn(self, sess)
        else:
            self._init_fn = None
        self._init_op = init_op
        self._init_feed_dict = init_feed_dict
        self._ready_op = ready_op
        self._ready_for_local_init_op = ready_for_local_init_op
        self._local_init_op = local_init_op
        self._local_init_feed_dict = local_init_feed_dict
        self._summary_op = summary_op
        self._saver = saver

    def finalize(self) -> "Scaffold":
        """Build the missing pieces, then finalize the default graph (no more ops)."""
        graph = get_default_graph()
        if self._init_op is None:
            self._init_op = Scaffold.get_or_default(
                "init_op", GraphKeys.INIT_OP, _default_init_op)
        if self._ready_op is None:
            self._ready_op = Scaffold.get_or_default(
                "ready_op", GraphKeys.READY_OP, variables_lib.report_uninitialized_variables)
        if self._ready_for_local_init_op is None:
            self._ready_for_local_init_op = Scaffold.get_or_default(
                "ready_for_local_init_op", GraphKeys.READY_FOR_LOCAL_INIT_OP,
                lambda: variables_lib.report_uninitialized_variables(
                    variables_lib.global_variables()))
        if self._local_init_op is None:
            self._local_init_op = Scaffold.get_or_default(
                "local_init_op", GraphKeys.LOCAL_INIT_OP, Scaffold.default_local_init_op)
        if self._summary_op is None:
            self._summary_op = Scaffold.get_or_default(
                "summary_op", GraphKeys.SUMMARY_OP, _merge_all_summaries)
        if self._saver is None:
            self._saver = _default_saver()
        if hasattr(self._saver, "build") and not getattr(self._saver, "_is_built", True):
            self._saver.build()
        graph.finalize()
        _log.info("Graph was finalized.")  # as TF1
        return self

    @property
    def init_fn(self) -> Optional[Callable]:
        return self._init_fn

    @property
    def init_op(self) -> Any:
        return self._init_op

    @property
    def ready_op(self) -> Any:
        return self._ready_op

    @property
    def ready_for_local_init_op(self) -> Any:
        return self._ready_for_local_init_op

    @property
    def local_init_op(self) -> Any:
        return self._local_init_op

    @property
    def local_init_feed_dict(self) -> Optional[dict]:
        return self._local_init_feed_dict

    @property
    def summary_op(self) -> Any:
        return self._summary_op

    @property
    def saver(self) -> Any:
        return self._saver

    @property
    def init_feed_dict(self) -> Optional[dict]:
        return self._init_feed_dict

    @staticmethod
    def get_or_default(arg_name: str, collection_key: str,
                       default_constructor: Callable[[], Any]) -> Any:
        """The one op in the graph collection `collection_key`, or a new default one.

        The new op is added to the collection so later scaffolds share it.
        """
        graph = get_default_graph()
        elements = graph.get_collection(collection_key)
        if elements:
            if len(elements) > 1:
                raise RuntimeError(f"More than one item in the collection {collection_key!r}. "
                                   f"Please indicate which one to use by passing it to the "
                                   f"tf.Scaffold constructor as: tf.Scaffold({arg_name}="
                                   "item to use)")
            return elements[0]
        op = default_constructor()
        if op is not None:
            graph.add_to_collection(collection_key, op)
        return op

    @staticmethod
    def default_local_init_op() -> Any:
        """Initialize local variables and lookup tables (TF1's default local_init_op)."""
        ops = [variables_lib.local_variables_initializer()]
        table_inits = get_default_graph().get_collection(GraphKeys.TABLE_INITIALIZERS)
        ops.extend(table_inits)
        return group(*ops)


def _default_init_op() -> Any:
    return variables_lib.global_variables_initializer()


def _merge_all_summaries() -> Any:
    from flowgraph import summary

    return summary.merge_all()


def _default_saver() -> Any:
    """The one Saver in the SAVERS collection, else a new one (None without variables)."""
    from flowgraph.train.saver import Saver

    graph = get_default_graph()
    savers = graph.get_collection(GraphKeys.SAVERS)
    if savers:
        if len(savers) > 1:
            raise RuntimeError("More than one item in the collection 'savers'. Please indicate "
                               "which one to use by passing it to the tf.Scaffold "
                               "constructor as: tf.Scaffold(saver=item to use)")
        return savers[0]
    saveable = (graph.get_collection(GraphKeys.GLOBAL_VARIABLES)
                + graph.get_collection(GraphKeys.SAVEABLE_OBJECTS))
    if not saveable:
        return None
    saver = Saver(sharded=True, allow_empty=True)
    graph.add_to_collection(GraphKeys.SAVERS, saver)
    return saver
