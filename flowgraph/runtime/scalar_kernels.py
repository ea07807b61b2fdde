"""Kernels for elementwise ops on single numbers (static shape () in and out).

A while-loop's condition and counters run such ops once per iteration. A numpy ufunc called
on numpy scalars costs about 0.4 us; the same arithmetic through Python's operators on
numpy scalars runs numpy's scalar math in about 0.02 us, with the same result type and
value (numpy's promotion rules, wrap-around for integers; floating-point warnings follow the
error state, which Session.run sets to ignore, as for the ufunc). Constant operands are bound
as numpy scalars, since an operator with a 0-d array on either side falls back to the ufunc.
"""

from __future__ import annotations

import operator
from typing import Any, Optional

import numpy as np

from flowgraph.runtime import ir

_NUMBER_KINDS = "iuf"
# ufunc -> (operator, the dtype kinds its inputs may have)
_BINARY = {
    np.add: (operator.add, _NUMBER_KINDS),
    np.subtract: (operator.sub, _NUMBER_KINDS),
    np.multiply: (operator.mul, _NUMBER_KINDS),
    np.less: (operator.lt, _NUMBER_KINDS),
    np.less_equal: (operator.le, _NUMBER_KINDS),
    np.greater: (operator.gt, _NUMBER_KINDS),
    np.greater_equal: (operator.ge, _NUMBER_KINDS),
    np.equal: (operator.eq, _NUMBER_KINDS + "b"),
    np.not_equal: (operator.ne, _NUMBER_KINDS + "b"),
    np.logical_and: (operator.and_, "b"),
    np.logical_or: (operator.or_, "b"),
}
_PYTHON_SCALARS = (bool, int, float)


def scalar_kernel(node: ir.Node, fn: Any) -> Optional[Any]:
    """The operator form of `fn` (the node's ufunc kernel) when every input and the output
    of `node` are statically single numbers of the kinds it handles; None otherwise."""
    if not isinstance(fn, np.ufunc) or fn not in _BINARY or len(node.inputs) != 2:
        return None
    op, kinds = _BINARY[fn]
    if len(node.outputs) != 1 or not all(_is_scalar(v, kinds) for v in node.inputs):
        return None
    if not _is_scalar(node.outputs[0], _NUMBER_KINDS + "b"):
        return None
    a, b = (_constant(v) for v in node.inputs)
    if a is not None and b is not None:
        return None  # (constant folding's business)

    # (A Python number on both sides, from a kernel that returned one: the ufunc keeps
    # numpy's types.)
    python = _PYTHON_SCALARS
    if b is not None:
        def kernel_b(x, _y):
            r = op(x, b)
            return fn(x, b) if type(r) in python else r
        return kernel_b
    if a is not None:
        def kernel_a(_x, y):
            r = op(a, y)
            return fn(a, y) if type(r) in python else r
        return kernel_a

    def kernel(x, y):
        r = op(x, y)
        return fn(x, y) if type(r) in python else r
    return kernel


def _is_scalar(v: ir.Value, kinds: str) -> bool:
    dims = v.shape.as_tuple() if v.shape is not None else None
    try:
        kind = np.dtype(v.dtype.np).kind
    except TypeError:
        return False
    return dims == () and kind in kinds


def _constant(v: ir.Value) -> Optional[Any]:
    """A constant input as a numpy scalar (None for other inputs)."""
    if v.kind != ir.CONST or not isinstance(v.data, (np.ndarray, np.generic)):
        return None
    return v.data[()] if np.ndim(v.data) == 0 else None
