"""fg.cond and fg.case: run one of several functions, chosen by a boolean tensor.

Each function is traced once into its own FuncGraph; an `If` op (flowgraph.ops.
control_flow_ops) runs only the chosen branch when the graph runs, so ops in the other
branch (an assign, a counter) do not run.
"""

from __future__ import annotations

from typing import Any, Callable, Optional

from flowgraph import dtypes
from flowgraph.control_flow import nest
from flowgraph.control_flow.func_graph import FuncGraph
from flowgraph.control_flow.values import rebuild, to_output
from flowgraph.graph import Graph, Operation, Tensor, building_graph, get_default_graph
from flowgraph.ops.constant import convert_to_tensor, identity
from flowgraph.ops.control_flow_ops import If, variable_names

__all__ = ["cond", "case"]


class BranchMismatchError(ValueError, TypeError):
    """Branches of a cond return different dtypes: a ValueError, as TF1's `tf.cond` raises,
    and a TypeError, as TF2's."""


class _Branch:
    """A traced branch: its FuncGraph, the structure it returned, and its output tensors."""

    def __init__(self, graph: FuncGraph, structure: Any, outputs: list) -> None:
        self.graph = graph
        self.structure = structure
        self.outputs = outputs


def trace_branch(fn: Callable, name: str, outer: Graph, what: str) -> _Branch:
    """Calls `fn()` with a new FuncGraph (named `name`, inside `outer`) as default graph."""
    graph = FuncGraph(name, outer)
    with graph.as_default():
        result = fn()
    if result is None or isinstance(result, Operation):
        return _Branch(graph, None, [])
    outputs = [to_output(graph, leaf, f"The result of {what}") for leaf in nest.flatten(result)]
    return _Branch(graph, result, outputs)


def build_if(pred: Tensor, then_graph: FuncGraph, else_graph: FuncGraph, then_outputs: list,
             else_outputs: list, name: Optional[str]) -> Operation:
    """The If op running `then_graph` or `else_graph` on what they captured."""
    graph = pred.graph
    values: list = []
    variables: dict = {}
    for branch in (then_graph, else_graph):
        for outer, inner in branch.captures:
            if getattr(inner.op.op_def, "is_variable", False):
                variables[inner.op.name] = outer
            elif outer not in values:
                values.append(outer)
    refs = [variables[n] for n in variable_names(then_graph, else_graph)]

    def names(branch: FuncGraph) -> tuple:
        return tuple(branch.captured(t).name if branch.captured(t) is not None else ""
                     for t in values)

    op_def = If(then_branch=then_graph, else_branch=else_graph, then_inputs=names(then_graph),
                else_inputs=names(else_graph),
                then_outputs=tuple(t.name for t in then_outputs),
                else_outputs=tuple(t.name for t in else_outputs))
    return graph.create_op(op_def, [pred, *values, *refs], name=name)


def _check_branches(then: _Branch, other: _Branch, first: str, second: str) -> None:
    if (then.structure is None) != (other.structure is None):
        raise ValueError(f"Incompatible return values of {first} and {second}: one returns "
                         f"{_short(then.structure)}, the other {_short(other.structure)}; "
                         "both must return tensors, or both nothing (None or an Operation).")
    try:
        nest.assert_same_structure(then.structure, other.structure)
    except TypeError as exc:
        raise TypeError(f"Incompatible return types of {first} and {second}: {exc}") from None
    except ValueError as exc:
        raise ValueError(f"Incompatible return values of {first} and {second}: {exc}") \
            from None
    for a, b in zip(then.outputs, other.outputs):
        if a.dtype != b.dtype:
            raise BranchMismatchError(
                f"Outputs of {first} and {second} must have the same type: {a.dtype.name}, "
                f"{b.dtype.name} ({first} returns {a.name} of shape {a.shape}, {second} "
                f"returns {b.name} of shape {b.shape})")


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 100 else text[:97] + "..."


def _unpack_if_singleton(value: Any) -> Any:
    if isinstance(value, (list, tuple)) and len(value) == 1:
        return value[0]
    return value


def _pred_tensor(pred: Any) -> Tensor:
    if isinstance(pred, bool):
        raise TypeError("pred must not be a Python bool: use an `if` statement, or pass a "
                        "bool Tensor (e.g. fg.constant(True) or a placeholder).")
    pred = convert_to_tensor(pred)
    if pred.dtype != dtypes.bool_:
        raise TypeError(f"pred must be a bool tensor, got {pred.name} of dtype "
                        f"{pred.dtype.name}")
    return pred


def cond(pred: Any, true_fn: Optional[Callable] = None, false_fn: Optional[Callable] = None,
         strict: bool = False, name: Optional[str] = None, fn1: Optional[Callable] = None,
         fn2: Optional[Callable] = None) -> Any:
    """`true_fn()` if `pred` is true, else `false_fn()`, as TF1's `tf.cond`.

    Both functions are traced once when the graph is built; only the chosen one runs.
    They must return the same (possibly nested) structure of tensors with the same dtypes
    (shapes may differ: the result's static shape is what both have in common).

    Parameters
    ----------
    pred : bool scalar Tensor
        Chooses the branch (a Python bool is refused, as in TF1).
    true_fn, false_fn : callable
        Functions of no arguments returning tensors (or nested lists, tuples, dicts,
        namedtuples of them, TensorArrays), or an Operation / None.
    strict : bool
        Unless True, a singleton list or tuple result is returned as its element.
    fn1, fn2 : callable
        Deprecated TF1 aliases of `true_fn` and `false_fn`.

    >>> x = fg.placeholder(fg.float32, [])
    >>> y = fg.cond(x > 0, lambda: fg.sqrt(x), lambda: fg.zeros([]))
    """
    if fn1 is not None:
        if true_fn is not None:
            raise TypeError("cond(): true_fn and fn1 may not be set simultaneously.")
        true_fn = fn1
    if fn2 is not None:
        if false_fn is not None:
            raise TypeError("cond(): false_fn and fn2 may not be set simultaneously.")
        false_fn = fn2
    if not callable(true_fn):
        raise TypeError("true_fn must be callable.")
    if not callable(false_fn):
        raise TypeError("false_fn must be callable.")
    pred = _pred_tensor(pred)
    outer = building_graph(pred.graph)
    with outer.as_default(), outer.name_scope(name or "cond") as scope:
        if pred.graph is not outer:
            pred = outer.capture(pred)
        then = trace_branch(true_fn, scope[:-1], outer, "true_fn")
        other = trace_branch(false_fn, scope[:-1], outer, "false_fn")
        _check_branches(then, other, "true_fn", "false_fn")
        op = build_if(pred, then.graph, other.graph, then.outputs, other.outputs, scope)
        if then.structure is None:
            return op
        # TF1 (v1 control flow) names a cond's results "<scope>/Merge", "<scope>/Merge_1", ...
        merged = [identity(t, name="Merge") for t in op.outputs[:-1]]
    result = rebuild(then.structure, merged)
    return result if strict else _unpack_if_singleton(result)


def case(pred_fn_pairs: Any, default: Optional[Callable] = None, exclusive: bool = False,
         strict: bool = False, name: str = "case") -> Any:
    """The result of the function paired with the first true predicate, as TF1's
    `tf.case`; `default()` if none is true.

    Built as nested conds, so only the chosen function runs. Without `default`, the last
    pair's function is the default, and InvalidArgumentError is raised at run time if no
    predicate is true. With `exclusive`, more than one true predicate is an
    InvalidArgumentError at run time.

    >>> r = fg.case([(x < 0, lambda: -x), (x > 10, lambda: x - 10)], default=lambda: x)
    """
    pairs = _case_pairs(pred_fn_pairs)
    if default is not None and not callable(default):
        raise TypeError("default must be callable.")
    graph = get_default_graph()
    with graph.name_scope(name or "case"):
        predicates = [p for p, _ in pairs]
        fns = [f for _, f in pairs]
        if default is None:
            default = _default_action(predicates, fns)
            predicates, fns = predicates[:-1], fns[:-1]
        check = None
        if exclusive:
            check = _check_predicates([p for p, _ in pairs], at_most_one=True,
                                      message="Input error: exclusive=True")
            if predicates:
                # As TF1: the check runs before the conds, whose Merge outputs are the result.
                from flowgraph.ops.control import with_dependencies
                predicates[0] = with_dependencies([check], predicates[0])
        fn = default
        for predicate, action in reversed(list(zip(predicates, fns))):
            fn = _nested(predicate, action, fn, strict)
        if check is not None and not predicates:
            return _with_dependency(fn(), check)
        return fn()


def _with_dependency(result: Any, check: Operation) -> Any:
    """`result` whose tensors are computed only after `check` ran."""
    from flowgraph.control_flow.tensor_array import TensorArray
    from flowgraph.ops.control import with_dependencies
    if result is None or isinstance(result, Operation):
        return result
    new = []
    for leaf in nest.flatten(result):
        if isinstance(leaf, TensorArray):
            new.append(leaf._with_flow(with_dependencies([check], leaf.flow)))
        elif isinstance(leaf, Tensor):
            new.append(with_dependencies([check], leaf))
        else:
            new.append(leaf)
    return nest.pack_sequence_as(result, new)


def _nested(predicate: Tensor, action: Callable, otherwise: Callable, strict: bool):
    return lambda: cond(predicate, action, otherwise, strict=strict)


def _default_action(predicates: list, fns: list) -> Callable:
    last_fn = fns[-1]

    def default_action() -> Any:
        check = _check_predicates(predicates, at_least_one=True,
                                  message="Input error: None of conditions evaluated as True")
        return _with_dependency(last_fn(), check)

    return default_action


def _check_predicates(predicates: list, at_most_one: bool = False, at_least_one: bool = False,
                      message: str = "") -> Operation:
    from flowgraph.ops.array import stack
    from flowgraph.ops.control_flow_records import CaseCheck
    from flowgraph.ops.registry import apply_op
    preds = stack(predicates, name="preds_c")
    return apply_op(CaseCheck(at_most_one=at_most_one, at_least_one=at_least_one,
                              message=message), [preds])


def _case_pairs(pred_fn_pairs: Any) -> list:
    if isinstance(pred_fn_pairs, dict):
        pred_fn_pairs = list(pred_fn_pairs.items())
    if not isinstance(pred_fn_pairs, (list, tuple)) or not pred_fn_pairs:
        raise TypeError("pred_fn_pairs must be a non-empty list or tuple of (pred, fn) "
                        "pairs (or a dict).")
    pairs = []
    for pair in pred_fn_pairs:
        if not isinstance(pair, tuple) or len(pair) != 2:
            raise TypeError(f"Each entry in pred_fn_pairs must be a 2-tuple, got {pair!r:.80}")
        pred, fn = pair
        if isinstance(pred, bool):
            raise TypeError("pred must not be a Python bool")
        pred = convert_to_tensor(pred)
        if pred.dtype != dtypes.bool_:
            raise TypeError(f"pred must be of type bool: {pred.name}")
        if not callable(fn):
            raise TypeError(f"fn for pred {pred.name} must be callable.")
        pairs.append((pred, fn))
    return pairs
