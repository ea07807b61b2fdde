"""fg.python_io / fg.io TFRecord writer and iterator: bytes compared with files written by
TensorFlow 2.21's ``tf.io.TFRecordWriter`` (records b"abc", b"", b"\\x00\\xff" * 3), and the
Example pipeline TFRecordWriter -> TFRecordDataset -> parse_single_example."""

import os

import numpy as np
import pytest

import flowgraph as fg
from flowgraph import python_io

RECORDS = [b"abc", b"", b"\x00\xff" * 3]
TF_FILES = {
    "": b"\x03\x00\x00\x00\x00\x00\x00\x00\xb0\x99I\x0eabcnW\xf1!\x00\x00\x00\x00\x00\x00\x00"
        b"\x00)\x03\x98\x07\xd8\xea\x82\xa2\x06\x00\x00\x00\x00\x00\x00\x00si\xd57\x00\xff\x00"
        b"\xff\x00\xffL\x81$x",
    "GZIP": b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03cf\x80\x80\r3=\xf9\x12\x93\x92\xf3\xc2?*"
            b"BE\x184\x99g\xb0\xdfx\xd5\xb4\x88\r\xca/\xce\xbcj\xce\xf0\x1f\x04}\x1aU*\x007F@"
            b"\x129\x00\x00\x00",
    "ZLIB": b"x\x9ccf\x80\x80\r3=\xf9\x12\x93\x92\xf3\xc2?*BE\x184\x99g\xb0\xdfx\xd5\xb4\x88"
            b"\r\xca/\xce\xbcj\xce\xf0\x1f\x04}\x1aU*\x00[R\x0e\xa6",
}


def test_uncompressed_file_is_byte_identical_to_tensorflows(tmp_path):
    path = str(tmp_path / "plain.tfrecord")
    with python_io.TFRecordWriter(path) as writer:
        for record in RECORDS:
            writer.write(record)
    with open(path, "rb") as handle:
        assert handle.read() == TF_FILES[""]


@pytest.mark.parametrize("compression", ["", "GZIP", "ZLIB"])
def test_reads_tensorflow_files(tmp_path, compression):
    path = str(tmp_path / "tf.tfrecord")
    with open(path, "wb") as handle:
        handle.write(TF_FILES[compression])
    options = python_io.TFRecordOptions(compression or None)
    assert list(python_io.tf_record_iterator(path, options)) == RECORDS
    with fg.Graph().as_default():
        dataset = fg.data.TFRecordDataset(path, compression_type=compression)
        item = dataset.make_one_shot_iterator().get_next()
        with fg.Session() as sess:
            assert [sess.run(item) for _ in RECORDS] == RECORDS


@pytest.mark.parametrize("options", [python_io.TFRecordCompressionType.GZIP, "ZLIB",
                                     fg.io.TFRecordOptions(compression_type="GZIP",
                                                           compression_level=1)])
def test_compressed_round_trip(tmp_path, options):
    path = str(tmp_path / "c.tfrecord")
    writer = fg.io.TFRecordWriter(path, options=options)
    for record in RECORDS:
        writer.write(record)
    writer.flush()
    writer.close()
    writer.close()  # closing twice is harmless
    assert list(fg.io.tf_record_iterator(path, options=options)) == RECORDS
    name = fg.io.TFRecordOptions.get_compression_type_string(options)
    with open(path, "rb") as handle:
        raw = handle.read()
    assert raw[:2] == (b"\x1f\x8b" if name == "GZIP" else b"x\x9c")  # gzip / zlib header


def test_errors(tmp_path):
    with pytest.raises(fg.errors.NotFoundError):
        list(python_io.tf_record_iterator(str(tmp_path / "missing.tfrecord")))
    with pytest.raises(fg.errors.NotFoundError):
        python_io.TFRecordWriter(str(tmp_path / "no_dir" / "x.tfrecord"))
    damaged = bytearray(TF_FILES[""])
    damaged[13] ^= 0xFF  # inside the first record's data
    path = str(tmp_path / "damaged.tfrecord")
    with open(path, "wb") as handle:
        handle.write(bytes(damaged))
    with pytest.raises(fg.errors.DataLossError, match="checksum"):
        list(python_io.tf_record_iterator(path))
    with pytest.raises(ValueError, match="Not a valid compression_type"):
        python_io.TFRecordOptions("BZIP2")
    writer = python_io.TFRecordWriter(str(tmp_path / "w.tfrecord"))
    with pytest.raises(TypeError, match="takes bytes"):
        writer.write(3)
    writer.close()
    with pytest.raises(fg.errors.FailedPreconditionError):
        writer.write(b"late")


def test_example_pipeline_through_tfrecord_dataset(tmp_path):
    path = os.path.join(str(tmp_path), "examples.tfrecord")
    t = fg.train
    with fg.python_io.TFRecordWriter(path) as writer:
        for i in range(5):
            ex = t.Example(features=t.Features(feature={
                "x": t.Feature(float_list=t.FloatList(value=[i, i + 0.5])),
                "label": t.Feature(int64_list=t.Int64List(value=[i % 2])),
                "pixels": t.Feature(bytes_list=t.BytesList(
                    value=[np.arange(i, i + 4, dtype=np.uint8).tobytes()]))}))
            writer.write(ex.SerializeToString())
    spec = {"x": fg.io.FixedLenFeature([2], fg.float32),
            "label": fg.io.FixedLenFeature([], fg.int64),
            "pixels": fg.io.FixedLenFeature([], fg.string)}

    def decode(record):
        parsed = fg.io.parse_single_example(record, spec)
        return parsed["x"], parsed["label"], fg.io.decode_raw(parsed["pixels"], fg.uint8)

    with fg.Graph().as_default():
        dataset = fg.data.TFRecordDataset(path).map(decode).batch(5)
        x, label, pixels = dataset.make_one_shot_iterator().get_next()
        with fg.Session() as sess:
            xs, labels, pix = sess.run([x, label, pixels])
    np.testing.assert_array_equal(xs, np.float32([[i, i + 0.5] for i in range(5)]))
    np.testing.assert_array_equal(labels, [0, 1, 0, 1, 0])
    np.testing.assert_array_equal(pix, np.array([np.arange(i, i + 4) for i in range(5)],
                                                np.uint8))
    records = list(fg.python_io.tf_record_iterator(path))
    assert len(records) == 5
    assert t.Example.FromString(records[3]).features.feature["label"].int64_list.value == [1]


def test_var_len_features_through_map_then_batch_and_batch_then_map(tmp_path):
    path = str(tmp_path / "var.tfrecord")
    t = fg.train
    with fg.python_io.TFRecordWriter(path) as writer:
        for i in range(4):  # example i holds the values 0 .. i-1 (the first holds none)
            writer.write(t.Example(features=t.Features(feature={"t": t.Feature(
                int64_list=t.Int64List(value=list(range(i))))})).SerializeToString())
    spec = {"t": fg.io.VarLenFeature(fg.int64)}
    with fg.Graph().as_default():
        single = fg.data.TFRecordDataset(path).map(
            lambda s: fg.io.parse_single_example(s, spec)).batch(4)
        batched = fg.data.TFRecordDataset(path).batch(4).map(
            lambda s: fg.io.parse_example(s, spec))
        a = single.make_one_shot_iterator().get_next()["t"]
        b = batched.make_one_shot_iterator().get_next()["t"]
        with fg.Session() as sess:
            got_a, got_b = sess.run([a, b])
    expected_indices = [[1, 0], [2, 0], [2, 1], [3, 0], [3, 1], [3, 2]]
    for got in (got_a, got_b):
        np.testing.assert_array_equal(got.indices, expected_indices)
        np.testing.assert_array_equal(got.values, [0, 0, 1, 0, 1, 2])
        np.testing.assert_array_equal(got.dense_shape, [4, 3])
