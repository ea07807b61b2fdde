"""Hooks into `MonitoredSession.run`, as TF1's `tf.train.SessionRunHook` and friends.

A hook sees every step of a monitored session: `before_run` may add fetches and feeds to
the step, `after_run` sees their values and may ask the session to stop.
"""

import collections
from typing import Any, Optional

__all__ = ["SessionRunHook", "SessionRunArgs", "SessionRunContext", "SessionRunValues"]


class SessionRunHook:
    """Base class of the hooks of a monitored session; every method is a no-op."""

    def begin(self) -> None:
        """Called once before the session is created; the graph may still be changed."""

    def after_create_session(self, session: Any, coord: Any) -> None:
        """Called when the session is created (and again when it is re-created)."""

    def before_run(self, run_context: "SessionRunContext") -> Optional["SessionRunArgs"]:
        """Called before each step; returns `SessionRunArgs` to add to the step, or None."""
        return None

    def after_run(self, run_context: "SessionRunContext",
                  run_values: "SessionRunValues") -> None:
        """Called after each step with the results of the fetches asked for in before_run."""

    def end(self, session: Any) -> None:
        """Called once at the end of the session (not when it ends with an error)."""


class SessionRunArgs(collections.namedtuple("SessionRunArgs",
                                            ["fetches", "feed_dict", "options"])):
    """What a hook adds to a step: `fetches` (any structure), `feed_dict`, RunOptions."""

    def __new__(cls, fetches: Any, feed_dict: Optional[dict] = None,
                options: Any = None) -> "SessionRunArgs":
        return super().__new__(cls, fetches, feed_dict, options)


class SessionRunContext:
    """The step being run: its original arguments and the session; a hook may stop it.

    Parameters
    ----------
    original_args : SessionRunArgs
        The fetches and feeds the caller of `run` asked for.
    session : Session
        The raw session the step runs in.
    """

    def __init__(self, original_args: SessionRunArgs, session: Any) -> None:
        self._original_args = original_args
        self._session = session
        self._stop_requested = False

    @property
    def original_args(self) -> SessionRunArgs:
        return self._original_args

    @property
    def session(self) -> Any:
        return self._session

    @property
    def stop_requested(self) -> bool:
        return self._stop_requested

    def request_stop(self) -> None:
        """Ask the monitored session to stop after this step."""
        self._stop_requested = True


class SessionRunValues(collections.namedtuple("SessionRunValues",
                                              ["results", "options", "run_metadata"])):
    """A step's results for one hook: `results` has the structure of its fetches."""
