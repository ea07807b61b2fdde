"""Recordings read once: a gradient's backward loop drops each iteration's recorded values
after its last read.

A forward `While` records, per iteration, the values its gradient reads; the backward loop
(flowgraph.control_flow.while_grad) runs t = T-1 down to 0 and reads entry t at iteration
t. When that backward `While` is the only reader of the recording in the run (the
recording is not fetched and nothing else reads it) and its body reads the recording
only as entry t (UnpackSaved nodes indexed by the loop counter t, which the body sets to
t - 1), no entry is read again once its iteration is done: the loop may drop it then.
(Readers that run before the loop, such as the SavedCount giving its start, do not
matter.)

The entry's arrays then go back to the allocator while the loop runs, and the next
iterations' temporaries reuse that memory (still in the caches) instead of new memory, as
in the unrolled graph's plan, which frees each step's saved values after their last
reader. Measured on W6's LSTM gradient: FusedLSTMCellGrad took ~43 us per step with the
recording kept whole, ~33 us with it dropped (as static_rnn's). Results are unchanged:
only values nobody reads any more are dropped.

The pass marks such a While node (a copy of its op definition holding
``_consumed = ((recording input, counter loop variable), ...)``, which `While`'s kernel
reads).
"""

from __future__ import annotations

import dataclasses
from typing import Any, Optional

import numpy as np

from flowgraph.graph import Graph, Tensor
from flowgraph.runtime import ir
from flowgraph.runtime.ir import PlanGraph
from flowgraph.runtime.options import PlanOptions
from flowgraph.runtime.passes.dead_loop_vars import reads_input, while_nodes


def run(graph: PlanGraph, options: PlanOptions) -> int:
    """Marks the While nodes that may drop the entries of recordings they alone read;
    returns how many recordings that concerns."""
    uses = graph.uses()
    fetched = graph.fetched()
    count = 0
    for node, op_def in while_nodes(graph):
        consumed = []
        for j in range(len(op_def.body_outputs), len(op_def.body_inputs)):
            v = node.inputs[j]
            if not _is_recording(v) or v in fetched or not _last_reader(node, j, uses[v]):
                continue
            counter = _counter_reading(op_def, j)
            if counter is not None:
                consumed.append((j, counter))
        if consumed:
            new = dataclasses.replace(op_def)
            object.__setattr__(new, "_consumed", tuple(consumed))
            node.op_def = new
            count += len(consumed)
    return count


def _is_recording(v: ir.Value) -> bool:
    """Whether `v` is the recording output (the last) of a While."""
    producer = v.producer
    return (v.kind == ir.NODE and producer is not None and producer.op_def is not None
            and producer.op_def.type_name == "While"
            and v.index == len(producer.outputs) - 1)


def _last_reader(node: ir.Node, j: int, readers: list) -> bool:
    """Whether `node` reads the value only at input `j` and its other readers all run
    before it (it depends on them: e.g. the SavedCount giving the backward loop its
    start)."""
    others = {reader for reader, position in readers if (reader, position) != (node, j)}
    if node in others:
        return False
    if not others:
        return True
    seen: set = set()
    stack = [node]
    while stack and others:
        current = stack.pop()
        for parent in [v.producer for v in current.inputs if v.producer is not None] + \
                list(current.controls):
            if parent not in seen:
                seen.add(parent)
                others.discard(parent)
                stack.append(parent)
    return not others


def _counter_reading(op_def: Any, j: int) -> Optional[int]:
    """The loop variable k when the While's body reads its input `j` only as
    ``UnpackSaved(input j, t)`` with t the placeholder of loop variable k, whose new value
    is ``t - 1``, and its condition does not read input j; else None."""
    body: Graph = op_def.body
    if reads_input(op_def.cond, op_def.cond_inputs[j], (op_def.cond_output,)):
        return None
    if not op_def.body_inputs[j] or op_def.body_inputs[j] in op_def.body_outputs:
        return None
    recording = body.get_tensor_by_name(op_def.body_inputs[j])
    readers = list(recording._consumers)
    if not readers or any(r.type != "UnpackSaved" or r.inputs[0] is not recording
                          or r.inputs[1] is recording for r in readers):
        return None
    indices = {r.inputs[1] for r in readers}
    if len(indices) != 1:
        return None
    (index,) = indices
    n = len(op_def.body_outputs)
    holders = [body.get_tensor_by_name(name) if name else None
               for name in op_def.body_inputs[:n]]
    if index not in holders:
        return None
    k = holders.index(index)
    if _is_decrement(body.get_tensor_by_name(op_def.body_outputs[k]), index):
        return k
    return None


def _is_decrement(out: Tensor, t: Tensor) -> bool:
    """Whether `out` is ``t - 1`` (a Sub of `t` and the constant 1)."""
    op = out.op
    if op.type != "Sub" or op.control_inputs or op.inputs[0] is not t:
        return False
    one = op.inputs[1].op
    if one.type != "Const" or one.control_inputs:
        return False
    value = np.asarray(one.op_def.value)
    return value.shape == () and value == 1
