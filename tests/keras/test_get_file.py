"""tf.keras.utils.get_file with file:// origins: caching, hashes, untar / extract."""

import hashlib
import io
import os
import tarfile
import zipfile

import pytest

import flowgraph as fg
from flowgraph.keras.get_file import validate_file

get_file = fg.keras.utils.get_file


@pytest.fixture
def source(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    path = src / "data.bin"
    path.write_bytes(b"hello keras" * 100)
    return path


def _url(path):
    return "file://" + str(path)


def test_downloads_then_uses_cache(tmp_path, source):
    cache = tmp_path / "cache"
    got = get_file("data.bin", _url(source), cache_dir=str(cache))
    assert got == str(cache / "datasets" / "data.bin")
    assert open(got, "rb").read() == b"hello keras" * 100
    os.remove(source)  # a second call must not fetch again
    assert get_file("data.bin", _url(source), cache_dir=str(cache)) == got
    assert os.listdir(cache / "datasets") == ["data.bin"]  # no temp left


def test_cache_subdir_and_hashes(tmp_path, source):
    content = source.read_bytes()
    sha = hashlib.sha256(content).hexdigest()
    md5 = hashlib.md5(content).hexdigest()
    cache = tmp_path / "cache"
    got = get_file("d.bin", _url(source), cache_subdir="models", file_hash=sha,
                   cache_dir=str(cache))
    assert got == str(cache / "models" / "d.bin")
    assert validate_file(got, sha) and validate_file(got, md5)
    assert validate_file(got, md5, algorithm="md5")
    assert not validate_file(got, md5, algorithm="sha256")
    # a stale cached file (hash mismatch) is fetched again
    with open(got, "wb") as f:
        f.write(b"stale")
    assert get_file("d.bin", _url(source), md5_hash=md5, cache_subdir="models",
                    cache_dir=str(cache)) == got
    assert open(got, "rb").read() == content


def test_downloaded_file_with_wrong_hash_is_removed(tmp_path, source):
    cache = tmp_path / "cache"
    with pytest.raises(ValueError, match="hash"):
        get_file("d.bin", _url(source), file_hash="0" * 64, cache_dir=str(cache))
    assert not (cache / "datasets" / "d.bin").exists()


def test_bad_url(tmp_path):
    cache = tmp_path / "cache"
    with pytest.raises(Exception, match="URL fetch failure"):
        get_file("nope.bin", _url(tmp_path / "missing.bin"), cache_dir=str(cache))
    assert os.listdir(cache / "datasets") == []


def _tar(path, members):
    with tarfile.open(path, "w:gz") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))


def test_untar(tmp_path):
    src = tmp_path / "archive.tar.gz"
    _tar(src, {"mydata/a.txt": b"A", "mydata/sub/b.txt": b"BB"})
    cache = tmp_path / "cache"
    got = get_file("mydata", _url(src), untar=True, cache_dir=str(cache))
    assert got == str(cache / "datasets" / "mydata")
    assert open(os.path.join(got, "a.txt"), "rb").read() == b"A"
    assert open(os.path.join(got, "sub", "b.txt"), "rb").read() == b"BB"
    assert (cache / "datasets" / "mydata.tar.gz").is_file()


def test_extract_zip_and_tar(tmp_path):
    src = tmp_path / "z.zip"
    with zipfile.ZipFile(src, "w") as z:
        z.writestr("inner/c.txt", "ccc")
    cache = tmp_path / "cache"
    got = get_file("z.zip", _url(src), extract=True, cache_dir=str(cache))
    assert got == str(cache / "datasets" / "z.zip")
    assert (cache / "datasets" / "inner" / "c.txt").read_text() == "ccc"
    tsrc = tmp_path / "t.tar.gz"
    _tar(tsrc, {"t/d.txt": b"dd"})
    get_file("t.tar.gz", _url(tsrc), extract=True, archive_format="tar",
             cache_dir=str(cache))
    assert (cache / "datasets" / "t" / "d.txt").read_bytes() == b"dd"
    # archive_format="zip" does not extract a tar
    get_file("t2.tar.gz", _url(tsrc), extract=True, archive_format="zip",
             cache_dir=str(tmp_path / "c3"))
    assert sorted(os.listdir(tmp_path / "c3" / "datasets")) == ["t2.tar.gz"]


def test_tar_with_path_outside_is_refused(tmp_path):
    src = tmp_path / "evil.tar.gz"
    _tar(src, {"../escaped.txt": b"x"})
    cache = tmp_path / "cache"
    with pytest.raises(tarfile.TarError):
        get_file("evil", _url(src), untar=True, cache_dir=str(cache))
    assert not (cache / "escaped.txt").exists()
