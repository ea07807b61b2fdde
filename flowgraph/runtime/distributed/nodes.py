"""What kind of node a graph node is, for the Dask executor: where it may run, whether it is
cheap, which Variables it writes, which worker a device string pins it to."""

from __future__ import annotations

import types
from typing import Any, Optional

import numpy as np

from flowgraph.devices import parse_device

# Nodes touching fewer elements than this (inputs and outputs, from static shapes) take
# well under a millisecond: far less than a Dask task costs, so they are fused.
CHEAP_ELEMENTS = 1 << 18
_UNKNOWN_DIM = 64
# Nodes that cost nothing whatever their size (they return views).
_FREE_OPS = frozenset({"Identity", "StopGradient", "Reshape", "ExpandDims", "Squeeze",
                       "Shape", "Size", "Rank"})
# Constants, fed values and Variable values up to this size travel inside the task that
# uses them; larger ones are a Dask key of their own, sent once.
INLINE_BYTES = 64 * 1024
# Stateful kernels that use only Variables and random generators run on workers.
_REMOTE_STATE_MODULES = frozenset({
    "flowgraph.ops.state", "flowgraph.ops.training", "flowgraph.ops.training_sparse",
    "flowgraph.ops.random", "flowgraph.ops.random_sampling",
})
# Ops that take Variables by reference only to look at them.
_READ_ONLY_REF_OPS = frozenset({
    "IsVariableInitialized", "VariableValueOrInitial", "ReportUninitializedVariables",
})


def runs_on_client(op_def: Any) -> bool:
    """Whether nodes of this op (an op definition or its class) run in the client process
    rather than on a Dask worker.

    An op class may say so with a `runs_on_client` class attribute; otherwise stateful
    kernels run on the client unless they only use Variables and random generators (the
    ops of flowgraph.ops.state, training, training_sparse, random, random_sampling).
    """
    flag = getattr(op_def, "runs_on_client", None)
    if flag is not None:
        return bool(flag)
    cls = op_def if isinstance(op_def, type) else type(op_def)
    return bool(cls.needs_state) and cls.__module__ not in _REMOTE_STATE_MODULES


def is_constant(op: Any) -> bool:
    return op.op_def.type_name == "Const" and not op.control_inputs


def is_variable(op: Any) -> bool:
    return bool(getattr(op.op_def, "is_variable", False))


def written_variables(op: Any) -> tuple:
    """Keys of the Variables a node may write (those it takes by reference)."""
    op_def = op.op_def
    if not op_def.needs_state or op_def.type_name in _READ_ONLY_REF_OPS:
        return ()
    refs = op_def.ref_inputs
    return tuple(dict.fromkeys(t.op.name for i, t in enumerate(op.inputs)
                               if i in refs and is_variable(t.op)))


def task_of(device: str) -> Optional[int]:
    """The task number a device string pins to ("/job:worker/task:1" -> 1), or None."""
    if not device:
        return None
    fields = parse_device(device)
    if "task" not in fields or fields.get("job", "") == "localhost":
        return None
    return int(fields["task"])


def elements(op: Any) -> int:
    total = 0
    for t in list(op.inputs) + list(op.outputs):
        dims = t.shape.as_tuple()
        count = _UNKNOWN_DIM * _UNKNOWN_DIM if dims is None else 1
        for d in dims or ():
            count *= _UNKNOWN_DIM if d is None else d
        total += count
    return total


def shippable_kernel(op: Any) -> Any:
    """The node's fast kernel when a worker can receive it by reference (a numpy ufunc or
    function, a module-level function); "rebind" when it is a closure over the node, to be
    made again on the worker; None to use the op's kernel."""
    fast = getattr(op.op_def, "fast_kernel", None)
    if fast is None or op.op_def.needs_state:
        return None
    fn = fast(op)
    if fn is None:
        return None
    if isinstance(fn, (np.ufunc, types.BuiltinFunctionType)) or \
            type(fn).__name__ == "_ArrayFunctionDispatcher":
        return fn
    if isinstance(fn, types.FunctionType) and fn.__closure__ is None and \
            "<" not in fn.__qualname__:
        return fn
    return "rebind"


def is_pure(op: Any) -> bool:
    return not (op.op_def.stateful or op.op_def.needs_state or runs_on_client(op.op_def))


def is_cheap(op: Any) -> bool:
    return op.op_def.type_name in _FREE_OPS or elements(op) < CHEAP_ELEMENTS
