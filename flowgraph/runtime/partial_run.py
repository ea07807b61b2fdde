"""Partial runs: `Session.partial_run_setup` and `Session.partial_run` (TF1's, deprecated
there but still used): one step of a graph fed and fetched piece by piece.

Each partial run (a handle) remembers the values it fed and every value it computed, so an
op runs at most once per handle: fetching a tensor that an earlier call already computed
returns that value without running anything again (a random draw or an ``assign_add`` is
seen once). Each call compiles a plan for just the ops not yet run, stopping at the known
values; `Session.run` is not involved and pays nothing for this.
"""

from __future__ import annotations

import itertools
import threading
from typing import Any, Optional

from flowgraph import errors
from flowgraph.graph import Operation, Tensor
from flowgraph.runtime.fetches import FetchMapper, fetched
from flowgraph.runtime.options import PlanOptions
from flowgraph.runtime.plan import Plan, _creation_order_is_valid, _topological_order

_counter = itertools.count()  # handle ids, unique within the process (as TF's step ids)


class PartialRun:
    """The state of one partial-run handle."""

    def __init__(self, fetches: list, targets: list, feeds: list) -> None:
        self.fetches = set(fetches)
        self.targets = list(targets)
        self.feeds = set(feeds)
        self.known: dict = {}          # Tensor -> value (fed or computed)
        self.fed: set = set()
        self.fetched: set = set()
        self.executed: set = set()     # Operations already run for this handle
        self.lock = threading.Lock()

    @property
    def done(self) -> bool:
        return self.fetched >= self.fetches and all(t in self.executed for t in self.targets)


def setup(session: Any, fetches: Any, feeds: Any = None) -> str:
    """Declares what a partial run will fetch and feed; returns its handle (a string)."""
    if session._closed:
        raise RuntimeError("Attempted to use a closed Session.")
    mapper = FetchMapper(session.graph, fetches)
    fetch_tensors = [e for e in mapper.elements if isinstance(e, Tensor)]
    targets = [e for e in mapper.elements if isinstance(e, Operation)]
    if feeds is None:
        feeds = []
    elif not isinstance(feeds, (list, tuple)):
        feeds = [feeds]
    feed_tensors = []
    for feed in feeds:
        if isinstance(feed, Operation):
            raise TypeError(f"Cannot interpret feed_list key as Tensor: Can not convert an "
                            f"Operation ({feed.name!r}) into a Tensor; feed its output "
                            f"{feed.name}:0 instead.")
        feed_tensors.extend(tensor for tensor, _ in session._feed_pairs(feed, None))
    handle = (",".join(t.name for t in feed_tensors) + "->"
              + ",".join(e.name for e in mapper.elements) + f"//{next(_counter)}/")
    state = PartialRun(fetch_tensors, targets, feed_tensors)
    with state.lock:
        # As TF1, whatever needs no feed runs at once (an assign_add in the fetches counts).
        _compute(session, state, ())
    with session._plan_lock:
        session._partial_runs[handle] = state
    return handle


def run(session: Any, handle: Any, fetches: Any, feed_dict: Optional[dict] = None) -> Any:
    """Feeds `feed_dict` to partial run `handle` and returns `fetches` (see the module)."""
    if handle is None:  # as TF1: no handle is an ordinary run
        return session.run(fetches, feed_dict)
    if session._closed:
        raise RuntimeError("Attempted to use a closed Session.")
    state = session._partial_runs.get(handle)
    if state is None:
        raise errors.InvalidArgumentError(None, None,
                                          "Must run 'setup' before performing partial runs!")
    mapper = FetchMapper(session.graph, fetches)
    if any(isinstance(e, Operation) for e in mapper.elements):
        raise RuntimeError("partial_run() requires empty target_list.")
    feed_tensors, feed_values = session._prepare_feeds(feed_dict) if feed_dict else ((), ())
    with state.lock:
        _check(state, feed_tensors, mapper.elements)
        for tensor, value in zip(feed_tensors, feed_values):
            state.known[tensor] = value
            state.fed.add(tensor)
        _compute(session, state, mapper.elements)
        results = []
        for tensor in mapper.elements:
            state.fetched.add(tensor)
            results.append(fetched(state.known[tensor]))
        if state.done:
            session._partial_runs.pop(handle, None)
    return mapper.build(results)


def _check(state: PartialRun, feed_tensors: tuple, fetch_tensors: list) -> None:
    for tensor in feed_tensors:
        if tensor not in state.feeds:
            raise errors.InvalidArgumentError(
                None, tensor.op, f"The feed {tensor.name} was not specified in "
                "partial_run_setup.")
        if tensor in state.fed:
            raise errors.InvalidArgumentError(
                None, tensor.op, f"The feed {tensor.name} has already been fed.")
    for tensor in fetch_tensors:
        if tensor not in state.fetches:
            raise errors.InvalidArgumentError(
                None, tensor.op, f"The fetch {tensor.name} was not specified in "
                "partial_run_setup.")
        if tensor in state.fetched:
            raise errors.InvalidArgumentError(
                None, tensor.op, f"The fetch {tensor.name} has already been fetched.")


def _compute(session: Any, state: PartialRun, fetch_tensors: Any) -> None:
    """Runs every op of the handle's fetches and targets that can run with the values
    known so far and has not run yet (as TF1's executor, which runs each node as soon as
    its inputs are there), keeping every value they produce. InvalidArgumentError if one
    of `fetch_tensors` still waits for a feed."""
    roots = [t.op for t in state.fetches if t not in state.known]
    roots += [op for op in state.targets if op not in state.executed]
    region: set = set()
    _collect(roots, state, region)
    known = set(state.known)
    ordered = sorted(region, key=lambda o: o._id)
    if not _creation_order_is_valid(ordered, region, known):
        ordered = _topological_order(region, known)
    blocked = _blocked(ordered, state)
    for tensor in fetch_tensors:
        waiting = blocked.get(tensor.op) if tensor not in state.known else None
        if waiting is not None:
            raise _waiting_error(waiting, state)
    ordered = [op for op in ordered if op not in blocked]
    if not ordered:
        return
    outputs = [t for op in ordered if not getattr(op.op_def, "is_variable", False)
               for t in op.outputs]
    feeds = list({t: None for op in ordered for i, t in enumerate(op.inputs)
                  if t in state.known and i not in op.op_def.ref_inputs})
    targets = [op for op in ordered if not op.outputs]
    plan = Plan(outputs, targets, feeds, session.state, PlanOptions.reference(), ops=ordered)
    values = plan.template.copy()
    for slot, tensor in zip(plan.feed_slots, feeds):
        values[slot] = state.known[tensor]
    session._execute(plan, values, None, None)
    for tensor, value in zip(outputs, plan.read_fetches(values)):
        state.known[tensor] = value
    state.executed.update(ordered)


def _collect(roots: list, state: PartialRun, region: set) -> None:
    """Adds to `region` the ops `roots` need that the handle has not run, stopping at
    known values and at declared feeds (fed or not)."""
    stack = list(roots)
    while stack:
        op = stack.pop()
        if op in region or op in state.executed or (
                op.outputs and all(t in state.known for t in op.outputs)):
            continue
        region.add(op)
        refs = op.op_def.ref_inputs
        stack.extend(t.op for i, t in enumerate(op.inputs)
                     if i not in refs and t not in state.known and t not in state.feeds)
        stack.extend(op.control_inputs)


def _blocked(ordered: list, state: PartialRun) -> dict:
    """{op: the unfed tensor it waits for} for the ops of `ordered` that cannot run yet."""
    blocked: dict = {}
    for op in ordered:
        if getattr(op.op_def, "requires_feed", False):
            blocked[op] = op.outputs[0]
            continue
        refs = op.op_def.ref_inputs
        for i, t in enumerate(op.inputs):
            if i in refs or t in state.known:
                continue
            waiting = t if t in state.feeds else blocked.get(t.op)
            if waiting is not None:
                blocked[op] = waiting
                break
        else:
            for c in op.control_inputs:
                if c in blocked:
                    blocked[op] = blocked[c]
                    break
    return blocked


def _waiting_error(waiting: Tensor, state: PartialRun) -> errors.OpError:
    if waiting in state.feeds:
        return errors.InvalidArgumentError(
            None, waiting.op, f"Fetch {waiting.name} can't be computed from the feeds that "
            "have been fed so far.")
    return errors.InvalidArgumentError(
        None, waiting.op, f"You must feed a value for placeholder tensor '{waiting.op.name}' "
        f"with dtype {waiting.dtype.name} and shape {waiting.shape}: the fetch depends on it, "
        "and it is not among the feeds of partial_run_setup. Add it to the setup's feeds.")
