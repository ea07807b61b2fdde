"""Waiting for Dask futures without hanging, and turning what went wrong into OpErrors.

A run waits in short slices; between slices it checks the run's deadline
(RunOptions.timeout_in_ms / ConfigProto.operation_timeout_in_ms: DeadlineExceededError) and
the cluster: a worker that pinned nodes need has left (UnavailableError at once: Dask would
wait for it forever), no workers or no scheduler connection for longer than
`unavailable_after_s` (UnavailableError). A worker that dies while running a task is Dask's
to handle: it reruns the task elsewhere, and after `distributed.scheduler.allowed-failures`
deaths reports KilledWorker, which becomes UnavailableError.
"""

from __future__ import annotations

import time
from typing import Any, Optional

from flowgraph import errors
from flowgraph.runtime.distributed.remote import RemoteOpError


class Watch:
    """Waits for futures of one run, within its deadline, while the cluster can serve it."""

    def __init__(self, client: Any, deadline: Optional[float], pinned: dict,
                 poll_s: float, unavailable_after_s: float) -> None:
        self.client = client
        self.deadline = deadline
        self.pinned = pinned  # task number -> worker address the run's pinned nodes need
        self.poll_s = poll_s
        self.unavailable_after_s = unavailable_after_s
        self._unhealthy_since: Optional[float] = None

    def wait(self, futures: list, describe: Any) -> None:
        """Returns when every future is done; raises the first failure as an OpError.

        `describe(future)` names the unit a future belongs to: (Operation, text).
        """
        from distributed import wait
        pending = [f for f in futures if f.status == "pending"]
        self._raise_failed([f for f in futures if f.status != "pending"], describe)
        while pending:
            timeout = self.poll_s
            if self.deadline is not None:
                timeout = max(min(timeout, self.deadline - time.monotonic()), 0.001)
            try:
                with self.client.as_current():  # (wait() uses the current client)
                    done, not_done = wait(pending, timeout=timeout,
                                          return_when="FIRST_COMPLETED")
            except TimeoutError:
                self.check()
                continue
            except Exception as exc:  # e.g. FuturesCancelledError: the scheduler dropped them
                if type(exc).__name__ not in ("FuturesCancelledError", "CancelledError"):
                    raise
                raise errors.UnavailableError(
                    None, None, f"The Dask cluster cancelled this run's tasks ({exc}); a "
                    "worker or the scheduler was probably lost.") from exc
            self._raise_failed(list(done), describe)
            pending = list(not_done)

    def gather(self, futures: list, describe: Any, attempts: int = 3) -> list:
        """The results of finished futures, without hanging: a result whose worker was lost
        is computed again by Dask, and waited for as `wait` does."""
        gather = getattr(self.client, "_gather", None)
        for _ in range(attempts):
            self.wait(futures, describe)
            if gather is None:  # (a Dask without it: its public gather cannot time out)
                return self.client.gather(futures)
            timeout = self.unavailable_after_s
            if self.deadline is not None:
                timeout = max(min(timeout, self.deadline - time.monotonic()), 0.001)
            try:
                return self.client.sync(gather, futures, callback_timeout=timeout)
            except TimeoutError:
                self.check()
        raise errors.UnavailableError(
            None, None, f"Could not gather the run's results from the Dask cluster in "
            f"{attempts} attempts of {self.unavailable_after_s:g} s.")

    def _raise_failed(self, done: list, describe: Any) -> None:
        failed = [f for f in done if f.status != "finished"]
        if not failed:
            return
        future = min(failed, key=lambda f: describe(f)[2])
        op, text, _ = describe(future)
        try:
            exc = future.exception(timeout=self.poll_s)
        except Exception as lost:  # cancelled or lost future: no exception to fetch
            exc = lost
        raise translate(exc, op, text) from (None if isinstance(exc, RemoteOpError) else exc)

    def check(self) -> None:
        """Raises DeadlineExceededError past the deadline, UnavailableError when the cluster
        cannot serve the run."""
        now = time.monotonic()
        if self.deadline is not None and now > self.deadline:
            raise errors.DeadlineExceededError(
                None, None, "Timed out: the run took longer than RunOptions.timeout_in_ms "
                "(or ConfigProto.operation_timeout_in_ms) on the Dask cluster.")
        problem = self._problem()
        if problem is None:
            self._unhealthy_since = None
            return
        urgent, text = problem
        if self._unhealthy_since is None:
            self._unhealthy_since = now
        if urgent or now - self._unhealthy_since > self.unavailable_after_s:
            raise errors.UnavailableError(None, None, text)

    def _problem(self) -> Optional[tuple]:
        client = self.client
        if client.status != "running":
            return False, (f"Lost the connection to the Dask scheduler (client status "
                           f"{client.status!r}) for more than {self.unavailable_after_s:g} s.")
        try:
            workers = client.scheduler_info()["workers"]
        except (OSError, TimeoutError) as exc:
            return False, f"The Dask scheduler does not answer: {exc}"
        for task, address in sorted(self.pinned.items()):
            if address not in workers:
                return True, (f"Dask worker {address}, which runs the nodes placed on "
                              f"/job:worker/task:{task}, left the cluster during the run; "
                              "those nodes cannot run elsewhere. Run again to place them on "
                              "the workers now present.")
        if not workers:
            return False, (f"The Dask cluster has had no workers for more than "
                           f"{self.unavailable_after_s:g} s.")
        return None


def translate(exc: BaseException, op: Any, text: str) -> errors.OpError:
    """The OpError for what a task raised: the node's own error class for errors inside a
    kernel, UnavailableError for lost workers and tasks, UnknownError otherwise."""
    if isinstance(exc, RemoteOpError):
        kind = getattr(errors, exc.kind, None)
        if not (isinstance(kind, type) and issubclass(kind, errors.OpError)):
            kind = errors.UnknownError
        node = None
        graph = getattr(op, "graph", None)
        if graph is not None and exc.node:
            node = graph._ops_by_name.get(exc.node)
        return kind(None, node if node is not None else op, exc.message)
    name = type(exc).__name__
    if isinstance(exc, errors.OpError):
        return exc
    if name == "KilledWorker":
        return errors.UnavailableError(
            None, op, f"The Dask workers running the task of {text} died repeatedly "
            f"(KilledWorker: {exc}); the run cannot finish.")
    if name in ("FutureCancelledError", "CancelledError", "FuturesCancelledError"):
        return errors.UnavailableError(
            None, op, f"The task of {text} was cancelled or lost on the Dask cluster ({exc}).")
    if isinstance(exc, ImportError):
        return errors.UnknownError(
            None, op, f"A Dask worker could not load the task of {text}: {name}: {exc}. "
            "Every worker (and the scheduler) needs flowgraph installed, in the same version "
            "as the client.")
    return errors.UnknownError(None, op, f"The task of {text} failed on the Dask cluster: "
                                         f"{name}: {exc}")
