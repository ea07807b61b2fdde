"""TF1's whole-file ops: ``tf.io.read_file``, ``tf.io.write_file`` and
``tf.io.matching_files`` (also at top level as ``tf.read_file`` / ``tf.write_file`` /
``tf.matching_files``). All three touch the file system when run, so they are stateful:
never folded at build time, never merged with a twin node.
"""

from __future__ import annotations

import glob
import os
from typing import Any, Optional

import numpy as np

from flowgraph import dtypes, errors
from flowgraph.ops.constant import convert_to_tensor
from flowgraph.ops.registry import Op, apply_op, register
from flowgraph.shapes import TensorShape

__all__ = ["read_file", "write_file", "matching_files"]


def _text(value: Any) -> str:
    return value.decode("utf-8") if isinstance(value, bytes) else str(value)


def _scalar_string(op: Any, tensor: Any, what: str) -> None:
    if not tensor.dtype.is_string:
        raise TypeError(f"{op.type} {op.name!r}: {what} must be a string tensor, got "
                        f"{tensor.dtype.name}")
    if tensor.shape.ndims not in (None, 0):
        raise ValueError(f"Shape must be rank 0 but is rank {tensor.shape.ndims} for "
                         f"'{op.name}' ({op.type}): {what} is one file name (a scalar); got "
                         f"shape {tensor.shape}")


def _scalar_value(value: Any, op_type: str, what: str) -> Any:
    array = np.asarray(value, dtype=object)
    if array.shape != ():
        raise errors.InvalidArgumentError(
            None, None, f"{op_type}: {what} must be a scalar, got shape {list(array.shape)}")
    return array[()]


@register
class ReadFile(Op):
    """Input: a scalar string file name. Output: a scalar string, the file's whole
    contents (bytes). A missing file is NotFoundError when run."""

    stateful = True  # reads the file system at run time
    differentiable = False

    def infer(self, op):
        _scalar_string(op, op.inputs[0], "filename")
        return [(dtypes.string, TensorShape([]))]

    def kernel(self, filename):
        path = _text(_scalar_value(filename, "ReadFile", "filename"))
        try:
            with open(path, "rb") as handle:
                data = handle.read()
        except FileNotFoundError:
            raise errors.NotFoundError(None, None, f"{path}; No such file or directory") \
                from None
        except IsADirectoryError:
            raise errors.FailedPreconditionError(
                None, None, f"{path}; Is a directory (read_file reads one regular file)") \
                from None
        except PermissionError:
            raise errors.PermissionDeniedError(None, None, f"{path}; Permission denied") \
                from None
        out = np.empty((), dtype=object)
        out[()] = data
        return out


@register
class WriteFile(Op):
    """Inputs: a scalar string file name and scalar string contents. No outputs: writes
    the contents to the file (replacing it), creating missing parent directories as TF
    does."""

    stateful = True  # run for its effect
    differentiable = False

    def infer(self, op):
        _scalar_string(op, op.inputs[0], "filename")
        _scalar_string(op, op.inputs[1], "contents")
        return []

    def kernel(self, filename, contents):
        path = _text(_scalar_value(filename, "WriteFile", "filename"))
        data = _scalar_value(contents, "WriteFile", "contents")
        data = data.encode("utf-8") if isinstance(data, str) else bytes(data)
        folder = os.path.dirname(path)
        try:
            if folder:
                os.makedirs(folder, exist_ok=True)
            with open(path, "wb") as handle:
                handle.write(data)
        except PermissionError:
            raise errors.PermissionDeniedError(None, None, f"{path}; Permission denied") \
                from None
        except (IsADirectoryError, NotADirectoryError, FileExistsError) as exc:
            raise errors.FailedPreconditionError(
                None, None, f"{path}; cannot write the file ({exc.strerror})") from None
        return ()


@register
class MatchingFiles(Op):
    """Input: a glob pattern (string scalar or vector of patterns). Output: a string
    vector of the matching file names, all patterns' matches together, sorted (as TF;
    hidden files match ``*`` too). No match gives an empty vector."""

    stateful = True  # lists the file system at run time
    differentiable = False

    def infer(self, op):
        (pattern,) = op.inputs
        if not pattern.dtype.is_string:
            raise TypeError(f"MatchingFiles {op.name!r}: pattern must be a string tensor, "
                            f"got {pattern.dtype.name}")
        if pattern.shape.ndims is not None and pattern.shape.ndims > 1:
            raise ValueError(f"Shape must be at most rank 1 but is rank "
                             f"{pattern.shape.ndims} for '{op.name}' (MatchingFiles): pass "
                             "one pattern or a vector of patterns")
        return [(dtypes.string, TensorShape([None]))]

    def kernel(self, pattern):
        array = np.asarray(pattern, dtype=object)
        if array.ndim > 1:
            raise errors.InvalidArgumentError(
                None, None, f"MatchingFiles: pattern must be a scalar or vector, got shape "
                f"{list(array.shape)}")
        names = []
        for item in array.reshape(-1):
            names.extend(glob.glob(_text(item), include_hidden=True))
        names.sort()
        out = np.empty(len(names), dtype=object)
        out[:] = [n.encode("utf-8") for n in names]
        return out


def read_file(filename: Any, name: Optional[str] = None) -> Any:
    """The whole contents of a file, as a scalar string (node "ReadFile").

    Parameters
    ----------
    filename : scalar string Tensor or str
        The file to read.
    name : str, optional
        Name of the op.

    Returns
    -------
    Tensor
        A scalar string. Running it raises NotFoundError for a missing file.
    """
    return apply_op(ReadFile(), [convert_to_tensor(filename, dtype=dtypes.string)], name=name)


def write_file(filename: Any, contents: Any, name: Optional[str] = None) -> Any:
    """Writes `contents` to `filename` when run (node "WriteFile"; creates parent folders).

    Parameters
    ----------
    filename : scalar string Tensor or str
        The file to (over)write.
    contents : scalar string Tensor, str or bytes
        What to write.
    name : str, optional
        Name of the op.

    Returns
    -------
    Operation
        Run it (or depend on it through a control dependency) to write the file.
    """
    return apply_op(WriteFile(), [convert_to_tensor(filename, dtype=dtypes.string),
                                  convert_to_tensor(contents, dtype=dtypes.string)], name=name)


def matching_files(pattern: Any, name: Optional[str] = None) -> Any:
    """The sorted names of the files matching a glob pattern (node "MatchingFiles").

    Parameters
    ----------
    pattern : string Tensor (scalar or vector) or str
        Shell-style patterns (``*``, ``?``, ``[...]``); matches of all patterns together.
    name : str, optional
        Name of the op.

    Returns
    -------
    Tensor
        A string vector, sorted; empty when nothing matches.
    """
    return apply_op(MatchingFiles(), [convert_to_tensor(pattern, dtype=dtypes.string)],
                    name=name)
