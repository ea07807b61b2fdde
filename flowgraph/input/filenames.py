"""`tf.train.match_filenames_once` (also `tf.io.match_filenames_once`), as TF1's
input.py: the file names matching a glob pattern, computed once per session."""

from __future__ import annotations

from typing import Any, Optional

from flowgraph.graph import GraphKeys
from flowgraph.ops.elementwise import op_scope

__all__ = ["match_filenames_once"]


def match_filenames_once(pattern: Any, name: Optional[str] = None) -> Any:
    """A local Variable (named "matching_filenames" by default) holding the sorted names
    of the files matching `pattern` (a glob string or 1-D string tensor of globs), read
    when `fg.local_variables_initializer()` runs. Reading it before then raises
    FailedPreconditionError, as TF1.

    >>> files = fg.train.match_filenames_once("/data/*.csv")
    >>> sess.run(fg.local_variables_initializer()); sess.run(files)
    """
    from flowgraph.ops.file_io import matching_files
    from flowgraph.variables import Variable

    with op_scope(name, "matching_filenames", [pattern]) as scope:
        return Variable(matching_files(pattern), name=scope, trainable=False,
                        validate_shape=False, collections=[GraphKeys.LOCAL_VARIABLES])
