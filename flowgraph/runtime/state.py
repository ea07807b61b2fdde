"""Per-Session state that stateful kernels read and write: Variable values and RNGs."""

from __future__ import annotations

import sys
import threading
from typing import Any, Optional

import numpy as np

from flowgraph import errors
from flowgraph.runtime.memory import BufferPool


class SessionState:
    """The values of a Session's Variables and the random generators of its random ops.

    Each Session has its own; they persist across `run` calls of that Session.
    """

    def __init__(self) -> None:
        self.variables: dict = {}
        self.resources: dict = {}
        # Compiled sub-graphs of control-flow ops (cond branches, loop bodies), made on
        # first use by `NodeContext.function` (flowgraph.runtime.function).
        self.functions: dict = {}
        self._rngs: dict = {}
        self.lock = threading.RLock()
        # Free large arrays, reused by later runs (flowgraph.runtime.memory).
        self.pool = BufferPool()
        # How this Session compiles plans (sub-graphs of control flow ops use it too).
        self.plan_options = None
        # A fresh entropy source per Session for ops without any seed.
        self._entropy = np.random.SeedSequence().entropy

    def close_resources(self) -> None:
        """Closes and forgets the resources (e.g. iterators, whose threads then end)."""
        with self.lock:
            resources = list(self.resources.values())
            self.resources.clear()
        for resource in resources:
            close = getattr(resource, "close", None)
            if close is not None:
                close()

    def rng(self, key: str, seed: Optional[tuple]) -> np.random.Generator:
        """The generator of one random op: replays from its seed in every new Session."""
        gen = self._rngs.get(key)
        if gen is None:
            with self.lock:
                gen = self._rngs.get(key)
                if gen is None:
                    if seed is None:
                        seq = np.random.SeedSequence([self._entropy, _stable_hash(key)])
                    else:
                        seq = np.random.SeedSequence([int(s) & 0xFFFFFFFF for s in seed])
                    gen = self._rngs[key] = np.random.Generator(np.random.PCG64(seq))
        return gen


def _stable_hash(text: str) -> int:
    value = 2166136261
    for byte in text.encode("utf-8"):
        value = ((value ^ byte) * 16777619) & 0xFFFFFFFF
    return value


class NodeContext:
    """What a stateful kernel sees: the node it runs for and its Session's state."""

    __slots__ = ("op", "state")

    def __init__(self, op: Any, state: SessionState) -> None:
        self.op = op
        self.state = state

    def rng(self, seed: Optional[tuple]) -> np.random.Generator:
        return self.state.rng(self.op.name, seed)

    def function(self, graph: Any, inputs: tuple, outputs: tuple, saved: tuple = (),
                 variables: tuple = ()) -> Any:
        """Sub-graph `graph` compiled for this Session (once, then cached): a callable from
        the values of the tensors named `inputs` to those named `outputs` (and `saved`);
        see `flowgraph.runtime.function.Function`."""
        key = (graph, inputs, outputs, saved, variables)
        found = self.state.functions.get(key)
        if found is None:
            from flowgraph.runtime.function import Function
            with self.state.lock:
                found = self.state.functions.get(key)
                if found is None:
                    found = Function(graph, inputs, outputs, saved, self.state, variables)
                    self.state.functions[key] = found
        return found

    def read_variable(self, key: str) -> np.ndarray:
        """The value of variable `key`; FailedPreconditionError naming where it was made if it
        has none yet."""
        try:
            return self.state.variables[key]
        except KeyError:
            raise uninitialized_error(self.op.graph, key) from None

    def write_variable(self, key: str, value: np.ndarray, owned: bool = False) -> np.ndarray:
        """Stores `value` as variable `key`'s new value and returns it (read-only).

        Pass owned=True only for a fresh array that nothing else references."""
        if not owned or not isinstance(value, np.ndarray):
            # (numpy ufuncs on 0-d arrays return scalars, which have no flags to set)
            value = np.array(value, copy=True)
        value.flags.writeable = False
        self.state.variables[key] = value
        return value

    def variable_for_update(self, key: str) -> "VariableUpdate":
        """Variable `key`'s stored array, writable for an in-place update (optimizer kernels)::

            with ctx.variable_for_update(ref.key) as var:
                np.subtract(var, step, out=var)

        Stored arrays are read-only so that nothing can change a Session's state behind its
        back. Inside the ``with`` block the stored array itself is writable, and it is
        read-only again afterwards; the new value is visible to every later reader.
        When something else still holds the stored array (a value of this run that a later
        node reads, or a view of it), the update goes to a fresh copy instead (copy on
        write), so that holder keeps the value it read. FailedPreconditionError if the
        variable has no value yet.
        """
        return VariableUpdate(self, key)


def _references(variables: dict, key: str) -> int:
    return sys.getrefcount(variables[key])


def _unshared_references() -> int:
    """What `_references` counts for an array that only the variables dict holds."""
    variables = {"key": np.empty(1)}
    return _references(variables, "key")


_UNSHARED = _unshared_references() if hasattr(sys, "getrefcount") else None


class VariableUpdate:
    """The context manager of `NodeContext.variable_for_update`."""

    __slots__ = ("_ctx", "_key", "_array")

    def __init__(self, ctx: NodeContext, key: str) -> None:
        self._ctx = ctx
        self._key = key
        self._array: Optional[np.ndarray] = None

    def __enter__(self) -> np.ndarray:
        variables = self._ctx.state.variables
        key = self._key
        if key not in variables:
            raise uninitialized_error(self._ctx.op.graph, key)
        # An array that owns its memory and that nobody else references can change in place;
        # anything else (a view, or an array a pending reader still holds) is copied first.
        array = variables[key]
        shared = _UNSHARED is None or not isinstance(array, np.ndarray) or \
            array.base is not None
        if not shared:
            del array
            shared = _references(variables, key) != _UNSHARED
            array = variables[key]
        if shared:
            array = np.array(array, copy=True)
            variables[key] = array
        else:
            array.flags.writeable = True
        self._array = array
        return array

    def __exit__(self, *exc_info: Any) -> None:
        self._array.flags.writeable = False
        self._array = None


def uninitialized_error(graph: Any, key: str) -> errors.FailedPreconditionError:
    """The error for reading variable `key` before it was initialized."""
    op = graph._ops_by_name.get(key)
    where = ""
    if op is not None and op.creation_site is not None:
        where = f"\nThe variable was created at:\n  {op.creation_site}"
    return errors.FailedPreconditionError(
        None, op, f"Attempting to use uninitialized value {key}{where}\nRun its initializer "
        "first, e.g. sess.run(fg.global_variables_initializer()), or restore it from a "
        "checkpoint.")
