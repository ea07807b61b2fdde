"""Dead loop variables: a while loop's variable that nothing of the run reads is not computed.

A `While` computes every loop variable at every iteration, but a run may read only some of
its final values: `fg.nn.dynamic_rnn` carries a TensorArray of every step's output, which a
training step that uses only the final state never reads. A loop variable is dead in a
plan when

- its final value (the While's output) is neither read by another node nor fetched,
- its static shape does not leave its shape invariant to be checked as the loop runs (that
  check, an error when the shape changes, stays), and
- nothing the loop still needs depends on its value inside the loop: not the condition,
  not the live loop variables' new values, not the body's stateful ops (which run for their
  effect), nor the values the loop records for its gradient.

The plan's While then carries a dead variable through unchanged (its body "returns" the
variable's own placeholder), so the body's plan prunes the ops that computed it. Results
are unchanged: the value it no longer computes is read by nobody. Runs with
`prune_no_ops` off (and the reference plan) keep every loop variable.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Optional

from flowgraph.graph import Graph, Tensor
from flowgraph.ops.control_flow_ops import requested_names, runs_for_effect
from flowgraph.runtime.ir import PlanGraph
from flowgraph.runtime.options import PlanOptions


def run(graph: PlanGraph, options: PlanOptions) -> int:
    """Carries the dead loop variables of the plan's While nodes through unchanged; returns
    how many loop variables that made dead."""
    uses = graph.uses()
    fetched = graph.fetched()
    count = 0
    for node, op_def in while_nodes(graph):
        n = len(op_def.body_outputs)
        unread = [i for i in range(n)
                  if node.outputs[i] not in fetched and not uses.get(node.outputs[i])]
        if not unread:
            continue
        dead = dead_loop_variables(op_def, node.op, unread)
        if not dead:
            continue
        outputs = list(op_def.body_outputs)
        for i in dead:
            outputs[i] = op_def.body_inputs[i]
        node.op_def = dataclasses.replace(op_def, body_outputs=tuple(outputs))
        count += len(dead)
    return count


def while_nodes(graph: PlanGraph) -> list:
    """(node, its While op_def) of each While node of the plan."""
    return [(node, node.op_def) for node in graph.nodes
            if node.op_def is not None and node.op_def.type_name == "While"]


def dead_loop_variables(op_def: Any, op: Any, unread: list) -> list:
    """The loop variables among `unread` (whose final values nobody reads) that nothing
    else of the loop `op` (a While, as `op_def` says) depends on, sorted."""
    body, cond = op_def.body, op_def.cond
    n = len(op_def.body_outputs)
    holder_index = {}
    for i in range(n):
        name = op_def.body_inputs[i]
        if name:
            holder_index[body.get_tensor_by_name(name)] = i
    # A variable the body does not read cannot be carried through (no placeholder to
    # return); one whose shape invariant is checked as the loop runs keeps its check.
    checked = {i for i, _ in op_def._shape_checks()}
    live = {i for i in range(n) if i not in unread or not op_def.body_inputs[i]
            or i in checked}
    for i in range(n):
        if reads_input(cond, op_def.cond_inputs[i], (op_def.cond_output,)):
            live.add(i)  # the condition reads it
    roots = [op for op in body.get_operations() if runs_for_effect(op)]
    if op.outputs[-1]._consumers:  # the loop records values for its gradient
        roots += [_tensor(body, name) for name in requested_names(op.outputs[-1])]
    seen: set = set()
    pending = [r for r in roots if r is not None]
    pending += [_tensor(body, op_def.body_outputs[i]) for i in live]
    while pending:
        reached = _holders_reached(pending, seen, holder_index)
        pending = []
        for i in reached - live:
            live.add(i)
            pending.append(_tensor(body, op_def.body_outputs[i]))
    return sorted(i for i in range(n) if i not in live)


def reads_input(graph: Graph, name: str, outputs: tuple) -> bool:
    """Whether the sub-graph `graph` uses its input placeholder `name` ("": none): an op
    reads it, or it is one of the `outputs` itself."""
    return bool(name) and (name in outputs or bool(graph.get_tensor_by_name(name)._consumers))


def _tensor(body: Graph, name: str) -> Optional[Tensor]:
    try:
        return body.get_tensor_by_name(name)
    except (KeyError, ValueError):
        return None


def _holders_reached(starts: list, seen: set, holder_index: dict) -> set:
    """The loop-variable indices whose placeholders the tensors / ops `starts` depend on
    (through data and control inputs); `seen` collects the ops visited (across calls)."""
    found: set = set()
    stack = list(starts)
    while stack:
        item = stack.pop()
        if item in holder_index:
            found.add(holder_index[item])
        op = item.op if isinstance(item, Tensor) else item
        if op in seen:
            continue
        seen.add(op)
        for t in op.inputs:
            if t in holder_index:
                found.add(holder_index[t])
            stack.append(t)
        stack.extend(op.control_inputs)
    return found
