"""`fg.io.gfile` (TF's tf.io.gfile) on a tmp_path: results and error classes as TF 2.21's
tf.io.gfile gave them for the same calls (recorded by hand, TF is not a test dependency)."""

import os

import pytest

import flowgraph as fg
from flowgraph.tf1 import gfile as gfile_v1

gf = fg.io.gfile


@pytest.fixture()
def tree(tmp_path):
    """tmp/a.txt ("hello\\nworld\\n"), tmp/sub/b.bin (3 bytes), tmp/sub/deep/, tmp/.hidden"""
    (tmp_path / "a.txt").write_bytes(b"hello\nworld\n")
    (tmp_path / "sub" / "deep").mkdir(parents=True)
    (tmp_path / "sub" / "b.bin").write_bytes(b"\x00\x01\x02")
    (tmp_path / ".hidden").write_bytes(b"h")
    return tmp_path


def test_namespace_and_tf_alias():
    assert gf is fg.io.gfile
    assert issubclass(gf.GFile, gfile_v1.GFile)  # isinstance(f, tf.gfile.GFile) holds
    from flowgraph.tf1 import install
    tf = install()
    assert tf.io.gfile.exists is gf.exists
    assert tf.compat.v1.io.gfile.walk is gf.walk


def test_gfile_read_text_and_binary(tree):
    path = str(tree / "a.txt")
    with gf.GFile(path) as f:
        assert f.read() == "hello\nworld\n"
    with gf.GFile(path, "rb") as f:
        assert f.read(3) == b"hel"
        assert f.tell() == 3
        f.seek(1)
        assert f.read(2) == b"el"
        f.seek(-2, 2)
        assert f.read() == b"d\n"
    assert list(gf.GFile(path)) == ["hello\n", "world\n"]
    assert gf.GFile(path).readlines() == ["hello\n", "world\n"]
    assert gf.GFile(path).readline() == "hello\n"
    assert gf.GFile(path).size() == 12
    assert gf.GFile(os.fsencode(path)).read() == "hello\nworld\n"


def test_gfile_write_str_and_bytes_and_append(tmp_path):
    path = tmp_path / "w.txt"
    with gf.GFile(str(path), "w") as f:
        f.write("hello\nworld\n")
        f.write(b"bytes\n")
        f.flush()
        assert f.size() == 18
    assert path.read_bytes() == b"hello\nworld\nbytes\n"
    with gf.GFile(path, "a") as f:  # os.PathLike works too
        f.write("more")
    assert path.read_bytes() == b"hello\nworld\nbytes\nmore"
    with gf.GFile(str(path), "wb") as f:
        f.write("é")
    assert path.read_bytes() == "é".encode()
    assert gf.GFile(str(path)).read() == "é"


def test_gfile_missing_file_is_lazy_not_found(tmp_path):
    f = gf.GFile(str(tmp_path / "missing"))  # TF opens on first use
    with pytest.raises(fg.errors.NotFoundError, match="missing"):
        f.read()
    with pytest.raises(fg.errors.NotFoundError):
        gf.GFile(str(tmp_path / "no_dir" / "x"), "w").write("x")


def test_gfile_bad_mode_and_wrong_direction(tmp_path):
    with pytest.raises(fg.errors.InvalidArgumentError, match="mode"):
        gf.GFile(str(tmp_path / "x"), "rw+")
    path = str(tmp_path / "x")
    with gf.GFile(path, "w") as f:
        with pytest.raises(fg.errors.PermissionDeniedError, match="reading"):
            f.read()
    with pytest.raises(fg.errors.PermissionDeniedError, match="writing"):
        gf.GFile(path).write("no")
    with pytest.raises(TypeError, match="str or bytes"):
        gf.GFile(path, "w").write(3)


def test_exists_isdir_listdir_glob(tree):
    d = str(tree)
    assert (gf.exists(d + "/a.txt"), gf.exists(d + "/a.txtx")) == (True, False)
    assert (gf.isdir(d), gf.isdir(d + "/a.txt"), gf.isdir(d + "/nope")) == (True, False, False)
    assert gf.listdir(d) == [".hidden", "a.txt", "sub"]
    assert gf.listdir(d + "/sub") == ["b.bin", "deep"]
    assert gf.glob(d + "/*") == [d + "/.hidden", d + "/a.txt", d + "/sub"]
    assert gf.glob(d + "/s?b/*.bin") == [d + "/sub/b.bin"]
    assert gf.glob(d + "/zz*") == []
    assert gf.glob(d + "/nope/*") == []
    with pytest.raises(fg.errors.NotFoundError, match="Could not find directory"):
        gf.listdir(d + "/nope")
    with pytest.raises(fg.errors.NotFoundError):
        gf.listdir(d + "/a.txt")


def test_mkdir_and_makedirs(tree):
    d = str(tree)
    gf.mkdir(d + "/new")
    assert os.path.isdir(d + "/new")
    gf.mkdir(d + "/new")  # already there: no error, as TF
    with pytest.raises(fg.errors.NotFoundError):
        gf.mkdir(d + "/x/y")
    gf.makedirs(d + "/m/n/o")
    assert os.path.isdir(d + "/m/n/o")
    gf.makedirs(d + "/m/n/o")
    with pytest.raises(fg.errors.FailedPreconditionError, match="not a directory"):
        gf.makedirs(d + "/a.txt")
    with pytest.raises(fg.errors.FailedPreconditionError):
        gf.makedirs(d + "/a.txt/below")


def test_remove_and_rmtree(tree):
    d = str(tree)
    with pytest.raises(fg.errors.FailedPreconditionError):
        gf.remove(d + "/sub")
    gf.remove(d + "/a.txt")
    assert not os.path.exists(d + "/a.txt")
    with pytest.raises(fg.errors.NotFoundError):
        gf.remove(d + "/a.txt")
    gf.rmtree(d + "/.hidden")  # a file is simply deleted, as TF
    assert not os.path.exists(d + "/.hidden")
    gf.rmtree(d + "/sub")
    assert not os.path.exists(d + "/sub")
    with pytest.raises(fg.errors.NotFoundError, match="not found"):
        gf.rmtree(d + "/sub")


def test_copy_and_rename_overwrite_rules(tree):
    d = str(tree)
    gf.copy(d + "/a.txt", d + "/c.txt")
    assert open(d + "/c.txt", "rb").read() == b"hello\nworld\n"
    with pytest.raises(fg.errors.AlreadyExistsError, match="overwrite=True"):
        gf.copy(d + "/sub/b.bin", d + "/c.txt")
    assert open(d + "/c.txt", "rb").read() == b"hello\nworld\n"  # untouched
    gf.copy(d + "/sub/b.bin", d + "/c.txt", overwrite=True)
    assert open(d + "/c.txt", "rb").read() == b"\x00\x01\x02"
    with pytest.raises(fg.errors.NotFoundError):
        gf.copy(d + "/missing", d + "/z")
    with pytest.raises(fg.errors.NotFoundError):
        gf.copy(d + "/a.txt", d + "/nope/z")

    with pytest.raises(fg.errors.AlreadyExistsError):
        gf.rename(d + "/a.txt", d + "/c.txt")
    assert os.path.exists(d + "/a.txt")
    gf.rename(d + "/a.txt", d + "/c.txt", overwrite=True)
    assert not os.path.exists(d + "/a.txt")
    assert open(d + "/c.txt", "rb").read() == b"hello\nworld\n"
    gf.rename(d + "/c.txt", d + "/d.txt")
    assert os.path.exists(d + "/d.txt") and not os.path.exists(d + "/c.txt")
    with pytest.raises(fg.errors.NotFoundError):
        gf.rename(d + "/c.txt", d + "/e.txt")
    gf.rename(d + "/sub", d + "/sub2")  # directories move too
    assert gf.listdir(d + "/sub2") == ["b.bin", "deep"]


def test_stat(tree):
    d = str(tree)
    st = gf.stat(d + "/a.txt")
    assert st.length == 12
    assert st.is_directory is False
    assert st.mtime_nsec == os.stat(d + "/a.txt").st_mtime_ns
    assert isinstance(st.mtime_nsec, int)
    assert gf.stat(d + "/sub").is_directory is True
    with pytest.raises(fg.errors.NotFoundError):
        gf.stat(d + "/nope")


def test_walk_top_down_and_bottom_up(tree):
    d = str(tree)
    assert list(gf.walk(d)) == [
        (d, ["sub"], [".hidden", "a.txt"]),
        (d + "/sub", ["deep"], ["b.bin"]),
        (d + "/sub/deep", [], []),
    ]
    assert list(gf.walk(d, topdown=False)) == [
        (d + "/sub/deep", [], []),
        (d + "/sub", ["deep"], ["b.bin"]),
        (d, ["sub"], [".hidden", "a.txt"]),
    ]


def test_walk_missing_top_and_onerror(tree):
    d = str(tree)
    assert list(gf.walk(d + "/nope")) == []
    assert list(gf.walk(d + "/a.txt")) == []
    seen = []
    assert list(gf.walk(d + "/nope", onerror=seen.append)) == []
    assert len(seen) == 1 and isinstance(seen[0], fg.errors.NotFoundError)

    def stop(err):
        raise err
    with pytest.raises(fg.errors.NotFoundError):
        list(gf.walk(d + "/nope", onerror=stop))


def test_join():
    assert gf.join("a", "b", "c") == "a/b/c"
    assert gf.join("/a/", "b") == "/a/b"
    assert gf.join("a", "/b") == "/b"
    assert gf.join("gs://bucket", "dir", "f") == "gs://bucket/dir/f"


def test_url_schemes_are_refused_clearly():
    with pytest.raises(fg.errors.UnimplementedError, match="only local paths"):
        gf.exists("gs://bucket/x")
    # file:// is the local file system
    assert gf.exists("file://" + os.path.abspath(os.sep))
