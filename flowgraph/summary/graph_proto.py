"""A flowgraph Graph as a TensorFlow `GraphDef` protobuf, for TensorBoard's Graphs tab.

One NodeDef per Operation: its name (TensorBoard groups nodes by the '/' of name scopes), op
type, inputs (``"op"`` for output 0, ``"op:1"``..., ``"^op"`` for control inputs), device,
and attributes: the op's typed attributes, ``T`` (the first input's dtype) or ``dtype``
for ops without a dtype attribute, and ``_output_shapes`` (-1 for unknown sizes).
"""

from __future__ import annotations

from typing import Any, Optional

import numpy as np

from flowgraph.dtypes import DType
from flowgraph.graph import Graph
from flowgraph.ops.summary_encoding import datatype_enum, load_protos, shape_proto, tensor_proto
from flowgraph.shapes import TensorShape

__all__ = ["graph_def"]

# Const values up to this many elements are written into the graph (TensorBoard shows them in
# the node's info card); larger ones only by dtype and shape, to keep event files small.
MAX_CONST_ELEMENTS = 64
_MAX_TEXT = 200


def graph_def(graph: Graph, add_shapes: bool = True) -> Any:
    """The `GraphDef` protobuf (tensorboardX's class) of `graph`, as TF1's
    ``graph.as_graph_def(add_shapes=True)``."""
    if not isinstance(graph, Graph):
        raise TypeError(f"graph_def() takes a fg.Graph, got {type(graph).__name__}")
    protos = load_protos()
    proto = protos.graph_pb2.GraphDef()
    with graph.building_lock:
        ops = graph.get_operations()
    for op in ops:
        proto.node.append(node_def(protos, op, add_shapes))
    return proto


def node_def(protos: Any, op: Any, add_shapes: bool = True) -> Any:
    """The NodeDef of one Operation."""
    node = protos.node_def_pb2.NodeDef(name=op.name, op=op.type, device=op.device or "")
    node.input.extend(_input_name(t) for t in op.inputs)
    node.input.extend(f"^{c.name}" for c in op.control_inputs)
    has_dtype = False
    for key, value in op.op_def.attributes().items():
        attr = attr_value(protos, value)
        if attr is not None:
            node.attr[key].CopyFrom(attr)
            has_dtype = has_dtype or isinstance(value, DType)
    if not has_dtype:
        if op.inputs:
            node.attr["T"].type = datatype_enum(op.inputs[0].dtype)
        elif op.outputs:
            node.attr["dtype"].type = datatype_enum(op.outputs[0].dtype)
    if add_shapes and op.outputs:
        shapes = [shape_proto(protos, t.shape.as_tuple()) for t in op.outputs]
        node.attr["_output_shapes"].list.shape.extend(shapes)
    return node


def _input_name(tensor: Any) -> str:
    name = tensor.op.name
    return name if tensor.value_index == 0 else f"{name}:{tensor.value_index}"


def attr_value(protos: Any, value: Any) -> Optional[Any]:
    """An AttrValue for one typed attribute value (None for None)."""
    attr = protos.attr_value_pb2.AttrValue()
    if value is None:
        return None
    if isinstance(value, (bool, np.bool_)):
        attr.b = bool(value)
    elif isinstance(value, (int, np.integer)):
        attr.i = int(value)
    elif isinstance(value, (float, np.floating)):
        attr.f = float(value)
    elif isinstance(value, str):
        attr.s = value.encode("utf-8")
    elif isinstance(value, (bytes, bytearray)):
        attr.s = bytes(value)
    elif isinstance(value, DType):
        attr.type = datatype_enum(value)
    elif isinstance(value, TensorShape):
        attr.shape.CopyFrom(shape_proto(protos, value.as_tuple()))
    elif isinstance(value, np.ndarray):
        attr.tensor.CopyFrom(_const_tensor(protos, value))
    elif isinstance(value, (tuple, list)):
        if not _fill_list(protos, attr.list, value):
            attr.s = _text(value)
    else:
        attr.s = _text(value)
    return attr


def _fill_list(protos: Any, out: Any, items: Any) -> bool:
    if all(isinstance(v, (bool, np.bool_)) for v in items):
        out.b.extend(bool(v) for v in items)
    elif all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in items):
        out.i.extend(int(v) for v in items)
    elif all(isinstance(v, (int, float, np.integer, np.floating)) for v in items):
        out.f.extend(float(v) for v in items)
    elif all(isinstance(v, str) for v in items):
        out.s.extend(v.encode("utf-8") for v in items)
    elif all(isinstance(v, DType) for v in items):
        out.type.extend(datatype_enum(v) for v in items)
    elif all(isinstance(v, TensorShape) for v in items):
        out.shape.extend(shape_proto(protos, v.as_tuple()) for v in items)
    else:
        return False
    return True


def _const_tensor(protos: Any, value: np.ndarray) -> Any:
    from flowgraph import dtypes
    try:
        dtype = dtypes.string if value.dtype.kind in "OSU" else dtypes.as_dtype(value.dtype)
    except (TypeError, ValueError):
        return protos.tensor_pb2.TensorProto()
    if value.size <= MAX_CONST_ELEMENTS:
        return tensor_proto(protos, value, dtype)
    return protos.tensor_pb2.TensorProto(dtype=datatype_enum(dtype),
                                         tensor_shape=shape_proto(protos, value.shape))


def _text(value: Any) -> bytes:
    text = repr(value)
    if len(text) > _MAX_TEXT:
        text = text[:_MAX_TEXT - 3] + "..."
    return text.encode("utf-8")
