"""Session and InteractiveSession: run parts of a graph, holding Variable values."""

from __future__ import annotations

import threading
import time
from typing import Any, Optional

import numpy as np

from flowgraph import errors
from flowgraph.graph import (
    Graph,
    Operation,
    Tensor,
    get_default_graph,
    pop_default_session,
    push_default_session,
    session_as_default,
)
from flowgraph.runtime.allocator import tune_allocator
from flowgraph.runtime.blas_spin import tune_blas_spin
from flowgraph.runtime.config import (
    ConfigProto,
    DeviceStepStats,
    NodeExecStats,
    RunMetadata,
    RunOptions,
)
from flowgraph.runtime.executor import run_quietly
from flowgraph.runtime.fetches import FetchMapper, fetched
from flowgraph.runtime.options import PlanOptions
from flowgraph.runtime.plan import Plan
from flowgraph.runtime.state import SessionState
from flowgraph.runtime.threads import set_intra_op_threads

_CPU_DEVICE = "/job:localhost/replica:0/task:0/device:CPU:0"


class Session:
    """Runs operations of a graph and holds the values of its Variables.

    >>> with fg.Session() as sess:
    ...     sess.run(fg.global_variables_initializer())
    ...     sess.run(y, feed_dict={x: batch})
    """

    def __init__(self, target: Any = "", graph: Optional[Graph] = None,
                 config: Optional[ConfigProto] = None) -> None:
        self._graph = graph if graph is not None else get_default_graph()
        if not isinstance(self._graph, Graph):
            raise TypeError(f"graph must be a fg.Graph, got {type(self._graph).__name__}")
        self._config = config if config is not None else ConfigProto()
        if not isinstance(self._config, ConfigProto):
            raise TypeError(f"config must be a fg.ConfigProto, got {type(config).__name__}")
        # tf.config's process-wide settings fill the fields the ConfigProto leaves unset.
        from flowgraph.runtime.process_defaults import apply_to
        self._config = apply_to(self._config)
        self._target = target
        on_dask = False  # [dask] a Dask cluster runs the plans: flowgraph.runtime.distributed
        if target not in ("", None) and not str(target).startswith("grpc://localhost"):
            from flowgraph.runtime.distributed import is_dask_target
            on_dask = is_dask_target(target)
            if not on_dask:
                raise errors.UnimplementedError(
                    None, None, f"Session target {target!r}: only local execution (target='') "
                    "or a Dask cluster (target='tcp://scheduler:8786' or a distributed.Client) "
                    "is available.")
        self._state = SessionState()
        self._plan_options = PlanOptions.from_config(self._config)
        self._state.plan_options = self._plan_options
        # Blocking kernels (accumulators) wait at most this long, as TF1.
        self._state.operation_timeout_in_ms = self._config.operation_timeout_in_ms
        self._plans: dict = {}
        self._feed_specs: dict = {}
        self._plan_lock = threading.Lock()
        self._partial_runs: dict = {}  # partial_run handle -> its PartialRun state
        self._closed = False
        self._context = None
        self._executor = self._make_executor() if not on_dask else \
            _dask_executor(target, self._config)  # [dask]
        set_intra_op_threads(self._config.intra_op_parallelism_threads)
        tune_allocator()  # once per process: kernels' temporaries without page faults
        tune_blas_spin()  # once per process: idle BLAS threads hand the cores back

    def _make_executor(self) -> Any:
        threads = self._config.inter_op_threads()
        if threads <= 1 or self._config.experimental.executor_type in (
                "SINGLE_THREADED_EXECUTOR", "REFERENCE"):
            return None
        from flowgraph.runtime.parallel import ParallelExecutor
        intra = self._config.intra_op_parallelism_threads
        # intra 0 (auto): the executor runs independent BLAS ops side by side with BLAS
        # limited to cores / threads for the run; intra 1: BLAS ops may overlap freely.
        return ParallelExecutor(threads, blas_uses_all_cores=intra != 1, blas_auto=intra == 0)

    # -- properties
    @property
    def graph(self) -> Graph:
        return self._graph

    @property
    def sess_str(self) -> bytes:
        """The target, as TF1 keeps it: bytes (b"" for an in-process Session)."""
        target = self._target or ""
        return target if isinstance(target, bytes) else str(target).encode()

    @property
    def graph_def(self) -> Any:
        """The GraphDef of this Session's graph (TF1's `Session.graph_def`)."""
        return self._graph.as_graph_def()

    @staticmethod
    def reset(target: Any, containers: Any = None, config: Any = None) -> None:
        """TF1's `Session.reset`: clears resource containers on a distributed target. An
        in-process flowgraph Session keeps its state per Session, so there is nothing to
        clear; a closed Session's state is already gone."""
        del target, containers, config

    @property
    def config(self) -> ConfigProto:
        return self._config

    @property
    def state(self) -> SessionState:
        """This Session's Variable values and random generators."""
        return self._state

    # -- lifetime
    def close(self) -> None:
        """Frees the Session's Variable values and threads; later runs raise RuntimeError."""
        if self._closed:
            return
        self._closed = True
        self._plans.clear()
        self._partial_runs.clear()
        self._state.variables.clear()
        self._state.close_resources()
        self._state.pool.clear()
        if self._executor is not None:
            self._executor.shutdown()

    def __enter__(self) -> "Session":
        self._context = session_as_default(self)
        self._context.__enter__()
        return self

    def __exit__(self, *exc_info: Any) -> None:
        context, self._context = self._context, None
        if context is not None:
            context.__exit__(*exc_info)
        self.close()

    def as_default(self):
        """A context manager making this the default session (and its graph the default)."""
        return session_as_default(self)

    def list_devices(self) -> list:
        return [_DeviceAttributes(_CPU_DEVICE, "CPU", 0)]

    # -- running
    def run(self, fetches: Any, feed_dict: Optional[dict] = None,
            options: Optional[RunOptions] = None, run_metadata: Optional[RunMetadata] = None
            ) -> Any:
        """Runs what `fetches` need and returns their values in the same structure.

        Fetches: Tensors (-> numpy values), Operations (-> None), names, or nested lists,
        tuples, dicts and namedtuples of them. `feed_dict` maps Tensors or names to values
        that replace those tensors in this run.
        """
        if self._closed:
            raise RuntimeError("Attempted to use a closed Session.")
        if isinstance(fetches, Tensor):  # the common case, without building a mapper
            mapper = None
            elements = (fetches,)
            if fetches.op._graph is not self._graph or self._graph._unfetchable_ops:
                FetchMapper(self._graph, fetches)  # raises the wrong-graph/unfetchable error
        else:
            mapper = FetchMapper(self._graph, fetches)
            elements = mapper.elements
        feed_tensors, feed_values = self._prepare_feeds(feed_dict) if feed_dict else ((), ())
        plan = self._plan_for(elements, feed_tensors)
        values = plan.template.copy()
        for slot, value in zip(plan.feed_slots, feed_values):
            values[slot] = value
        self._execute(plan, values, options, run_metadata)
        results = [fetched(v) for v in plan.read_fetches(values)]
        if getattr(self._graph, "_session_handle_ops", False):  # fg.get_session_handle
            from flowgraph.ops.session_handle_ops import wrap_fetches
            results = wrap_fetches(self, elements, results)
        if mapper is None:
            return results[0]
        by_element = []
        it = iter(results)
        for element in elements:
            by_element.append(None if isinstance(element, Operation) else next(it))
        return mapper.build(by_element)

    def _execute(self, plan: Plan, values: list, options: Optional[RunOptions],
                 run_metadata: Optional[RunMetadata]) -> None:
        parallel = self._executor
        if options is None and not self._config.operation_timeout_in_ms and (
                parallel is None or not parallel.worthwhile(plan)):
            run_quietly(plan.execute, values)  # the common case, with nothing to watch
            return
        timeout = (options.timeout_in_ms if options is not None else 0) or \
            self._config.operation_timeout_in_ms
        deadline = time.monotonic() + timeout / 1000.0 if timeout else None
        trace = [] if (options is not None and options.trace_level >= RunOptions.FULL_TRACE
                       and run_metadata is not None) else None
        # As TF1, invalid values (log(0), 1/0) give inf/nan silently, without numpy warnings.
        if parallel is not None and parallel.worthwhile(plan):
            run_quietly(parallel.run, plan, values, deadline, trace)
        else:
            run_quietly(plan.execute, values, deadline, trace)
        if trace is not None:
            _record_trace(run_metadata, trace)

    def _plan_for(self, elements: Any, feed_tensors: tuple) -> Plan:
        key = (tuple(elements), feed_tensors, self._graph._control_edits)
        plan = self._plans.get(key)
        if plan is None:
            with self._plan_lock, self._graph.building_lock:
                plan = self._plans.get(key)
                if plan is None:
                    fetch_tensors = [e for e in elements if isinstance(e, Tensor)]
                    targets = [e for e in elements if isinstance(e, Operation)]
                    plan = Plan(fetch_tensors, targets, list(feed_tensors), self._state,
                                self._plan_options)
                    if self._config.log_device_placement:
                        _log_placement(plan)
                    self._plans[key] = plan
        return plan

    def _prepare_feeds(self, feed_dict: dict) -> tuple:
        if not isinstance(feed_dict, dict):
            raise TypeError(f"feed_dict must be a dict, got {type(feed_dict).__name__}")
        tensors = []
        values = []
        for key, value in _flatten_dict_items(feed_dict):
            for tensor, sub_value in self._feed_pairs(key, value):
                tensors.append(tensor)
                values.append(self._check_feed(tensor, sub_value))
        return tuple(tensors), values

    def _feed_pairs(self, key: Any, value: Any) -> list:
        if isinstance(key, Tensor):
            if key.op._graph is not self._graph:
                raise errors.InvalidFeedError(None, None, f"Cannot feed {key.name}: it belongs "
                                              "to another graph than the Session's.")
            if self._graph._unfeedable_tensors:
                _check_feedable(self._graph, key)
            return [(key, value)]
        if isinstance(key, str):
            try:
                element = self._graph.as_graph_element(key, allow_operation=False) \
                    if ":" in key else self._graph.get_operation_by_name(key).outputs[0]
            except (KeyError, ValueError, IndexError) as exc:
                raise errors.InvalidFeedError(None, None, f"Cannot interpret feed_dict key "
                                              f"{key!r} as a Tensor: {exc}") from None
            if self._graph._unfeedable_tensors:
                _check_feedable(self._graph, element)
            return [(element, value)]
        custom = getattr(key, "__fg_feed__", None)
        if custom is not None:
            pairs = []
            for tensor, sub_value in custom(value):
                pairs.extend(self._feed_pairs(tensor, sub_value))
            return pairs
        to_tensor = getattr(key, "__fg_tensor__", None)
        if to_tensor is not None:
            return self._feed_pairs(to_tensor(), value)
        raise TypeError(f"Cannot interpret feed_dict key {key!r} as a Tensor: keys must be "
                        "Tensors or tensor names.")

    def _check_feed(self, tensor: Tensor, value: Any) -> Any:
        spec = self._feed_specs.get(tensor)
        if spec is None or spec[3] is not tensor.shape:  # (set_shape may have refined it)
            spec = self._feed_specs[tensor] = (tensor.dtype.np, tensor.shape.as_tuple(),
                                               tensor.dtype, tensor.shape)
        np_dtype, dims, dtype, _ = spec
        if not (isinstance(value, np.ndarray) and value.dtype == np_dtype):
            value = _convert_feed(tensor, value, dtype)
        if dims is not None:
            shape = value.shape
            if len(shape) != len(dims) or any(d is not None and d != s
                                               for d, s in zip(dims, shape)):
                raise errors.InvalidFeedError(
                    None, tensor.op, f"Cannot feed value of shape {shape} for Tensor "
                    f"{tensor.name!r}, which has shape {tensor.shape}"
                    + _created_at(tensor))
        return value

    def partial_run_setup(self, fetches: Any, feeds: Any = None) -> str:
        """Declares the fetches and feeds of a partial run; returns its handle.

        >>> h = sess.partial_run_setup([r1, r2], [a, b, c])
        >>> sess.partial_run(h, r1, feed_dict={a: 1, b: 2})
        >>> sess.partial_run(h, r2, feed_dict={c: 3})  # r1 is not computed again
        """
        from flowgraph.runtime import partial_run
        return partial_run.setup(self, fetches, feeds)

    def partial_run(self, handle: Any, fetches: Any, feed_dict: Optional[dict] = None) -> Any:
        """Feeds more values to partial run `handle` and fetches more of its results; each
        op runs at most once per handle. InvalidArgumentError for feeds or fetches not
        declared in `partial_run_setup`, fed or fetched twice, or not computable yet."""
        from flowgraph.runtime import partial_run
        return partial_run.run(self, handle, fetches, feed_dict)

    def make_callable(self, fetches: Any, feed_list: Any = None, accept_options: bool = False):
        """A function running `fetches` with positional feeds for `feed_list`, as TF1's.

        The fetch structure and the feeds are resolved once; each call only checks its
        feed values, runs the cached plan and packs the results.
        """
        feed_list = list(feed_list or [])
        try:
            pairs = [self._feed_pairs(key, None) for key in feed_list]
        except Exception:  # composite feeds (e.g. SparseTensor) resolve with their values
            pairs = None
        if pairs is None or any(len(p) != 1 or not isinstance(key, (Tensor, str))
                                for p, key in zip(pairs, feed_list)):
            def general(*args: Any, **kwargs: Any) -> Any:
                if len(args) != len(feed_list):
                    raise ValueError(f"The callable takes {len(feed_list)} feed values, got "
                                     f"{len(args)}")
                return self.run(fetches, dict(zip(feed_list, args)), **kwargs)
            return general
        tensors = tuple(p[0][0] for p in pairs)
        single = isinstance(fetches, Tensor)
        mapper = None if single else FetchMapper(self._graph, fetches)
        elements = (fetches,) if single else tuple(mapper.elements)
        if single:
            FetchMapper(self._graph, fetches)  # (raises for a tensor of another graph)
        check = self._check_feed

        def call(*args: Any, **kwargs: Any) -> Any:
            if len(args) != len(tensors):
                raise ValueError(f"The callable takes {len(tensors)} feed values, got "
                                 f"{len(args)}")
            if kwargs or self._closed:
                return self.run(fetches, dict(zip(tensors, args)), **kwargs)
            plan = self._plan_for(elements, tensors)
            values = plan.template.copy()
            for slot, tensor, value in zip(plan.feed_slots, tensors, args):
                values[slot] = check(tensor, value)
            self._execute(plan, values, None, None)
            results = [fetched(v) for v in plan.read_fetches(values)]
            if single:
                return results[0]
            it = iter(results)
            return mapper.build([None if isinstance(e, Operation) else next(it)
                                 for e in elements])

        return call


class InteractiveSession(Session):
    """A Session that installs itself as the default session (and its graph as the default
    graph) until closed, so that `t.eval()` and `op.run()` work at a prompt."""

    def __init__(self, target: Any = "", graph: Optional[Graph] = None,
                 config: Optional[ConfigProto] = None) -> None:
        super().__init__(target, graph, config)
        push_default_session(self)
        from flowgraph.graph import _graph_stack
        _graph_stack.set(_graph_stack.get() + (self._graph,))

    def close(self) -> None:
        if not self._closed:
            pop_default_session(self)
            from flowgraph.graph import _graph_stack
            stack = _graph_stack.get()
            if self._graph in stack:
                index = len(stack) - 1 - stack[::-1].index(self._graph)
                _graph_stack.set(stack[:index] + stack[index + 1:])
        super().close()


class _DeviceAttributes:
    def __init__(self, name: str, device_type: str, memory_limit_bytes: int) -> None:
        self.name = name
        self.device_type = device_type
        self.memory_limit_bytes = memory_limit_bytes
        self.incarnation = 0

    def __repr__(self) -> str:
        return f"_DeviceAttributes({self.name}, {self.device_type}, {self.memory_limit_bytes})"


def _check_feedable(graph: Graph, tensor: Tensor) -> None:
    if graph._unfeedable_tensors and not graph.is_feedable(tensor):
        # TF's class and wording (ValueError), plus the likely fix.
        raise ValueError(f"Tensor {tensor.name} may not be fed. It was marked by "
                         "Graph.prevent_feeding; feed the tensors it is computed from "
                         "instead.")


def _flatten_dict_items(feed_dict: dict) -> list:
    """As TF1's nest.flatten_dict_items: a tuple (or list) key maps its tensors to the
    matching items of its value, ``{(x, y): (1.0, 2.0)}``."""
    items = []
    for key, value in feed_dict.items():
        if isinstance(key, (tuple, list)) and not hasattr(key, "_fields"):
            if not isinstance(value, (tuple, list)) or len(value) != len(key):
                raise ValueError(f"Could not flatten dictionary: key {key!r} is a sequence "
                                 f"but its value {_short(value)} is not a sequence of the "
                                 "same length")
            items.extend(_flatten_dict_items(dict(zip(key, value))))
        else:
            items.append((key, value))
    return items


def _dask_executor(target: Any, config: ConfigProto) -> Any:  # [dask]
    from flowgraph.runtime.distributed import DaskExecutor
    return DaskExecutor(target, connect_timeout_s=config.operation_timeout_in_ms / 1000 or 30)


def _convert_feed(tensor: Tensor, value: Any, dtype: Any) -> np.ndarray:
    from flowgraph.ops.constant import _to_bytes_array
    if isinstance(value, Tensor) or hasattr(value, "__fg_tensor__"):
        # TypeError, as TF1 (not a shape or value problem of the feed).
        raise TypeError(f"The value of a feed cannot be a fg.Tensor object (feeding "
                        f"{tensor.name!r}). Acceptable feed values include Python scalars, "
                        "strings, lists, numpy ndarrays; to feed a computed value, "
                        "sess.run() it first.")
    try:
        if dtype.is_string:
            return _to_bytes_array(value)
        return np.asarray(value, dtype=dtype.np)
    except (TypeError, ValueError) as exc:
        raise errors.InvalidFeedError(None, tensor.op, f"Cannot feed value {_short(value)} to "
                                      f"Tensor {tensor.name!r} of dtype {dtype.name}: {exc}"
                                      + _created_at(tensor)) from None


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) < 60 else text[:57] + "..."


def _created_at(tensor: Tensor) -> str:
    site = tensor.op.creation_site
    return f" (created at {site.short()})" if site is not None else ""


def _record_trace(run_metadata: RunMetadata, trace: list) -> None:
    if not trace:
        return
    origin = min(start for _, start, _ in trace)
    base_us = int(time.time() * 1e6 - (time.perf_counter() - origin) * 1e6)
    stats = []
    for step, start, end in trace:
        begin = base_us + int((start - origin) * 1e6)
        duration = max(int((end - start) * 1e6), 0)
        stats.append(NodeExecStats(step.op.name, begin, 0, duration, duration,
                                   _timeline_label(step.op)))
    run_metadata.step_stats.dev_stats.append(DeviceStepStats(_CPU_DEVICE, stats))


def _timeline_label(op: Operation) -> str:
    """TF1's label ``"name = Type(in, in:1, ^ctrl)"``: timelines draw dataflow from it."""
    inputs = [t.op.name if t.value_index == 0 else f"{t.op.name}:{t.value_index}"
              for t in op.inputs]
    inputs += [f"^{c.name}" for c in op.control_inputs]
    return f"{op.name} = {op.type}({', '.join(inputs)})"


def _log_placement(plan: Plan) -> None:
    import sys
    for step in plan.steps:
        device = step.op.device or _CPU_DEVICE
        print(f"{step.op.name}: ({step.op.type}): {device}", file=sys.stderr)
