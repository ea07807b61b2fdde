"""User gradient functions, as TF1's: `RegisterGradient`, `NotDifferentiable` /
`no_gradient`, `Graph.gradient_override_map` and `custom_gradient`.

A registered function ``f(op, *output_grads) -> input grads`` replaces an op's own gradient
rule for the ops built under ``with graph.gradient_override_map({"OpType": "Name"})`` (or,
for an op type flowgraph has no rule for, every op of that type). The registry is
module-level, like the op registry, as TF1's.
"""

from __future__ import annotations

import contextlib
import itertools
from typing import Any, Callable, Iterator, Optional

from flowgraph.graph import Graph, get_default_graph

__all__ = ["RegisterGradient", "NotDifferentiable", "NoGradient", "no_gradient",
           "custom_gradient"]

_GRADIENTS: dict = {}
_NOT_DIFFERENTIABLE = object()
_OVERRIDES_KEY = "gradient_overrides"
_uid = itertools.count()


class RegisterGradient:
    """Decorator registering a gradient function under `op_type` (a name that
    `gradient_override_map` can map op types to).

    >>> @fg.RegisterGradient("ReverseGrad")
    ... def _reverse(op, grad):
    ...     return [-grad]
    >>> with fg.get_default_graph().gradient_override_map({"Identity": "ReverseGrad"}):
    ...     y = fg.identity(x)
    """

    def __init__(self, op_type: str) -> None:
        if not isinstance(op_type, str):
            raise TypeError("op_type must be a string")
        self._op_type = op_type

    def __call__(self, f: Callable) -> Callable:
        if self._op_type in _GRADIENTS:
            raise KeyError(f"Registering two gradient with name '{self._op_type}'!")
        _GRADIENTS[self._op_type] = f
        return f


def NotDifferentiable(op_type: str) -> None:  # noqa: N802 - TF1's name
    """Declares ops of type (or override name) `op_type` to have no gradient: gradients
    through them are None, never an error."""
    if not isinstance(op_type, str):
        raise TypeError("op_type must be a string")
    _GRADIENTS[op_type] = _NOT_DIFFERENTIABLE


NoGradient = NotDifferentiable
no_gradient = NotDifferentiable


@contextlib.contextmanager
def gradient_override_map(graph: Graph, op_type_map: dict) -> Iterator[None]:
    """Inside, ops of the types in `op_type_map` take the gradient function registered
    under the mapped name (TF1's ``Graph.gradient_override_map``)."""
    if not isinstance(op_type_map, dict):
        raise TypeError("op_type_map must be a dictionary mapping strings to strings")
    for key, value in op_type_map.items():
        if not (isinstance(key, str) and isinstance(value, str)):
            raise TypeError("op_type_map must be a dictionary mapping strings to strings")
    overrides = graph.get_state(_OVERRIDES_KEY, dict)
    start = len(graph.get_operations())
    try:
        yield
    finally:
        for op in graph.get_operations()[start:]:
            if op.type in op_type_map and op not in overrides:
                overrides[op] = op_type_map[op.type]


def override_for(op: Any) -> Optional[tuple]:
    """``(function or None,)`` when a registered function replaces op's gradient rule (None:
    not differentiable), else None (the op's own rule applies)."""
    overrides = op.graph.get_state(_OVERRIDES_KEY, dict)
    name = overrides.get(op)
    if name is None:
        if op.type not in _GRADIENTS or getattr(op.op_def, "grad", None) is not None and \
                getattr(op.op_def, "differentiable", True):
            return None
        name = op.type
    if name not in _GRADIENTS:
        raise LookupError(f"No gradient registered under {name!r} (the override of op "
                          f"{op.name!r}, type {op.type}); register it with "
                          f"@fg.RegisterGradient({name!r}).")
    f = _GRADIENTS[name]
    return (None,) if f is _NOT_DIFFERENTIABLE else (f,)


def custom_gradient(f: Callable) -> Callable:
    """Decorator for ``f(*xs) -> (y, grad_fn)``: y as f computes it, but gradients with
    respect to xs are ``grad_fn(*dys)`` (TF1's graph-mode `tf.custom_gradient`, for
    functions of tensors; Variables read inside f get no gradient through it)."""
    from flowgraph.control_flow import nest
    from flowgraph.ops.array_extra import identity_n
    from flowgraph.ops.constant import convert_to_tensor

    def decorated(*args: Any, **kwargs: Any) -> Any:
        args = [convert_to_tensor(a) for a in args]
        result, grad_fn = f(*args, **kwargs)
        flat = [convert_to_tensor(t) for t in nest.flatten(result)]
        name = f"CustomGradient-{next(_uid)}"
        count = len(flat)

        def grad(op: Any, *dys: Any) -> list:
            input_grads = grad_fn(*dys[:count])
            if not isinstance(input_grads, (list, tuple)):
                input_grads = [input_grads]
            input_grads = list(input_grads)
            if len(input_grads) != len(args):
                raise ValueError(f"custom_gradient: the gradient function returned "
                                 f"{len(input_grads)} gradients for {len(args)} inputs")
            return [None] * count + input_grads

        RegisterGradient(name)(grad)
        graph = get_default_graph()
        with gradient_override_map(graph, {"IdentityN": name}):
            outputs = identity_n(flat + list(args))
        return nest.pack_sequence_as(result, outputs[:count])

    decorated.__name__ = getattr(f, "__name__", "custom_gradient")
    decorated.__doc__ = f.__doc__
    return decorated
