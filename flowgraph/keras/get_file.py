"""`tf.keras.utils.get_file` (TF 1.15): a file from Keras' cache folder, downloaded (with
urllib: ``http(s)://``, ``ftp://`` and ``file://`` origins) only when it is missing or its
hash does not match, and optionally extracted."""

from __future__ import annotations

import hashlib
import os
import shutil
import tarfile
import tempfile
import urllib.error
import urllib.request
import zipfile
from typing import Any, Optional

__all__ = ["get_file", "validate_file"]


def _hash_file(fpath: str, algorithm: str = "sha256", chunk_size: int = 65535) -> str:
    """The hex digest of `fpath` with `algorithm` (``'sha256'`` or ``'md5'``)."""
    hasher = hashlib.sha256() if algorithm == "sha256" else hashlib.md5()
    with open(fpath, "rb") as f:
        for chunk in iter(lambda: f.read(chunk_size), b""):
            hasher.update(chunk)
    return hasher.hexdigest()


def _algorithm(file_hash: str, algorithm: str) -> str:
    if algorithm not in ("auto", "sha256", "md5"):
        raise ValueError(f"hash_algorithm must be 'auto', 'sha256' or 'md5', got {algorithm!r}")
    if algorithm == "sha256" or (algorithm == "auto" and len(file_hash) == 64):
        return "sha256"
    return "md5"


def validate_file(fpath: str, file_hash: str, algorithm: str = "auto",
                  chunk_size: int = 65535) -> bool:
    """Whether the sha256 or md5 digest of `fpath` is `file_hash` (``'auto'``: sha256 for a
    64-character hash, else md5)."""
    return _hash_file(fpath, _algorithm(file_hash, algorithm), chunk_size) == str(file_hash)


def _extract_archive(file_path: str, path: str = ".", archive_format: Any = "auto") -> bool:
    """Extracts the tar (any compression) or zip archive `file_path` into `path`; False when
    it is not an archive of the formats allowed. Member paths that would land outside `path`
    (absolute, ``..``, links out) are refused."""
    if archive_format is None:
        return False
    if archive_format == "auto":
        archive_format = ["tar", "zip"]
    if isinstance(archive_format, str):
        archive_format = [archive_format]
    for archive_type in archive_format:
        if archive_type == "tar":
            is_archive = tarfile.is_tarfile(file_path)
        elif archive_type == "zip":
            is_archive = zipfile.is_zipfile(file_path)
        else:
            raise ValueError(f"archive_format must be 'auto', 'tar', 'zip', None or a list of "
                             f"'tar' / 'zip', got {archive_type!r}")
        if not is_archive:
            continue
        # unlike TF 1.15, a failed extraction does not delete `path` (the whole cache folder)
        if archive_type == "tar":
            with tarfile.open(file_path) as archive:
                archive.extractall(path, filter="data")
        else:
            with zipfile.ZipFile(file_path) as archive:
                archive.extractall(path)
        return True
    return False


def _download(origin: str, fpath: str) -> None:
    """Fetches `origin` into a temporary file next to `fpath`, then renames it into place."""
    print("Downloading data from", origin)
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(fpath), prefix=".get_file-")
    try:
        with os.fdopen(fd, "wb") as out, urllib.request.urlopen(origin) as response:
            shutil.copyfileobj(response, out)
        os.replace(tmp, fpath)
    except urllib.error.HTTPError as e:
        os.remove(tmp)
        raise Exception(f"URL fetch failure on {origin}: {e.code} -- {e.msg}") from e
    except urllib.error.URLError as e:
        os.remove(tmp)
        raise Exception(f"URL fetch failure on {origin}: {e.errno} -- {e.reason}") from e
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise


def get_file(fname: str, origin: str, untar: bool = False, md5_hash: Optional[str] = None,
             file_hash: Optional[str] = None, cache_subdir: str = "datasets",
             hash_algorithm: str = "auto", extract: bool = False, archive_format: Any = "auto",
             cache_dir: Optional[str] = None) -> str:
    """The path of `fname` in ``<cache_dir>/<cache_subdir>`` (``~/.keras/datasets`` by
    default; ``/tmp/.keras`` when `cache_dir` is not writable), downloaded from `origin`
    when missing or when its hash is not `file_hash` (`md5_hash` is the legacy md5 form).

    With `untar`, the file is ``<fname>.tar.gz``, it is extracted into the cache folder
    unless ``<fname>`` already exists there, and ``<fname>``'s path is returned. With
    `extract`, the file is extracted there too (`archive_format`: ``'auto'``, ``'tar'``,
    ``'zip'``, a list of them, or None) and the file's own path is returned. A download is
    written to a temporary file and renamed into place, so an interrupted one leaves
    nothing; a downloaded file whose hash does not match raises ValueError.
    """
    if not fname:
        raise ValueError("get_file: fname is empty; pass the name to cache the file under.")
    if cache_dir is None:
        cache_dir = os.path.join(os.path.expanduser("~"), ".keras")
    if md5_hash is not None and file_hash is None:
        file_hash = md5_hash
        hash_algorithm = "md5"
    datadir_base = os.path.expanduser(cache_dir)
    if not os.path.isdir(datadir_base):
        try:
            os.makedirs(datadir_base, exist_ok=True)
        except OSError:
            pass
    if not os.access(datadir_base, os.W_OK):
        datadir_base = os.path.join("/tmp", ".keras")
    datadir = os.path.join(datadir_base, cache_subdir)
    os.makedirs(datadir, exist_ok=True)

    if untar:
        untar_fpath = os.path.join(datadir, fname)
        fpath = untar_fpath + ".tar.gz"
    else:
        fpath = os.path.join(datadir, fname)

    download = False
    if os.path.exists(fpath):
        if file_hash is not None and not validate_file(fpath, file_hash, hash_algorithm):
            print("A local file was found, but it seems to be incomplete or outdated because "
                  "the " + _algorithm(file_hash, hash_algorithm) + " file hash does not "
                  "match the original value of " + file_hash + " so we will re-download "
                  "the data.")
            download = True
    else:
        download = True

    if download:
        _download(origin, fpath)
        if file_hash is not None and not validate_file(fpath, file_hash, hash_algorithm):
            got = _hash_file(fpath, _algorithm(file_hash, hash_algorithm))
            os.remove(fpath)
            raise ValueError(f"get_file: the file downloaded from {origin} has "
                             f"{_algorithm(file_hash, hash_algorithm)} hash {got}, not the "
                             f"expected {file_hash}; it was removed. Check origin and "
                             f"file_hash.")

    if untar:
        if not os.path.exists(untar_fpath):
            _extract_archive(fpath, datadir, archive_format="tar")
        return untar_fpath
    if extract:
        _extract_archive(fpath, datadir, archive_format)
    return fpath
