"""The default-graph and default-session stacks, kept in context variables."""

from __future__ import annotations

import contextlib
import contextvars
from typing import Any, Iterator

_graph_stack: contextvars.ContextVar = contextvars.ContextVar("flowgraph_graphs", default=())
_base_graph: contextvars.ContextVar = contextvars.ContextVar("flowgraph_base_graph",
                                                             default=None)
_session_stack: contextvars.ContextVar = contextvars.ContextVar("flowgraph_sessions",
                                                                default=())


@contextlib.contextmanager
def session_as_default(session: Any) -> Iterator[Any]:
    """Makes `session` the default session (and its graph the default graph) in the block."""
    token = _session_stack.set(_session_stack.get() + (session,))
    try:
        with session.graph.as_default():
            yield session
    finally:
        _session_stack.reset(token)


def push_default_session(session: Any) -> contextvars.Token:
    """Installs `session` as default until the returned token is reset (InteractiveSession)."""
    return _session_stack.set(_session_stack.get() + (session,))


def pop_default_session(session: Any) -> None:
    stack = _session_stack.get()
    if stack and stack[-1] is session:
        _session_stack.set(stack[:-1])
    elif session in stack:
        _session_stack.set(tuple(s for s in stack if s is not session))


def get_default_session() -> Any:
    """The innermost session of `sess.as_default()` / `with sess:` blocks, or None."""
    stack = _session_stack.get()
    return stack[-1] if stack else None
