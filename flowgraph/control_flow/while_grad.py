"""The gradient of `While`: a reverse while loop over the forward loop's recording.

For t = T-1 down to 0 the backward loop evaluates the gradient of the body at iteration t
(the loop variables' gradients so far weighting its outputs), carrying the loop variables'
gradients back one iteration and adding up the gradients of the captured tensors (the
weights) over all iterations.

The backward body is made in two steps. First, in a scratch graph, the body is copied
(recomputed) on the values of iteration t and differentiated with fg.gradients. Then only
the gradient ops are moved into the backward body: every forward value they use is read
from the forward loop's recording instead of recomputed. The forward While records those
values (it asks the UnpackSaved nodes reading its recording which ones), so memory grows
linearly with the trip count, only in runs that compute the gradient. Nested control-flow
ops of the body are the exception: they are recomputed (their own gradients need their
own recordings).
"""

from __future__ import annotations

from typing import Any, Optional

from flowgraph.control_flow.func_graph import FuncGraph, copy_ops
from flowgraph.control_flow.grad_util import (
    add_grads,
    dense,
    differentiable,
    is_recording,
    recompute,
    unpack_saved,
    variables_of,
    zeros_for,
)
from flowgraph.graph import Operation, Tensor, get_default_graph
from flowgraph.ops.control_flow_ops import saved_tensors
from flowgraph.ops.control_flow_records import SavedCount
from flowgraph.ops.registry import apply_op


def while_grad(op: Operation, dys: list, needed: Optional[list] = None) -> list:
    """Gradients of a While op's inputs given its loop-variable outputs' gradients
    (`needed`: which inputs need one; the others' are not computed)."""
    from flowgraph.control_flow.while_loop import while_loop
    fwd = op.op_def
    body = fwd.body
    n = len(fwd.body_outputs)
    n_values = len(fwd.body_inputs)
    var_idx = [i for i in range(n) if differentiable(op.inputs[i].dtype)]
    cap_idx = [j for j in range(n, len(op.inputs)) if differentiable(op.inputs[j].dtype)
               and (j >= n_values or fwd.body_inputs[j]) and not is_recording(op.inputs[j])
               and (needed is None or needed[j])]
    if any(inner.type == "UnpackSaved" for inner in body.get_operations()):
        raise LookupError(
            f"Second-order gradients through a while_loop are not supported: {op.name} is "
            "the backward loop of a while_loop's gradient. Differentiate through fg.cond, or "
            "unroll the loop in Python, for higher-order gradients.")
    if not var_idx or all(dys[i] is None for i in var_idx):
        return [None] * len(op.inputs)
    # Loop variables whose gradient stays zero through every iteration are left out of the
    # backward loop (their gradient is zeros): e.g. the TensorArray of dynamic_rnn's
    # outputs when only the final state is used.
    zero = _zero_gradient_vars(fwd, dys, var_idx)
    var_idx = [i for i in var_idx if i not in zero]
    history = op.outputs[-1]
    step = _BackwardStep(op, var_idx, cap_idx)

    start = apply_op(SavedCount(), [history]) - 1
    initial = [dense(dys[i], op.outputs[i]) for i in var_idx]
    totals = [zeros_for(op.inputs[j]) for j in cap_idx]
    invariants = (start.shape, [op.outputs[i].shape for i in var_idx],
                  [op.inputs[j].shape for j in cap_idx])
    _, grads, totals = while_loop(lambda t, g, s: t >= 0, step, (start, initial, totals),
                                  shape_invariants=invariants,
                                  parallel_iterations=fwd.parallel_iterations,
                                  return_same_structure=True, name="while_grad")
    result: list = [None] * len(op.inputs)
    for i in zero:
        result[i] = zeros_for(op.inputs[i])
    for i, g in zip(var_idx, grads):
        result[i] = g
    for j, g in zip(cap_idx, totals):
        result[j] = g
    return result


def _zero_gradient_vars(fwd: Any, dys: list, var_idx: list) -> set:
    """The loop variables whose gradient is zero at every iteration: no gradient reaches
    their final value (None, or a ZerosLike filler), and within the body their value only
    flows into loop variables of the same kind. (By induction from the last iteration:
    nothing with a gradient depends on them.)"""
    body = fwd.body
    zero = {i for i in var_idx if dys[i] is None or
            getattr(getattr(dys[i], "op", None), "type", None) == "ZerosLike"}
    if not zero:
        return zero
    output_index: dict = {}
    for i, name in enumerate(fwd.body_outputs):
        output_index.setdefault(body.get_tensor_by_name(name), []).append(i)
    reaches = {}
    for i in zero:
        name = fwd.body_inputs[i]
        reaches[i] = _reached_outputs(body.get_tensor_by_name(name), output_index) \
            if name else set()
    changed = True
    while changed:
        changed = False
        for i in list(zero):
            if not reaches[i] <= zero:
                zero.discard(i)
                changed = True
    return zero


def _reached_outputs(start: Tensor, output_index: dict) -> set:
    """The body outputs (loop variable indices) whose value depends on `start`."""
    found: set = set()
    seen = {start}
    stack = [start]
    while stack:
        t = stack.pop()
        found.update(output_index.get(t, ()))
        for consumer in t._consumers:
            for out in consumer.outputs:
                if out not in seen:
                    seen.add(out)
                    stack.append(out)
    return found


class _BackwardStep:
    """The backward loop's body: one iteration of the forward body, differentiated."""

    def __init__(self, op: Operation, var_idx: list, cap_idx: list) -> None:
        fwd = op.op_def
        self.op = op
        self.body = fwd.body
        self.n = len(fwd.body_outputs)
        self.var_idx = var_idx
        self.cap_idx = cap_idx
        self.holders = [self.body.get_tensor_by_name(name) if name else None
                        for name in fwd.body_inputs]
        effects = [self.body.get_tensor_by_name(name)
                   for name in saved_tensors(self.body, fwd.body_outputs)]
        self.base = self.holders[:self.n] + effects
        self.outputs = [self.body.get_tensor_by_name(name) for name in fwd.body_outputs]
        self.variables = variables_of(op, len(fwd.body_inputs))

    def __call__(self, t: Tensor, grads: list, totals: list) -> tuple:
        current = get_default_graph()
        scratch = FuncGraph(current.get_name_scope(), current)
        with scratch.as_default():
            results, forward, origin = self._differentiate(scratch, t, grads, totals)
        results = self._transplant(scratch, current, t, results, forward, origin)
        k = len(self.var_idx)
        return t - 1, results[:k], results[k:]

    def _differentiate(self, scratch: FuncGraph, t: Tensor, grads: list,
                       totals: list) -> tuple:
        """Recomputes and differentiates the body in `scratch`; returns (results, forward
        ops, {forward tensor of scratch: name of the body tensor it copies})."""
        from flowgraph.gradients import gradients
        op, n = self.op, self.n
        first = len(scratch.get_operations())
        reads = unpack_saved(op.outputs[-1], t, [b.name for b in self.base],
                             [b.dtype for b in self.base], [b.shape for b in self.base])
        mapping = dict(zip(self.base, reads))
        for j in range(n, len(self.holders)):
            if self.holders[j] is not None:
                mapping[self.holders[j]] = scratch.capture(op.inputs[j])
        recompute(self.body, mapping, self.variables)
        captured = set(scratch._captured.values())
        forward = {o for o in scratch.get_operations()[first:]
                   if not any(x in captured for x in o.outputs)}
        origin = {inner: outer.name for outer, inner in mapping.items() if inner.op in forward}
        ys = [mapping[self.outputs[i]] for i in self.var_idx]
        xs = [mapping[self.holders[i]] for i in self.var_idx] + \
            [scratch.capture(op.inputs[j]) for j in self.cap_idx]
        found = gradients(ys, xs, grad_ys=list(grads))
        new_grads = [dense(g, x) for g, x in zip(found[:len(self.var_idx)], xs)]
        new_totals = [add_grads(total, g)
                      for total, g in zip(totals, found[len(self.var_idx):])]
        return new_grads + new_totals, forward, origin

    def _transplant(self, scratch: FuncGraph, current: FuncGraph, t: Tensor, results: list,
                    forward: set, origin: dict) -> list:
        """Copies the gradient ops of `scratch` into `current`, reading the forward values
        they use from the recording; returns the new `results`."""
        # Constants are copied; nested while loops run again (their gradients need their
        # own recordings). A nested cond's outputs and recording are read like any value.
        kept = {o for o in forward if o.type in ("Const", "While")}
        needed: set = set()
        for o in scratch.get_operations():
            if o in forward and o not in kept:
                continue
            for x in o.inputs:
                if x.op in forward and x.op not in kept:
                    needed.add(x)
        needed.update(r for r in results if r.op in forward and r.op not in kept)
        needed = sorted(needed, key=lambda x: origin[x])
        mapping = {inner: outer for outer, inner in scratch._captured.items()
                   if outer.graph is current}
        reads = unpack_saved(self.op.outputs[-1], t, [origin[x] for x in needed],
                             [x.dtype for x in needed], [x.shape for x in needed])
        mapping.update(zip(needed, reads))

        def replace(o: Operation):
            if o in forward and o not in kept:
                return [mapping.get(x) for x in o.outputs]
            return None

        copy_ops(scratch, mapping, replace)
        return [mapping[r] if r.graph is scratch else r for r in results]

