"""The run-time parallel map: worker threads that feed themselves.

Each of the `parallel` workers takes the next input element itself, calls the map function
on it and files the result under the element's position; the consumer takes the results in
input order. No thread stands between the workers and their input, so a worker that is done
starts on the next element at once, without waiting for a coordinating thread to be
scheduled (on a machine whose cores are all busy, each such hand-off costs a scheduler
time slice).

At most `capacity` elements are taken ahead of the consumer, which bounds memory. A
``prefetch(k)`` directly on a parallel map adds k to the capacity instead of starting a
thread of its own: the workers already run ahead in the background.
"""

from __future__ import annotations

import threading
from typing import Any, Callable, Iterator

from flowgraph.data.engine_sources import closing_all

__all__: list = []


_END = object()


class _Failure:
    """An exception raised while taking or mapping an element, raised again in order."""

    __slots__ = ("error",)

    def __init__(self, error: BaseException) -> None:
        self.error = error


def parallel_map(open_source: Callable[[], Iterator[tuple]], call: Callable[[tuple], Any],
                 parallel: int, capacity: int, skipped: Any) -> Iterator[Any]:
    """The results of `call` on the elements of one pass of `open_source()`, in order;
    results that are `skipped` are left out."""
    it = open_source()
    cond = threading.Condition()
    results: dict = {}
    state = {"taken": 0, "given": 0, "end": None, "closed": False}

    pull = threading.Lock()  # one worker at a time takes from `it` (not thread-safe)

    def take() -> Any:
        """(index, element) of the next input element, or None when the worker should end."""
        with pull:
            with cond:
                while not state["closed"] and state["end"] is None and \
                        state["taken"] - state["given"] >= capacity:
                    cond.wait()
                if state["closed"] or state["end"] is not None:
                    return None
                index = state["taken"]
            try:
                element = next(it)
            except StopIteration:
                element = _END
            except BaseException as exc:  # noqa: BLE001 - raised again by the consumer
                element = _Failure(exc)
            with cond:
                if element is _END or isinstance(element, _Failure):
                    if element is not _END:
                        results[index] = element
                        index += 1
                    state["end"] = index
                    cond.notify_all()
                    return None
                state["taken"] = index + 1
            return index, element

    def work() -> None:
        while True:
            taken = take()
            if taken is None:
                return
            index, element = taken
            try:
                result = call(element)
            except BaseException as exc:  # noqa: BLE001 - raised again by the consumer
                result = _Failure(exc)
            with cond:
                results[index] = result
                cond.notify_all()

    workers = [threading.Thread(target=work, name=f"fg-data-map_{i}", daemon=True)
               for i in range(parallel)]
    for worker in workers:
        worker.start()
    try:
        while True:
            with cond:
                index = state["given"]
                while index not in results and (state["end"] is None or index < state["end"]):
                    cond.wait()
                if index not in results:
                    return
                result = results.pop(index)
                state["given"] = index + 1
                cond.notify_all()
            if isinstance(result, _Failure):
                raise result.error
            if result is not skipped:
                yield result
    finally:
        with cond:
            state["closed"] = True
            cond.notify_all()
        for worker in workers:  # a worker may be inside next(it): close `it` after them
            worker.join()
        closing_all([it])
