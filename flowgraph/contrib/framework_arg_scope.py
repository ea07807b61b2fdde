"""`arg_scope` and `add_arg_scope` of TF1's `tf.contrib.framework`.

An arg_scope maps an arg-scoped function's key (``str`` of the undecorated function, as TF1's
``arg_scope_func_key``) to the keyword defaults set for it. Scopes nest and merge; the stack
lives in a context variable, so threads and async tasks each see their own.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import inspect
from typing import Any, Callable, Iterator

__all__ = ["arg_scope", "add_arg_scope", "has_arg_scope", "arg_scoped_arguments",
           "current_arg_scope", "arg_scope_func_key"]

_ARG_STACK: contextvars.ContextVar[tuple] = contextvars.ContextVar("fg_arg_scope", default=({},))


def arg_scope_func_key(op: Any) -> str:
    """The key under which `op`'s defaults are stored in an arg_scope dict."""
    return getattr(op, "_key_op", str(op))


def _name_op(op: Any) -> str:
    return getattr(op, "__name__", None) or str(op)


def _kwarg_names(func: Callable) -> tuple:
    params = inspect.signature(func).parameters.values()
    return tuple(p.name for p in params if p.default is not inspect.Parameter.empty)


def current_arg_scope() -> dict:
    """The innermost arg_scope: a dict mapping op keys to their keyword defaults."""
    return _ARG_STACK.get()[-1]


def has_arg_scope(func: Any) -> bool:
    """Whether `func` was decorated with `add_arg_scope` (so arg_scope can apply to it)."""
    return getattr(func, "_arg_scoped_names", None) is not None


def arg_scoped_arguments(func: Any) -> tuple:
    """The names of the keyword arguments (those with defaults) that arg_scope can set on
    `func`."""
    if not has_arg_scope(func):
        raise ValueError(f"{_name_op(func)} is not decorated with @add_arg_scope")
    return func._arg_scoped_names


def add_arg_scope(func: Callable) -> Callable:
    """Decorates `func` so that calls take their keyword defaults from the enclosing
    `arg_scope`s; explicitly passed keywords win."""
    key = arg_scope_func_key(func)

    @functools.wraps(func)
    def func_with_args(*args: Any, **kwargs: Any) -> Any:
        scoped = current_arg_scope().get(key)
        if scoped:
            merged = dict(scoped)
            merged.update(kwargs)
            kwargs = merged
        return func(*args, **kwargs)

    func_with_args._key_op = key
    func_with_args._arg_scoped_names = _kwarg_names(func)
    return func_with_args


@contextlib.contextmanager
def arg_scope(list_ops_or_scope: Any, **kwargs: Any) -> Iterator[dict]:
    """Sets keyword defaults for the arg-scoped functions in `list_ops_or_scope`, merged with
    (and overriding) those of enclosing scopes; or re-enters a scope dict yielded earlier.

    Example::

        with arg_scope([slim.conv2d], padding="VALID"):
            with arg_scope([slim.conv2d], stride=2) as sc:
                net = slim.conv2d(x, 8, [3, 3])  # padding="VALID", stride=2
        with arg_scope(sc):
            ...
    """
    if isinstance(list_ops_or_scope, dict):
        if kwargs:
            raise ValueError("When attempting to re-use a scope by suppling a dictionary, "
                             "kwargs must be empty.")
        new_scope = list_ops_or_scope
    elif isinstance(list_ops_or_scope, (list, tuple)):
        new_scope = dict(current_arg_scope())
        for op in list_ops_or_scope:
            if not has_arg_scope(op):
                raise ValueError(f"{_name_op(op)} is not decorated with @add_arg_scope; use "
                                 "the arg-scoped version (e.g. slim.conv2d rather than "
                                 "tf.contrib.layers.conv2d) or decorate it with add_arg_scope")
            key = arg_scope_func_key(op)
            merged = dict(new_scope.get(key, {}))
            merged.update(kwargs)
            new_scope[key] = merged
    else:
        raise TypeError("list_ops_or_scope must either be a list/tuple or reused scope "
                        f"(i.e. dict), got {type(list_ops_or_scope).__name__}")
    token = _ARG_STACK.set(_ARG_STACK.get() + (new_scope,))
    try:
        yield new_scope
    finally:
        _ARG_STACK.reset(token)
