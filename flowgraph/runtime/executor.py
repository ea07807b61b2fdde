"""Executors: run a Plan's steps on a list of value slots.

`run_sequential` is the reference executor: a plain loop, the easiest to read; the
thread-pool executor (`parallel.py`) is tested against it.
"""

from __future__ import annotations

import time
from typing import Any, Optional

import numpy as np

from flowgraph import errors
from flowgraph.ops.registry import describe_inputs
from flowgraph.runtime.plan import Plan, Step


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
    detail = "\n  inputs: " + describe_values(op, inputs)
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


def describe_values(op: Any, inputs: list) -> str:
    if not inputs:
        return "(none)"
    parts = []
    for t, v in zip(op.inputs, inputs):
        if isinstance(v, np.ndarray):
            parts.append(f"{t.name} {v.dtype.name}{list(v.shape)}")
        elif v is None:
            parts.append(f"{t.name} (freed)")
        else:
            parts.append(f"{t.name} {type(v).__name__}")
    return ", ".join(parts) if parts else describe_inputs(op.inputs)
