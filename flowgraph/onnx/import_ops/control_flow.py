"""Import of ONNX If and Loop as `fg.cond` and `fg.while_loop`.

A branch or body is converted inside the function that `fg.cond` / `fg.while_loop` call to
build it; the values of enclosing graphs it reads by name are captured there.
"""

from __future__ import annotations

from flowgraph import dtypes
from flowgraph.onnx.import_ops.common import fg
from flowgraph.onnx.import_ops.table import importer
from flowgraph.onnx.unsupported import CannotConvertError
from flowgraph.shapes import TensorShape


def _scalar(tensor):
    """An ONNX condition (a bool of shape [] or [1]) as a scalar."""
    return tensor if tensor.shape.ndims == 0 else fg().reshape(tensor, [])


def _run_graph(ctx, graph, bound: dict) -> list:
    """Converts a sub-graph's nodes with its inputs `bound`; returns its outputs."""
    sub = ctx.child()
    sub.values.update(bound)
    sub.add_initializers(graph.initializer)
    sub.convert_nodes(graph.node)
    where = f"the outputs of sub-graph {graph.name!r}"
    # An identity, so that an output that is an outer value is still made in the branch.
    return [fg().identity(sub.get(info.name, where)) for info in graph.output]


@importer("If")
def _if(ctx, node, inputs, attrs):
    then_graph, else_graph = attrs["then_branch"], attrs["else_branch"]
    results = fg().cond(_scalar(inputs[0]), lambda: _run_graph(ctx, then_graph, {}),
                        lambda: _run_graph(ctx, else_graph, {}))
    return [results] if not isinstance(results, (list, tuple)) else list(results)


def _invariant(info) -> TensorShape:
    from flowgraph.onnx.importer import tensor_type
    return tensor_type(info, "loop variable")[1]


@importer("Loop")
def _loop(ctx, node, inputs, attrs):
    f = fg()
    body = attrs["body"]
    trip_count = inputs[0] if inputs and inputs[0] is not None else None
    first_cond = inputs[1] if len(inputs) > 1 and inputs[1] is not None else None
    initial = list(inputs[2:])
    n = len(initial)
    if len(body.output) != n + 1:
        raise CannotConvertError(f"scan outputs ({len(body.output) - 1 - n} of them)")
    if trip_count is not None:
        trip_count = f.cast(_scalar(trip_count), dtypes.int64)
    start = f.constant(True) if first_cond is None else _scalar(first_cond)
    names = [info.name for info in body.input]

    def cond(i, keep_going, *values):
        if trip_count is None:
            return keep_going
        return f.logical_and(keep_going, f.less(i, trip_count))

    def step(i, keep_going, *values):
        bound = {names[0]: i, names[1]: keep_going}
        bound.update(zip(names[2:], values))
        results = _run_graph(ctx, body, bound)
        return [f.add(i, f.constant(1, dtype=dtypes.int64)), _scalar(results[0]), *results[1:]]

    invariants = [TensorShape([]), TensorShape([])] + [_invariant(info) for info in body.input[2:]]
    loop_vars = [f.constant(0, dtype=dtypes.int64), start, *initial]
    results = f.while_loop(cond, step, loop_vars, shape_invariants=invariants)
    return list(results[2:])
