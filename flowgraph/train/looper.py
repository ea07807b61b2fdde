"""`fg.train.LooperThread` (a thread that runs code repeatedly until its Coordinator
stops) and `fg.train.basic_train_loop`, as TF1's coordinator.LooperThread and
basic_loops.basic_train_loop."""

from __future__ import annotations

import threading
import time
from typing import Any, Callable, Optional, Sequence

from flowgraph import errors
from flowgraph.train.coordinator import Coordinator

__all__ = ["LooperThread", "basic_train_loop"]


class LooperThread(threading.Thread):
    """A daemon thread that calls `run_loop()` (by default `target(*args, **kwargs)`)
    every `timer_interval_secs` seconds (back-to-back when None) until `coord` is asked
    to stop. An exception in the loop is reported to `coord`.

    >>> looper = fg.train.LooperThread.loop(coord, 1.0, target=print, args=("tick",))
    """

    def __init__(self, coord: Coordinator, timer_interval_secs: Optional[float],
                 target: Optional[Callable] = None, args: Optional[Sequence] = None,
                 kwargs: Optional[dict] = None) -> None:
        if not isinstance(coord, Coordinator):
            raise ValueError(f"'coord' argument must be a Coordinator: {coord}")
        super().__init__()
        self.daemon = True
        self._coord = coord
        self._timer_interval_secs = timer_interval_secs
        self._target = target
        if self._target:
            self._args = tuple(args or ())
            self._kwargs = dict(kwargs or {})
        elif args or kwargs:
            raise ValueError("'args' and 'kwargs' argument require that you also pass "
                             "'target'")
        self._coord.register_thread(self)

    @staticmethod
    def loop(coord: Coordinator, timer_interval_secs: Optional[float], target: Callable,
             args: Optional[Sequence] = None, kwargs: Optional[dict] = None) -> "LooperThread":
        """Start a LooperThread calling `target(*args, **kwargs)` and return it."""
        looper = LooperThread(coord, timer_interval_secs, target=target, args=args,
                              kwargs=kwargs)
        looper.start()
        return looper

    def run(self) -> None:
        with self._coord.stop_on_exception():
            self.start_loop()
            if self._timer_interval_secs is None:
                while not self._coord.should_stop():
                    self.run_loop()
            else:
                # The first call is immediate, then one every timer_interval_secs.
                next_timer_time = time.time()
                while not self._coord.wait_for_stop(max(0.0, next_timer_time - time.time())):
                    next_timer_time += self._timer_interval_secs
                    self.run_loop()
            self.stop_loop()

    def start_loop(self) -> None:
        """Called once when the thread starts (override in subclasses)."""

    def stop_loop(self) -> None:
        """Called once when the loop ends (override in subclasses)."""

    def run_loop(self) -> None:
        """Called every timer_interval_secs (override, or pass `target`)."""
        if self._target:
            self._target(*self._args, **self._kwargs)


def basic_train_loop(supervisor: Any, train_step_fn: Callable, args: Optional[Sequence] = None,
                     kwargs: Optional[dict] = None, master: str = "") -> None:
    """Call `train_step_fn(sess, *args, **kwargs)` in a `supervisor.managed_session(master)`
    until the supervisor should stop; the whole loop restarts on AbortedError."""
    args = list(args) if args is not None else []
    kwargs = dict(kwargs) if kwargs is not None else {}
    should_retry = True
    while should_retry:
        try:
            should_retry = False
            with supervisor.managed_session(master) as sess:
                while not supervisor.should_stop():
                    train_step_fn(sess, *args, **kwargs)
        except errors.AbortedError:
            # A restarted server: start over with a new session, as TF1.
            should_retry = True
