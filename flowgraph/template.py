"""`fg.make_template`: wraps a function so that every call shares the Variables its first
call created with `get_variable`, as TF1's `tf.make_template`."""

from __future__ import annotations

import functools
from typing import Any, Callable, Optional

from flowgraph.variable_scope import variable_scope

__all__ = ["make_template", "Template"]


class Template:
    """A callable sharing Variables across calls: the first call runs `func` in a fresh
    variable scope (named after `name`, uniquified), later calls re-enter that scope with
    ``reuse=True``, so a `get_variable` the first call did not make raises ValueError."""

    def __init__(self, name: str, func: Callable[..., Any], create_scope_now: bool = False,
                 unique_name: Optional[str] = None, custom_getter: Any = None) -> None:
        if not name:
            raise ValueError("make_template needs a name for the variable scope")
        self._name = name
        self._func = func
        self._unique_name = unique_name
        self._custom_getter = custom_getter
        self._scope: Any = None
        self._variables_created = False
        if create_scope_now:
            with self._open_scope() as scope:
                self._scope = scope

    def _open_scope(self) -> Any:
        if self._scope is not None:
            return variable_scope(self._scope, reuse=True if self._variables_created else None,
                                  custom_getter=self._custom_getter)
        return variable_scope(self._unique_name, default_name=self._name,
                              custom_getter=self._custom_getter)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        with self._open_scope() as scope:
            self._scope = scope
            result = self._func(*args, **kwargs)
        self._variables_created = True
        return result

    @property
    def name(self) -> str:
        return self._name

    @property
    def variable_scope(self) -> Any:
        return self._scope

    @property
    def variable_scope_name(self) -> Optional[str]:
        return None if self._scope is None else self._scope.name

    @property
    def variables_created(self) -> bool:
        return self._variables_created


def make_template(name_: str, func_: Callable[..., Any], create_scope_now_: bool = False,
                  unique_name_: Optional[str] = None, custom_getter_: Any = None,
                  **kwargs: Any) -> Template:
    """``make_template("net", build)`` returns a callable whose calls all share the
    Variables of the first one; `kwargs` are bound to `func_` (TF1's `tf.make_template`)."""
    func = functools.partial(func_, **kwargs) if kwargs else func_
    return Template(name_, func, create_scope_now=create_scope_now_, unique_name=unique_name_,
                    custom_getter=custom_getter_)
