"""Export of graph inputs and state: Variables (frozen), constants and placeholders."""

from __future__ import annotations

import numpy as np

from flowgraph.onnx.export_ops.table import exporter
from flowgraph.onnx.unsupported import CannotConvertError


@exporter("VariableV2")
def _variable(ctx, op):
    if not ctx.is_top:
        raise CannotConvertError("a Variable of a sub-graph that its control-flow op does not pass")
    session = ctx.model.session
    if session is None:
        raise ValueError(f"fg.onnx.export needs the Session holding the Variables' values, "
                         f"but session is None and the outputs read Variable {op.name}.")
    value = np.asarray(session.run(op.outputs[0]))
    # Frozen: the Session's current value, written as an initializer named after it.
    return ctx.const(value, op.name)


@exporter("Const")
def _const(ctx, op):
    return ctx.const(op.op_def.value, op.name)


@exporter("Placeholder")
def _placeholder(ctx, op):
    raise CannotConvertError("a placeholder that is not among the inputs: pass it in inputs={name: "
                      "tensor}")


@exporter("PlaceholderWithDefault")
def _placeholder_with_default(ctx, op):
    # Not an input of the export: it yields its default value.
    return ctx.name(op.inputs[0])
