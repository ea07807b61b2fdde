"""The graph core: Graph, Operation, Tensor, name scopes, collections, the default graph.

A Graph is a list of Operations in creation order; each Operation runs one registered
op definition (`flowgraph.ops.registry.Op`) on input Tensors and produces output Tensors.
The default graph lives on a context-variable stack (`Graph.as_default`).
"""

from __future__ import annotations

import contextlib
import dataclasses
import re
import threading
from typing import Any, Callable, Iterator, Optional, Sequence

from flowgraph.context import (  # noqa: F401
    _base_graph,
    _graph_stack,
    get_default_session,
    pop_default_session,
    push_default_session,
    session_as_default,
)
from flowgraph.devices import merge_device
from flowgraph.node import (  # noqa: F401
    _NOT_COMPUTED,
    CreationSite,
    Operation,
    Tensor,
    _as_operation,
    user_creation_site,
)

_NAME_RE = re.compile(r"^[A-Za-z0-9.][A-Za-z0-9_.\-/>]*$")
# Scopes nested in another scope may also start with '_' (as TF1's scope name check).
_NESTED_SCOPE_RE = re.compile(r"^[A-Za-z0-9_.\-/>]*$")


# --------------------------------------------------------------------------- GraphKeys
class GraphKeys:
    """Standard collection names, as TF1's `tf.GraphKeys`."""

    GLOBAL_VARIABLES = "variables"
    VARIABLES = "variables"
    LOCAL_VARIABLES = "local_variables"
    METRIC_VARIABLES = "metric_variables"
    MODEL_VARIABLES = "model_variables"
    TRAINABLE_VARIABLES = "trainable_variables"
    SUMMARIES = "summaries"
    QUEUE_RUNNERS = "queue_runners"
    TABLE_INITIALIZERS = "table_initializer"
    ASSET_FILEPATHS = "asset_filepaths"
    MOVING_AVERAGE_VARIABLES = "moving_average_variables"
    REGULARIZATION_LOSSES = "regularization_losses"
    CONCATENATED_VARIABLES = "concatenated_variables"
    SAVERS = "savers"
    WEIGHTS = "weights"
    BIASES = "biases"
    ACTIVATIONS = "activations"
    UPDATE_OPS = "update_ops"
    LOSSES = "losses"
    SAVEABLE_OBJECTS = "saveable_objects"
    RESOURCES = "resources"
    LOCAL_RESOURCES = "local_resources"
    TRAINABLE_RESOURCE_VARIABLES = "trainable_resource_variables"
    INIT_OP = "init_op"
    LOCAL_INIT_OP = "local_init_op"
    READY_OP = "ready_op"
    READY_FOR_LOCAL_INIT_OP = "ready_for_local_init_op"
    SUMMARY_OP = "summary_op"
    GLOBAL_STEP = "global_step"
    EVAL_STEP = "eval_step"
    TRAIN_OP = "train_op"
    COND_CONTEXT = "cond_context"
    WHILE_CONTEXT = "while_context"


# --------------------------------------------------------------------------- Graph
class Graph:
    """A dataflow graph: Operations in creation order, name scopes and collections.

    Build into it with ``with graph.as_default():``; run it with a Session.
    """

    # The graphs enclosing this one, innermost first: empty for an ordinary graph; a cond
    # branch's or loop body's FuncGraph (flowgraph.control_flow) lists the graphs it was
    # built inside, whose tensors it captures (see `_capture`).
    outer_graphs: tuple = ()

    def __init__(self) -> None:
        self._ops: list = []
        self._ops_by_name: dict = {}
        self._names_in_use: dict = {}
        # Scope stacks are per thread, as TF1's: threads building into one graph do not
        # see each other's name scopes, control dependencies or devices.
        self._local = threading.local()
        self._collections: dict = {}
        self._finalized = False
        self._seed: Optional[int] = None
        self._version = 0
        self._control_edits = 0
        self._state: dict = {}
        self._lock = threading.RLock()
        self._shapes: dict = {}
        self._unfetchable_ops: set = set()
        self._unfeedable_tensors: set = set()

    @property
    def _name_stack(self) -> str:
        return getattr(self._local, "name_stack", "")

    @_name_stack.setter
    def _name_stack(self, value: str) -> None:
        self._local.name_stack = value

    @property
    def _control_stack(self) -> list:
        return getattr(self._local, "control_stack", [])

    @_control_stack.setter
    def _control_stack(self, value: list) -> None:
        self._local.control_stack = value

    @property
    def _device_stack(self) -> list:
        stack = getattr(self._local, "device_stack", None)
        if stack is None:
            stack = self._local.device_stack = []
        return stack

    # -- identity and state
    @property
    def version(self) -> int:
        """Grows whenever the graph changes (new nodes, new control edges)."""
        return self._version

    @property
    def graph_def_versions(self) -> Any:
        """The VersionDef its GraphDefs carry (TF1's `Graph.graph_def_versions`)."""
        from flowgraph.io.graph_def import VersionDef
        return VersionDef()

    @property
    def seed(self) -> Optional[int]:
        """The graph-level random seed (`fg.set_random_seed`)."""
        return self._seed

    @seed.setter
    def seed(self, value: Optional[int]) -> None:
        self._seed = None if value is None else int(value)

    @property
    def finalized(self) -> bool:
        return self._finalized

    def finalize(self) -> None:
        """Makes the graph read-only: adding a node afterwards raises RuntimeError."""
        self._finalized = True

    def _unsafe_unfinalize(self) -> None:
        self._finalized = False

    @property
    def building_lock(self) -> threading.RLock:
        """Held while a node is added; Sessions hold it while they compile a plan."""
        return self._lock

    def get_state(self, key: str, factory: Callable[[], Any]) -> Any:
        """Per-graph state owned by a higher layer (variable scopes, ...), made on first use."""
        with self._lock:
            value = self._state.get(key)
            if value is None:
                value = self._state[key] = factory()
            return value

    @contextlib.contextmanager
    def as_default(self) -> Iterator["Graph"]:
        """Makes this graph the default graph inside the ``with`` block."""
        token = _graph_stack.set(_graph_stack.get() + (self,))
        try:
            yield self
        finally:
            _graph_stack.reset(token)

    # -- names
    def get_name_scope(self) -> str:
        return self._name_stack

    def unique_name(self, name: str, mark_as_used: bool = True) -> str:
        """Scoped name made unique as TF1 does (case-insensitively: `loss` after `Loss` is
        `loss_1`)."""
        if self._name_stack:
            name = f"{self._name_stack}/{name}"
        key = name.lower()
        count = self._names_in_use.get(key, 0)
        if mark_as_used:
            self._names_in_use[key] = count + 1
        if count > 0:
            base_key = key
            while key in self._names_in_use:
                key = f"{base_key}_{count}"
                count += 1
            if mark_as_used:
                self._names_in_use[key] = 1
            name = f"{name}_{count - 1}"
        return name

    @contextlib.contextmanager
    def name_scope(self, name: Optional[str]) -> Iterator[str]:
        """Opens a name scope; yields its full name ending in '/' (or '' at the top).

        A name ending in '/' re-enters that exact scope; None or '' resets to the top.
        """
        old = self._name_stack
        if not name:
            new = ""
        elif name.endswith("/"):
            new = name[:-1]
        else:
            if not (_NESTED_SCOPE_RE if old else _NAME_RE).match(name):
                raise ValueError(f"{name!r} is not a valid scope name: use letters, digits, "
                                 "'.', '_', '-' and '/'")
            new = self.unique_name(name)
        self._name_stack = new
        try:
            yield f"{new}/" if new else ""
        finally:
            self._name_stack = old

    # -- control dependencies and devices
    @contextlib.contextmanager
    def control_dependencies(self, control_inputs: Optional[Sequence[Any]]) -> Iterator[None]:
        """Ops created inside run after `control_inputs`; None clears outer dependencies."""
        old = self._control_stack
        if control_inputs is None:
            self._control_stack = []
        else:
            ops = []
            for item in control_inputs:
                if callable(getattr(item, "__fg_control__", None)):
                    item = item.__fg_control__()
                op = _as_operation(item)
                if op._graph is not self:
                    raise ValueError(f"Control dependency {op.name} is from another graph")
                ops.append(op)
            self._control_stack = old + [ops]
        try:
            yield
        finally:
            self._control_stack = old

    def gradient_override_map(self, op_type_map: dict) -> Any:
        """A context in which ops of the types in `op_type_map` take the gradient function
        registered (`fg.RegisterGradient`) under the mapped name, as TF1's."""
        from flowgraph.gradient_registry import gradient_override_map
        return gradient_override_map(self, op_type_map)

    def _current_control_inputs(self, inputs: Sequence[Tensor]) -> list:
        if not self._control_stack:
            return []
        input_ops = {t.op for t in inputs}
        result = []
        for frame in self._control_stack:
            for op in frame:
                if op not in input_ops and op not in result:
                    result.append(op)
        return result

    @contextlib.contextmanager
    def device(self, device_name_or_function: Any) -> Iterator[None]:
        """Places ops created inside on `device_name_or_function` ("/cpu:0",
        "/job:worker/task:1", or a function of the op; TF1's argument name)."""
        self._device_stack.append(device_name_or_function)
        try:
            yield
        finally:
            self._device_stack.pop()

    def _current_device(self, op: Optional[Operation] = None) -> str:
        stack = self._device_stack
        if op is None or not any(callable(spec) for spec in stack):
            device = ""
            for spec in stack:
                if not callable(spec):
                    device = "" if spec is None else merge_device(device, str(spec))
            return device
        # As TF1's _apply_device_functions: innermost first, so a device set by an inner
        # scope wins over an outer string; a function sees the op (its type, inputs and the
        # device chosen so far) and its answer replaces that device.
        device = ""
        for spec in reversed(stack):
            if spec is None:
                break
            if callable(spec):
                op._device = device
                device = _device_string(spec(op))
            else:
                device = merge_device(str(spec), device)
        return device

    @contextlib.contextmanager
    def colocate_with(self, op: Any, ignore_existing: bool = False) -> Iterator[None]:
        """Places ops created inside on the device of `op` and records the colocation
        (`Operation.colocation_groups()`: the groups of `op`, as TF1)."""
        target = None if op is None else _as_operation(op)
        stack = getattr(self._local, "colocation_stack", None)
        if stack is None:
            stack = self._local.colocation_stack = []
        groups = () if target is None else tuple(
            group.decode()[len("loc:@"):] for group in target.colocation_groups())
        if not ignore_existing and stack:
            groups = tuple(sorted(set(stack[-1] + groups)))
        stack.append(groups)
        try:
            # As TF1: outer device scopes and functions do not apply inside; the op's device
            # does.
            with self.device(None), self.device(target.device if target is not None else None):
                yield
        finally:
            stack.pop()

    @contextlib.contextmanager
    def container(self, container_name: str) -> Iterator[str]:
        """TF1's ``Graph.container``: stateful ops made inside (variables, queues, ...) whose
        ``container`` attribute is empty get `container_name`; ``""`` resets to the default."""
        if not isinstance(container_name, str):
            raise TypeError(f"container_name must be a string, got {container_name!r}")
        previous = getattr(self._local, "container", "")
        self._local.container = container_name
        try:
            yield container_name
        finally:
            self._local.container = previous

    # -- building
    def create_op(self, op_def: Any, inputs: Sequence[Tensor], name: Optional[str] = None,
                  control_inputs: Sequence[Operation] = ()) -> Operation:
        """Adds one node running `op_def` on `inputs`; infers its outputs' dtypes and shapes."""
        if self._finalized:
            raise RuntimeError("Graph is finalized and cannot be modified (an op "
                               f"{name or op_def.type_name!r} was being added).")
        for t in inputs:
            if t._op._graph is not self:
                inputs = [t if t.graph is self else self._capture(t, name or op_def.type_name)
                          for t in inputs]
                break
        with self._lock:
            if name and name.endswith("/"):
                # A scope name (from `with name_scope(...) as scope`) is used as it is.
                name = name[:-1]
                if name in self._ops_by_name:
                    raise ValueError(f"An op named {name!r} already exists in the graph.")
            else:
                name = self.unique_name(name or op_def.default_name())
            if not _NAME_RE.match(name):
                raise ValueError(f"{name!r} is not a valid node name: use letters, digits, "
                                 "'.', '_', '-' and '/' (not starting with '_', '-' or '/').")
            site = user_creation_site()
            local = self._local.__dict__  # (the scope stacks are per thread)
            controls = self._current_control_inputs(inputs) if local.get("control_stack") \
                else []
            for c in control_inputs:
                if c not in controls:
                    controls.append(c)
            stack = local.get("device_stack")
            device = self._current_device() if stack else ""
            if local.get("container") and getattr(op_def, "container", None) == "":
                op_def = dataclasses.replace(op_def, container=local["container"])  # TF1 rule
            op = Operation(self, name, _shared_op_def(op_def), inputs, controls, device, site,
                           len(self._ops))
            specs = op_def.infer_checked(op)
            op._outputs = tuple(Tensor(op, i, dtype, self._shared_shape(shape))
                                for i, (dtype, shape) in enumerate(specs))
            if stack and any(callable(spec) for spec in stack):
                op._device = self._current_device(op)
            colocation = local.get("colocation_stack")
            if colocation:
                op._colocation = colocation[-1]
            self._ops.append(op)
            self._ops_by_name[name] = op
            for t in inputs:
                t._consumers.append(op)
            self._version += 1
        return op

    def _shared_shape(self, shape: Any) -> Any:
        """One TensorShape object per distinct shape in this graph (shapes are immutable):
        a large graph then holds far fewer objects for the garbage collector to scan."""
        key = shape.as_tuple()
        found = self._shapes.get(key)
        if found is None:
            if len(self._shapes) < 4096:
                self._shapes[key] = shape
            return shape
        return found

    def _capture(self, tensor: Tensor, consumer: str) -> Tensor:
        """The tensor of this graph that stands for `tensor` of another graph, used as an
        input of `consumer`. Ordinary graphs refuse; FuncGraphs (the branches and bodies of
        flowgraph.control_flow) capture tensors of the graphs enclosing them."""
        raise ValueError(f"Tensor {tensor.name} must be from the same graph as the other "
                         f"inputs of {consumer!r}: it belongs to another Graph.")

    # -- lookup
    def get_operations(self) -> list:
        return list(self._ops)

    def get_operation_by_name(self, name: str) -> Operation:
        if not isinstance(name, str):
            raise TypeError(f"Operation names are strings, got {type(name).__name__}")
        op = self._ops_by_name.get(name)
        if op is None and ":" in name:
            raise ValueError(f"The name {name!r} appears to refer to a Tensor, not an "
                             f"Operation; use get_tensor_by_name({name!r}).")
        if op is None:
            raise KeyError(f"The name {name!r} refers to an Operation not in the graph."
                           + _did_you_mean(name, self._ops_by_name))
        return op

    def get_tensor_by_name(self, name: str) -> Tensor:
        if not isinstance(name, str):
            raise TypeError(f"Tensor names are strings, got {type(name).__name__}")
        op_name, sep, index = name.rpartition(":")
        if not sep or not index.isdigit():
            raise ValueError(f"The name {name!r} looks like an Operation name, not a Tensor "
                             f"name; Tensor names look like '{name}:0'.")
        op = self._ops_by_name.get(op_name)
        if op is None:
            raise KeyError(f"The name {name!r} refers to a Tensor which does not exist. The "
                           f"operation {op_name!r} does not exist in the graph."
                           + _did_you_mean(op_name, self._ops_by_name))
        i = int(index)
        if i >= len(op._outputs):
            raise KeyError(f"The name {name!r} refers to a Tensor which does not exist: "
                           f"operation {op_name!r} has {len(op._outputs)} outputs.")
        return op._outputs[i]

    def as_graph_element(self, obj: Any, allow_tensor: bool = True,
                         allow_operation: bool = True) -> Any:
        """Resolves a Tensor, Operation or name string to an element of this graph."""
        if isinstance(obj, str):
            if ":" in obj and allow_tensor:
                return self.get_tensor_by_name(obj)
            if allow_operation:
                return self.get_operation_by_name(obj)
            return self.get_tensor_by_name(obj)
        if isinstance(obj, Tensor) and allow_tensor or isinstance(obj, Operation) and \
                allow_operation:
            if obj.graph is not self:
                raise ValueError(f"{obj.name} is not an element of this graph.")
            return obj
        convert = getattr(obj, "__fg_tensor__", None)
        if convert is not None and allow_tensor:
            return self.as_graph_element(convert(), allow_tensor, allow_operation)
        raise TypeError(f"Can not convert a {type(obj).__name__} into a Tensor or Operation.")

    # -- fetch and feed restrictions
    def prevent_fetching(self, op: Operation) -> None:
        """Marks `op` as not fetchable: `Session.run` refuses to fetch it or its outputs."""
        self._unfetchable_ops.add(op)

    def is_fetchable(self, tensor_or_op: Any) -> bool:
        """False if `tensor_or_op` (a Tensor: its op) was marked by `prevent_fetching`."""
        if isinstance(tensor_or_op, Tensor):
            return tensor_or_op.op not in self._unfetchable_ops
        return tensor_or_op not in self._unfetchable_ops

    def prevent_feeding(self, tensor: Tensor) -> None:
        """Marks `tensor` as not feedable: `Session.run` refuses it as a `feed_dict` key."""
        self._unfeedable_tensors.add(tensor)

    def is_feedable(self, tensor: Any) -> bool:
        """False if `tensor` was marked by `prevent_feeding`."""
        return tensor not in self._unfeedable_tensors

    # -- serialization
    def as_graph_def(self, from_version: Optional[int] = None, add_shapes: bool = False,
                     strip_creation_sites: bool = False) -> Any:
        """This graph as data: a `GraphDef` (save it with `SerializeToString()` or
        `to_json()`, load it back with `fg.import_graph_def`).

        `add_shapes` records every output's static shape; `strip_creation_sites` leaves out
        where each node was created (file, line, function); `from_version` keeps only the
        nodes added since the graph's `version` had that value.
        """
        from flowgraph.io.graph_def import graph_to_graph_def
        return graph_to_graph_def(self, from_version=from_version, add_shapes=add_shapes,
                                  strip_creation_sites=strip_creation_sites)

    # -- collections
    def add_to_collection(self, name: str, value: Any) -> None:
        with self._lock:
            self._collections.setdefault(name, []).append(value)

    def add_to_collections(self, names: Any, value: Any) -> None:
        names = (names,) if isinstance(names, str) else set(names)
        for name in names:
            self.add_to_collection(name, value)

    def get_collection_ref(self, name: str) -> list:
        with self._lock:
            return self._collections.setdefault(name, [])

    def get_collection(self, name: str, scope: Optional[str] = None) -> list:
        """A copy of the collection; with `scope`, only items whose name matches it."""
        items = list(self._collections.get(name, ()))
        if scope is None:
            return items
        pattern = re.compile(scope)
        return [item for item in items
                if getattr(item, "name", None) is not None and pattern.match(item.name)]

    def get_all_collection_keys(self) -> list:
        return [key for key, items in self._collections.items() if items]

    def clear_collection(self, name: str) -> None:
        self._collections.pop(name, None)

    def __contains__(self, name: str) -> bool:
        return name in self._ops_by_name

    def __len__(self) -> int:
        return len(self._ops)

    def __repr__(self) -> str:
        return f"<fg.Graph with {len(self._ops)} ops>"

    # -- display in Jupyter. Drawing is flowgraph.viz's job, a higher layer: it is imported
    # here, when a notebook asks, never at import time.
    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict:
        from flowgraph.viz import _repr_mimebundle
        return _repr_mimebundle(self)

    def _repr_svg_(self) -> Optional[str]:
        from flowgraph.viz import _repr_svg
        return _repr_svg(self)


def _shared_op_def(op_def: Any) -> Any:
    """One instance per op class without attributes (Add, Tanh, ...): they are immutable
    and all equal, and sharing them keeps large graphs small."""
    cls = type(op_def)
    shared = cls.__dict__.get("_shared_instance")
    if shared is None:
        shareable = dataclasses.is_dataclass(cls) and not dataclasses.fields(cls)
        cls._shared_instance = shared = op_def if shareable else False
    return shared if shared is not False else op_def


def _device_string(spec: Any) -> str:
    """A device function's answer (None, a string or a DeviceSpec-like) as a string."""
    if spec is None:
        return ""
    to_string = getattr(spec, "to_string", None)
    return to_string() if callable(to_string) else str(spec)


def _did_you_mean(name: str, known: dict) -> str:
    import difflib
    close = difflib.get_close_matches(name, list(known), n=3)
    return f" Did you mean one of {close}?" if close else ""


def get_default_graph() -> Graph:
    """The innermost graph of `as_default()` blocks, else this context's global graph."""
    stack = _graph_stack.get()
    if stack:
        return stack[-1]
    graph = _base_graph.get()
    if graph is None:
        graph = Graph()
        _base_graph.set(graph)
    return graph


def building_graph(graph: Graph) -> Graph:
    """The graph a new op on tensors of `graph` goes into: `graph` itself, unless a FuncGraph
    built inside `graph` (a cond branch or loop body being built) is the default graph; then
    that FuncGraph, which captures the tensors of `graph` it uses."""
    stack = _graph_stack.get()
    if stack:
        top = stack[-1]
        if top is not graph and graph in top.outer_graphs:
            return top
    return graph


@contextlib.contextmanager
def init_scope() -> Iterator[Graph]:
    """As TF1's `tf.init_scope`: leaves the FuncGraphs being built (cond branches, loop
    bodies) for the outermost graph, keeping the current name scope, and clears control
    dependencies; yields that graph. Variables are created inside it, so a Variable made
    while a loop body is built lives (and is initialized) in the outer graph."""
    graph = get_default_graph()
    outer = graph.outer_graphs[-1] if graph.outer_graphs else graph
    if outer is graph:
        with graph.control_dependencies(None):
            yield graph
        return
    scope = graph.get_name_scope()
    with outer.as_default(), outer.name_scope(f"{scope}/" if scope else None), \
            outer.control_dependencies(None):
        yield outer


def reset_default_graph() -> None:
    """Replaces the global default graph with a new empty one (not inside `as_default`)."""
    if _graph_stack.get():
        raise AssertionError("Do not use reset_default_graph() inside a graph.as_default() "
                             "or a Session block: close those first.")
    _base_graph.set(Graph())


def name_scope(name: Optional[str], default_name: Optional[str] = None,
               values: Optional[Sequence[Any]] = None):
    """A name scope in the graph of `values` (or the default graph), as TF1's."""
    graph = _graph_of(values) if values else get_default_graph()
    return graph.name_scope(name if name is not None else default_name)


def _graph_of(values: Sequence[Any]) -> Graph:
    for v in values:
        graph = getattr(v, "graph", None)
        if isinstance(graph, Graph):
            return building_graph(graph)
    return get_default_graph()


def control_dependencies(control_inputs: Optional[Sequence[Any]]):
    """Ops created inside run after `control_inputs` (in the default graph)."""
    return get_default_graph().control_dependencies(control_inputs)


def device(device_name_or_function: Any):
    """Places ops created inside on `device_name_or_function` (in the default graph)."""
    return get_default_graph().device(device_name_or_function)


def colocate_with(op: Any, ignore_existing: bool = False):
    return get_default_graph().colocate_with(op, ignore_existing)


def add_to_collection(name: str, value: Any) -> None:
    get_default_graph().add_to_collection(name, value)


def add_to_collections(names: Any, value: Any) -> None:
    get_default_graph().add_to_collections(names, value)


def get_collection(key: str, scope: Optional[str] = None) -> list:
    return get_default_graph().get_collection(key, scope)


def get_collection_ref(key: str) -> list:
    return get_default_graph().get_collection_ref(key)


def set_random_seed(seed: Optional[int]) -> None:
    """Sets the graph-level random seed of the default graph."""
    get_default_graph().seed = seed
