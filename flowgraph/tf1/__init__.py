"""Run TensorFlow 1.x scripts unchanged on flowgraph: ``flowgraph tf1 script.py [args]`` or
``python -m flowgraph.tf1 script.py [args]``.

`install()` makes ``import tensorflow as tf``, ``import tensorflow.compat.v1 as tf``,
``from tensorflow.contrib import rnn``, ``tf.app`` / ``tf.flags`` / ``tf.logging`` /
``tf.gfile`` and ``tensorflow.examples.tutorials.mnist.input_data`` resolve to flowgraph
(see `flowgraph.tf1.alias`); `run_script` runs a script as ``__main__`` with its own
`sys.argv` and its folder first on `sys.path`, and returns its exit code.
"""

from __future__ import annotations

import os
import runpy
import sys
import traceback
from typing import Optional, Sequence

from flowgraph.tf1.alias import TF1_VERSION, AliasModule, TF1SymbolError, install, uninstall

__all__ = ["install", "uninstall", "run_script", "main", "TF1SymbolError", "AliasModule",
           "TF1_VERSION"]

USAGE = "usage: flowgraph tf1 SCRIPT.py [ARGS...]  (runs a TensorFlow 1.x script on flowgraph)"


def _exit_code(code: object) -> int:
    """SystemExit's code as a process exit status (None -> 0, text -> printed, 1)."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr)
    return 1


def run_script(path: str, args: Sequence[str] = ()) -> int:
    """Runs the TF1 script `path` with arguments `args` on flowgraph; returns its exit code
    (an uncaught exception prints its traceback and gives 1)."""
    from flowgraph.tf1.flags import FLAGS
    if not os.path.isfile(path):
        print(f"flowgraph tf1: no script at {path!r}", file=sys.stderr)
        return 2
    install()
    FLAGS._reset()
    script = os.path.abspath(path)
    saved_argv, saved_path = sys.argv, list(sys.path)
    sys.argv = [path, *args]
    sys.path.insert(0, os.path.dirname(script))
    try:
        runpy.run_path(script, run_name="__main__")
        return 0
    except SystemExit as e:
        return _exit_code(e.code)
    except BaseException:  # noqa: BLE001 - report like the Python interpreter would
        etype, value, tb = sys.exc_info()
        # Drop the runner's own frames so the traceback starts in the script.
        while tb is not None and tb.tb_frame.f_code.co_filename != script:
            tb = tb.tb_next
        traceback.print_exception(etype, value, tb)
        return 1
    finally:
        sys.argv = saved_argv
        sys.path[:] = saved_path


def main(argv: Optional[Sequence[str]] = None) -> int:
    """The command line: ``SCRIPT.py [ARGS...]``."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in ("-h", "--help"):
        print(USAGE)
        print(f"Scripts see TensorFlow {TF1_VERSION}'s tf.compat.v1 API, served by flowgraph; "
              "nothing is downloaded and TensorFlow need not be installed.")
        return 0 if argv else 2
    return run_script(argv[0], argv[1:])
