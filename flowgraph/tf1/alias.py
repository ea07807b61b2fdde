"""The `tensorflow` module tree that TF1 scripts import, made of flowgraph's modules.

`tensorflow`, `tensorflow.compat.v1` and every `tensorflow.<name>` resolve to alias modules
that hand out flowgraph's objects; a TF1 symbol flowgraph lacks raises `TF1SymbolError`
naming it (``tf.contrib.foo is not available in flowgraph``) instead of an AttributeError
from deep inside. Submodule imports (``from tensorflow.contrib import rnn``, ``import
tensorflow.examples.tutorials.mnist.input_data``) go through a finder on `sys.meta_path`.
"""

from __future__ import annotations

import importlib.abc
import importlib.util
import sys
import types
from typing import Any, Optional

TF1_VERSION = "1.15.5"


class TF1SymbolError(AttributeError):
    """A TF1 name that flowgraph does not provide."""


class AliasModule(types.ModuleType):
    """A module named like TF1's (`tf_name`, e.g. ``tf.contrib``) whose attributes are its
    `extras`, then those of `target` (a flowgraph module, or None). Modules among them are
    wrapped in aliases too, so that missing names anywhere below say which TF1 symbol."""

    def __init__(self, module_name: str, tf_name: str, target: Any = None,
                 extras: Optional[dict] = None) -> None:
        super().__init__(module_name, getattr(target, "__doc__", None))
        self.__path__: list = []  # a package: submodules import through the finder
        self._tf_name = tf_name
        self._target = target
        self._extras = dict(extras or {})
        self._children: dict = {}

    def __getattr__(self, name: str) -> Any:
        if name in self._extras:
            value = self._extras[name]
        elif name.startswith("__") and name.endswith("__") and name != "__version__":
            raise AttributeError(name)
        elif self._target is not None and hasattr(self._target, name):
            value = getattr(self._target, name)
        else:
            raise TF1SymbolError(f"{self._tf_name}.{name} is not available in flowgraph "
                                 "(flowgraph runs TF1 graph-mode scripts; see the README's "
                                 "table of what `flowgraph tf1` covers)")
        if isinstance(value, types.ModuleType) and not isinstance(value, AliasModule):
            if name not in self._children:
                self._children[name] = AliasModule(f"{self.__name__}.{name}",
                                                   f"{self._tf_name}.{name}", value)
            value = self._children[name]
        return value

    def __dir__(self) -> list:
        names = set(self._extras)
        if self._target is not None:
            names.update(n for n in dir(self._target) if not n.startswith("_"))
        return sorted(names)

    def __repr__(self) -> str:
        return f"<module {self.__name__!r} (flowgraph's TF1 alias)>"


def _resolve(fullname: str, root: AliasModule) -> Any:
    obj: Any = root
    for part in fullname.split(".")[1:]:
        try:
            obj = getattr(obj, part)
        except AttributeError as e:
            raise ModuleNotFoundError(str(e), name=fullname) from None
    return obj


class _Loader(importlib.abc.Loader):
    def __init__(self, obj: Any) -> None:
        self._obj = obj

    def create_module(self, spec: Any) -> Any:
        return self._obj

    def exec_module(self, module: Any) -> None:
        return None


class AliasFinder(importlib.abc.MetaPathFinder):
    """Resolves ``tensorflow`` and ``tensorflow.<a>.<b>`` imports to the alias tree."""

    def __init__(self, root: AliasModule) -> None:
        self.root = root

    def find_spec(self, fullname: str, path: Any, target: Any = None) -> Any:
        if fullname != "tensorflow" and not fullname.startswith("tensorflow."):
            return None
        obj = self.root if fullname == "tensorflow" else _resolve(fullname, self.root)
        if not isinstance(obj, types.ModuleType):
            raise ModuleNotFoundError(f"{fullname} is not a module (import the name from "
                                      "its parent instead)", name=fullname)
        return importlib.util.spec_from_loader(fullname, _Loader(obj), is_package=True)


def _no_eager(*args: Any, **kwargs: Any) -> None:
    raise RuntimeError("Eager execution is not available in flowgraph: it runs TF1 graph "
                       "mode (remove tf.enable_eager_execution())")


def _no_op(*args: Any, **kwargs: Any) -> None:
    return None


def _compat_module(root: AliasModule) -> AliasModule:
    import flowgraph
    helpers = {name: value for name, value in vars(flowgraph.compat).items() if name != "v1"}
    return AliasModule("tensorflow.compat", "tf.compat", None, {"v1": root, **helpers})


def _examples_module() -> AliasModule:
    from flowgraph.datasets import mnist
    input_data = AliasModule("tensorflow.examples.tutorials.mnist.input_data",
                             "input_data", None, {
                                 "read_data_sets": mnist.read_data_sets,
                                 "DataSet": mnist.DataSet,
                                 "dense_to_one_hot": mnist.dense_to_one_hot})
    mnist_pkg = AliasModule("tensorflow.examples.tutorials.mnist",
                            "tensorflow.examples.tutorials.mnist", None,
                            {"input_data": input_data})
    tutorials = AliasModule("tensorflow.examples.tutorials", "tensorflow.examples.tutorials",
                            None, {"mnist": mnist_pkg})
    return AliasModule("tensorflow.examples", "tensorflow.examples", None,
                       {"tutorials": tutorials})


def _python_module() -> AliasModule:
    """``tensorflow.python``: the internal modules TF1 scripts import directly
    (``from tensorflow.python.client import timeline``,
    ``from tensorflow.python.framework import graph_util``, ``test_util``,
    ``from tensorflow.python.platform import test``)."""
    from flowgraph import graph_util
    from flowgraph.client import timeline
    from flowgraph.io.graph_files import write_graph
    timeline_alias = AliasModule("tensorflow.python.client.timeline",
                                 "tf.python.client.timeline", timeline)
    client = AliasModule("tensorflow.python.client", "tf.python.client", None,
                         {"timeline": timeline_alias})
    graph_io = AliasModule("tensorflow.python.framework.graph_io",
                           "tf.python.framework.graph_io", None,
                           {"write_graph": write_graph})
    from flowgraph import testing
    test_util = AliasModule("tensorflow.python.framework.test_util",
                            "tf.python.framework.test_util", testing)
    test = AliasModule("tensorflow.python.platform.test", "tf.python.platform.test", testing)
    platform = AliasModule("tensorflow.python.platform", "tf.python.platform", None,
                           {"test": test})
    framework = AliasModule("tensorflow.python.framework", "tf.python.framework",
                            None, {"graph_util": graph_util, "graph_io": graph_io,
                                   "test_util": test_util})
    return AliasModule("tensorflow.python", "tf.python", None,
                       {"client": client, "framework": framework, "platform": platform})


def build_root() -> AliasModule:
    """The `tensorflow` alias module."""
    import flowgraph
    from flowgraph import contrib
    from flowgraph.tf1 import app, flags, gfile, tf_logging
    root = AliasModule("tensorflow", "tf", flowgraph)
    root._extras.update({
        "__version__": TF1_VERSION, "VERSION": TF1_VERSION, "GIT_VERSION": "flowgraph",
        "COMPILER_VERSION": "flowgraph", "app": AliasModule("tensorflow.app", "tf.app", app),
        "flags": AliasModule("tensorflow.flags", "tf.flags", flags),
        "logging": AliasModule("tensorflow.logging", "tf.logging", tf_logging),
        "gfile": AliasModule("tensorflow.gfile", "tf.gfile", gfile),
        "contrib": AliasModule("tensorflow.contrib", "tf.contrib", contrib),
        "examples": _examples_module(),
        "python": _python_module(),
        "disable_v2_behavior": _no_op, "disable_eager_execution": _no_op,
        "disable_resource_variables": _no_op, "disable_tensor_equality": _no_op,
        "disable_v2_tensorshape": _no_op, "disable_control_flow_v2": _no_op,
        "enable_eager_execution": _no_eager, "enable_v2_behavior": _no_eager,
        "executing_eagerly": lambda: False,
    })
    root._extras["compat"] = _compat_module(root)
    return root


def install() -> AliasModule:
    """Puts the alias tree in `sys.modules` (once per process) and returns its root."""
    root = sys.modules.get("tensorflow")
    if isinstance(root, AliasModule):
        return root
    root = build_root()
    sys.modules["tensorflow"] = root
    sys.modules["tensorflow.compat"] = root.compat
    sys.modules["tensorflow.compat.v1"] = root
    sys.meta_path.insert(0, AliasFinder(root))
    return root


def uninstall() -> None:
    """Removes the alias tree from `sys.modules` and its finder from `sys.meta_path`."""
    for name in [n for n, m in sys.modules.items()
                 if (n == "tensorflow" or n.startswith("tensorflow."))
                 and isinstance(m, AliasModule)]:
        del sys.modules[name]
    sys.meta_path[:] = [f for f in sys.meta_path if not isinstance(f, AliasFinder)]
