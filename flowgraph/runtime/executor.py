"""Executors: run a Plan's steps on a list of value slots.

`run_sequential` is the reference executor: a plain loop over each step's kernel, the
easiest to read. `run_compiled` runs the closures of a compiled plan (buffers from the
pool, in-place kernels: flowgraph.runtime.compiler); it and the thread-pool executor
(`parallel.py`) are tested against the reference.
"""

from __future__ import annotations

import time
from typing import Any, Optional

import numpy as np

from flowgraph import errors
from flowgraph.ops.registry import describe_inputs
from flowgraph.runtime.plan import Plan, Step

# As TF1, invalid values (log(0), 1/0) give inf / nan silently: runs use numpy's "ignore"
# error state. Entering np.errstate costs about a microsecond, a sizeable part of a small
# run, so the state object is made once and set on numpy's context variable directly.
try:
    from numpy._core._ufunc_config import _extobj_contextvar, _make_extobj
    _IGNORE = _make_extobj(all="ignore")
except (ImportError, AttributeError, TypeError):  # pragma: no cover - other numpy versions
    _extobj_contextvar = None


def run_quietly(fn: Any, *args: Any) -> Any:
    """fn(*args) with numpy's floating-point warnings off."""
    if _extobj_contextvar is None:  # pragma: no cover
        with np.errstate(all="ignore"):
            return fn(*args)
    token = _extobj_contextvar.set(_IGNORE)
    try:
        return fn(*args)
    finally:
        _extobj_contextvar.reset(token)


def run_sequential(plan: Plan, values: list, deadline: Optional[float] = None,
                   trace: Optional[list] = None) -> list:
    """Runs every step in order; returns the slot list (fetch slots filled).

    `deadline` (a time.monotonic() value) raises DeadlineExceededError between steps;
    `trace` collects (step, start, end) times.
    """
    if deadline is None and trace is None:
        step = None
        try:
            for step in plan.steps:
                result = step.fn(*[values[i] for i in step.inputs])
                if step.single:
                    values[step.outputs[0]] = result
                else:
                    store_outputs(step, values, result)
                for i in step.frees:
                    values[i] = None
        except Exception as exc:
            raise node_error(step, values, exc) from _cause(exc)
        return values
    for step in plan.steps:
        if deadline is not None and time.monotonic() > deadline:
            raise deadline_error(step)
        start = time.perf_counter()
        run_step(step, values)
        if trace is not None:
            trace.append((step, start, time.perf_counter()))
    return values


def run_compiled(plan: Plan, values: list, deadline: Optional[float] = None,
                 trace: Optional[list] = None) -> list:
    """Runs a compiled plan's closures in order; returns the slot list."""
    if deadline is None and trace is None:
        try:
            return plan.straight[0](values)
        except Exception as exc:
            raise node_error(failing_step(plan, exc), values, exc) from _cause(exc)
    for step in plan.steps:
        if deadline is not None and time.monotonic() > deadline:
            raise deadline_error(step)
        start = time.perf_counter()
        try:
            step.run(values)
        except Exception as exc:
            raise node_error(step, values, exc) from _cause(exc)
        if trace is not None:
            trace.append((step, start, time.perf_counter()))
    return values


def failing_step(plan: Plan, exc: BaseException) -> Optional[Step]:
    """The step whose statement in the plan's straight-line function raised `exc`."""
    run, step_of_line = plan.straight
    tb = exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code is run.__code__:
            index = step_of_line[tb.tb_lineno - 1]
            return plan.steps[index] if index >= 0 else None
        tb = tb.tb_next
    return None


def run_step(step: Step, values: list) -> None:
    """Runs one step on `values`, with errors naming its node."""
    try:
        result = step.fn(*[values[i] for i in step.inputs])
        if step.single:
            values[step.outputs[0]] = result
        else:
            store_outputs(step, values, result)
    except Exception as exc:
        raise node_error(step, values, exc) from _cause(exc)
    for i in step.frees:
        values[i] = None


def store_outputs(step: Step, values: list, result: Any) -> None:
    outputs = step.outputs
    if len(result) != len(outputs):
        raise errors.InternalError(None, step.op, f"kernel returned {len(result)} outputs, "
                                   f"expected {len(outputs)}")
    for slot, value in zip(outputs, result):
        values[slot] = value


def _cause(exc: BaseException) -> Optional[BaseException]:
    return None if isinstance(exc, errors.OpError) else exc


def deadline_error(step: Optional[Step]) -> errors.DeadlineExceededError:
    where = f" before {step.op.describe()}" if step is not None else ""
    return errors.DeadlineExceededError(
        None, step.op if step else None,
        f"Timed out{where}: the run took longer than RunOptions.timeout_in_ms.")


def node_error(step: Optional[Step], values: list, exc: BaseException) -> errors.OpError:
    """An OpError naming the failing node, its creation site and its inputs."""
    if step is None:
        return exc if isinstance(exc, errors.OpError) else errors.InternalError(
            None, None, str(exc))
    op = step.op
    site = op.creation_site
    inputs = [values[i] for i in step.inputs]
    detail = "\n  inputs: " + describe_values(op, inputs, getattr(step, "input_names", ()))
    members = getattr(step, "members", ())
    if len(members) > 1:
        detail += "\n  (running fused with: " + ", ".join(m.name for m in members[:-1]) + ")"
    if site is not None:
        detail += f"\n  created at:\n    {site}".replace("\n    ", "\n    ", 1)
    if isinstance(exc, errors.OpError):
        if exc.op is None or exc.op is op:
            return type(exc)(exc.node_def, op, f"{exc.message}\n  [[{op.describe()}]]"
                             f"{detail if exc.op is None else ''}")
        return exc
    kind = errors.ResourceExhaustedError if isinstance(exc, MemoryError) else \
        errors.InvalidArgumentError
    return kind(None, op, f"{type(exc).__name__}: {exc}\n  [[{op.describe()}]]{detail}")


def describe_values(op: Any, inputs: list, names: tuple = ()) -> str:
    if not inputs:
        return "(none)"
    parts = []
    if len(names) != len(inputs):
        names = tuple(t.name for t in op.inputs)
    for name, v in zip(names, inputs):
        if isinstance(v, np.ndarray):
            parts.append(f"{name} {v.dtype.name}{list(v.shape)}")
        elif v is None:
            parts.append(f"{name} (freed)")
        else:
            parts.append(f"{name} {type(v).__name__}")
    return ", ".join(parts) if parts else describe_inputs(op.inputs)
