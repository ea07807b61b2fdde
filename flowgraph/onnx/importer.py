"""`fg.onnx.import_model`: an ONNX model as a flowgraph graph.

Each ONNX node becomes flowgraph ops (built by its converter in `import_ops`, inside a name
scope named after the node); graph inputs become placeholders, initializers constants
(placeholders with a default when they are also graph inputs), and the graph outputs
identities named after them. ONNX If and Loop become `fg.cond` and `fg.while_loop`: their
sub-graphs read outer values by name, which the branch and body functions capture.
"""

from __future__ import annotations

import os
import re
from typing import Any, Optional, Union

import numpy as np

from flowgraph import dtypes, errors
from flowgraph.graph import Graph, Tensor, name_scope
from flowgraph.onnx._deps import require_onnx
from flowgraph.onnx.types import fg_dtype
from flowgraph.onnx.unsupported import CannotConvertError, unsupported_error
from flowgraph.shapes import TensorShape

DEFAULT_DOMAINS = ("", "ai.onnx")
_INVALID = re.compile(r"[^A-Za-z0-9_.\-/]")


def import_model(path: Union[str, os.PathLike, Any]) -> tuple:
    """Reads an ONNX model into a new flowgraph Graph.

    Parameters
    ----------
    path : str, os.PathLike or onnx.ModelProto
        The ``.onnx`` file (or a loaded model).

    Returns
    -------
    (Graph, dict, dict)
        The graph, its inputs ``{ONNX name: placeholder}`` and its outputs
        ``{ONNX name: tensor}``. Run it in ``fg.Session(graph=graph)``, feeding the
        inputs; draw it with ``fg.viz.render(graph, ...)``.

    Raises
    ------
    UnsupportedOpError
        The model uses op types (or attributes) with no flowgraph conversion; the message
        lists them all with their nodes (an `fg.errors.UnimplementedError`).
    InvalidArgumentError
        The file is not a valid ONNX model.
    NotFoundError
        There is no file at `path`.
    ImportError
        The `onnx` package is missing (``pip install "flowgraph[onnx]"``).
    """
    onnx = require_onnx()
    model = _load(onnx, path)
    opset = _default_opset(model)
    from flowgraph.onnx.import_ops.table import get_importers
    table = get_importers()
    missing = [(node.op_type, repr(_node_label(node)), _why_missing(node, table))
               for node in _all_nodes(model.graph) if _converter(node, table) is None]
    if missing:
        raise unsupported_error(missing, "import", sorted(table))
    graph = Graph()
    with graph.as_default():
        scope = ImportScope(onnx, opset, table)
        inputs = scope.add_graph_inputs(model.graph)
        scope.convert_nodes(model.graph.node)
        outputs = {}
        for info in model.graph.output:
            try:
                value = scope.get(info.name, "the graph outputs")
            except CannotConvertError as exc:
                raise unsupported_error([("(graph output)", repr(info.name), str(exc))],
                                        "import", sorted(table)) from None
            if value.op.type == "Placeholder" and info.name in inputs:
                outputs[info.name] = value
                continue
            outputs[info.name] = _identity(value, sanitize(info.name, "output"))
    return graph, inputs, outputs


def _load(onnx: Any, path: Any) -> Any:
    if isinstance(path, onnx.ModelProto):
        model = path
        where = "the given ModelProto"
    else:
        where = os.fspath(path)
        if not os.path.exists(where):
            raise errors.NotFoundError(None, None, f"No ONNX model at {where}")
        try:
            model = onnx.load(where)
        except Exception as exc:  # protobuf's DecodeError and friends
            raise errors.InvalidArgumentError(
                None, None, f"{where} is not an ONNX model: {exc}") from exc
    try:
        onnx.checker.check_model(_with_shapes(model))
    except Exception as exc:
        raise errors.InvalidArgumentError(
            None, None, f"{where} is not a valid ONNX model: {exc}") from exc
    return model


def _with_shapes(model: Any) -> Any:
    """The model, or a copy for onnx.checker whose graph inputs and outputs without a shape
    have an empty one: ONNX Runtime (and this import) accept models that give none."""
    infos = list(model.graph.input) + list(model.graph.output)
    if all(not info.type.HasField("tensor_type") or info.type.tensor_type.HasField("shape")
           for info in infos):
        return model
    copy = type(model)()
    copy.CopyFrom(model)
    for info in list(copy.graph.input) + list(copy.graph.output):
        if info.type.HasField("tensor_type") and not info.type.tensor_type.HasField("shape"):
            info.type.tensor_type.shape.SetInParent()
    return copy


def _default_opset(model: Any) -> int:
    for entry in model.opset_import:
        if entry.domain in DEFAULT_DOMAINS:
            return int(entry.version)
    return 1


def _all_nodes(graph: Any):
    for node in graph.node:
        yield node
        for attr in node.attribute:
            if attr.HasField("g"):
                yield from _all_nodes(attr.g)
            for sub in attr.graphs:
                yield from _all_nodes(sub)


def _converter(node: Any, table: dict) -> Optional[Any]:
    if node.domain not in DEFAULT_DOMAINS:
        return None
    return table.get(node.op_type)


def _why_missing(node: Any, table: dict) -> str:
    if node.domain not in DEFAULT_DOMAINS:
        return f"ops of the domain {node.domain!r} are not supported"
    return "flowgraph has no conversion for this ONNX op type"


def _node_label(node: Any) -> str:
    return node.name or (node.output[0] if node.output else node.op_type)


def sanitize(name: str, default: str) -> str:
    """An ONNX name as a valid flowgraph node name ('dense/MatMul:0' -> 'dense/MatMul_0')."""
    cleaned = _INVALID.sub("_", name).strip("/")
    cleaned = re.sub("/+", "/", cleaned).lstrip("_-.")
    return cleaned or default


def _identity(value: Tensor, name: str) -> Tensor:
    from flowgraph.ops.constant import identity
    return identity(value, name=name)


def tensor_type(info: Any, where: str) -> tuple:
    """(dtype, TensorShape) of a ValueInfoProto (unknown shape where ONNX gives none)."""
    kind = info.type.WhichOneof("value")
    if kind != "tensor_type":
        raise CannotConvertError(f"{where} {info.name!r} is a {kind or 'untyped value'}, "
                                 "not a tensor")
    tensor = info.type.tensor_type
    dtype = fg_dtype(tensor.elem_type, f"{where} {info.name!r}")
    if not tensor.HasField("shape"):
        return dtype, TensorShape(None)
    dims = [d.dim_value if d.HasField("dim_value") else None for d in tensor.shape.dim]
    return dtype, TensorShape(dims)


class ImportScope:
    """The ONNX values of one graph (the model's, or a branch / loop body) as flowgraph
    tensors; names not found here are looked up in the enclosing graphs."""

    def __init__(self, onnx: Any, opset: int, table: dict,
                 parent: Optional["ImportScope"] = None) -> None:
        self.onnx = onnx
        self.opset = opset
        self.table = table
        self.parent = parent
        self.values: dict = {}

    def child(self) -> "ImportScope":
        return ImportScope(self.onnx, self.opset, self.table, parent=self)

    def get(self, name: str, where: str) -> Tensor:
        scope: Optional[ImportScope] = self
        while scope is not None:
            if name in scope.values:
                value = scope.values[name]
                if isinstance(value, str):  # an output the converter could not make
                    raise CannotConvertError(value)
                return value
            scope = scope.parent
        raise errors.InvalidArgumentError(
            None, None, f"The ONNX value {name!r} used by {where} is not defined before it "
            "(the model's nodes must be in topological order).")

    # ------------------------------------------------------------------ values
    def static(self, tensor: Optional[Tensor]) -> Optional[np.ndarray]:
        """The value of `tensor` if it is known at import time."""
        if tensor is None:
            return None
        from flowgraph.ops.registry import constant_value
        return constant_value(tensor)

    def static_ints(self, tensor: Tensor, what: str) -> list:
        value = self.static(tensor)
        if value is None:
            raise CannotConvertError(f"its {what} must be known when importing (an initializer or "
                              "a constant), but it is computed when the graph runs")
        return [int(v) for v in np.asarray(value).reshape(-1)]

    def constant(self, array: Any, name: str) -> Tensor:
        from flowgraph.ops.constant import constant
        array = np.asarray(array)
        if array.dtype.kind in "SU":
            array = array.astype(object)
        return constant(array, dtype=dtypes.as_dtype(array.dtype) if array.dtype != object
                        else dtypes.string, name=name)

    def attributes(self, node: Any) -> dict:
        helper, numpy_helper = self.onnx.helper, self.onnx.numpy_helper
        attrs = {}
        for attr in node.attribute:
            value = helper.get_attribute_value(attr)
            if isinstance(value, self.onnx.TensorProto):
                value = numpy_helper.to_array(value)
            elif isinstance(value, bytes):
                value = value.decode("utf-8")
            attrs[attr.name] = value
        return attrs

    # ------------------------------------------------------------------ graphs
    def add_graph_inputs(self, graph: Any) -> dict:
        """Placeholders for the graph inputs and constants for the initializers."""
        numpy_helper = self.onnx.numpy_helper
        initial = {init.name: init for init in graph.initializer}
        inputs = {}
        for info in graph.input:
            dtype, shape = tensor_type(info, "graph input")
            name = sanitize(info.name, "input")
            if info.name in initial:  # an initializer a caller may override
                from flowgraph.ops.constant import placeholder_with_default
                default = self.constant(numpy_helper.to_array(initial.pop(info.name)),
                                        f"{name}/default")
                value = placeholder_with_default(default, shape, name=name)
            else:
                from flowgraph.ops.constant import placeholder
                value = placeholder(dtype, shape, name=name)
            self.values[info.name] = inputs[info.name] = value
        self.add_initializers(initial.values())
        return inputs

    def add_initializers(self, initializers: Any) -> None:
        """Constants for a graph's initializers."""
        for init in initializers:
            self.values[init.name] = self.constant(self.onnx.numpy_helper.to_array(init),
                                                   sanitize(init.name, "initializer"))

    def convert_nodes(self, nodes: Any) -> None:
        for node in nodes:
            self.convert_node(node)

    def convert_node(self, node: Any) -> None:
        fn = _converter(node, self.table)
        label = _node_label(node)
        where = f"node {label!r} ({node.op_type})"
        try:
            inputs = [self.get(name, where) if name else None for name in node.input]
            with name_scope(sanitize(node.name or node.op_type, node.op_type)):
                result = fn(self, node, inputs, self.attributes(node))
        except CannotConvertError as exc:
            raise unsupported_error([(node.op_type, repr(label), str(exc))], "import",
                                    sorted(self.table)) from None
        outputs = [result] if isinstance(result, Tensor) else list(result)
        for i, name in enumerate(node.output):
            if not name:
                continue
            if i < len(outputs) and outputs[i] is not None:
                self.values[name] = outputs[i]
            else:
                self.values[name] = (f"it reads output {i} ({name!r}) of {where}, which "
                                     "flowgraph does not compute")
