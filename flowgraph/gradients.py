"""Symbolic gradients: reverse-mode accumulation that adds gradient nodes to the graph.

Each op class's `grad(op, *output_grads)` returns one gradient per input (a Tensor, an
IndexedSlices or None). Ops flagged ``broadcasting`` may return gradients of the broadcast
shape: they are summed back to each input's shape here, once for all ops.
"""

from __future__ import annotations

import enum
from typing import Any, Optional, Sequence

from flowgraph import dtypes, gradient_registry
from flowgraph.graph import Operation, Tensor
from flowgraph.indexed_slices import IndexedSlices
from flowgraph.ops.constant import convert_to_tensor
from flowgraph.ops.gradient_ops import stop_gradient, sum_to_shape_of

__all__ = ["gradients", "hessians", "stop_gradient", "IndexedSlices", "AggregationMethod",
           "UnconnectedGradients"]


class UnconnectedGradients(enum.Enum):
    """What `gradients` returns for an x that ys do not depend on: None or zeros."""

    NONE = "none"
    ZERO = "zero"


class AggregationMethod:
    """Accepted for TF1 compatibility; gradients are always summed with add_n."""

    ADD_N = 0
    DEFAULT = ADD_N
    EXPERIMENTAL_TREE = 1
    EXPERIMENTAL_ACCUMULATE_N = 2


def _as_list(value: Any) -> list:
    return list(value) if isinstance(value, (list, tuple)) else [value]


def _source_tensor(x: Any) -> Tensor:
    # A Variable's gradient flows through every read of it: differentiate with respect
    # to the Variable node's own output, as TF1 does.
    variable = getattr(x, "_variable", None)
    return variable if isinstance(variable, Tensor) else convert_to_tensor(x)


def gradients(ys: Any, xs: Any, grad_ys: Any = None, name: str = "gradients",
              colocate_gradients_with_ops: bool = False, gate_gradients: bool = False,
              aggregation_method: Any = None, stop_gradients: Any = None,
              unconnected_gradients: str = "none") -> list:
    """The symbolic partial derivatives of sum(ys) with respect to each of `xs`.

    Returns one Tensor (or IndexedSlices, for gather-like paths) per x, or None for an x
    that ys do not depend on (zeros with ``unconnected_gradients="zero"``). `grad_ys`
    weights each y (default: ones). Gradients stop at `stop_gradients` and
    `fg.stop_gradient` nodes. The result is made of ordinary graph nodes under the
    `name` scope, so it can be run, drawn, saved and differentiated again.
    """
    ys = [convert_to_tensor(y) for y in _as_list(ys)]
    xs = [_source_tensor(x) for x in _as_list(xs)]
    grad_ys = [None] * len(ys) if grad_ys is None else _as_list(grad_ys)
    if len(grad_ys) != len(ys):
        raise ValueError(f"Passed {len(grad_ys)} grad_ys for {len(ys)} ys")
    try:
        unconnected_gradients = UnconnectedGradients(
            getattr(unconnected_gradients, "value", unconnected_gradients)).value
    except ValueError:
        raise ValueError(f"Unknown value for unconnected_gradients: {unconnected_gradients!r}; "
                         "expected 'none', 'zero' or fg.UnconnectedGradients.NONE / ZERO"
                         ) from None
    if not ys:
        return [None] * len(xs)  # as TF1: nothing depends on the xs
    graph = ys[0].graph
    for t in xs + ys[1:]:
        if t.graph is not graph:
            raise ValueError(f"{t.name} must be from the same graph as {ys[0].name}: "
                             "gradients are only defined within one graph.")
    stops = {_source_tensor(t) for t in _as_list([] if stop_gradients is None
                                                  else stop_gradients)}
    xset = set(xs)
    # Gradient nodes go into the graph of ys, whichever graph is the default.
    with graph.as_default(), graph.name_scope(name):
        between = _ops_between(ys, xs, stops)
        pending: dict = {}
        for y, gy in zip(ys, grad_ys):
            if gy is None:
                if not (y.dtype.is_floating or y.dtype.is_complex):
                    # As TF1: nothing flows back from an integer or bool y (every x's
                    # gradient through it is None).
                    continue
                from flowgraph.ops.fill import ones_like
                gy = ones_like(y, name=f"grad_ys_{len(pending)}")
            else:
                if isinstance(gy, Tensor) and gy.dtype != y.dtype:
                    raise TypeError(f"grad_ys for {y.name} has dtype {gy.dtype.name}, which does "
                                    f"not match the dtype {y.dtype.name} of y; cast it with "
                                    "fg.cast.")
                gy = convert_to_tensor(gy, dtype=y.dtype)
            pending.setdefault(y, []).append(gy)
        for op in sorted(between, key=lambda o: o._id, reverse=True):
            out_grads = []
            for t in op.outputs:
                g = _aggregate(pending.get(t))
                pending[t] = [] if g is None else [g]  # summed once; kept for xs
                # A stop tensor keeps its own gradient (for an x among stop_gradients, as
                # TF1) but passes nothing back to its op.
                out_grads.append(None if t in stops else g)
            if all(g is None for g in out_grads) or not op.inputs:
                continue
            in_grads = _op_gradients(op, out_grads, between, stops, xset)
            for t, g in zip(op.inputs, in_grads):
                if g is not None and (t not in stops or t in xset):
                    pending.setdefault(t, []).append(g)
        results = []
        for x in xs:
            g = _aggregate(pending.get(x))
            if g is None and unconnected_gradients == "zero":
                from flowgraph.ops.fill import zeros_like
                g = zeros_like(x)
            results.append(g)
    return results


def _ops_between(ys: Sequence[Tensor], xs: Sequence[Tensor], stops: set) -> set:
    """Ops on some path from an x to a y (through data edges, not past stop tensors)."""
    reaches_y: set = set()
    stack = [y.op for y in ys]
    while stack:
        op = stack.pop()
        if op in reaches_y:
            continue
        reaches_y.add(op)
        stack.extend(t.op for t in op.inputs if t not in stops)
    from_x: set = set()
    # An x among the stop tensors still gets its own gradient (TF1's partial derivatives:
    # gradients(a + b, [a, b], stop_gradients=[a, b]) is [1, 1]); nothing flows past it.
    stack = [c for x in xs for c in x.consumers()]
    stack += [x.op for x in xs if x not in stops]
    while stack:
        op = stack.pop()
        if op in from_x or op not in reaches_y:
            continue
        from_x.add(op)
        if getattr(op.op_def, "stops_gradient", False):
            continue  # nothing past a stop_gradient needs a gradient from this path
        for t in op.outputs:
            if t not in stops:
                stack.extend(t.consumers())
    return from_x


def _op_gradients(op: Operation, out_grads: list, between: set, stops: set,
                  xset: frozenset = frozenset()) -> list:
    op_def = op.op_def
    needed = [((t.op in between and t not in stops) or t in xset)
              and _is_differentiable_dtype(t.dtype) for t in op.inputs]
    if not any(needed):
        return [None] * len(op.inputs)
    override = gradient_registry.override_for(op)
    if override is not None:
        return _registered_gradients(op, override[0], out_grads, needed)
    if getattr(op_def, "stops_gradient", False):
        return [None] * len(op.inputs)
    if not op_def.differentiable or op_def.grad is None:
        reason = "is not differentiable" if not op_def.differentiable else \
            "has no gradient defined"
        raise LookupError(
            f"No gradient defined for operation '{op.name}' (op type: {op.type}): it {reason}, "
            f"but the gradient needs to flow through it (created at "
            f"{op.creation_site.short() if op.creation_site else 'an unknown place'}). If no "
            "gradient should flow there, wrap its input in fg.stop_gradient(...).")
    filled = []
    sparse_ok = getattr(op_def, "accepts_indexed_slices", False)
    for t, g in zip(op.outputs, out_grads):
        if isinstance(g, IndexedSlices) and not sparse_ok:
            g = convert_to_tensor(g)  # rules see dense gradients unless they opt in
        if g is None and len(op.outputs) > 1 and (t.dtype.is_floating or t.dtype.is_complex):
            from flowgraph.ops.fill import zeros_like
            g = zeros_like(t)
        filled.append(g)
    # As TF1: gradients/<scope>/<op>_grad/..., so gradient nodes mirror the model's scopes.
    with op.graph.name_scope(f"{op.name}_grad"):
        if getattr(op_def, "grad_takes_needed", False):
            # Rules that can skip work (control flow: a gradient per captured tensor)
            # learn which inputs need a gradient.
            grads = list(op_def.grad(op, *filled, needed=needed))
        else:
            grads = list(op_def.grad(op, *filled))
        if len(grads) != len(op.inputs):
            raise ValueError(f"The gradient rule of {op.type} returned {len(grads)} gradients "
                             f"for {len(op.inputs)} inputs (node {op.name}).")
        if getattr(op_def, "broadcasting", False):
            grads = [g if g is None or isinstance(g, IndexedSlices) else sum_to_shape_of(g, t)
                     for g, t in zip(grads, op.inputs)]
    return [g if need else None for g, need in zip(grads, needed)]


def _registered_gradients(op: Operation, function: Any, out_grads: list,
                          needed: list) -> list:
    """Input gradients from a function registered with fg.RegisterGradient (None: the op
    is declared not differentiable)."""
    if function is None:
        return [None] * len(op.inputs)
    from flowgraph.ops.fill import zeros_like
    filled = []
    for t, g in zip(op.outputs, out_grads):
        if isinstance(g, IndexedSlices):
            g = convert_to_tensor(g)
        elif g is None and (t.dtype.is_floating or t.dtype.is_complex):
            g = zeros_like(t)  # as TF1: unused float outputs get zero gradients
        filled.append(g)
    with op.graph.name_scope(f"{op.name}_grad"):
        grads = function(op, *filled)
    if not isinstance(grads, (list, tuple)):
        grads = [grads]
    grads = list(grads)
    if len(grads) != len(op.inputs):
        raise ValueError(f"The gradient function registered for {op.name} (op type "
                         f"{op.type}) returned {len(grads)} gradients for {len(op.inputs)} "
                         "inputs.")
    return [None if g is None or not need else g for g, need in zip(grads, needed)]


def _is_differentiable_dtype(dtype: dtypes.DType) -> bool:
    # variant: TensorArray values carry gradients (TensorArrays of gradients) too.
    return dtype.is_floating or dtype.is_complex or dtype == dtypes.variant


def _aggregate(grads: Optional[list]) -> Any:
    """Sums the gradient contributions reaching one tensor."""
    if not grads:
        return None
    grads = [g for g in grads if g is not None]
    if not grads:
        return None
    if len(grads) == 1:
        return grads[0]
    if all(isinstance(g, IndexedSlices) for g in grads):
        from flowgraph.ops.array import concat
        return IndexedSlices(concat([g.values for g in grads], 0),
                             concat([g.indices for g in grads], 0), grads[0].dense_shape)
    if isinstance(grads[0], Tensor) and grads[0].dtype == dtypes.variant:
        # Gradients of TensorArray values are TensorArrays of gradients (control flow).
        from flowgraph.ops.tensor_array_grad_ops import add_tensor_lists
        return add_tensor_lists(grads)
    from flowgraph.ops.math import add_n
    return add_n([convert_to_tensor(g) for g in grads])


def hessians(ys: Any, xs: Any, name: str = "hessians", colocate_gradients_with_ops: bool = False,
             gate_gradients: bool = False, aggregation_method: Any = None) -> list:
    """The Hessian of sum(ys) with respect to each x: shape x.shape + x.shape.

    Built by differentiating each component of the gradient, so meant for small xs (their
    size must be known when the graph is built).
    """
    from flowgraph.ops.array import stack
    from flowgraph.ops.shape_ops import reshape
    results = []
    for x in _as_list(xs):
        x_tensor = _source_tensor(x)
        size = x_tensor.shape.num_elements()
        if size is None:
            raise ValueError(f"hessians needs the size of {x_tensor.name} known when the graph "
                             f"is built, got shape {x_tensor.shape}")
        with x_tensor.graph.as_default(), x_tensor.graph.name_scope(name):
            (grad,) = gradients(ys, [x])
            if grad is None:
                results.append(None)
                continue
            flat = reshape(convert_to_tensor(grad), [-1])
            rows = []
            for i in range(size):
                (row,) = gradients(flat[i], [x])
                from flowgraph.ops.fill import zeros_like
                rows.append(reshape(convert_to_tensor(row) if row is not None
                                    else zeros_like(x_tensor), [-1]))
            dims = x_tensor.shape.as_list()
            results.append(reshape(stack(rows), dims + dims))
    return results
