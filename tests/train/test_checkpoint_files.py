"""Checkpoint files on disk: layout, damage detection, hostile files, reading without a graph."""

import hashlib
import json
import os
import shutil
import struct

import numpy as np
import pytest

import flowgraph as fg
from flowgraph import errors
from flowgraph.io import container
from flowgraph.io.checkpoint import write_checkpoint

VALUES = {
    "w": np.arange(12, dtype=np.float32).reshape(3, 4),
    "scope/b": np.array([7, -8], dtype=np.int64),
    "flag": np.array(True),
    "names": np.array([b"ab", b"", b"xyz"], dtype=object),
}


@pytest.fixture
def ckpt(tmp_path):
    """A small checkpoint written by write_checkpoint; returns its prefix."""
    prefix = str(tmp_path / "model.ckpt-3")
    write_checkpoint(prefix, VALUES)
    return prefix


def read_all(prefix):
    reader = fg.train.NewCheckpointReader(prefix)
    return {name: reader.get_tensor(name) for name in reader.get_variable_to_shape_map()}


def test_files_and_round_trip(ckpt, tmp_path):
    assert sorted(os.listdir(tmp_path)) == ["model.ckpt-3.data-00000-of-00001",
                                             "model.ckpt-3.index"]
    reader = fg.train.NewCheckpointReader(ckpt)
    assert reader.get_variable_to_shape_map() == {"w": [3, 4], "scope/b": [2], "flag": [],
                                                  "names": [3]}
    assert reader.get_variable_to_dtype_map() == {"w": fg.float32, "scope/b": fg.int64,
                                                  "flag": fg.bool, "names": fg.string}
    for name, value in VALUES.items():
        got = reader.get_tensor(name)
        assert got.dtype == value.dtype and got.shape == value.shape
        np.testing.assert_array_equal(got, value)
    assert reader.has_tensor("w") and not reader.has_tensor("v")
    assert b"w (float32) [3, 4]\n" in reader.debug_string()


def test_index_lists_variables_and_binds_its_data_file(ckpt):
    index = container.read(ckpt + ".index")
    assert index.kind == "checkpoint_index" and index.tensor_names() == []
    data = open(ckpt + ".data-00000-of-00001", "rb").read()
    assert index.document["data_files"] == [{
        "suffix": "data-00000-of-00001", "size": len(data),
        "sha256": hashlib.sha256(data).hexdigest()}]
    assert [v["name"] for v in index.document["variables"]] == sorted(VALUES)
    assert index.document["variables"][-1] == {"name": "w", "dtype": "float32",
                                               "shape": [3, 4], "file": 0}
    assert container.parse(data).tensor_names() == sorted(VALUES)


def test_reading_builds_no_graph(ckpt):
    graph = fg.get_default_graph()
    read_all(ckpt)
    fg.train.list_variables(ckpt)
    assert graph.get_operations() == []


def test_resaving_a_prefix_alternates_data_files(ckpt, tmp_path):
    write_checkpoint(ckpt, {"w": np.ones(2, np.float32)})
    assert sorted(os.listdir(tmp_path)) == ["model.ckpt-3.data-00000-of-00001.1",
                                             "model.ckpt-3.index"]
    np.testing.assert_array_equal(read_all(ckpt)["w"], np.ones(2))
    write_checkpoint(ckpt, {"w": np.zeros(3, np.float32)})
    assert sorted(os.listdir(tmp_path)) == ["model.ckpt-3.data-00000-of-00001",
                                             "model.ckpt-3.index"]
    np.testing.assert_array_equal(read_all(ckpt)["w"], np.zeros(3))


def test_renamed_checkpoint_is_readable(ckpt, tmp_path):
    for suffix in (".index", ".data-00000-of-00001"):
        shutil.copy(ckpt + suffix, str(tmp_path / "best") + suffix)
    np.testing.assert_array_equal(read_all(str(tmp_path / "best"))["w"], VALUES["w"])


def test_missing_checkpoint_and_tensor(ckpt, tmp_path):
    with pytest.raises(errors.NotFoundError, match="Failed to find any matching files"):
        fg.train.NewCheckpointReader(str(tmp_path / "nothing"))
    reader = fg.train.NewCheckpointReader(ckpt)
    with pytest.raises(errors.NotFoundError, match="Key scope/bb not found.*'scope/b'"):
        reader.get_tensor("scope/bb")
    os.unlink(ckpt + ".data-00000-of-00001")
    with pytest.raises(errors.NotFoundError, match="tensor 'w'"):
        fg.train.NewCheckpointReader(ckpt).get_tensor("w")


# --------------------------------------------------------------------------- damage
def flipped_bytes(data, position, mask):
    data = bytearray(data)
    data[position] ^= mask
    return bytes(data)


def test_every_flipped_index_byte_is_data_loss(ckpt):
    path = ckpt + ".index"
    original = open(path, "rb").read()
    for position in range(len(original)):
        for mask in (0x01, 0xFF):
            open(path, "wb").write(flipped_bytes(original, position, mask))
            with pytest.raises(errors.DataLossError, match=r"\.index"):
                read_all(ckpt)
    open(path, "wb").write(original)
    read_all(ckpt)


def test_every_flipped_data_byte_is_data_loss_naming_the_tensor(ckpt):
    path = ckpt + ".data-00000-of-00001"
    original = open(path, "rb").read()
    for position in range(len(original)):
        open(path, "wb").write(flipped_bytes(original, position, 0x01 << (position % 8)))
        reader = fg.train.NewCheckpointReader(ckpt)
        for name in VALUES:
            with pytest.raises(errors.DataLossError, match=f"tensor '{name}'"):
                reader.get_tensor(name)
    open(path, "wb").write(original)
    read_all(ckpt)


def test_flipped_tensor_bytes_are_caught_even_with_a_matching_index(ckpt):
    """Damage inside a tensor's bytes is caught by the tensor's own checksum too."""
    path = ckpt + ".data-00000-of-00001"
    data = bytearray(open(path, "rb").read())
    data[-1] ^= 0x04  # the last byte belongs to the last tensor, "w"
    open(path, "wb").write(bytes(data))
    index = container.read(ckpt + ".index").document
    index["data_files"][0]["sha256"] = hashlib.sha256(bytes(data)).hexdigest()
    container.write(ckpt + ".index", "checkpoint_index", index)
    reader = fg.train.NewCheckpointReader(ckpt)
    with pytest.raises(errors.DataLossError, match="checksum mismatch in tensor 'w'"):
        reader.get_tensor("w")


@pytest.mark.parametrize("which", [".index", ".data-00000-of-00001"])
def test_truncated_files_are_data_loss(ckpt, which):
    path = ckpt + which
    original = open(path, "rb").read()
    for length in sorted({0, 1, 8, 15, 16, 40, len(original) // 2, len(original) - 33,
                          len(original) - 1}):
        open(path, "wb").write(original[:length])
        with pytest.raises(errors.DataLossError) as info:
            read_all(ckpt)
        assert ".index" in str(info.value) or "tensor '" in str(info.value)
    open(path, "wb").write(original + b"\0")
    with pytest.raises(errors.DataLossError):
        read_all(ckpt)


def test_data_file_from_another_save_is_data_loss(ckpt, tmp_path):
    other = str(tmp_path / "other")
    write_checkpoint(other, {name: np.zeros_like(v) if v.dtype != object else v
                             for name, v in VALUES.items()})
    shutil.copy(other + ".data-00000-of-00001", ckpt + ".data-00000-of-00001")
    with pytest.raises(errors.DataLossError, match="does not match the checkpoint index.*"
                                                   "tensor 'w'"):
        fg.train.NewCheckpointReader(ckpt).get_tensor("w")


def test_restore_from_damaged_data_changes_nothing(tmp_path):
    w = fg.Variable([1.0, 2.0], name="w")
    v = fg.Variable([3.0], name="v")
    saver = fg.train.Saver()
    with fg.Session() as sess:
        sess.run(fg.global_variables_initializer())
        prefix = saver.save(sess, str(tmp_path / "m"), write_meta_graph=False)
        sess.run([w.assign([5.0, 6.0]), v.assign([7.0])])
        path = prefix + ".data-00000-of-00001"
        damaged = flipped_bytes(open(path, "rb").read(), -1, 0xFF)
        open(path, "wb").write(damaged)
        with pytest.raises(errors.DataLossError, match="tensor '[vw]'"):
            saver.restore(sess, prefix)
        np.testing.assert_array_equal(sess.run(w), [5.0, 6.0])
        np.testing.assert_array_equal(sess.run(v), [7.0])


# --------------------------------------------------------------------------- hostile files
def write_index(prefix, document):
    container.write(prefix + ".index", "checkpoint_index", document)


def good_document(ckpt):
    return container.read(ckpt + ".index").document


@pytest.mark.parametrize("suffix", ["../../etc/passwd", "/etc/passwd", "data-00000-of-00001/x",
                                    "index", "", 7])
def test_index_cannot_name_a_file_elsewhere(ckpt, suffix):
    document = good_document(ckpt)
    document["data_files"][0]["suffix"] = suffix
    write_index(ckpt, document)
    with pytest.raises(errors.DataLossError, match="invalid name suffix"):
        fg.train.NewCheckpointReader(ckpt)


@pytest.mark.parametrize("change, message", [
    (lambda d: d["variables"][0].update(shape=[1 << 30, 1 << 30]), "too many elements"),
    (lambda d: d["variables"][0].update(shape=[-1]), "invalid dimension"),
    (lambda d: d["variables"][0].update(shape=[1] * 40), "at most 32 dims"),
    (lambda d: d["variables"][0].update(dtype="complex512"), "unknown dtype"),
    (lambda d: d["variables"][0].update(file=3), "names no listed data file"),
    (lambda d: d["variables"].append(dict(d["variables"][0])), "listed twice"),
    (lambda d: d["data_files"][0].update(size=-5), "invalid size"),
    (lambda d: d["data_files"][0].update(sha256="00"), "invalid sha256"),
    (lambda d: d.update(data_files=[]), "between 1 and"),
    (lambda d: d.update(variables={"w": 1}), "at most"),
])
def test_invalid_index_documents_are_data_loss(ckpt, change, message):
    document = good_document(ckpt)
    change(document)
    write_index(ckpt, document)
    with pytest.raises(errors.DataLossError, match=message):
        fg.train.NewCheckpointReader(ckpt)


def test_index_that_disagrees_with_its_data_is_data_loss(ckpt):
    document = good_document(ckpt)
    document["variables"][-1]["shape"] = [4, 3]
    write_index(ckpt, document)
    with pytest.raises(errors.DataLossError, match="tensor 'w' is stored as"):
        fg.train.NewCheckpointReader(ckpt).get_tensor("w")


def test_index_of_a_newer_format_is_unimplemented(ckpt):
    """A file that a newer flowgraph wrote (valid checksum, newer min_consumer) is not
    reported as damage."""
    header = json.dumps({"kind": "checkpoint_index", "producer": 9, "min_consumer": 9,
                         "document": {}, "tensors": []}).encode()
    prefixed = b"FLOWGRPH" + struct.pack("<II", 1, len(header)) + header
    data = prefixed + hashlib.sha256(prefixed).digest()
    open(ckpt + ".index", "wb").write(data)
    with pytest.raises(errors.UnimplementedError, match="Upgrade flowgraph"):
        fg.train.NewCheckpointReader(ckpt)


def test_other_container_kinds_are_refused(ckpt):
    shutil.copy(ckpt + ".data-00000-of-00001", ckpt + ".index")
    with pytest.raises(errors.DataLossError, match="not a 'checkpoint_index'"):
        fg.train.NewCheckpointReader(ckpt)


def test_pickle_is_never_loaded(ckpt):
    open(ckpt + ".index", "wb").write(b"\x80\x04\x95" + b"\0" * 60)
    with pytest.raises(errors.DataLossError, match="not a flowgraph file"):
        fg.train.NewCheckpointReader(ckpt)
