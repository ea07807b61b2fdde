"""`tf.app`: `run(main=None, argv=None)` and `flags`, as TF1 scripts use them."""

from __future__ import annotations

import sys
from typing import Any, Callable, Optional, Sequence

from flowgraph.tf1 import flags

__all__ = ["run", "flags"]


def run(main: Optional[Callable[[list], Any]] = None,
        argv: Optional[Sequence[str]] = None) -> None:
    """Parses the flags from `argv` (default `sys.argv`), calls ``main(rest)`` (default:
    the `main` function of the script) with argv[0] and the arguments that are not defined
    flags, and exits with its result, as TF1's `tf.app.run`."""
    if main is None:
        main = getattr(sys.modules["__main__"], "main", None)
        if main is None:
            raise AttributeError("tf.app.run() found no `main` function in the script: "
                                 "define main(argv) or pass main=...")
    try:
        rest = flags.FLAGS(sys.argv if argv is None else argv, known_only=True)
    except flags.Error as error:  # as absl's app.run: a message, not a traceback
        sys.stderr.write(f"FATAL Flags parsing error: {error}\n"
                         "Pass --helpshort or --helpfull to see help on flags.\n")
        sys.exit(1)
    sys.exit(main(rest))
