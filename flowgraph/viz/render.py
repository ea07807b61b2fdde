"""Writing drawings to files (.png, .svg, .pdf, .dot) with Graphviz's `dot` program.

The program is `dot` on the PATH, or the one named by the environment variable
``FLOWGRAPH_DOT`` (a path, or a program name looked up on the PATH). Without it, `render`
still writes the DOT source next to the requested file, then raises
`GraphvizUnavailableError` saying how to install Graphviz.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
from typing import Optional, Union

from flowgraph import errors

DOT_ENV = "FLOWGRAPH_DOT"

# File suffix -> `dot -T` format (None: the DOT source itself, no program needed).
FORMATS = {".png": "png", ".svg": "svg", ".pdf": "pdf", ".dot": None, ".gv": None}

# Seconds a `dot` run may take before it is stopped.
DOT_TIMEOUT = 300

INSTALL_HINT = (
    "Install Graphviz from your system's packages: `apt-get install graphviz` (Debian, "
    "Ubuntu), `dnf install graphviz` (Fedora), `brew install graphviz` (macOS), "
    "`conda install -c conda-forge graphviz`, or `choco install graphviz` (Windows); see "
    "https://graphviz.org/download/. Or set {env}=/path/to/dot to use a `dot` program "
    "that is not on the PATH.")


class GraphvizUnavailableError(errors.UnavailableError):
    """Graphviz's `dot` program is missing, so a drawing could not be made into an image.

    The DOT source was written all the same: its path is ``dot_path``.
    A subclass of `fg.errors.UnavailableError` (and so of `fg.errors.OpError`).
    """

    def __init__(self, message: str, dot_path: Optional[str] = None) -> None:
        super().__init__(None, None, message)
        self.dot_path = dot_path

    def __reduce__(self):
        return (type(self), (self.message, self.dot_path))


def find_dot() -> Optional[str]:
    """The path of the `dot` program to use (``$FLOWGRAPH_DOT``, else `dot` on the PATH),
    or None when it is missing."""
    configured = os.environ.get(DOT_ENV, "").strip()
    if configured:
        if os.path.dirname(configured):
            found = configured if os.path.isfile(configured) and os.access(
                configured, os.X_OK) else None
        else:
            found = shutil.which(configured)
        return found
    return shutil.which("dot")


def _missing_dot_message(dot_path: str) -> str:
    configured = os.environ.get(DOT_ENV, "").strip()
    if configured:
        what = (f"The Graphviz program named by {DOT_ENV}={configured!r} was not found or is "
                "not executable.")
    else:
        what = "Graphviz's `dot` program was not found on the PATH."
    return (f"{what} The DOT source of the drawing was written to {dot_path} (render it "
            f"later with `dot -Tpng {dot_path} -o out.png`). "
            + INSTALL_HINT.format(env=DOT_ENV))


def file_format(path: Union[str, os.PathLike]) -> Optional[str]:
    """The `dot -T` format for `path`'s suffix (None for .dot/.gv); ValueError if unknown."""
    suffix = os.path.splitext(os.fspath(path))[1].lower()
    if suffix not in FORMATS:
        raise ValueError(f"Cannot tell the image format of {os.fspath(path)!r} from its "
                         f"suffix {suffix or '(none)'!r}: use one of "
                         f"{', '.join(FORMATS)}.")
    return FORMATS[suffix]


def write_source(source: str, path: str) -> str:
    """Writes DOT `source` to `path` atomically (temp file in the same folder, rename)."""
    _atomic_write(path, source.encode("utf-8"))
    return path


def render_source(source: str, path: Union[str, os.PathLike], dpi: Optional[float] = None) -> str:
    """Renders DOT `source` into `path` (its suffix picks the format); returns the path."""
    path = os.fspath(path)
    fmt = file_format(path)
    if fmt is None:
        return write_source(source, path)
    dot = find_dot()
    if dot is None:
        dot_path = os.path.splitext(path)[0] + ".dot"
        write_source(source, dot_path)
        raise GraphvizUnavailableError(_missing_dot_message(dot_path), dot_path)
    args = [dot, f"-T{fmt}"]
    if dpi is not None and fmt == "png":
        args.append(f"-Gdpi={float(dpi):g}")
    data = run_dot(args, source, path)
    _atomic_write(path, data)
    return path


def pipe_source(source: str, fmt: str = "svg") -> Optional[bytes]:
    """The drawing as bytes of format `fmt`, or None when `dot` is missing."""
    dot = find_dot()
    if dot is None:
        return None
    return run_dot([dot, f"-T{fmt}"], source, None)


def run_dot(args: list, source: str, path: Optional[str]) -> bytes:
    """Runs `dot` with `source` on stdin; returns its output, or raises UnknownError with
    its messages (writing the source next to `path`, for a bug report)."""
    try:
        proc = subprocess.run(args, input=source.encode("utf-8"), capture_output=True,
                              timeout=DOT_TIMEOUT, check=False)
    except subprocess.TimeoutExpired:
        raise errors.DeadlineExceededError(
            None, None, f"Graphviz's dot took more than {DOT_TIMEOUT} s to lay out the "
            "drawing; draw less of the graph (depth=0 or 1, or fetches).") from None
    except OSError as exc:
        raise GraphvizUnavailableError(f"Could not run {args[0]}: {exc}. "
                                       + INSTALL_HINT.format(env=DOT_ENV)) from None
    if proc.returncode != 0 or not proc.stdout:
        where = ""
        if path is not None:
            dot_path = os.path.splitext(path)[0] + ".dot"
            write_source(source, dot_path)
            where = f" The DOT source was written to {dot_path}."
        message = proc.stderr.decode("utf-8", "replace").strip()
        raise errors.UnknownError(None, None, f"Graphviz's dot failed (exit status "
                                  f"{proc.returncode}): {message}.{where}")
    return proc.stdout


def _atomic_write(path: str, data: bytes) -> None:
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(dir=folder, prefix="." + os.path.basename(path) + ".",
                               suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        # mkstemp makes the file private (0600); a drawing is an ordinary file.
        os.chmod(tmp, os.stat(path).st_mode & 0o7777 if os.path.exists(path) else 0o644)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
