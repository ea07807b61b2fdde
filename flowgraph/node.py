"""Graph nodes: Operation (one op applied to inputs) and Tensor (one of its outputs).

Each node records where user code created it (`CreationSite`), so errors can point there.
"""

from __future__ import annotations

import linecache
import os
import sys
from typing import TYPE_CHECKING, Any, Iterator, Optional, Sequence

from flowgraph import dtypes as _dtypes
from flowgraph.context import get_default_session
from flowgraph.shapes import TensorShape, as_shape

if TYPE_CHECKING:
    from flowgraph.graph import Graph

_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__)) + os.sep


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


def user_creation_site() -> Optional[tuple]:
    """The innermost stack frame that is not flowgraph's own code (or the stdlib's
    contextlib), as (filename, line, function): a plain tuple of strings and an int, which
    the garbage collector stops tracking, so that large graphs do not slow collections down
    (`Operation.creation_site` makes the CreationSite when asked)."""
    frame = sys._getframe(1)
    while frame is not None:
        code = frame.f_code
        filename = code.co_filename
        if not filename.startswith(_PACKAGE_DIR) and not filename.endswith("contextlib.py"):
            return (filename, frame.f_lineno, code.co_name)
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

    def __str__(self) -> str:
        # TF1's str(): Tensor("x:0", shape=(?, 3), dtype=float32)
        return f'Tensor("{self.name}", shape={self._shape}, dtype={self._dtype.name})'

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
        # As TF1 in graph mode: unpacking (`a, b = t`) or looping over a Tensor is an error,
        # so code that tells tensors from sequences by trying to iterate keeps working.
        raise TypeError(
            f"Tensor objects are only iterable when eager execution is enabled: cannot "
            f"iterate over {self.name} (shape {self._shape}). To take its rows use "
            "fg.unstack(t) (first dimension known) or fg.map_fn.")

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
                 "_device", "_site", "_id", "_colocation", "__weakref__")

    def __init__(self, graph: "Graph", name: str, op_def: Any, inputs: Sequence[Tensor],
                 control_inputs: Sequence["Operation"], device: str,
                 site: Any, op_id: int) -> None:
        self._graph = graph
        self._name = name
        self._op_def = op_def
        self._inputs = tuple(inputs)
        self._control_inputs = tuple(control_inputs)
        self._outputs: tuple = ()
        self._device = device
        self._site = site
        self._id = op_id
        self._colocation: tuple = ()

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
        site = self._site
        if type(site) is tuple:
            site = self._site = CreationSite(*site)
        return site

    @property
    def traceback(self) -> list:
        site = self.creation_site
        return [] if site is None else [(site.filename, site.lineno, site.function, site.line)]

    @property
    def node_def(self) -> Any:
        """This node as a NodeDef (name, op, input as TF1 spells them: "x" for output 0,
        "x:1", "^ctrl"; device; attr)."""
        from flowgraph.io.graph_def import node_def_of
        return node_def_of(self)

    def colocation_groups(self) -> list:
        """TF1's colocation groups: [b"loc:@name"] of the ops this one was created
        colocated with (`colocate_with`), else of itself."""
        names = self._colocation or (self._name,)
        return [f"loc:@{name}".encode() for name in names]

    def values(self) -> tuple:
        return tuple(self._outputs)

    def get_attr(self, name: str) -> Any:
        """TF1 spelling of reading an attribute; flowgraph code reads ``op_def.<name>``."""
        fields = self._op_def.attribute_names()
        if name not in fields:
            # TF1's spellings of attributes flowgraph names otherwise.
            if name == "keep_dims" and "keepdims" in fields:
                return self._op_def.keepdims
            if name == "T" and (self._inputs or self._outputs):
                return (self._inputs or self._outputs)[0].dtype
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
                self._control_inputs += (op,)
        self._graph._version += 1
        self._graph._control_edits += 1  # cached plans may be stale now

    def describe(self) -> str:
        """'node NAME (op type TYPE) defined at FILE:LINE', for error messages."""
        text = f"node {self._name} (op type {self.type})"
        site = self.creation_site
        if site is not None:
            text += f" defined at {site.short()}"
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
