"""Reading the pickled dataset files (CIFAR batches, the object arrays of ``imdb.npz`` /
``reuters.npz``) without running code from them.

Unpickling can call any importable function, so a plain ``pickle.load`` (or
``np.load(allow_pickle=True)``) of a tampered file executes whatever it names. These readers
use an Unpickler whose ``find_class`` only returns what numpy arrays need to be rebuilt
(``numpy.ndarray``, ``numpy.dtype`` and numpy's ``_reconstruct``, plus ``_codecs.encode``
for bytes written by Python 3 at protocol 2); dicts, lists, bytes,
str and numbers need no lookup. Anything else is refused with `pickle.UnpicklingError`.
"""

from __future__ import annotations

import codecs
import io
import os
import pickle
import zipfile
from typing import Any

import numpy as np

__all__ = ["load_pickle", "load_npz", "find_dir"]

_RECONSTRUCT = np.ndarray.__reduce__(np.zeros(1))[0]
_ALLOWED = {
    ("numpy", "ndarray"): np.ndarray,
    ("numpy", "dtype"): np.dtype,
    ("numpy.core.multiarray", "_reconstruct"): _RECONSTRUCT,
    ("numpy._core.multiarray", "_reconstruct"): _RECONSTRUCT,
    # Python 3 writes bytes under pickle protocol 2 as ``_codecs.encode(text, 'latin1')``
    ("_codecs", "encode"): codecs.encode,
}


class _ArrayOnlyUnpickler(pickle.Unpickler):
    """An Unpickler that only resolves the numpy array builders (see the module doc)."""

    def find_class(self, module: str, name: str) -> Any:
        try:
            return _ALLOWED[(module, name)]
        except KeyError:
            raise pickle.UnpicklingError(
                f"refusing to load {module}.{name} from a dataset pickle: only numpy arrays, "
                f"dicts, lists, strings, bytes and numbers are allowed (the file is not a "
                f"Keras dataset file, or it was tampered with)") from None


def load_pickle(fileobj: Any, encoding: str = "bytes") -> Any:
    """Unpickles `fileobj` allowing only numpy arrays and builtin containers / scalars."""
    return _ArrayOnlyUnpickler(fileobj, encoding=encoding).load()


def _read_npy(fp: Any, where: str) -> np.ndarray:
    version = np.lib.format.read_magic(fp)
    if version == (1, 0):
        shape, fortran, dtype = np.lib.format.read_array_header_1_0(fp)
    elif version == (2, 0):
        shape, fortran, dtype = np.lib.format.read_array_header_2_0(fp)
    else:
        raise ValueError(f"{where}: unsupported .npy format version {version}")
    if not dtype.hasobject:
        count = int(np.prod(shape, dtype=np.int64))
        data = np.frombuffer(fp.read(count * dtype.itemsize), dtype=dtype, count=count)
        order = "F" if fortran else "C"
        return data.reshape(shape, order=order).copy()
    # numpy writes an object array as a pickle of the whole array (protocol 2 or 3)
    array = load_pickle(fp, encoding="latin1")
    if not isinstance(array, np.ndarray):
        raise ValueError(f"{where}: the pickled payload is not a numpy array")
    return array


def load_npz(path: str) -> dict:
    """All arrays of the ``.npz`` file `path` as a dict; object arrays are unpickled with
    the restricted Unpickler instead of ``np.load(allow_pickle=True)``."""
    out = {}
    with zipfile.ZipFile(path) as archive:
        for member in archive.namelist():
            key = member[:-4] if member.endswith(".npy") else member
            with archive.open(member) as fp:
                out[key] = _read_npy(io.BufferedReader(fp), f"{path}[{member}]")
    return out


def find_dir(dirname: str, dataset: str, origin: str) -> str:
    """The cached, extracted folder `dirname` of `dataset`; FileNotFoundError saying where to
    put it (the archive at `origin`, extracted) when it is in no cache folder."""
    from flowgraph.keras.datasets._cache import cache_dirs
    candidates = [os.path.join(d, dirname) for d in cache_dirs()]
    for path in candidates:
        if os.path.isdir(path):
            return path
    raise FileNotFoundError(
        f"{dataset}.load_data: the dataset folder {dirname!r} is not in the Keras cache and "
        f"flowgraph does not download data. Download {origin} and extract it so that the "
        f"folder is at {candidates[0]}; also looked in: {', '.join(candidates[1:])}.")
