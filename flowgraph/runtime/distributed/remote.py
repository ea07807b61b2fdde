"""What a Dask worker runs: one task runs one group of a plan's ops, in plan order.

Everything here is shipped to workers inside task payloads (Dask pickles them; nothing is
written to disk), so it holds only small picklable things: op definitions, `NodeInfo`
stand-ins for graph nodes (name, type, input names and shapes, creation site), numpy arrays.
Graph objects never leave the client: kernels that name their node in errors or read its
input shapes see a `NodeInfo`, which has the attributes they use.
"""

from __future__ import annotations

import functools
import time
from typing import Any, Optional

import numpy as np

from flowgraph import errors
from flowgraph.runtime.executor import node_error
from flowgraph.runtime.state import NodeContext, SessionState, uninitialized_error


class Box:
    """A value placed in a Dask graph as data: Dask never looks inside it for keys or tasks."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value

    def __repr__(self) -> str:
        return f"Box({type(self.value).__name__})"


class Missing:
    """The value of a Variable that has none yet (reading it raises FailedPreconditionError)."""

    def __repr__(self) -> str:
        return "MISSING"

    def __reduce__(self):
        return (_missing, ())


MISSING = Missing()


def _missing() -> Missing:
    return MISSING


class RemoteOpError(Exception):
    """An OpError raised by a node on a worker, on its way back to the client.

    Carries the error class name (e.g. "InvalidArgumentError"), the name of the node the
    error concerns and the full message (already naming the node and its creation site);
    the client raises the same class with the client's Operation.
    """

    def __init__(self, kind: str, node: Optional[str], message: str) -> None:
        super().__init__(kind, node, message)

    @property
    def kind(self) -> str:
        return self.args[0]

    @property
    def node(self) -> Optional[str]:
        return self.args[1]

    @property
    def message(self) -> str:
        return self.args[2]

    def __str__(self) -> str:
        return f"{self.kind}: {self.message}"


class OpName:
    """The producer of an input tensor, as far as kernels look: its name and type."""

    __slots__ = ("name", "type")

    def __init__(self, name: str, type_name: str) -> None:
        self.name = name
        self.type = type_name


class TensorInfo:
    """An input or output tensor of a node: name, dtype, static shape and producer name."""

    __slots__ = ("name", "dtype", "shape", "op")

    def __init__(self, tensor: Any) -> None:
        self.name = tensor.name
        self.dtype = tensor.dtype
        self.shape = tensor.shape
        self.op = OpName(tensor.op.name, tensor.op.type)


class GraphInfo:
    """What error helpers look up in a graph: the Variables a group uses, by name."""

    __slots__ = ("_ops_by_name",)

    def __init__(self, variables: dict) -> None:
        self._ops_by_name = variables


class NodeInfo:
    """A graph node as a kernel on a worker sees it (`ctx.op`): enough to name it in errors,
    read its attributes and its inputs' static shapes."""

    __slots__ = ("name", "type", "op_def", "inputs", "outputs", "creation_site", "device",
                 "graph", "_description")
    control_inputs = ()

    def __init__(self, op: Any, graph: Optional[GraphInfo] = None, tensors: bool = True) -> None:
        self.name = op.name
        self.type = op.type
        self.op_def = op.op_def if tensors else None
        self.inputs = tuple(TensorInfo(t) for t in op.inputs) if tensors else ()
        self.outputs = tuple(TensorInfo(t) for t in op.outputs) if tensors else ()
        self.creation_site = op.creation_site
        self.device = op.device
        self.graph = graph
        self._description = op.describe()

    def describe(self) -> str:
        return self._description

    def __repr__(self) -> str:
        return f"<NodeInfo {self.name!r} type={self.type}>"


class RemoteRef:
    """What a kernel receives at a by-reference input on a worker (as `VariableRef` locally)."""

    __slots__ = ("key", "op")

    def __init__(self, key: str, op: NodeInfo) -> None:
        self.key = key
        self.op = op

    def __repr__(self) -> str:
        return f"RemoteRef({self.key!r})"


class Member:
    """One node of a group.

    `inputs` are sources, one per input: ("v", id) a value computed earlier in the group,
    ("a", i) the value of task argument i, ("p", i, j) item j of task argument i (another
    group's results), ("c", value) a small constant, ("r", key) a by-reference Variable,
    ("x", key) a Variable read from the group's state, ("i", i, key) Variable `key`'s value
    from before the run (task argument i). `outputs` are ids for the values the group keeps
    (None for the rest); `frees` ids dropped after this node; `snapshots` (export index,
    variable key) pairs: Variable versions other tasks or the client need, taken right after
    this node.
    """

    __slots__ = ("node", "fast", "inputs", "outputs", "frees", "snapshots")

    def __init__(self, node: NodeInfo, fast: Any, inputs: tuple) -> None:
        self.node = node
        self.fast = fast
        self.inputs = inputs
        self.outputs: tuple = ()
        self.frees: tuple = ()
        self.snapshots: tuple = ()


class GroupSpec:
    """Everything a group task needs besides its per-run arguments; built once per plan.

    `variables`: (key, source) for each Variable the group touches, its value when the group
    first touches it (a task argument source as in `Member.inputs`). `tensor_exports`:
    (export index, value id) of the values other tasks or the client need. `refs`: the
    RemoteRef of each Variable taken by reference. `entropy`: the Session's entropy, so that
    random ops without a seed draw as the Session's own generators would.
    """

    __slots__ = ("name", "members", "variables", "tensor_exports", "n_exports", "n_values",
                 "refs", "entropy", "stateful")

    def __init__(self, name: str) -> None:
        self.name = name
        self.members: list = []
        self.variables: tuple = ()
        self.tensor_exports: tuple = ()
        self.n_exports = 0
        self.n_values = 0
        self.refs: dict = {}
        self.entropy: Any = None
        self.stateful = False


def resolve(source: tuple, args: tuple, values: list, spec: GroupSpec, state: Any) -> Any:
    """The value a source names (see `Member`)."""
    kind = source[0]
    if kind == "v":
        return values[source[1]]
    if kind == "a":
        return unbox(args[source[1]])
    if kind == "p":
        return unbox(args[source[1]])[source[2]]
    if kind == "c":
        return source[1]
    if kind == "i":  # a Variable's value before the run
        value = unbox(args[source[1]])
        if value is MISSING:
            raise uninitialized_error(spec.refs[source[2]].op.graph, source[2])
        return value
    if kind == "r":
        return spec.refs[source[1]]
    key = source[1]  # "x": a Variable read
    try:
        return state.variables[key]
    except KeyError:
        info = spec.refs[key].op
        raise uninitialized_error(info.graph, key) from None


def unbox(value: Any) -> Any:
    return value.value if isinstance(value, Box) else value


def worker_state(entropy: Any, variables: dict, rngs: dict) -> SessionState:
    """A SessionState for one task: the Variable values it was sent and the random
    generators of its random ops, continuing where the Session's own left off."""
    state = SessionState()
    state.variables = variables
    # Generators are keyed by node name and made from the Session's entropy (ops without a
    # seed) or their seed, exactly as SessionState.rng makes them.
    state._entropy = entropy
    state._rngs = dict(rngs)
    return state


def run_group(spec: Any, rngs: Box, *args: Any) -> tuple:
    """Runs the group's nodes in order; returns (exports..., generators, timings).

    Errors raise RemoteOpError carrying the class, node name and message that the local
    executor would give.
    """
    spec = unbox(spec)
    state = None
    if spec.stateful:
        variables = {}
        for key, source in spec.variables:
            value = resolve(source, args, (), spec, None)
            if value is not MISSING:
                variables[key] = value
        state = worker_state(spec.entropy, variables, unbox(rngs) or {})
    values: list = [None] * spec.n_values
    exports: list = [None] * spec.n_exports
    timings = []
    with np.errstate(all="ignore"):
        for member in spec.members:
            start = time.time()
            node = member.node
            try:
                inputs = [resolve(s, args, values, spec, state) for s in member.inputs]
            except errors.OpError as exc:  # a Variable read before it has a value
                name = exc.op.name if exc.op is not None else node.name
                raise RemoteOpError(type(exc).__name__, name, exc.message) from None
            try:
                fast = member.fast
                if isinstance(fast, str):  # "rebind": a fast kernel closing over its node
                    fast = _rebind(node)
                if fast is not None:
                    result = fast(*inputs)
                elif node.op_def.needs_state:
                    result = node.op_def.kernel(NodeContext(node, state), *inputs)
                else:
                    result = node.op_def.kernel(*inputs)
                outputs = member.outputs
                if len(outputs) == 1:
                    if outputs[0] is not None:
                        values[outputs[0]] = result
                elif outputs:
                    _store(node, outputs, values, result)
            except Exception as exc:
                raise _remote_error(node, inputs, exc) from None
            for i in member.frees:
                values[i] = None
            for index, key in member.snapshots:
                exports[index] = state.variables.get(key, MISSING)
            timings.append((start, time.time()))
    for index, i in spec.tensor_exports:
        exports[index] = values[i]
    generators = dict(state._rngs) if state is not None else {}
    return (*exports, generators, tuple(timings))


def _rebind(node: NodeInfo) -> Any:
    try:
        return node.op_def.fast_kernel(node)
    except (AttributeError, TypeError, ValueError, LookupError):
        return None  # it wanted more of the graph than a NodeInfo has: the kernel does the same


def _store(node: NodeInfo, outputs: tuple, values: list, result: Any) -> None:
    if len(result) != len(outputs):
        raise errors.InternalError(None, node, f"kernel returned {len(result)} outputs, "
                                   f"expected {len(outputs)}")
    for i, value in zip(outputs, result):
        if i is not None:
            values[i] = value


class _FailedStep:
    """The shape of a plan step that `executor.node_error` reads."""

    __slots__ = ("op", "inputs")

    def __init__(self, op: NodeInfo, count: int) -> None:
        self.op = op
        self.inputs = range(count)


def _remote_error(node: NodeInfo, inputs: list, exc: BaseException) -> RemoteOpError:
    error = node_error(_FailedStep(node, len(inputs)), inputs, exc)
    concerns = getattr(error, "op", None)
    name = concerns.name if concerns is not None else node.name
    return RemoteOpError(type(error).__name__, name, error.message)


def bound_locally(op: Any, state: SessionState) -> Any:
    """The kernel of a node that runs on the client, bound to the Session's own state."""
    op_def = op.op_def
    if op_def.needs_state:
        return functools.partial(op_def.kernel, NodeContext(op, state))
    return op_def.kernel
