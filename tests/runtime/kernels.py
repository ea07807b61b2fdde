"""Test-only ops with Python kernels (slow, counting, failing).

They are frozen dataclasses built like registered ops but deliberately NOT registered, so
that the registry-wide op tests do not see them; a Session runs any Op object.
"""

import dataclasses
import threading
import time

from flowgraph.ops.registry import Op, apply_op

# (tag) appended each time a CountingIdentity kernel runs.
CALLS: list = []
_CALLS_LOCK = threading.Lock()
# Set whenever a SlowIdentity kernel starts (tests clear it, then wait for a run to begin).
SLOW_STARTED = threading.Event()


@dataclasses.dataclass(frozen=True, kw_only=True)
class SlowIdentity(Op):
    """Sleeps `seconds`, then returns its input."""

    type_name = "SlowIdentityForTest"
    seconds: float = 0.05
    stateful = True  # never folded or merged

    def infer(self, op):
        return [(op.inputs[0].dtype, op.inputs[0].shape)]

    def kernel(self, x):
        SLOW_STARTED.set()
        time.sleep(self.seconds)
        return x


@dataclasses.dataclass(frozen=True, kw_only=True)
class CountingIdentity(Op):
    """Records `tag` in CALLS, then returns its input."""

    type_name = "CountingIdentityForTest"
    tag: str = ""
    stateful = True

    def infer(self, op):
        return [(op.inputs[0].dtype, op.inputs[0].shape)]

    def kernel(self, x):
        with _CALLS_LOCK:
            CALLS.append(self.tag)
        return x


@dataclasses.dataclass(frozen=True, kw_only=True)
class FailingOp(Op):
    """Raises ZeroDivisionError when run."""

    type_name = "FailingOpForTest"
    stateful = True

    def infer(self, op):
        return [(op.inputs[0].dtype, op.inputs[0].shape)]

    def kernel(self, x):
        raise ZeroDivisionError("deliberate failure in a test kernel")


def slow_identity(x, seconds=0.05, name=None):
    return apply_op(SlowIdentity(seconds=seconds), [x], name=name)


def counting_identity(x, tag, name=None):
    return apply_op(CountingIdentity(tag=tag), [x], name=name)


def failing(x, name=None):
    return apply_op(FailingOp(), [x], name=name)


# (BLAS threads seen by BlasThreadsProbe kernels.)
BLAS_THREADS_SEEN: list = []


@dataclasses.dataclass(frozen=True, kw_only=True)
class BlasThreadsProbe(Op):
    """Returns its input and records how many threads BLAS has while it runs; flagged as a
    BLAS kernel (uses_all_cores), like a matmul."""

    type_name = "BlasThreadsProbeForTest"
    uses_all_cores = True
    stateful = True

    def infer(self, op):
        return [(op.inputs[0].dtype, op.inputs[0].shape)]

    def kernel(self, x):
        from threadpoolctl import threadpool_info
        blas = [i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"]
        with _CALLS_LOCK:
            BLAS_THREADS_SEEN.append(blas[0] if blas else None)
        return x


# (tag, thread id) appended each time a ThreadRecorder kernel runs.
THREADS_SEEN: list = []


@dataclasses.dataclass(frozen=True, kw_only=True)
class ThreadRecorder(Op):
    """Returns its first input plus the sum of the others (all of one shape); records
    which thread ran it under `tag`."""

    type_name = "ThreadRecorderForTest"
    tag: str = ""
    stateful = True

    def infer(self, op):
        return [(op.inputs[0].dtype, op.inputs[0].shape)]

    def kernel(self, x, *others):
        with _CALLS_LOCK:
            THREADS_SEEN.append((self.tag, threading.get_ident()))
        time.sleep(0.002)  # long enough for the other chain's steps to come in between
        return x + sum(others) if others else x.copy()


def thread_recorder(tag, *inputs, name=None):
    return apply_op(ThreadRecorder(tag=tag), list(inputs), name=name)
