"""The graph core: Graph, Operation, Tensor, name scopes, collections, the default graph.

A Graph is a list of Operations in creation order; each Operation runs one registered
op definition (`flowgraph.ops.registry.Op`) on input Tensors and produces output Tensors.
The default graph lives on a context-variable stack (`Graph.as_default`).
"""

from __future__ import annotations

import contextlib
import contextvars
import linecache
import os
import re
import sys
import threading
from typing import Any, Callable, Iterator, Optional, Sequence

from flowgraph import dtypes as _dtypes
from flowgraph.shapes import TensorShape, as_shape

_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__)) + os.sep
_NAME_RE = re.compile(r"^[A-Za-z0-9.][A-Za-z0-9_.\-/>]*$")
# Scopes nested in another scope may also start with '_' (as TF1's scope name check).
_NESTED_SCOPE_RE = re.compile(r"^[A-Za-z0-9_.\-/>]*$")


# --------------------------------------------------------------------------- creation sites
class CreationSite:
    """Where user code created a node: the first stack frame outside the flowgraph package."""

    __slots__ = ("filename", "lineno", "function")

    def __init__(self, filename: str, lineno: int, function: str) -> None:
        self.filename = filename
        self.lineno = lineno
        self.function = function

    @property
    def line(self) -> str:
        return linecache.getline(self.filename, self.lineno).strip()

    def __str__(self) -> str:
        text = f'File "{self.filename}", line {self.lineno}, in {self.function}'
        line = self.line
        return f"{text}\n    {line}" if line else text

    def short(self) -> str:
        return f"{self.filename}:{self.lineno}"


def user_creation_site() -> Optional[CreationSite]:
    """The innermost stack frame that is not flowgraph's own code (or the stdlib's contextlib)."""
    frame = sys._getframe(1)
    while frame is not None:
        filename = frame.f_code.co_filename
        if not filename.startswith(_PACKAGE_DIR) and not filename.endswith("contextlib.py"):
            return CreationSite(filename, frame.f_lineno, frame.f_code.co_name)
        frame = frame.f_back
    return None


# --------------------------------------------------------------------------- Tensor
class Tensor:
    """A symbolic output of an Operation: its dtype and (partial) static shape.

    Its value exists only inside `Session.run`; `t.eval()` runs it in the default session.
    """

    # numpy defers binary operators to Tensor's reflected ones (np_array + tensor -> Tensor).
    __array_priority__ = 100

    __slots__ = ("_op", "_value_index", "_dtype", "_shape", "_consumers", "_static", "_name",
                 "__weakref__")

    def __init__(self, op: "Operation", value_index: int, dtype: _dtypes.DType,
                 shape: TensorShape) -> None:
        self._op = op
        self._value_index = value_index
        self._dtype = dtype
        self._shape = shape
        self._consumers: list = []
        self._static = _NOT_COMPUTED
        self._name = f"{op.name}:{value_index}"

    @property
    def op(self) -> "Operation":
        return self._op

    @property
    def value_index(self) -> int:
        return self._value_index

    @property
    def dtype(self) -> _dtypes.DType:
        return self._dtype

    @property
    def name(self) -> str:
        return self._name

    @property
    def graph(self) -> "Graph":
        return self._op.graph

    @property
    def device(self) -> str:
        return self._op.device

    @property
    def shape(self) -> TensorShape:
        return self._shape

    def get_shape(self) -> TensorShape:
        return self._shape

    def set_shape(self, shape: Any) -> None:
        """Refines the static shape; raises ValueError if incompatible with what is known."""
        shape = as_shape(shape)
        if not self._shape.is_compatible_with(shape):
            raise ValueError(f"Tensor {self.name!r} has shape {self._shape}, which is not "
                             f"compatible with the requested shape {shape}")
        self._shape = self._shape.merge_with(shape)

    def consumers(self) -> list:
        """The Operations that take this tensor as an input."""
        return list(self._consumers)

    def eval(self, feed_dict: Any = None, session: Any = None) -> Any:
        """Runs this tensor in `session` (default: the default session) and returns its value."""
        return _run_with_default_session(self, feed_dict, session, "Tensor.eval()")

    def __repr__(self) -> str:
        return (f"<fg.Tensor '{self.name}' shape={self._shape} dtype={self._dtype.name}>")

    __str__ = __repr__

    def __hash__(self) -> int:
        return id(self)

    def __eq__(self, other: Any) -> bool:
        # As TF1 graph mode: identity, so tensors can be dict keys; use fg.equal for values.
        return self is other

    def __ne__(self, other: Any) -> bool:
        return self is not other

    def __bool__(self) -> bool:
        raise TypeError(
            f"Using a fg.Tensor ({self.name}) as a Python bool is not allowed: its value is "
            "only known when the graph runs. Use `if t is not None:` to test for existence, "
            "or fg.cond to branch on the value.")

    def __len__(self) -> int:
        raise TypeError(f"len is not well defined for the symbolic Tensor {self.name}. "
                        "Use fg.shape(t)[0] for its dynamic length.")

    def __iter__(self) -> Iterator["Tensor"]:
        dims = self._shape.as_tuple()
        if dims is None:
            raise TypeError(f"Cannot iterate over tensor {self.name} with unknown shape.")
        if not dims:
            raise TypeError(f"Cannot iterate over the scalar tensor {self.name}.")
        if dims[0] is None:
            raise TypeError(f"Cannot iterate over tensor {self.name} with unknown first "
                            "dimension; use fg.unstack or fg.map_fn.")
        return (self[i] for i in range(dims[0]))

    def __fg_tensor__(self) -> "Tensor":
        return self


_NOT_COMPUTED = object()


# --------------------------------------------------------------------------- Operation
class Operation:
    """A node of the graph: one registered op definition applied to input tensors.

    ``op_def`` is the op's definition object, whose typed attributes are read as fields
    (``operation.op_def.axis``).
    """

    __slots__ = ("_graph", "_name", "_op_def", "_inputs", "_control_inputs", "_outputs",
                 "_device", "_site", "_id", "__weakref__")

    def __init__(self, graph: "Graph", name: str, op_def: Any, inputs: Sequence[Tensor],
                 control_inputs: Sequence["Operation"], device: str,
                 site: Optional[CreationSite], op_id: int) -> None:
        self._graph = graph
        self._name = name
        self._op_def = op_def
        self._inputs = tuple(inputs)
        self._control_inputs = list(control_inputs)
        self._outputs: list = []
        self._device = device
        self._site = site
        self._id = op_id

    @property
    def name(self) -> str:
        return self._name

    @property
    def type(self) -> str:
        return self._op_def.type_name

    @property
    def op_def(self) -> Any:
        return self._op_def

    @property
    def graph(self) -> "Graph":
        return self._graph

    @property
    def inputs(self) -> tuple:
        return self._inputs

    @property
    def outputs(self) -> list:
        return list(self._outputs)

    @property
    def control_inputs(self) -> list:
        return list(self._control_inputs)

    @property
    def device(self) -> str:
        return self._device

    @property
    def creation_site(self) -> Optional[CreationSite]:
        """Where user code created this node (file, line, function), or None."""
        return self._site

    @property
    def traceback(self) -> list:
        site = self._site
        return [] if site is None else [(site.filename, site.lineno, site.function, site.line)]

    def values(self) -> tuple:
        return tuple(self._outputs)

    def get_attr(self, name: str) -> Any:
        """TF1 spelling of reading an attribute; flowgraph code reads ``op_def.<name>``."""
        fields = self._op_def.attribute_names()
        if name not in fields:
            raise ValueError(f"Operation {self._name!r} (op type {self.type}) has no attribute "
                             f"{name!r}; its attributes are {list(fields)}")
        return getattr(self._op_def, name)

    def _add_control_input(self, op: "Operation") -> None:
        self._add_control_inputs([op])

    def _add_control_inputs(self, ops: Sequence["Operation"]) -> None:
        for op in ops:
            op = _as_operation(op)
            if op._graph is not self._graph:
                raise ValueError(f"Control input {op.name} is from another graph than "
                                 f"{self._name}")
            if op not in self._control_inputs:
                self._control_inputs.append(op)
        self._graph._version += 1

    def describe(self) -> str:
        """'node NAME (op type TYPE) defined at FILE:LINE', for error messages."""
        text = f"node {self._name} (op type {self.type})"
        if self._site is not None:
            text += f" defined at {self._site.short()}"
        return text

    def run(self, feed_dict: Any = None, session: Any = None) -> None:
        """Runs this operation in `session` (default: the default session)."""
        _run_with_default_session(self, feed_dict, session, "Operation.run()")

    def __repr__(self) -> str:
        return f"<fg.Operation '{self._name}' type={self.type}>"

    def __fg_operation__(self) -> "Operation":
        return self


def _as_operation(value: Any) -> Operation:
    if isinstance(value, Operation):
        return value
    if isinstance(value, Tensor):
        return value.op
    as_op = getattr(value, "__fg_operation__", None)
    if as_op is not None:
        return as_op()
    raise TypeError(f"Expected an Operation or Tensor, got {type(value).__name__}: {value!r}")


def _run_with_default_session(fetch: Any, feed_dict: Any, session: Any, what: str) -> Any:
    if session is None:
        session = get_default_session()
        if session is None:
            raise ValueError(f"Cannot evaluate with {what}: no default session is registered. "
                             "Use `with sess.as_default():`, an InteractiveSession, or pass "
                             "session=sess.")
    if session.graph is not fetch.graph:
        raise ValueError(f"Cannot use the given session to evaluate {fetch.name}: its graph is "
                         "different from the session's graph.")
    return session.run(fetch, feed_dict)


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

    def __init__(self) -> None:
        self._ops: list = []
        self._ops_by_name: dict = {}
        self._names_in_use: dict = {}
        self._name_stack = ""
        self._control_stack: list = []
        self._device_stack: list = []
        self._collections: dict = {}
        self._finalized = False
        self._seed: Optional[int] = None
        self._version = 0
        self._state: dict = {}
        self._lock = threading.RLock()

    # -- identity and state
    @property
    def version(self) -> int:
        """Grows whenever the graph changes (new nodes, new control edges)."""
        return self._version

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
    def device(self, device_name: Any) -> Iterator[None]:
        """Places ops created inside on `device_name` ("/cpu:0", "/job:worker/task:1")."""
        self._device_stack.append(device_name)
        try:
            yield
        finally:
            self._device_stack.pop()

    def _current_device(self) -> str:
        device = ""
        for spec in self._device_stack:
            if callable(spec):
                continue
            device = "" if spec is None else _merge_device(device, str(spec))
        return device

    @contextlib.contextmanager
    def colocate_with(self, op: Any, ignore_existing: bool = False) -> Iterator[None]:
        """Places ops created inside on the device of `op`."""
        target = None if op is None else _as_operation(op).device
        with self.device(target or None):
            yield

    # -- building
    def create_op(self, op_def: Any, inputs: Sequence[Tensor], name: Optional[str] = None,
                  control_inputs: Sequence[Operation] = ()) -> Operation:
        """Adds one node running `op_def` on `inputs`; infers its outputs' dtypes and shapes."""
        if self._finalized:
            raise RuntimeError("Graph is finalized and cannot be modified (an op "
                               f"{name or op_def.type_name!r} was being added).")
        for t in inputs:
            if t.graph is not self:
                raise ValueError(f"Tensor {t.name} must be from the same graph as the other "
                                 f"inputs of {name or op_def.type_name!r}: it belongs to "
                                 "another Graph.")
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
            controls = self._current_control_inputs(inputs)
            for c in control_inputs:
                if c not in controls:
                    controls.append(c)
            op = Operation(self, name, op_def, inputs, controls, self._current_device(), site,
                           len(self._ops))
            specs = op_def.infer_checked(op)
            op._outputs = [Tensor(op, i, dtype, shape) for i, (dtype, shape) in enumerate(specs)]
            self._ops.append(op)
            self._ops_by_name[name] = op
            for t in inputs:
                t._consumers.append(op)
            self._version += 1
        return op

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


def _merge_device(outer: str, inner: str) -> str:
    """Fields of the inner device spec override the outer's, as TF1 merges device scopes."""
    merged = _parse_device(outer)
    merged.update(_parse_device(inner))
    parts = [f"/{key}:{merged[key]}" for key in ("job", "replica", "task") if key in merged]
    if "device" in merged:
        parts.append(f"/device:{merged['device']}")
    return "".join(parts)


def _parse_device(spec: str) -> dict:
    fields: dict = {}
    for part in filter(None, spec.split("/")):
        key, _, value = part.partition(":")
        lowered = key.lower()
        if lowered in ("job", "replica", "task"):
            fields[lowered] = value
        elif lowered == "device":
            fields["device"] = value.upper() if ":" not in value else \
                value.split(":")[0].upper() + ":" + value.split(":")[1]
        elif lowered in ("cpu", "gpu"):
            fields["device"] = f"{lowered.upper()}:{value or 0}"
        else:
            raise ValueError(f"Unknown device specification part {part!r} in {spec!r}; "
                             "expected e.g. '/cpu:0' or '/job:worker/task:1/device:CPU:0'")
    return fields


def _did_you_mean(name: str, known: dict) -> str:
    import difflib
    close = difflib.get_close_matches(name, list(known), n=3)
    return f" Did you mean one of {close}?" if close else ""


# --------------------------------------------------------------------------- default graph
_graph_stack: contextvars.ContextVar = contextvars.ContextVar("flowgraph_graphs", default=())
_base_graph: contextvars.ContextVar = contextvars.ContextVar("flowgraph_base_graph",
                                                             default=None)
_session_stack: contextvars.ContextVar = contextvars.ContextVar("flowgraph_sessions",
                                                                default=())


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


def reset_default_graph() -> None:
    """Replaces the global default graph with a new empty one (not inside `as_default`)."""
    if _graph_stack.get():
        raise AssertionError("Do not use reset_default_graph() inside a graph.as_default() "
                             "or a Session block: close those first.")
    _base_graph.set(Graph())


@contextlib.contextmanager
def session_as_default(session: Any) -> Iterator[Any]:
    """Makes `session` the default session (and its graph the default graph) in the block."""
    token = _session_stack.set(_session_stack.get() + (session,))
    try:
        with session.graph.as_default():
            yield session
    finally:
        _session_stack.reset(token)


def push_default_session(session: Any) -> contextvars.Token:
    """Installs `session` as default until the returned token is reset (InteractiveSession)."""
    return _session_stack.set(_session_stack.get() + (session,))


def pop_default_session(session: Any) -> None:
    stack = _session_stack.get()
    if stack and stack[-1] is session:
        _session_stack.set(stack[:-1])
    elif session in stack:
        _session_stack.set(tuple(s for s in stack if s is not session))


def get_default_session() -> Any:
    """The innermost session of `sess.as_default()` / `with sess:` blocks, or None."""
    stack = _session_stack.get()
    return stack[-1] if stack else None


def name_scope(name: Optional[str], default_name: Optional[str] = None,
               values: Optional[Sequence[Any]] = None):
    """A name scope in the graph of `values` (or the default graph), as TF1's."""
    graph = _graph_of(values) if values else get_default_graph()
    return graph.name_scope(name if name is not None else default_name)


def _graph_of(values: Sequence[Any]) -> Graph:
    for v in values:
        graph = getattr(v, "graph", None)
        if isinstance(graph, Graph):
            return graph
    return get_default_graph()


def control_dependencies(control_inputs: Optional[Sequence[Any]]):
    """Ops created inside run after `control_inputs` (in the default graph)."""
    return get_default_graph().control_dependencies(control_inputs)


def device(device_name: Any):
    """Places ops created inside on `device_name` (in the default graph)."""
    return get_default_graph().device(device_name)


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
