"""Export of control flow: `fg.cond` (If) and `fg.while_loop` (While) as ONNX If and Loop.

Their branches and bodies are flowgraph sub-graphs; each becomes an ONNX sub-graph that
reads the enclosing graph's values (captured tensors, Variables) by name, as ONNX allows.
A cond whose predicate is known when exporting (e.g. a training flag left at its default)
is replaced by the branch it takes.
"""

from __future__ import annotations

from flowgraph import dtypes
from flowgraph.onnx.export_ops.table import exporter
from flowgraph.shapes import TensorShape


def _tensors(graph, names):
    return [graph.get_tensor_by_name(name) for name in names]


def _bind(ctx, scope, op, graph, names, offset: int, values=None) -> None:
    """Binds a sub-graph's placeholders (`names`, fed by op inputs from `offset`, or by
    `values` where given) and its Variables to ONNX names visible in `scope`."""
    for i, name in enumerate(names):
        if name:
            value = values[i] if values is not None and i < len(values) else \
                ctx.name(op.inputs[offset + i])
            scope.bind(graph.get_tensor_by_name(name), value)
    d = op.op_def
    for var_name, position in zip(d._variables, d._refs):
        try:
            var_op = graph.get_operation_by_name(var_name)
        except (KeyError, ValueError):
            continue
        scope.bind(var_op.outputs[0], ctx.name(op.inputs[position]))


def _outputs(scope, op, names, tensors, hint: str) -> list:
    """The ValueInfos of a sub-graph's outputs, each made by an Identity inside it (ONNX
    wants a sub-graph's outputs made there, and distinct)."""
    finals = [scope.node("Identity", [name], hint=f"{hint}{i}") for i, name in enumerate(names)]
    return [scope.value_info(final, t.dtype, t.shape) for final, t in zip(finals, tensors)]


def _branches(op):
    d = op.op_def
    return ((d.then_branch, d.then_inputs, d.then_outputs, "then"),
            (d.else_branch, d.else_inputs, d.else_outputs, "else"))


def _if_needs(ctx, op):
    known = ctx.static(op.inputs[0])
    if known is None:
        return list(op.inputs)
    graph, names, _, _ = _branches(op)[0 if known else 1]
    needed = [op.inputs[1 + i] for i, name in enumerate(names) if name]
    return needed + [op.inputs[p] for p in op.op_def._refs]


@exporter("If", needs=_if_needs)
def _if(ctx, op):
    known = ctx.static(op.inputs[0])
    if known is not None:  # inline the branch taken
        graph, names, outputs, _ = _branches(op)[0 if known else 1]
        _bind(ctx, ctx, op, graph, names, 1)
        return ctx.convert(_tensors(graph, outputs)) + [None]
    protos = {}
    for graph, names, outputs, label in _branches(op):
        sub = ctx.child()
        sub.op = op
        _bind(ctx, sub, op, graph, names, 1)
        tensors = _tensors(graph, outputs)
        results = sub.convert(tensors)
        infos = _outputs(sub, op, results, tensors, f"{label}_out")
        protos[label] = sub.graph(f"{op.name}/{label}", [], infos)
    n = len(op.op_def.then_outputs)
    results = ctx.node("If", [ctx.name(op.inputs[0])], outputs=n,
                       then_branch=protos["then"], else_branch=protos["else"])
    return ([results] if n == 1 else list(results)) + [None]


@exporter("While")
def _while(ctx, op):
    d = op.op_def
    n = len(d.body_outputs)
    # The condition before the first iteration, computed where the loop starts.
    (first_cond,) = _inline_cond(ctx, ctx, op, None)
    body = ctx.child()
    body.op = op
    unique = ctx.model.unique
    iteration, cond_in = unique(f"{op.name}/iteration"), unique(f"{op.name}/cond_in")
    carried = [unique(f"{op.name}/loop_var{i}") for i in range(n)]
    inputs = [body.value_info(iteration, dtypes.int64, TensorShape([])),
              body.value_info(cond_in, dtypes.bool_, TensorShape([]))]
    for i in range(n):
        name = d.body_inputs[i]
        shape = d.body.get_tensor_by_name(name).shape if name else op.inputs[i].shape
        inputs.append(body.value_info(carried[i], op.inputs[i].dtype, shape))
    _bind(ctx, body, op, d.body, d.body_inputs, 0, carried)
    new_tensors = _tensors(d.body, d.body_outputs)
    new_values = body.convert(new_tensors)
    (next_cond,) = _inline_cond(ctx, body, op, new_values)
    cond_t = d.cond.get_tensor_by_name(d.cond_output)
    infos = _outputs(body, op, [next_cond] + new_values, [cond_t] + new_tensors, "body_out")
    # Loop-carried shapes are the loop's shape invariants.
    for info, carried_info in zip(infos[1:], inputs[2:]):
        info.type.CopyFrom(carried_info.type)
    graph = body.graph(f"{op.name}/body", inputs, infos)
    results = ctx.node("Loop", ["", first_cond] + [ctx.name(t) for t in op.inputs[:n]],
                       outputs=n, body=graph)
    return ([results] if n == 1 else list(results)) + [None]


def _inline_cond(ctx, scope, op, values) -> list:
    """The loop condition computed in `scope` on the loop variables `values` (None: the
    op's inputs, in the enclosing graph)."""
    d = op.op_def
    _bind(ctx, scope, op, d.cond, d.cond_inputs, 0, values)
    return scope.convert([d.cond.get_tensor_by_name(d.cond_output)])
