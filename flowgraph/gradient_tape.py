"""`fg.GradientTape`: TF 1.15's tape with eager execution off.

In graph mode a tape records the ops created while it is recording (inside its ``with``
block, outside `stop_recording`). `gradient` builds symbolic gradient nodes with
`fg.gradients`, letting them flow only through recorded ops: every tensor on the way back
from the target that a non-recorded op produced is a stop tensor, unless it is a watched
source. Trainable Variables read by recorded ops are watched automatically.

Recording is by op creation order: the tape keeps the ranges of op ids created while it
was recording in its graph.

Example::

    x = fg.constant(3.0)
    with fg.GradientTape() as tape:
        tape.watch(x)
        y = x * x
    dy_dx = tape.gradient(y, x)  # 6.0 when run
"""

from __future__ import annotations

import contextlib
import logging
from typing import Any, Iterator, Optional

from flowgraph.control_flow import nest
from flowgraph.gradients import UnconnectedGradients, gradients
from flowgraph.graph import GraphKeys, Tensor, get_default_graph

__all__ = ["GradientTape"]

_log = logging.getLogger("flowgraph")

_CONSUMED = ("GradientTape.gradient can only be called once on non-persistent tapes.")


def _is_variable(value: Any) -> bool:
    return isinstance(getattr(value, "_variable", None), Tensor)


class GradientTape:
    """Records the ops created inside its ``with`` block, for `gradient` and `jacobian`.

    Parameters
    ----------
    persistent : bool
        If False (default), `gradient` (or `jacobian`) can be called only once.
    watch_accessed_variables : bool
        If True (default), trainable Variables read by recorded ops are watched.
    """

    def __init__(self, persistent: bool = False, watch_accessed_variables: bool = True) -> None:
        self._persistent = bool(persistent)
        self._watch_accessed_variables = bool(watch_accessed_variables)
        self._graph: Any = None
        self._ranges: list = []  # [start, end) op ids recorded, closed ranges
        self._start: Optional[int] = None  # op id where the open range began
        self._watched_tensors: list = []
        self._watched_vars: list = []
        self._consumed = False
        self._stops_cache: dict = {}  # one jacobian's stop tensors
        self._warned = False

    # -- recording
    @property
    def _recording(self) -> bool:
        return self._start is not None

    def _push(self) -> None:
        if self._recording:
            raise ValueError("Tape is still recording, This can happen if you try to re-enter "
                             "an already-active tape.")
        graph = get_default_graph()
        if self._graph is not None and graph is not self._graph:
            raise ValueError("A GradientTape records ops of one graph; this tape was first used "
                             f"with {self._graph} but the default graph is now {graph}.")
        self._graph = graph
        self._start = len(graph._ops)

    def _pop(self) -> None:
        if not self._recording:
            raise ValueError("Tape is not recording.")
        end = len(self._graph._ops)
        if end > self._start:
            self._ranges.append((self._start, end))
        self._start = None

    def __enter__(self) -> "GradientTape":
        self._push()
        return self

    def __exit__(self, typ: Any, value: Any, traceback: Any) -> None:
        if self._recording:
            self._pop()

    @contextlib.contextmanager
    def stop_recording(self) -> Iterator[None]:
        """A context in which ops are not recorded (gradients do not flow through them).

        Raises RuntimeError when the tape is not recording.
        """
        if not self._recording:
            raise RuntimeError("Trying to stop recording a tape which is not recording.")
        self._pop()
        try:
            yield
        finally:
            self._push()

    def reset(self) -> None:
        """Forgets everything recorded and watched so far; recording goes on from here.

        Must be called inside the tape's ``with`` block (ValueError otherwise).
        """
        self._pop()
        self._ranges = []
        self._watched_tensors = []
        self._watched_vars = []
        self._consumed = False
        self._push()

    def _is_recorded(self, op: Any) -> bool:
        if op.graph is not self._graph:
            return False
        ranges = list(self._ranges)
        if self._recording:
            ranges.append((self._start, len(self._graph._ops)))
        return any(start <= op._id < end for start, end in ranges)

    # -- watching
    def watch(self, tensor: Any) -> None:
        """Watches a Tensor or Variable (or a nested structure of them) as a source."""
        for t in nest.flatten(tensor):
            if _is_variable(t):
                if not any(t is v for v in self._watched_vars):
                    self._watched_vars.append(t)
                continue
            if not isinstance(t, Tensor):
                raise ValueError(f"GradientTape.watch takes Tensors or Variables; got {t!r} "
                                 f"(a {type(t).__name__}). Convert it with fg.convert_to_tensor "
                                 "inside the tape's block first.")
            if not (t.dtype.is_floating or t.dtype.is_complex):
                _log.warning("The dtype of the watched tensor must be floating (e.g. "
                             "tf.float32), got %r", t.dtype)
            if t not in self._watched_tensors:
                self._watched_tensors.append(t)

    def _accessed_variables(self) -> list:
        if not self._watch_accessed_variables or self._graph is None:
            return []
        by_tensor: dict = {}
        for key in (GraphKeys.GLOBAL_VARIABLES, GraphKeys.LOCAL_VARIABLES,
                    GraphKeys.TRAINABLE_VARIABLES):
            for v in self._graph.get_collection(key):
                if _is_variable(v) and getattr(v, "trainable", False):
                    by_tensor[v._variable] = v
                    snapshot = getattr(v, "_snapshot", None)
                    if snapshot is not None:
                        by_tensor[snapshot] = v
        if not by_tensor:
            return []
        found: list = []
        ranges = list(self._ranges)
        if self._recording:
            ranges.append((self._start, len(self._graph._ops)))
        for start, end in ranges:
            for op in self._graph._ops[start:end]:
                for t in op.inputs:
                    v = by_tensor.get(t)
                    if v is not None and not any(v is w for w in found):
                        found.append(v)
        return found

    def _all_watched_variables(self) -> list:
        result = list(self._watched_vars)
        for v in self._accessed_variables():
            if not any(v is w for w in result):
                result.append(v)
        return result

    def watched_variables(self) -> tuple:
        """The Variables watched: by `watch` and (if enabled) read by recorded ops."""
        return tuple(self._all_watched_variables())

    # -- gradients
    def _stops(self, targets: list, variables: list) -> list:
        """Tensors reached back from `targets` that a non-recorded op produced and that are
        not watched sources: gradients stop there."""
        sources = set(self._watched_tensors)
        passthrough = set()  # a watched Variable's snapshot read leads to the Variable
        for v in variables:
            sources.add(v._variable)
            snapshot = getattr(v, "_snapshot", None)
            if snapshot is not None:
                passthrough.add(snapshot)
        stops: list = []
        seen: set = set()
        stack = list(targets)
        while stack:
            t = stack.pop()
            if t in seen:
                continue
            seen.add(t)
            if t in sources:
                continue
            if t in passthrough or self._is_recorded(t.op):
                stack.extend(t.op.inputs)
            else:
                stops.append(t)
        return stops

    def _begin_gradient(self) -> None:
        if self._consumed:
            raise RuntimeError(_CONSUMED)
        if self._recording:
            if not self._persistent:
                self._pop()  # as TF: a non-persistent tape stops recording here
            elif not self._warned:
                self._warned = True  # as TF's log_first_n: once
                _log.warning(
                    "Calling GradientTape.gradient on a persistent tape inside its context is "
                    "significantly less efficient than calling it outside the context (it "
                    "causes the gradient ops to be recorded on the tape, leading to increased "
                    "CPU and memory usage). Only call GradientTape.gradient inside the "
                    "context if you actually want to trace the gradient in order to compute "
                    "higher order derivatives.")

    def _end_gradient(self) -> None:
        if not self._persistent:
            self._watched_vars = self._all_watched_variables()
            self._watch_accessed_variables = False
            self._consumed = True

    def _source(self, source: Any) -> Tensor:
        if _is_variable(source):
            return source._variable
        if isinstance(source, Tensor):
            return source
        raise ValueError(f"GradientTape sources must be Tensors or Variables; got {source!r} "
                         f"(a {type(source).__name__}).")

    def _tape_gradients(self, targets: list, sources: list, output_gradients: Any,
                        unconnected_gradients: Any, recorded_from: Any = None) -> list:
        # recorded_from: the recorded tensor `targets` were sliced from (jacobians); its
        # stop tensors are worked out once per jacobian.
        variables = self._all_watched_variables()
        watched = set(self._watched_tensors) | {v._variable for v in variables}
        if recorded_from is None:
            stops = self._stops(targets, variables)
        else:
            key = (recorded_from, len(variables))
            if self._stops_cache.get("key") != key:
                self._stops_cache = {"key": key,
                                     "stops": self._stops([recorded_from], variables)}
            stops = self._stops_cache["stops"]
        results = [None] * len(sources)
        live = [i for i, s in enumerate(sources) if s in watched]
        if live:
            grads = gradients(targets, [sources[i] for i in live], grad_ys=output_gradients,
                              stop_gradients=stops)
            for i, g in zip(live, grads):
                results[i] = g
        if _unconnected_value(unconnected_gradients) == "zero":
            from flowgraph.ops.fill import zeros_like
            results = [zeros_like(s) if g is None else g for s, g in zip(sources, results)]
        return results

    def gradient(self, target: Any, sources: Any, output_gradients: Any = None,
                 unconnected_gradients: Any = UnconnectedGradients.NONE) -> Any:
        """The gradient of (the sum of) `target` with respect to each of `sources`.

        Returns `sources`' structure of Tensors; a source that is not watched, or that
        recorded ops do not connect to `target`, gets None (zeros with
        ``UnconnectedGradients.ZERO``). A non-persistent tape allows one call.
        """
        self._begin_gradient()
        from flowgraph.ops.constant import convert_to_tensor
        flat_targets = []
        for t in nest.flatten(target):
            flat_targets.append(t._read_for_use() if _is_variable(t) else convert_to_tensor(t))
        flat_sources = [self._source(s) for s in nest.flatten(sources)]
        grad_ys = None
        if output_gradients is not None:
            grad_ys = nest.flatten(output_gradients)
            if len(grad_ys) != len(flat_targets):
                raise ValueError(f"output_gradients has {len(grad_ys)} entries for "
                                 f"{len(flat_targets)} targets; give one per target.")
        _unconnected_value(unconnected_gradients)
        grads = self._tape_gradients(flat_targets, flat_sources, grad_ys, unconnected_gradients)
        self._end_gradient()
        return nest.pack_sequence_as(sources, grads)

    def jacobian(self, target: Any, sources: Any,
                 unconnected_gradients: Any = UnconnectedGradients.NONE,
                 parallel_iterations: Optional[int] = None,
                 experimental_use_pfor: bool = True) -> Any:
        """The Jacobian of `target` with respect to each of `sources`: for a source of shape
        S, a Tensor of shape ``target.shape + S``.

        Built as one gradient per element of `target`, whose static shape must be fully
        known. `parallel_iterations` and `experimental_use_pfor` are accepted for TF
        compatibility; they do not change the result.
        """
        self._begin_gradient()
        self._stops_cache = {}
        from flowgraph.ops.array import stack, unstack
        from flowgraph.ops.constant import convert_to_tensor
        from flowgraph.ops.shape_ops import reshape
        target = target._read_for_use() if _is_variable(target) else convert_to_tensor(target)
        _unconnected_value(unconnected_gradients)
        shape = _static_shape(target, "target", "jacobian")
        size = 1
        for d in shape:
            size *= d
        flat_sources = [self._source(s) for s in nest.flatten(sources)]
        with self._graph.name_scope("jacobian"):
            elements = unstack(reshape(target, [size]), num=size) if size else []
            rows: list = [[] for _ in flat_sources]
            for y in elements:
                for i, g in enumerate(self._tape_gradients(
                        [y], flat_sources, None, UnconnectedGradients.NONE, target)):
                    rows[i].append(g)
            results = []
            for s, row in zip(flat_sources, rows):
                if size and all(g is None for g in row):
                    results.append(_unconnected_result(s, shape, unconnected_gradients))
                    continue
                if not size:
                    results.append(_zeros(shape + list(_static_shape(s, "source", "jacobian")),
                                          s.dtype))
                    continue
                from flowgraph.ops.fill import zeros_like
                row = [zeros_like(s) if g is None else convert_to_tensor(g) for g in row]
                results.append(reshape(stack(row), shape + list(_source_dims(s))))
        self._end_gradient()
        return nest.pack_sequence_as(sources, results)

    def batch_jacobian(self, target: Any, source: Any,
                       unconnected_gradients: Any = UnconnectedGradients.NONE,
                       parallel_iterations: Optional[int] = None,
                       experimental_use_pfor: bool = True) -> Any:
        """The Jacobian of each row of `target` with respect to the same row of `source`.

        `target` of shape [b, y1, ..., yn] and `source` of shape [b, x1, ..., xm] give a
        Tensor of shape [b, y1, ..., yn, x1, ..., xm]. Rows are assumed independent: row i
        of `target` depends only on row i of `source`.
        """
        self._begin_gradient()
        self._stops_cache = {}
        from flowgraph.ops.array import stack, unstack
        from flowgraph.ops.constant import convert_to_tensor
        from flowgraph.ops.shape_ops import reshape
        target = target._read_for_use() if _is_variable(target) else convert_to_tensor(target)
        src = self._source(source)
        _unconnected_value(unconnected_gradients)
        t_shape = target.shape.as_list() if target.shape.ndims is not None else None
        s_shape = src.shape.as_list() if src.shape.ndims is not None else None
        if (t_shape is None or s_shape is None or len(t_shape) < 2 or len(s_shape) < 2
                or (t_shape[0] is not None and s_shape[0] is not None
                    and t_shape[0] != s_shape[0])):
            raise ValueError(f"Need first dimension of target shape ({target.shape}) and "
                             f"source shape ({src.shape}) to match.")
        inner = _static_shape(target, "target", "batch_jacobian")[1:]
        size = 1
        for d in inner:
            size *= d
        with self._graph.name_scope("batch_jacobian"):
            batch = t_shape[0] if t_shape[0] is not None else -1
            columns = unstack(reshape(target, [batch, size]), num=size, axis=1)
            grads = [self._tape_gradients([y], [src], None, UnconnectedGradients.NONE,
                                          target)[0] for y in columns]
            if all(g is None for g in grads):
                result = None
                if _unconnected_value(unconnected_gradients) == "zero":
                    from flowgraph.ops.fill import zeros_like
                    grads = [zeros_like(src) for _ in columns]
            if any(g is not None for g in grads):
                from flowgraph.ops.fill import zeros_like
                grads = [zeros_like(src) if g is None else convert_to_tensor(g) for g in grads]
                result = reshape(stack(grads, axis=1),
                                 [batch] + list(inner) + list(_source_dims(src))[1:])
        self._end_gradient()
        return result


def _unconnected_value(value: Any) -> str:
    try:
        return UnconnectedGradients(getattr(value, "value", value)).value
    except ValueError:
        raise ValueError(f"Unknown value for unconnected_gradients: {value!r}; expected "
                         "'none', 'zero' or fg.UnconnectedGradients.NONE / ZERO") from None


def _static_shape(t: Tensor, what: str, method: str) -> list:
    dims = t.shape.as_list() if t.shape.ndims is not None else None
    if dims is None or any(d is None for d in dims):
        raise ValueError(f"GradientTape.{method} needs the static shape of the {what} "
                         f"{t.name} to be fully known, got {t.shape}; give it a static shape "
                         "(e.g. with set_shape or a placeholder of full shape).")
    return dims


def _source_dims(s: Tensor) -> list:
    """The shape of `s`, with -1 for an unknown dimension (at most one)."""
    dims = s.shape.as_list() if s.shape.ndims is not None else None
    if dims is None or sum(d is None for d in dims) > 1:
        raise ValueError(f"GradientTape needs the static shape of the source {s.name} (with "
                         f"at most one unknown dimension) to build a Jacobian, got {s.shape}.")
    return [-1 if d is None else d for d in dims]


def _zeros(shape: list, dtype: Any) -> Tensor:
    from flowgraph.ops.fill import zeros
    return zeros(shape, dtype=dtype)


def _unconnected_result(source: Tensor, target_shape: list, unconnected: Any) -> Any:
    if _unconnected_value(unconnected) != "zero":
        return None
    return _zeros(list(target_shape) + _static_shape(source, "source", "jacobian"),
                  source.dtype)
