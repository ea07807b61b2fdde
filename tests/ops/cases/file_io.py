"""Cases for ReadFile / WriteFile / MatchingFiles (flowgraph.ops.file_io), on files this
module writes into a temporary folder with plain Python."""

import atexit
import functools
import os
import shutil
import tempfile

import numpy as np

import flowgraph as fg
from flowgraph.ops.file_io import matching_files, read_file, write_file
from tests.ops.harness import OpCase

DATA = b"line one\nbytes \x00\xff end"


@functools.cache
def _folder() -> str:
    folder = tempfile.mkdtemp(prefix="fg_file_io_case_")
    atexit.register(shutil.rmtree, folder, True)
    for name, data in (("a.txt", DATA), ("b.txt", b"B"), ("c.bin", b"C"), (".h.txt", b"H")):
        with open(os.path.join(folder, name), "wb") as handle:
            handle.write(data)
    return folder


def S(*items):  # noqa: N802 - string arrays of bytes
    out = np.empty(len(items), dtype=object)
    out[:] = list(items)
    return out


def _scalar(data):
    out = np.empty((), dtype=object)
    out[()] = data
    return out


def _path(name):
    return _scalar(os.path.join(_folder(), name).encode())


def _write_then_read(filename, contents):
    op = write_file(filename, contents)
    with fg.control_dependencies([op]):
        return read_file(filename)


def _same_bytes(want):
    def check(values, inputs):
        got = np.asarray(values[0], dtype=object)[()]
        assert got == want, f"{got!r} != {want!r}"
    return check


CASES = [
    OpCase("ReadFile", lambda f: read_file(f), [_path("a.txt")], check=_same_bytes(DATA),
           grad=False),
    OpCase("WriteFile", _write_then_read, [_path("sub/dir/new.txt"), _scalar(b"written")],
           check=_same_bytes(b"written"), grad=False),
    OpCase("MatchingFiles", lambda p: matching_files(p), [_path("*.txt")],
           expected=lambda p: S(*[os.path.join(_folder(), n).encode()
                                  for n in (".h.txt", "a.txt", "b.txt")]), grad=False),
    OpCase("MatchingFiles", lambda p: matching_files(p),
           [S(os.path.join(_folder(), "c.*").encode(), os.path.join(_folder(), "a*").encode())],
           expected=lambda p: S(*[os.path.join(_folder(), n).encode() for n in
                                  ("a.txt", "c.bin")]), grad=False, name="two_patterns"),
]
