"""TF1's `tf.test.TestCase` (tensorflow/python/framework/test_util.py, graph mode).

Each test method starts with a fresh default graph (setUp resets it, as TF1's
`ops.reset_default_graph()`), seeded with TF1's DEFAULT_GRAPH_SEED; `self.session()`,
`self.cached_session()` and the deprecated `self.test_session()` give a Session on that
graph, installed as the default session and graph inside the `with` block, so that
`tensor.eval()`, `op.run()` and `self.evaluate(...)` work.
"""

from __future__ import annotations

import contextlib
import random
import tempfile
import threading
import unittest
from typing import Any, Callable, Iterator, Optional

import numpy as np

from flowgraph.context import get_default_session
from flowgraph.control_flow import nest
from flowgraph.graph import Graph, reset_default_graph, set_random_seed
from flowgraph.testing.absl_asserts import AbslAssertions
from flowgraph.testing.assertions import ArrayAssertions
from flowgraph.testing.platform import get_temp_dir as _process_temp_dir

__all__ = ["TestCase", "DEFAULT_GRAPH_SEED"]

DEFAULT_GRAPH_SEED = 87654321  # TF1's random_seed.DEFAULT_GRAPH_SEED


class _CheckedThread:
    """A thread whose exception fails the test when joined (TF1's checkedThread)."""

    def __init__(self, testcase: unittest.TestCase, target: Callable, args: Any = None,
                 kwargs: Any = None) -> None:
        self._testcase = testcase
        self._target = target
        self._args = () if args is None else args
        self._kwargs = {} if kwargs is None else kwargs
        self._thread = threading.Thread(target=self._protected_run)
        self._exception: Optional[BaseException] = None
        self._is_thread_joined = False

    def _protected_run(self) -> None:
        try:
            self._target(*self._args, **self._kwargs)
        except Exception as e:  # noqa: BLE001 - reported by join()
            self._exception = e

    def start(self) -> None:
        self._thread.start()

    def join(self) -> None:
        """Waits for the thread; fails the test if its target raised."""
        self._is_thread_joined = True
        self._thread.join()
        if self._exception is not None:
            self._testcase.fail(f"Error in checkedThread: {self._exception}")

    def is_alive(self) -> bool:
        return self._thread.is_alive()

    def check_termination(self) -> None:
        """Fails the test if the thread was never joined (called by tearDown)."""
        if self._is_thread_joined:
            if self.is_alive():
                raise RuntimeError("Thread was not joined with main thread, and is still "
                                   "running when the test finished.")
        else:
            self._testcase.fail("A checked thread was not joined.")


class TestCase(ArrayAssertions, AbslAssertions, unittest.TestCase):
    """Base class for tests of flowgraph graphs (TF1's `tf.test.TestCase`).

    >>> class SquareTest(fg.test.TestCase):
    ...     def testSquare(self):
    ...         with self.session():
    ...             self.assertAllEqual(fg.square([2, 3]).eval(), [4, 9])
    >>> if __name__ == "__main__":
    ...     fg.test.main()
    """

    def __init__(self, methodName: str = "runTest") -> None:  # noqa: N803 - unittest's name
        super().__init__(methodName)
        self._threads: list = []
        self._tempdir: Optional[str] = None
        self._cached_session: Any = None
        self._cached_graph: Any = None
        self._cached_config: Any = None
        self._cached_force_gpu = False

    def setUp(self) -> None:  # noqa: N802 - unittest's name
        super().setUp()
        self._ClearCachedSession()
        random.seed(DEFAULT_GRAPH_SEED)
        np.random.seed(DEFAULT_GRAPH_SEED)
        _leave_graph_blocks()
        reset_default_graph()
        set_random_seed(DEFAULT_GRAPH_SEED)
        # As TF1: a test method named `test_session` would shadow the session helper.
        if self.id().endswith(".test_session"):
            self.skipTest("Not a test.")

    def tearDown(self) -> None:  # noqa: N802 - unittest's name
        for thread in self._threads:
            thread.check_termination()
        self._ClearCachedSession()
        super().tearDown()

    def _ClearCachedSession(self) -> None:  # noqa: N802 - TF1's name
        if self._cached_session is not None:
            self._cached_session.close()
            self._cached_session = None

    def get_temp_dir(self) -> str:
        """A temporary directory of this test (the same on every call within the test, a new
        one for each test), inside the process's `fg.test.get_temp_dir()`."""
        if not self._tempdir:
            self._tempdir = tempfile.mkdtemp(dir=_process_temp_dir())
        return self._tempdir

    # -- sessions
    def _create_session(self, graph: Optional[Graph], config: Any) -> Any:
        from flowgraph.runtime.session import Session
        return Session(graph=graph, config=config)

    @contextlib.contextmanager
    def _constrain_devices_and_set_default(self, sess: Any, use_gpu: bool,
                                           force_gpu: bool) -> Iterator[Any]:
        with sess.graph.as_default(), sess.as_default():
            if force_gpu:
                # As TF1 with no GPU detected; flowgraph runs GPU-placed ops on the CPU.
                with sess.graph.device("/device:GPU:0"):
                    yield sess
            elif use_gpu:
                yield sess
            else:
                with sess.graph.device("/device:CPU:0"):
                    yield sess

    def _get_cached_session(self, graph: Optional[Graph] = None, config: Any = None,
                            force_gpu: bool = False,
                            crash_if_inconsistent_args: bool = True) -> Any:
        if self._cached_session is None:
            sess = self._create_session(graph=graph, config=config)
            self._cached_session = sess
            self._cached_graph = graph
            self._cached_config = config
            self._cached_force_gpu = force_gpu
            return sess
        if crash_if_inconsistent_args:
            for what, cached, given in (("graph", self._cached_graph, graph),
                                        ("config", self._cached_config, config),
                                        ("force_gpu value", self._cached_force_gpu,
                                         force_gpu)):
                if cached is not given:
                    raise ValueError(f"The {what} used to get the cached session is different "
                                     "than the one that was used to create the session. "
                                     "Maybe create a new session with self.session()")
        return self._cached_session

    @contextlib.contextmanager
    def session(self, graph: Optional[Graph] = None, config: Any = None, use_gpu: bool = False,
                force_gpu: bool = False) -> Iterator[Any]:
        """A new Session (on `graph`, default the test's default graph), closed when the
        block ends; it and its graph are the defaults inside the block. As TF1 (r1.15),
        ops built inside are pinned to "/device:CPU:0" unless use_gpu or force_gpu."""
        with self._create_session(graph, config) as sess:
            with self._constrain_devices_and_set_default(sess, use_gpu, force_gpu):
                yield sess

    @contextlib.contextmanager
    def cached_session(self, graph: Optional[Graph] = None, config: Any = None,
                       use_gpu: bool = False, force_gpu: bool = False) -> Iterator[Any]:
        """The test's one cached Session (made on first use, closed in tearDown), so
        variables keep their values between blocks. Raises ValueError when asked for a
        different graph, config or force_gpu than it was made with."""
        sess = self._get_cached_session(graph, config, force_gpu,
                                        crash_if_inconsistent_args=True)
        with self._constrain_devices_and_set_default(sess, use_gpu, force_gpu) as cached:
            yield cached

    @contextlib.contextmanager
    def _test_session(self, graph: Optional[Graph] = None, config: Any = None,
                      use_gpu: bool = False, force_gpu: bool = False) -> Iterator[Any]:
        if self.id().endswith(".test_session"):
            self.skipTest("Tests that have the name \"test_session\" are automatically "
                          "skipped by TensorFlow test fixture, as the name is reserved for "
                          "creating sessions within tests. Please rename your test if you "
                          "have a test with this name.")
        if graph is None:
            sess = self._get_cached_session(graph, config, force_gpu,
                                            crash_if_inconsistent_args=False)
            with self._constrain_devices_and_set_default(sess, use_gpu, force_gpu) as cached:
                yield cached
        else:
            with self.session(graph, config, use_gpu, force_gpu) as sess:
                yield sess

    @property
    def test_session(self) -> Callable[..., Any]:
        """Deprecated (use `session()` or `cached_session()`): the cached session, or a new
        one when a graph is given. A property, so that test loaders (unittest, pytest) do
        not collect it as a test method named `test_*` (TF1 skipped it in setUp)."""
        return self._test_session

    # -- evaluation
    def evaluate(self, tensors: Any) -> Any:
        """The values of `tensors` (a Tensor, Variable, SparseTensor, op, or a nested list,
        tuple, namedtuple or dict of them) in the default session, or in the cached
        session when there is no default one."""
        sess = get_default_session()
        flat = nest.flatten(tensors)
        if sess is None:
            with self.test_session() as sess:
                values = sess.run(flat)
        else:
            values = sess.run(flat)
        return nest.pack_sequence_as(tensors, values)

    # -- threads
    def checkedThread(self, target: Callable, args: Any = None,  # noqa: N802 - TF1's name
                      kwargs: Any = None) -> _CheckedThread:
        """A thread wrapper (start, join) that fails the test if `target` raises; every
        checked thread must be joined before the test ends."""
        thread = _CheckedThread(self, target, args, kwargs)
        self._threads.append(thread)
        return thread


def _leave_graph_blocks() -> None:
    """Empties the default-graph stack (TF1's `ops._default_graph_stack.reset()`): a test
    that failed inside `graph.as_default()` or left an InteractiveSession open must not
    make the next test's reset_default_graph() fail."""
    from flowgraph import graph as graph_module
    if graph_module._graph_stack.get():
        graph_module._graph_stack.set(())
