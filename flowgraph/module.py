"""`fg.Module`: a named container of Variables and other Modules (TF 1.15's ``tf.Module``).

>>> class Dense(fg.Module):
...     def __init__(self, n_in, n_out, name=None):
...         super().__init__(name=name)
...         with self.name_scope:
...             self.w = fg.Variable(fg.ones([n_in, n_out]), name="w")
>>> layer = Dense(2, 3)
>>> [v.name for v in layer.variables]
['dense/w:0']

Variables and submodules are found by walking the module's attributes (sorted by name;
lists, tuples and dicts are walked too), so they are also what `fg.train.Checkpoint` saves.
"""

from __future__ import annotations

import functools
import re
from typing import Any, Callable, Iterator, Optional

from flowgraph.graph import get_default_graph
from flowgraph.variables import Variable

__all__ = ["Module"]

_CAMEL_TO_SNAKE = re.compile(r"((?<=[a-z0-9])[A-Z]|(?!^)[A-Z](?=[a-z]))")
_VALID_IDENTIFIER = re.compile(r"^[a-zA-Z_]([a-zA-Z0-9_])*$")
_IGNORED_ATTRIBUTES = frozenset(("_self_unconditional_checkpoint_dependencies",
                                 "_self_unconditional_dependency_names"))


def camel_to_snake(value: str) -> str:
    """'MyFancyNet2' -> 'my_fancy_net2', as TF's module naming."""
    return _CAMEL_TO_SNAKE.sub(r"_\1", value).lower()


class _ModuleNameScope:
    """Re-enters a module's name scope (absolute, so it is the same wherever entered)."""

    def __init__(self, scope_name: str) -> None:
        self.name = scope_name
        self._stack: list = []

    def __enter__(self) -> str:
        manager = get_default_graph().name_scope(self.name or None)
        self._stack.append(manager)
        return manager.__enter__()

    def __exit__(self, *exc: Any) -> Any:
        return self._stack.pop().__exit__(*exc)


def flatten_with_paths(value: Any, path: tuple = ()) -> Iterator[tuple]:
    """(path, leaf) pairs of a nest of lists, tuples and dicts (dicts by sorted key)."""
    if isinstance(value, dict):
        for key in sorted(value, key=str):
            yield from flatten_with_paths(value[key], path + (key,))
    elif isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            yield from flatten_with_paths(item, path + (index,))
    else:
        yield path, value


class Module:
    """Base class of named containers of Variables and submodules.

    `name` (default: the class name in snake_case) must be a Python identifier; the module
    opens a unique name scope for it when created (`name_scope`), so variables created
    inside ``with self.name_scope:`` are named ``name/...`` (``name_1/...`` for a second
    module of the same name).
    """

    def __init__(self, name: Optional[str] = None) -> None:
        if name is None:
            name = camel_to_snake(type(self).__name__)
        elif not isinstance(name, str) or not _VALID_IDENTIFIER.match(name):
            raise ValueError(f"{name!r} is not a valid module name. Module names must be "
                             "valid Python identifiers (e.g. a valid class name).")
        self._name = name
        with get_default_graph().name_scope(name) as scope_name:
            self._scope_name = scope_name

    @property
    def name(self) -> str:
        """The name given at construction (not made unique)."""
        return self._name

    @property
    def name_scope(self) -> _ModuleNameScope:
        """A context manager entering this module's name scope (its `.name` ends in '/')."""
        return _ModuleNameScope(self._scope_name)

    @property
    def variables(self) -> tuple:
        """All Variables of this module and its submodules, each once."""
        return tuple(self._flatten(predicate=lambda v: isinstance(v, Variable)))

    @property
    def trainable_variables(self) -> tuple:
        """The trainable Variables of this module and its submodules, each once."""
        return tuple(self._flatten(
            predicate=lambda v: isinstance(v, Variable) and v.trainable))

    @property
    def submodules(self) -> tuple:
        """All Modules found in this module's attributes, recursively (direct ones first)."""
        return tuple(self._flatten(predicate=lambda v: isinstance(v, Module)))

    def _flatten(self, recursive: bool = True, predicate: Optional[Callable] = None,
                 attribute_traversal_key: Optional[Callable] = None,
                 with_path: bool = False) -> Iterator[Any]:
        """Values found in this module's attributes for which `predicate` holds (all if
        None): direct attributes first, then those of submodules when `recursive`; with
        `with_path`, (path tuple, value) pairs."""
        return _flatten_module(self, recursive, predicate or (lambda _: True),
                               attribute_traversal_key, with_path, (), {id(self)}, [])

    @classmethod
    def with_name_scope(cls, method: Callable) -> Callable:
        """Decorator: runs `method` inside the module's name scope."""
        @functools.wraps(method)
        def method_with_name_scope(self: "Module", *args: Any, **kwargs: Any) -> Any:
            with self.name_scope:
                return method(self, *args, **kwargs)
        return method_with_name_scope

    def __repr__(self) -> str:
        return f"<{type(self).__module__}.{type(self).__name__} object named {self._name!r}>"


def _flatten_module(module: Module, recursive: bool, predicate: Callable,
                    traversal_key: Optional[Callable], with_path: bool, module_path: tuple,
                    seen: set, recursion_stack: list) -> Iterator[Any]:
    module_id = id(module)
    if module_id in recursion_stack:
        recursive = False
    submodules = []
    attributes = vars(module)
    for key in sorted(attributes, key=traversal_key):
        if key in _IGNORED_ATTRIBUTES:
            continue
        for leaf_path, leaf in flatten_with_paths(attributes[key], (key,)):
            if not with_path:
                if id(leaf) in seen:
                    continue
                seen.add(id(leaf))
            if predicate(leaf):
                yield (module_path + leaf_path, leaf) if with_path else leaf
            if recursive and isinstance(leaf, Module):
                submodules.append((module_path + leaf_path, leaf))
    recursion_stack.append(module_id)
    for path, submodule in submodules:
        yield from _flatten_module(submodule, recursive, predicate, traversal_key, with_path,
                                   path, seen, recursion_stack)
    recursion_stack.pop()
