"""fg.variable_creator_scope: TF1's hook through which every Variable is created.

Inside ``with fg.variable_creator_scope(creator):`` each ``fg.Variable(...)`` (and so each
``fg.get_variable``) calls ``creator(next_creator, **kwargs)`` with the Variable's
constructor arguments as keywords; ``next_creator(**kwargs)`` builds the Variable (or calls
the next creator out). Nested scopes chain, the innermost creator first. The stack of
creators belongs to the default graph (TF's ``graph._variable_creator_stack``); cond branch
and loop body graphs share the enclosing graph's stack.
"""

from __future__ import annotations

import contextlib
import inspect
from typing import Any, Callable, Iterator

from flowgraph.graph import get_default_graph

__all__ = ["variable_creator_scope", "VariableCreatorMeta"]

_STACK_KEY = "variable_creator_stack"


def _creator_stack() -> list:
    """The default graph's creator stack (outermost first)."""
    return get_default_graph().get_state(_STACK_KEY, list)


@contextlib.contextmanager
def variable_creator_scope(variable_creator: Callable[..., Any]) -> Iterator[None]:
    """Scope which defines a variable creation function to be used by `fg.Variable`.

    `variable_creator` is called as ``variable_creator(next_creator, **kwargs)`` for every
    Variable created inside the scope, with the keyword arguments ``initial_value,
    trainable, collections, validate_shape, caching_device, name, variable_def, dtype,
    expected_shape, import_scope, constraint, use_resource, synchronization, aggregation,
    shape``. It may change them, call ``next_creator(**kwargs)`` (the next creator out,
    finally the Variable constructor) and return its result, or return a Variable made
    otherwise.

    >>> def creator(next_creator, **kwargs):
    ...     kwargs["trainable"] = False
    ...     return next_creator(**kwargs)
    >>> with fg.variable_creator_scope(creator):
    ...     v = fg.Variable(1.0)  # not trainable
    """
    if not callable(variable_creator):
        raise TypeError(f"variable_creator_scope: variable_creator must be callable as "
                        f"variable_creator(next_creator, **kwargs), got {variable_creator!r}")
    stack = _creator_stack()
    stack.append(variable_creator)
    try:
        yield
    finally:
        # Removed by identity, so that scopes exited out of order do not drop another's.
        for i in range(len(stack) - 1, -1, -1):
            if stack[i] is variable_creator:
                del stack[i]
                break


def _make_getter(creator: Callable, previous: Callable) -> Callable:
    def getter(**kwargs: Any) -> Any:
        return creator(previous, **kwargs)
    return getter


class VariableCreatorMeta(type):
    """Metaclass of `fg.Variable`: ``Variable(...)`` goes through the creator scopes.

    Subclasses of Variable are constructed directly, as TF1's VariableMetaclass does.
    """

    def __call__(cls, *args: Any, **kwargs: Any) -> Any:
        base_call = super().__call__
        stack = list(_creator_stack())
        if not stack or (cls.__module__, cls.__qualname__) != ("flowgraph.variables",
                                                               "Variable"):
            return base_call(*args, **kwargs)
        try:
            bound = inspect.signature(cls.__init__).bind(None, *args, **kwargs)
        except TypeError as exc:
            raise TypeError(f"Variable(): {exc}") from None
        bound.apply_defaults()
        arguments = dict(bound.arguments)
        arguments.pop(next(iter(arguments)))  # self

        def default_creator(**creator_kwargs: Any) -> Any:
            return base_call(**creator_kwargs)

        getter = default_creator
        for creator in stack:
            getter = _make_getter(creator, getter)
        return getter(**arguments)
