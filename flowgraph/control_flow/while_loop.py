"""fg.while_loop: repeat a body while a condition holds, as TF1's `tf.while_loop`.

`cond` and `body` are traced once into FuncGraphs; a `While` op (flowgraph.ops.
control_flow_ops) runs them when the graph runs, as many times as the condition decides
then. Loop variables may be nested structures of tensors and TensorArrays.
"""

from __future__ import annotations

from typing import Any, Callable, Optional

from flowgraph import dtypes
from flowgraph.control_flow import nest
from flowgraph.control_flow.func_graph import FuncGraph
from flowgraph.control_flow.tensor_array import TensorArray
from flowgraph.control_flow.values import rebuild, to_output, to_tensor
from flowgraph.graph import Graph, Operation, Tensor, building_graph, get_default_graph
from flowgraph.ops.constant import constant, convert_to_tensor, identity
from flowgraph.ops.control_flow_ops import While, variable_names
from flowgraph.shapes import TensorShape, as_shape

__all__ = ["while_loop"]


def _call(fn: Callable, args: Any) -> Any:
    """TF1 calls cond and body with the loop variables unpacked from a list or tuple."""
    if isinstance(args, (list, tuple)):
        return fn(*args)
    return fn(args)


def _outer_graph(leaves: list) -> Graph:
    for leaf in leaves:
        tensor = leaf.flow if isinstance(leaf, TensorArray) else leaf
        if isinstance(tensor, Tensor):
            return building_graph(tensor.graph)
        to_tensor_fn = getattr(leaf, "__fg_tensor__", None)
        if to_tensor_fn is not None:
            return building_graph(to_tensor_fn().graph)
    return get_default_graph()


def _invariants(loop_vars: Any, tensors: list, shape_invariants: Any) -> list:
    if shape_invariants is None:
        return [t.shape for t in tensors]
    leaves = nest.flatten(loop_vars)
    given = nest.flatten(shape_invariants)
    if len(given) != len(leaves):
        raise ValueError(f"shape_invariants must have the structure of loop_vars: "
                         f"{len(leaves)} loop variables but {len(given)} shape invariants "
                         "(give one fg.TensorShape per loop variable).")
    result = []
    for leaf, tensor, shape in zip(leaves, tensors, given):
        if isinstance(leaf, TensorArray):
            result.append(tensor.shape)
            continue
        shape = as_shape(shape) if shape is not None else TensorShape(None)
        if not shape.is_compatible_with(tensor.shape):
            raise ValueError(f"The shape invariant specified for {tensor.name} is not "
                             f"compatible with the initial shape of the loop variable. It "
                             f"enters the loop with shape {tensor.shape}, but the specified "
                             f"shape invariant is {shape}.")
        result.append(shape)
    return result


def _shape_less_or_equal(shape: TensorShape, invariant: TensorShape) -> bool:
    """Whether `shape` is compatible with `invariant` (unknown dims are checked when the
    loop runs)."""
    return invariant.is_compatible_with(shape)


def while_loop(cond: Callable, body: Callable, loop_vars: Any, shape_invariants: Any = None,
               parallel_iterations: int = 10, back_prop: bool = True,
               swap_memory: bool = False, name: Optional[str] = None,
               maximum_iterations: Any = None, return_same_structure: bool = False) -> Any:
    """Repeats `body` while `cond` is true, as TF1's `tf.while_loop`.

    ``cond(*loop_vars)`` returns a bool scalar tensor; ``body(*loop_vars)`` returns new
    values with the same structure and dtypes. Both are called once, when the graph is
    built; the number of iterations is decided when it runs.

    Parameters
    ----------
    loop_vars : Tensor, TensorArray, or nested list / tuple / namedtuple / dict of them
    shape_invariants : same structure of TensorShapes
        Less specific shapes for loop variables whose shape changes across iterations
        (default: each variable keeps its initial shape). A body output incompatible with
        its invariant is a ValueError when the graph is built; one that only turns out
        not to fit when the loop runs is an InvalidArgumentError then.
    maximum_iterations : int or int scalar tensor
        Stops after that many iterations even if `cond` still holds.
    back_prop : bool
        False: no gradient flows through the loop.
    parallel_iterations, swap_memory
        Accepted for TF1 compatibility (iterations run in order, on the CPU).
    return_same_structure : bool
        Unless True, a single loop variable is returned as itself, not in a list.

    Returns the loop variables after the last iteration.

    >>> i = fg.constant(0)
    >>> r = fg.while_loop(lambda i: i < 10, lambda i: i + 1, [i])
    """
    if not callable(cond):
        raise TypeError("cond must be callable.")
    if not callable(body):
        raise TypeError("body must be callable.")
    if isinstance(parallel_iterations, bool) or not isinstance(parallel_iterations, int) \
            or parallel_iterations < 1:
        raise TypeError("parallel_iterations must be a positive integer.")
    if loop_vars is None or (nest.is_sequence(loop_vars) and not nest.flatten(loop_vars)):
        raise ValueError("No loop variables provided")
    graph = _outer_graph(nest.flatten(loop_vars))
    with graph.as_default(), graph.name_scope(name or "while") as scope:
        if maximum_iterations is not None:
            return _with_maximum_iterations(cond, body, loop_vars, shape_invariants,
                                            parallel_iterations, back_prop,
                                            maximum_iterations, return_same_structure, scope)
        return _build(cond, body, loop_vars, shape_invariants, parallel_iterations,
                      back_prop, return_same_structure, scope, graph)


def _with_maximum_iterations(cond: Callable, body: Callable, loop_vars: Any,
                             shape_invariants: Any, parallel_iterations: int, back_prop: bool,
                             maximum_iterations: Any, return_same_structure: bool,
                             scope: str) -> Any:
    """As TF1: an iteration counter joins the loop variables and the condition."""
    from flowgraph.ops.compare import less
    from flowgraph.ops.logic import logical_and
    limit = convert_to_tensor(maximum_iterations, name="maximum_iterations")
    if limit.shape.ndims not in (None, 0):
        raise ValueError(f"maximum_iterations must be a scalar, saw shape: {limit.shape}")
    if not limit.dtype.is_integer:
        raise TypeError(f"maximum_iterations must be an integer, got {limit.dtype.name}")
    counter = constant(0, dtype=limit.dtype, name="iteration_counter")
    single = isinstance(loop_vars, (list, tuple)) and len(loop_vars) == 1 and \
        not return_same_structure
    inner_vars = loop_vars[0] if single else loop_vars
    call = (lambda fn, lv: fn(lv)) if single else _call

    def counted_cond(i: Tensor, lv: Any) -> Tensor:
        return logical_and(less(i, limit), call(cond, lv))

    def counted_body(i: Tensor, lv: Any) -> tuple:
        return (i + 1, call(body, lv))

    invariants = None
    if shape_invariants is not None:
        inner_inv = shape_invariants[0] if single and isinstance(
            shape_invariants, (list, tuple)) else shape_invariants
        invariants = (TensorShape([]), inner_inv)
    graph = get_default_graph()
    result = _build(counted_cond, counted_body, (counter, inner_vars), invariants,
                    parallel_iterations, back_prop, True, scope, graph)
    return result[1]


def _build(cond: Callable, body: Callable, loop_vars: Any, shape_invariants: Any,
           parallel_iterations: int, back_prop: bool, return_same_structure: bool,
           scope: str, graph: Graph) -> Any:
    leaves = nest.flatten(loop_vars)
    tensors = [to_tensor(leaf, "loop_vars") for leaf in leaves]
    tensors = [graph._capture(t, "while_loop") if t.graph is not graph else t for t in tensors]
    invariants = _invariants(loop_vars, tensors, shape_invariants)
    prefix = scope[:-1]

    def trace(fn: Callable, what: str) -> tuple:
        fgraph = FuncGraph(prefix, graph)
        holders = [fgraph.add_input(t.dtype, shape, name="loop_var")
                   for t, shape in zip(tensors, invariants)]
        with fgraph.as_default():
            result = _call(fn, rebuild(loop_vars, holders))
        return fgraph, holders, result

    cond_graph, cond_holders, pred = trace(cond, "cond")
    if isinstance(pred, (list, tuple)) and len(pred) == 1:
        pred = pred[0]
    pred = to_output(cond_graph, pred, "The result of cond")
    if pred.dtype != dtypes.bool_ or not pred.shape.is_compatible_with([]):
        raise TypeError(f"cond of a while_loop must return a bool scalar tensor, got "
                        f"{pred.dtype.name} of shape {pred.shape} ({pred.name}).")
    body_graph, body_holders, result = trace(body, "body")
    if not nest.is_sequence(loop_vars):
        if isinstance(result, (list, tuple)) and len(result) == 1:
            result = result[0]
    elif not nest.is_sequence(result):
        result = [result]
    try:
        nest.assert_same_structure(_top_list(loop_vars), _top_list(result), check_types=False)
    except (TypeError, ValueError) as exc:
        raise type(exc)(f"body of a while_loop must return the structure of loop_vars "
                        f"{_short(loop_vars)}, got {_short(result)}: {exc}") from None
    outputs = [to_output(body_graph, leaf, "The result of body") for leaf in nest.flatten(result)]
    for i, (given, holder, out) in enumerate(zip(tensors, body_holders, outputs)):
        if out.dtype != given.dtype:
            raise TypeError(f"Loop variable {i} ({given.name}) enters the loop as "
                            f"{given.dtype.name} but the body returns {out.dtype.name} "
                            f"({out.name}); cast it in the body.")
        if not _shape_less_or_equal(out.shape, holder.shape):
            raise ValueError(f"Input tensor '{given.name}' enters the loop with shape "
                             f"{holder.shape}, but has shape {out.shape} after one "
                             "iteration. To allow the shape to vary across iterations, use "
                             "the `shape_invariants` argument of fg.while_loop to specify a "
                             "less-specific shape.")
    op = _build_while(graph, tensors, cond_graph, cond_holders, pred, body_graph,
                      body_holders, outputs, parallel_iterations, back_prop, scope)
    # TF1 (v1 control flow) names a loop's results "<scope>/Exit", "<scope>/Exit_1", ...
    exits = [identity(t, name="Exit") for t in op.outputs[:len(outputs)]]
    packed = rebuild(result, exits)
    if return_same_structure:
        return packed
    if isinstance(packed, (list, tuple)) and len(outputs) == 1 and len(packed) == 1:
        return packed[0]
    return packed


def _build_while(graph: Graph, tensors: list, cond_graph: FuncGraph, cond_holders: list,
                 pred: Tensor, body_graph: FuncGraph, body_holders: list, outputs: list,
                 parallel_iterations: int, back_prop: bool, name: str) -> Operation:
    values: list = []
    variables: dict = {}
    for fgraph in (cond_graph, body_graph):
        for outer, inner in fgraph.captures:
            if getattr(inner.op.op_def, "is_variable", False):
                variables[inner.op.name] = outer
            elif outer not in values:
                values.append(outer)
    refs = [variables[n] for n in variable_names(cond_graph, body_graph)]

    def names(fgraph: FuncGraph, holders: list) -> tuple:
        captured = tuple(fgraph.captured(t).name if fgraph.captured(t) is not None else ""
                         for t in values)
        return tuple(h.name for h in holders) + captured

    op_def = While(cond=cond_graph, body=body_graph, cond_inputs=names(cond_graph, cond_holders),
                   cond_output=pred.name, body_inputs=names(body_graph, body_holders),
                   body_outputs=tuple(t.name for t in outputs),
                   parallel_iterations=parallel_iterations, back_prop=back_prop)
    return graph.create_op(op_def, [*tensors, *values, *refs], name=name)


def _top_list(structure: Any) -> Any:
    return list(structure) if isinstance(structure, (list, tuple)) else structure


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 160 else text[:157] + "..."
