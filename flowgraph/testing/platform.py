"""TF1's `tf.test` module-level helpers (tensorflow/python/platform/test.py): `main`,
`get_temp_dir`, the build/GPU queries, `mock` and `StubOutForTesting`.

flowgraph runs on numpy on the CPU: it is built with neither CUDA nor ROCm and sees no GPU, so
the queries answer as TF1 does on a CPU-only machine.
"""

from __future__ import annotations

import atexit
import functools
import inspect
import os
import shutil
import sys
import tempfile
import unittest
from typing import Any, Optional, Sequence
from unittest import mock  # noqa: F401 - TF1's `tf.test.mock`

__all__ = ["main", "get_temp_dir", "test_src_dir_path", "is_built_with_cuda",
           "is_built_with_rocm", "is_built_with_gpu_support", "is_built_with_xla",
           "is_gpu_available", "gpu_device_name", "benchmark_config", "mock",
           "StubOutForTesting"]


def main(argv: Optional[Sequence[str]] = None) -> Any:
    """Runs the tests of the calling module (`unittest.main`), as TF1's `tf.test.main()`.

    As in TF1, `--benchmarks=REGEX` (or `--benchmarks=all`) runs the `benchmark*` methods of
    the `fg.test.Benchmark` subclasses whose `Class.method` name matches, instead of tests.
    Exits the process with the result, like TF1.
    """
    argv = list(sys.argv if argv is None else argv)
    pattern = None
    rest = []
    for arg in argv:
        if arg.startswith("--benchmarks="):
            pattern = arg.split("=", 1)[1]
        else:
            rest.append(arg)
    if pattern:
        from flowgraph.testing.benchmark import run_benchmarks
        return run_benchmarks(pattern)
    return unittest.main(module="__main__", argv=rest)


@functools.lru_cache(maxsize=1)
def get_temp_dir() -> str:
    """A temporary directory for the whole test process (the same one on every call),
    deleted at exit; under `TEST_TMPDIR` when set, as TF1. Tests wanting their own folder
    use `fg.test.TestCase.get_temp_dir()`."""
    if os.environ.get("TEST_TMPDIR"):
        temp_dir = tempfile.mkdtemp(prefix=os.environ["TEST_TMPDIR"])
    else:
        # Named after the program being run, as TF1 (e.g. /tmp/my_test<random>).
        first_file = inspect.stack()[-1].filename
        prefix = os.path.join(tempfile.gettempdir(), os.path.basename(first_file))
        temp_dir = tempfile.mkdtemp(prefix=prefix.removesuffix(".py"))
    atexit.register(shutil.rmtree, temp_dir, ignore_errors=True)
    return temp_dir


def test_src_dir_path(relative_path: str) -> str:
    """The path of `relative_path` under the source tree: here the folder that holds the
    flowgraph package (TF1: under the TensorFlow source root)."""
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    return os.path.join(root, relative_path)


def is_built_with_cuda() -> bool:
    """False: flowgraph runs on numpy, without CUDA."""
    return False


def is_built_with_rocm() -> bool:
    """False: flowgraph runs on numpy, without ROCm."""
    return False


def is_built_with_gpu_support() -> bool:
    """False: neither CUDA nor ROCm."""
    return False


def is_built_with_xla() -> bool:
    """False: there is no XLA compiler here."""
    return False


def is_gpu_available(cuda_only: bool = False,
                     min_cuda_compute_capability: Optional[tuple] = None) -> bool:
    """False: flowgraph sees no GPU (ops placed on "/device:GPU:0" run on the CPU)."""
    return False


def gpu_device_name() -> str:
    """'' (no GPU device), as TF1 on a machine without one."""
    return ""


def benchmark_config() -> Any:
    """A ConfigProto for benchmarks (TF1 turns Grappler's dependency optimizer off; flowgraph
    has no such pass, so this is a default config)."""
    from flowgraph.runtime.config import ConfigProto
    return ConfigProto()


_MISSING = object()


class StubOutForTesting:
    """Replaces attributes for a test and puts them back (TF1's `tf.test.StubOutForTesting`).

    >>> stubs = fg.test.StubOutForTesting()
    >>> stubs.Set(os, "getcwd", lambda: "/fake")
    >>> stubs.CleanUp()          # os.getcwd is the real one again
    """

    def __init__(self) -> None:
        self.cache: list = []  # (parent, raw old value or _MISSING, name) for Set
        self.stubs: list = []  # the same for SmartSet

    def __del__(self) -> None:
        self.CleanUp()

    def __enter__(self) -> "StubOutForTesting":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.CleanUp()

    def CleanUp(self) -> None:  # noqa: N802 - TF1's name
        """Undoes every Set and SmartSet."""
        self.SmartUnsetAll()
        self.UnsetAll()

    def Set(self, parent: Any, child_name: str, new_child: Any) -> None:  # noqa: N802
        """Replaces `parent.child_name` with `new_child` until UnsetAll / CleanUp."""
        getattr(parent, child_name)  # AttributeError for a name that does not exist
        self.cache.append((parent, _raw(parent, child_name), child_name))
        setattr(parent, child_name, new_child)

    def SmartSet(self, obj: Any, attr_name: str, new_attr: Any) -> None:  # noqa: N802
        """Replaces `obj.attr_name`; an attribute an instance inherits from its class is
        replaced on the class (as TF1). Restored by SmartUnsetAll / CleanUp."""
        if not hasattr(obj, attr_name):
            raise AttributeError(f"Attribute not found: {attr_name!r} on {obj!r}.")
        if inspect.ismodule(obj) or inspect.isclass(obj) or attr_name in vars(obj):
            target = obj
        else:
            target = type(obj)
        self.stubs.append((target, _raw(target, attr_name), attr_name))
        setattr(target, attr_name, new_attr)

    def SmartUnsetAll(self) -> None:  # noqa: N802 - TF1's name
        """Undoes every SmartSet, most recent first."""
        _restore(self.stubs)
        self.stubs = []

    def UnsetAll(self) -> None:  # noqa: N802 - TF1's name
        """Undoes every Set, most recent first."""
        _restore(self.cache)
        self.cache = []


def _raw(owner: Any, name: str) -> Any:
    """The attribute as stored on `owner` itself (staticmethod objects stay such), or
    _MISSING when `owner` only inherits it (restoring then deletes the stub)."""
    return getattr(owner, "__dict__", {}).get(name, _MISSING)


def _restore(records: list) -> None:
    for owner, old, name in reversed(records):
        if old is _MISSING:
            delattr(owner, name)
        else:
            setattr(owner, name, old)
