"""Assorted TF1 names: py_function, switch_case, parallel_stack, guarantee_const,
grad_pass_through, recompute_grad, timestamp, add_check_numerics_ops, sparse_matmul."""

from __future__ import annotations

import functools
import time
from typing import Any, Callable, Optional, Sequence

import numpy as np

from flowgraph import dtypes
from flowgraph.graph import Operation, Tensor, get_default_graph
from flowgraph.ops.constant import convert_to_tensor
from flowgraph.ops.registry import Op, apply_op, register

__all__ = ["py_function", "switch_case", "parallel_stack", "guarantee_const",
           "grad_pass_through", "recompute_grad", "timestamp", "add_check_numerics_ops",
           "sparse_matmul"]


# --------------------------------------------------------------------------- py_function
class _EagerLike(np.ndarray):
    """A numpy array that also answers ``.numpy()``, as the eager tensors TF passes to a
    ``tf.py_function`` function do (so ``lambda x: x.numpy() * 2`` works unchanged)."""

    def numpy(self) -> np.ndarray:
        return np.asarray(self).copy()


def _eager_like(value: Any) -> Any:
    if isinstance(value, np.ndarray):
        return value.view(_EagerLike)
    return value


def py_function(func: Callable[..., Any], inp: Sequence[Any], Tout: Any,  # noqa: N803
                name: Optional[str] = None) -> Any:
    """TF's ``tf.py_function``: an op calling ``func`` on the values of `inp` when run.

    In flowgraph `func` receives numpy arrays (which also have TF's eager ``.numpy()``
    method) rather than eager tensors, and returns arrays or Python values. `Tout` is a
    dtype (the result is one Tensor) or a list of dtypes (a list of Tensors). Built as
    `fg.py_func`'s stateful PyFunc node (TF names it EagerPyFunc): output shapes are
    unknown, it is not differentiable, exactly like `fg.py_func` (`fg.gradients` through it
    raises LookupError, suggesting `fg.stop_gradient`), and graphs holding it cannot be
    saved to a file.
    """
    from flowgraph.ops.py_func import py_func
    if not callable(func):
        raise TypeError(f"py_function needs a callable func, got {func!r:.80}")

    @functools.wraps(func)
    def call(*values: Any) -> Any:
        return func(*[_eager_like(v) for v in values])

    return py_func(call, list(inp), Tout, stateful=True, name=name)


# --------------------------------------------------------------------------- switch_case
def _canonical_branches(branch_fns: Any, default: Optional[Callable]) -> list:
    """TF's checks of switch_case's branches; the callables in index order, `default`
    last."""
    if not branch_fns:
        raise ValueError("Must provide at least one item in branch_fns")
    if not isinstance(branch_fns, (list, tuple, dict)):
        raise TypeError("branch_fns must be a list, tuple, or dict")
    pairs = list(branch_fns.items()) if isinstance(branch_fns, dict) else list(branch_fns)
    if all(callable(fn) for fn in pairs):
        pairs = list(enumerate(pairs))
    for pair in pairs:
        if not isinstance(pair, tuple) or len(pair) != 2:
            raise TypeError(f"Each entry in branch_fns must be a 2-tuple (int, callable) or "
                            f"a callable, got {pair!r:.80}")
        key, fn = pair
        if not isinstance(key, int) or isinstance(key, bool):
            raise TypeError(f"key must be a Python `int`, got {type(key)}")
        if not callable(fn):
            raise TypeError(f"fn for key {key} must be callable.")
    keys = [key for key, _ in pairs]
    if min(keys) < 0 or max(keys) >= len(keys) or len(set(keys)) != len(keys):
        found = ",".join(map(str, sorted(keys)))
        raise ValueError(f"branch indices (keys) must form contiguous range of [0 to "
                         f"{len(keys)}) but found {{{found}}}")
    actions = [fn for _, fn in sorted(pairs, key=lambda p: p[0])]
    if default is not None:
        if not callable(default):
            raise TypeError("default must be callable.")
        actions.append(default)
    return actions


def switch_case(branch_index: Any, branch_fns: Any, default: Optional[Callable] = None,
                name: str = "switch_case") -> Any:
    """TF's ``tf.switch_case``: the result of ``branch_fns[branch_index]()``; only that
    branch runs.

    `branch_fns` is a list of callables, or a dict / list of ``(int, callable)`` pairs whose
    keys are 0..n-1. An index outside [0, n) runs `default`, or, without it, the last
    branch (as TF). Built from nested `fg.cond` s on ``branch_index == i``.

    >>> r = fg.switch_case(i, [lambda: fg.constant(10), lambda: fg.constant(20)])
    """
    from flowgraph.control_flow.cond import cond
    from flowgraph.ops.compare import equal
    actions = _canonical_branches(branch_fns, default)
    graph = get_default_graph()
    with graph.name_scope(name or "case"):
        index = convert_to_tensor(branch_index, name="branch_index")
        if not index.dtype.is_integer:
            raise TypeError(f"'branch_index' must be an integer Tensor, got {index.dtype}")
        if index.shape.ndims not in (None, 0):
            raise ValueError(f"'branch_index' must be a scalar, got shape {index.shape}")

        def chain(position: int) -> Callable:
            if position == len(actions) - 1:
                return actions[position]
            return lambda: cond(equal(index, position), actions[position],
                                chain(position + 1))

        return chain(0)()


# --------------------------------------------------------------------------- array helpers
def parallel_stack(values: Sequence[Any], name: str = "parallel_stack") -> Tensor:
    """Stacks equal-shaped tensors along a new first axis, as TF's ``tf.parallel_stack``,
    which (unlike `fg.stack`) needs every input's shape fully known when the graph is
    built. Computed as `fg.stack` (the output node is named "ParallelConcat").

    Raises ValueError if a shape is not fully defined or the shapes differ.
    """
    from flowgraph.ops.array import stack
    from flowgraph.ops.elementwise import op_scope
    if not isinstance(values, (list, tuple)) or not values:
        raise ValueError("parallel_stack needs a non-empty list of tensors")
    with op_scope(name, "parallel_stack", list(values)):
        tensors = [convert_to_tensor(v) for v in values]
        first = tensors[0].shape
        for t in tensors:
            if not t.shape.is_fully_defined():
                raise ValueError(f"parallel_stack needs fully defined shapes: {t.name} has "
                                 f"shape {t.shape}; use fg.stack, or set the shape with "
                                 "set_shape / fg.ensure_shape.")
            if t.shape != first:
                raise ValueError(f"parallel_stack needs inputs of one shape, got {first} and "
                                 f"{t.shape} ({t.name})")
        return stack(tensors, axis=0, name="ParallelConcat")


def guarantee_const(input: Any, name: Optional[str] = None) -> Tensor:  # noqa: A002
    """TF's ``tf.guarantee_const``: `input` unchanged (an Identity node named
    "GuaranteeConst"; a promise to the runtime that the value does not change)."""
    from flowgraph.ops.constant import identity
    return identity(input, name=name or "GuaranteeConst")


# --------------------------------------------------------------------------- gradients
def grad_pass_through(f: Callable[..., Any]) -> Callable[..., Any]:
    """TF's ``tf.grad_pass_through``: a function computing ``f(x)`` whose gradient with
    respect to x is the identity (the incoming gradient passes through unchanged), e.g. to
    let gradients through a non-differentiable rounding.

    >>> y = fg.grad_pass_through(fg.round)(x)      # dy/dx = 1
    """
    from flowgraph.gradient_registry import custom_gradient

    @custom_gradient
    def _pass_through(*args: Any) -> Any:
        def grad(*dys: Any) -> Any:
            return list(dys) if len(dys) > 1 else dys[0]
        return f(*args), grad

    @functools.wraps(f)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if kwargs:
            return custom_gradient(lambda *a: (f(*a, **kwargs), lambda *d: list(d)))(*args)
        return _pass_through(*args)

    return wrapper


def recompute_grad(f: Callable[..., Any]) -> Callable[..., Any]:
    """TF's ``tf.recompute_grad``: `f` with activations recomputed in the backward pass to
    save memory. flowgraph keeps forward values for the backward pass anyway, so this
    returns a function computing `f` itself: values and gradients (including those of
    variables read by `f`) are exactly f's."""

    @functools.wraps(f)
    def inner(*args: Any, **kwargs: Any) -> Any:
        return f(*args, **kwargs)

    return inner


# --------------------------------------------------------------------------- timestamp
@register
class Timestamp(Op):
    """The wall-clock time in seconds since the Unix epoch, as a float64 scalar, read each
    time the node runs (stateful: never folded or merged)."""

    stateful = True
    differentiable = False

    def infer(self, op):
        return [(dtypes.float64, [])]

    def kernel(self):
        return np.float64(time.time())


def timestamp(name: Optional[str] = None) -> Tensor:
    """TF's ``tf.timestamp``: seconds since the epoch (float64 scalar) when the node runs."""
    return apply_op(Timestamp(), [], name=name, graph=get_default_graph())


# --------------------------------------------------------------------------- check numerics
def add_check_numerics_ops() -> Operation:
    """TF1's ``tf.add_check_numerics_ops``: a CheckNumerics node for every float16 / 32 /
    64 output in the default graph (message "<op name>:<output index>"), chained by control
    dependencies, and a group op (named "group_deps") running them: running it fails with
    InvalidArgumentError at the first tensor holding NaN or Inf."""
    from flowgraph.ops.check_ops import check_numerics
    from flowgraph.ops.control import group
    graph = get_default_graph()
    checks: list = []
    wanted = (dtypes.float16, dtypes.float32, dtypes.float64)
    for op in list(graph.get_operations()):
        for output in op.outputs:
            if output.dtype in wanted:
                with graph.control_dependencies(checks):
                    checks = [check_numerics(output, message=f"{op.name}:{output.value_index}")]
    return group(*checks)


# --------------------------------------------------------------------------- sparse_matmul
def sparse_matmul(a: Any, b: Any, transpose_a: bool = False, transpose_b: bool = False,
                  a_is_sparse: bool = False, b_is_sparse: bool = False,
                  name: Optional[str] = None) -> Tensor:
    """TF's ``tf.sparse_matmul``: the float32 matrix product of `a` and `b` (float32 or
    bfloat16); the *_is_sparse flags are hints only, as a dense product is exact. Computed as
    a MatMul node (named "SparseMatMul" by default)."""
    from flowgraph.ops.cast import cast
    from flowgraph.ops.linalg import matmul
    tensors = []
    for value, what in ((a, "a"), (b, "b")):
        t = convert_to_tensor(value, dtype=None if isinstance(value, Tensor) else
                              dtypes.float32)
        if t.dtype.name not in ("float32", "bfloat16"):
            raise TypeError(f"Value passed to parameter '{what}' has DataType "
                            f"{t.dtype.name} not in list of allowed values: float32, "
                            "bfloat16; cast it with fg.cast(x, fg.float32).")
        tensors.append(t if t.dtype == dtypes.float32 else cast(t, dtypes.float32))
    return matmul(tensors[0], tensors[1], transpose_a=bool(transpose_a),
                  transpose_b=bool(transpose_b), name=name or "SparseMatMul")
