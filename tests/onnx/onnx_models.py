"""Small ONNX models built by hand with onnx.helper, for the import tests."""

from __future__ import annotations

import numpy as np
from onnx import TensorProto, helper, numpy_helper

FLOAT = TensorProto.FLOAT


def model(nodes, inputs, outputs, initializers=(), opset=17):
    """A ModelProto from nodes and (name, elem type, shape) inputs / outputs."""
    graph = helper.make_graph(
        nodes, "test",
        [helper.make_tensor_value_info(n, t, s) for n, t, s in inputs],
        [helper.make_tensor_value_info(n, t, s) for n, t, s in outputs],
        initializer=[numpy_helper.from_array(np.asarray(v), n) for n, v in initializers])
    opsets = [helper.make_opsetid("", opset)]
    result = helper.make_model(graph, opset_imports=opsets)
    result.ir_version = helper.find_min_ir_version_for(opsets)
    return result


def single(op_type, input_names, attrs=None, outputs=1):
    """One node reading `input_names` and writing y (or y0, y1, ...)."""
    names = ["y"] if outputs == 1 else [f"y{i}" for i in range(outputs)]
    return helper.make_node(op_type, list(input_names), names, name=op_type.lower(),
                            **(attrs or {}))
