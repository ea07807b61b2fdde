"""Dataset descriptions: a dataset as data, stored in the attributes of iterator ops.

While a pipeline is built, each Dataset holds a `Node`: its kind ("Batch", "TensorSlices",
...), its attributes and its input datasets. Values only known when the iterator is
initialized (Tensors such as placeholders) are `Arg`s. When an iterator op is built, the
node tree is encoded as a flat tuple of nodes, each after its inputs, the dataset itself
last (flat, so that long pipelines do not nest deeply in graph files)::

    ((kind, (input node indices...), attribute name, value, attribute name, value, ...),
     ...)

with every Arg encoded as ("input", k) -- the k-th captured tensor, an input of the op -- or
("const", array), and every traced function as ("function", graph, input names, output
names, input kinds, output kinds, inner description or None).

Python code (the generator of `from_generator`) cannot be data: it stays a `PythonCode`
object in memory. A graph file gets a stub ("python", what) in its place, and running such an
iterator after loading the file raises an error saying what was left out (see `saveable`).
"""

from __future__ import annotations

import warnings
from typing import Any, Optional

import numpy as np

from flowgraph import errors
from flowgraph.graph import Graph, Tensor
from flowgraph.sparse_tensor import SparseTensor, SparseTensorValue


class Arg:
    """A value a dataset needs at initialization: a Tensor (run then) or a numpy array."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value

    @property
    def tensor(self) -> Optional[Tensor]:
        return self.value if isinstance(self.value, Tensor) else None


class PythonCode:
    """Python code inside a dataset (e.g. the generator of `from_generator`): runs in this
    process only; graph files hold a stub saying what it was (`what`)."""

    __slots__ = ("obj", "what")

    def __init__(self, obj: Any, what: str) -> None:
        self.obj = obj
        self.what = what

    def __repr__(self) -> str:
        return f"<Python code: {self.what}>"


class Node:
    """One dataset of a pipeline while it is built: kind, attributes, input datasets."""

    __slots__ = ("kind", "attrs", "children")

    def __init__(self, kind: str, attrs: Optional[dict] = None, children: tuple = ()) -> None:
        self.kind = kind
        self.attrs = dict(attrs or {})
        self.children = tuple(children)

    def __repr__(self) -> str:
        return f"Node({self.kind}, {sorted(self.attrs)}, {len(self.children)} inputs)"


class Capture:
    """Collects the tensors a description refers to, each once, in order of first use."""

    def __init__(self) -> None:
        self.tensors: list = []
        self._index: dict = {}

    def add(self, tensor: Tensor) -> int:
        index = self._index.get(tensor)
        if index is None:
            index = self._index[tensor] = len(self.tensors)
            self.tensors.append(tensor)
        return index


def encode(node: Node, capture: Capture) -> tuple:
    """The description (flat tuple of nodes, `node` last) of the dataset `node`; the tensors
    it needs are appended to `capture`."""
    table: list = []
    index: dict = {}

    def add(current: Node) -> int:
        found = index.get(id(current))
        if found is not None:
            return found
        children = tuple(add(child) for child in current.children)
        entry = [current.kind, children]
        for name in sorted(current.attrs):
            entry += [name, encode_value(current.attrs[name], capture)]
        table.append(tuple(entry))
        index[id(current)] = len(table) - 1
        return len(table) - 1

    add(node)
    return tuple(table)


def nodes_of(description: Any) -> tuple:
    """(kind, attributes dict, input indices) of each node of a description, validated."""
    if not isinstance(description, tuple) or not description:
        raise errors.InvalidArgumentError(None, None, "A dataset description must be a "
                                          f"non-empty tuple of nodes, got {description!r:.80}")
    nodes = []
    for i, node in enumerate(description):
        if not (isinstance(node, tuple) and len(node) >= 2 and len(node) % 2 == 0 and
                isinstance(node[0], str) and isinstance(node[1], tuple) and
                all(isinstance(c, int) and 0 <= c < i for c in node[1]) and
                all(isinstance(k, str) for k in node[2::2])):
            raise errors.InvalidArgumentError(None, None, f"Invalid dataset description node "
                                              f"{i}: {node!r:.80}")
        nodes.append((node[0], dict(zip(node[2::2], node[3::2])), node[1]))
    return tuple(nodes)


def encode_value(value: Any, capture: Capture) -> Any:
    if isinstance(value, Arg):
        item = value.value
        if isinstance(item, Tensor):
            return ("input", capture.add(item))
        if isinstance(item, (SparseTensor, SparseTensorValue)):
            return ("sparse",) + tuple(encode_value(Arg(part), capture) for part in
                                       (item.indices, item.values, item.dense_shape))
        return ("const", item)
    if isinstance(value, Node):
        return encode(value, capture)
    if isinstance(value, tuple):
        return tuple(encode_value(v, capture) for v in value)
    encode_function = getattr(value, "encode_function", None)
    if encode_function is not None:
        return encode_function()
    return value


def bind_constants(description: Any, values: list) -> Any:
    """`description` with its ("input", k) slots replaced by ("const", values[k]) (the
    descriptions inside functions refer to the function's outputs and are left alone)."""
    if isinstance(description, tuple):
        if len(description) == 2 and description[0] == "input" and \
                isinstance(description[1], int):
            return ("const", values[description[1]])
        if description and description[0] == "function":
            return description
        return tuple(bind_constants(item, values) for item in description)
    return description


# --------------------------------------------------------------------------- comparing
def equal(a: Any, b: Any) -> bool:
    """Structural equality of descriptions (arrays by value, graphs by their nodes)."""
    if a is b:
        return True
    if isinstance(a, tuple) or isinstance(b, tuple):
        return isinstance(a, tuple) and isinstance(b, tuple) and len(a) == len(b) and \
            all(equal(x, y) for x, y in zip(a, b))
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return isinstance(a, np.ndarray) and isinstance(b, np.ndarray) and \
            a.dtype == b.dtype and a.shape == b.shape and \
            (a.tolist() == b.tolist() if a.dtype.kind == "O" else
             bool(np.array_equal(a, b, equal_nan=a.dtype.kind in "fc")))
    if isinstance(a, Graph) or isinstance(b, Graph):
        return isinstance(a, Graph) and isinstance(b, Graph) and _graph_text(a) == \
            _graph_text(b)
    if isinstance(a, PythonCode) or isinstance(b, PythonCode):
        return False
    return type(a) is type(b) and a == b


def _graph_text(graph: Graph) -> str:
    return graph.as_graph_def(strip_creation_sites=True).to_json()


def shallow_hash(description: Any) -> int:
    """A cheap hash consistent with `equal`: the kinds of the nodes only."""
    if isinstance(description, tuple):
        return hash(tuple(node[0] for node in description
                          if isinstance(node, tuple) and node and isinstance(node[0], str)))
    return 0


# --------------------------------------------------------------------------- saving
def python_parts(description: Any) -> list:
    """What in a description is Python code (descriptions of it), in order."""
    found: list = []
    _walk_python(description, found)
    return found


def _walk_python(value: Any, found: list) -> None:
    if isinstance(value, PythonCode):
        found.append(value.what)
    elif isinstance(value, tuple):
        for item in value:
            _walk_python(item, found)


def saveable(description: Any, op_name: str) -> Any:
    """`description` with its Python code replaced by ("python", what) stubs, with a warning
    that the saved iterator cannot run after loading (graph files hold data, never code)."""
    parts = python_parts(description)
    if not parts:
        return description
    warnings.warn(
        f"An {op_name} op: its dataset uses Python code ({'; '.join(parts)}), which a "
        "graph file cannot hold. The file stores a stub in its place: after loading, "
        "initializing this iterator raises an error. Build datasets from tensors, files, "
        "ranges and graph-traced functions (map, filter, ...) to save them, or rebuild the "
        "dataset in Python after loading.", stacklevel=4)
    return _stubbed(description)


def _stubbed(value: Any) -> Any:
    if isinstance(value, PythonCode):
        return ("python", value.what)
    if isinstance(value, tuple):
        return tuple(_stubbed(v) for v in value)
    return value


def python_object(value: Any, what: str) -> Any:
    """The Python object of a PythonCode attribute; UnimplementedError for a loaded stub."""
    if isinstance(value, PythonCode):
        return value.obj
    stub = value[1] if isinstance(value, tuple) and len(value) == 2 and \
        value[0] == "python" else what
    raise errors.UnimplementedError(
        None, None, f"This dataset was loaded from a graph file, but it was built from Python "
        f"code ({stub}), which graph files do not hold. Rebuild the dataset in Python (and its "
        "iterator) instead of loading it, or build it from tensors, files and ranges.")
