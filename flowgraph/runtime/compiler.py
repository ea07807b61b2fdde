"""The plan compiler: each step of a plan becomes one pre-bound closure over the run's slot
list, so that running a cached plan is a loop of calls with nothing to look up; and the
whole plan becomes one generated straight-line function (`straight_line`), where the plain
steps are single statements (``v[3] = f3(v[1], v[2])``) and the others call their closure.

A step's closure reads its inputs from fixed slots, calls its kernel, stores the result and
clears (or, for large arrays, recycles through the buffer pool) the slots whose last reader
it was. Steps whose kernel can write into a given buffer (fused kernels, matmuls, elementwise
ops of large or unknown size) take that buffer from the pool, or use an input that dies at
the step when nothing else references it (flowgraph.runtime.memory).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from flowgraph.runtime import memory
from flowgraph.runtime.executor import store_outputs
from flowgraph.runtime.fused import _size
from flowgraph.runtime.state import uninitialized_error

_ndarray = np.ndarray


def compile_plan(plan: Any, pool: Any) -> tuple:
    """Sets ``step.call`` (compute and store, for the thread-pool executor) and
    ``step.run`` (also frees) on every step; returns the tuple of ``run`` closures."""
    give = pool.give if pool is not None else None
    for step in plan.steps:
        step.call = _make_call(step, plan, pool, donate=False)
        step.run = _with_frees(_make_call(step, plan, pool, donate=True), step, give)
    return tuple(step.run for step in plan.steps)


def straight_line(plan: Any) -> tuple:
    """``(run, step_of_line)``: one generated function running the plan's steps in order on
    the slot list, and the step index of each of its lines (for error messages).

    A plain step (one output, no buffer-writing kernel, no large value freed) is written
    out as its call and the clearing of its dead slots, which saves the two closure calls
    per step that the loop over `compile_plan`'s closures pays (about a tenth of a
    microsecond each: the whole cost of a small op); its Variable inputs are read in the
    line. Other steps call their closure.
    """
    namespace: dict = {"read": _reader(plan.state.variables)}
    lines = ["def run(v):"]
    step_of_line = [-1]
    for step in plan.steps:
        i = step.index
        body = _inline(step, namespace, f"f{i}")
        if body is None:
            namespace[f"r{i}"] = step.run
            body = [f"r{i}(v)"]
        lines.extend("    " + line for line in body)
        step_of_line.extend([i] * len(body))
    lines.append("    return v")
    code = compile("\n".join(lines), "<flowgraph plan>", "exec")
    exec(code, namespace)  # noqa: S102 - our own generated source, built above
    return namespace["run"], tuple(step_of_line)


def _inline(step: Any, namespace: dict, name: str):
    """The statements of a plain step (see `straight_line`), or None. A Variable input is
    read by the namespace's `read` (as `_gather` does)."""
    if step.out_kernel is not None and memory.ENABLED or not step.single:
        return None
    if any(s in step.big_slots for s in step.frees) and memory.ENABLED:
        return None
    namespace[name] = step.kernel_fn
    args = ", ".join(f"read(v[{i}])" if k in step.reads else f"v[{i}]"
                     for k, i in enumerate(step.inputs))
    lines = [f"v[{step.outputs[0]}] = {name}({args})"]
    if step.frees:
        lines.append(" = ".join(f"v[{i}]" for i in step.frees) + " = None")
    return lines


def _reader(variables: dict):
    """A function from a VariableRef to the Variable's current value."""
    def read(ref: Any) -> Any:
        try:
            return variables[ref.key]
        except KeyError:
            raise uninitialized_error(ref.op.graph, ref.key) from None
    return read


def _gather(step: Any, plan: Any):
    """A function from the slot list to the step's argument list."""
    ins = step.inputs
    reads = step.reads
    if not reads:
        return lambda v: [v[i] for i in ins]
    variables = plan.state.variables
    graph = step.op.graph

    def gather(v):
        args = [v[i] for i in ins]
        for i in reads:
            ref = args[i]
            try:
                args[i] = variables[ref.key]
            except KeyError:
                raise uninitialized_error(graph, ref.key) from None
        return args

    return gather


def _make_call(step: Any, plan: Any, pool: Any, donate: bool):
    fn = step.kernel_fn  # (Variable reads happen in `_gather`)
    outs = step.outputs
    kernel = step.out_kernel if pool is not None and memory.ENABLED else None
    if kernel is not None:
        return _out_call(step, plan, pool, kernel, donate)
    if not step.single:
        gather = _gather(step, plan)

        def call_multi(v):
            store_outputs(step, v, fn(*gather(v)))
        return call_multi
    o = outs[0]
    if step.reads:
        gather = _gather(step, plan)

        def call_reads(v):
            v[o] = fn(*gather(v))
        return call_reads
    ins = step.inputs
    if len(ins) == 0:
        def call0(v):
            v[o] = fn()
        return call0
    if len(ins) == 1:
        a = ins[0]

        def call1(v):
            v[o] = fn(v[a])
        return call1
    if len(ins) == 2:
        a, b = ins

        def call2(v):
            v[o] = fn(v[a], v[b])
        return call2

    def call_n(v):
        v[o] = fn(*[v[i] for i in ins])
    return call_n


def _out_call(step: Any, plan: Any, pool: Any, kernel: Any, donate: bool):
    """A step whose kernel writes into a buffer: the pool's, or a dying input's."""
    gather = _gather(step, plan)
    o = step.outputs[0]
    take = pool.take
    exclusive = memory.exclusive_slot
    min_elements = step.min_out_elements
    dying = step.donor if donate else None
    main = kernel.main

    def call_out(v):
        # (Ownership is checked before the argument list adds its own reference.)
        own = dying is not None and exclusive(v, dying)
        args = gather(v)
        shape = kernel.result_shape(args)
        if shape is None:
            v[o] = kernel.fallback(*args)
            return
        if _size(shape) < min_elements:
            v[o] = kernel.fresh(args, shape)
            return
        dtype = kernel.dtype
        if own:
            out = args[main]
            if out.shape != shape or out.dtype != dtype:
                out = take(shape, dtype)
        else:
            out = take(shape, dtype)
        v[o] = kernel.into(args, out)

    return call_out


def _with_frees(call: Any, step: Any, give: Any):
    plain = step.frees
    if give is not None and memory.ENABLED:
        big = tuple(s for s in plain if s in step.big_slots)
        plain = tuple(s for s in plain if s not in step.big_slots)
    else:
        big = ()
    release = memory.release
    if not plain and not big:
        return call
    if not big:
        if len(plain) == 1:
            (p,) = plain

            def run1(v):
                call(v)
                v[p] = None
            return run1

        def run_plain(v):
            call(v)
            for i in plain:
                v[i] = None
        return run_plain

    def run_big(v):
        call(v)
        for i in plain:
            v[i] = None
        for i in big:
            release(v, i, give)
    return run_big
