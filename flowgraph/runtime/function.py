"""Sub-graphs run by control-flow ops: the branches of `If`, the condition and body of `While`.

A `Function` is a sub-graph compiled once per Session into a `Plan` whose feeds are the
sub-graph's input placeholders and whose fetches are its outputs. Control-flow kernels call
it with the values of their inputs; it runs on the compiled sequential executor, with the Session's
own state, so Variables read and assigned inside a branch are the Session's Variables and
random ops draw from the Session's generators. Nothing is built at run time: calling a
Function costs one copy of its slot template and one pass over its steps.
"""

from __future__ import annotations

from typing import Any, Sequence

from flowgraph.ops.control_flow_ops import runs_for_effect
from flowgraph.runtime.plan import Plan, VariableRef
from flowgraph.runtime.state import SessionState


class Function:
    """A sub-graph compiled for one Session: `fn(args)` -> the output values.

    Parameters
    ----------
    graph : Graph
        The sub-graph (a FuncGraph, or the Graph an imported graph file rebuilt).
    inputs : tuple of str
        One tensor name per caller argument: the placeholder that argument feeds, or ""
        when the sub-graph does not use that argument.
    outputs, saved : tuple of str
        The tensors whose values a call returns, in order (`saved` after `outputs`).
    state : SessionState
        The Session's state, shared with the sub-graph's stateful ops.
    variables : tuple of (str, str)
        (Variable node name in the sub-graph, key of the Session's Variable it stands for):
        the Variables the control-flow op takes by reference. They usually have the same
        name, but not in a graph imported under a prefix.
    """

    __slots__ = ("plan", "positions", "graph", "_feeds", "_fetch_slots", "_reads", "call")

    def __init__(self, graph: Any, inputs: Sequence[str], outputs: Sequence[str],
                 saved: Sequence[str], state: SessionState, variables: tuple = ()) -> None:
        with graph.building_lock:
            self.positions = tuple(i for i, name in enumerate(inputs) if name)
            feeds = [graph.get_tensor_by_name(inputs[i]) for i in self.positions]
            fetches = [graph.get_tensor_by_name(name) for name in tuple(outputs) + tuple(saved)]
            targets = [op for op in graph.get_operations() if runs_for_effect(op)]
            self.plan = Plan(fetches, targets, feeds, state, state.plan_options)
        keys = {inner: outer for inner, outer in variables if inner != outer}
        if keys:
            _rename_variables(self.plan, keys)
        self.graph = graph
        self._feeds = tuple(zip(self.plan.feed_slots, self.positions))
        self._fetch_slots = tuple(self.plan.fetch_slots)
        self._reads = self.plan.fetch_reads
        # `call`: the same as calling the Function; a loop calls it once per iteration.
        self.call = _straight_call(self) or self.__call__

    def __call__(self, args: Sequence[Any]) -> list:
        plan = self.plan
        values = plan.template.copy()
        for slot, i in self._feeds:
            values[slot] = args[i]
        plan.execute(values)
        if self._reads:  # a Variable node itself is an output
            return plan.read_fetches(values)
        return [values[s] for s in self._fetch_slots]


def _straight_call(fn: Function) -> Any:
    """One generated function doing what `Function.__call__` does for a compiled plan (copy
    the template, store the arguments, run the plan's straight-line function, return the
    outputs): a loop body or condition runs once per iteration, where the calls and loops
    of the general path are a good part of a small body's cost. None for other plans."""
    plan = fn.plan
    if plan.straight is None or fn._reads:
        return None
    from flowgraph.runtime import executor
    lines = ["def call(args):", "    v = template.copy()"]
    lines += [f"    v[{slot}] = args[{i}]" for slot, i in fn._feeds]
    lines += ["    try:", "        run(v)", "    except Exception as exc:",
              "        raise node_error(failing_step(plan, exc), v, exc) from cause(exc)",
              "    return [" + ", ".join(f"v[{s}]" for s in fn._fetch_slots) + "]"]
    namespace = {"template": plan.template, "run": plan.straight[0], "plan": plan,
                 "node_error": executor.node_error, "failing_step": executor.failing_step,
                 "cause": executor._cause}
    exec(compile("\n".join(lines), "<flowgraph function>", "exec"), namespace)  # noqa: S102
    return namespace["call"]


def _rename_variables(plan: Plan, keys: dict) -> None:
    """Points the plan's Variable references (reads, assigns) at the Session's Variables."""
    template = plan.template
    for slot, value in enumerate(template):
        if isinstance(value, VariableRef) and value.key in keys:
            ref = VariableRef(value.op)
            ref.key = keys[value.key]
            template[slot] = ref
