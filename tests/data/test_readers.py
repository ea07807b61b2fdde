"""File readers on files written in tmp_path: text lines, fixed-length records, CSV, .npy."""

import gzip
import zlib

import numpy as np
import pytest

import flowgraph as fg
from flowgraph.data import Dataset, FixedLengthRecordDataset, TextLineDataset, experimental
from tests.data.util import drain, elements


def test_text_lines(tmp_path):
    a = tmp_path / "a.txt"
    a.write_bytes(b"first\nsecond\r\n\nlast without newline")
    b = tmp_path / "b.txt"
    b.write_bytes(b"x\n")
    ds = TextLineDataset([str(a), str(b)])
    assert ds.output_types == fg.string and ds.output_shapes.as_list() == []
    assert elements(ds) == [b"first", b"second", b"", b"last without newline", b"x"]
    assert elements(TextLineDataset(str(b))) == [b"x"]


def test_text_lines_compressed(tmp_path):
    lines = [f"line {i}".encode() for i in range(1000)]
    text = b"\n".join(lines) + b"\n"
    with gzip.open(tmp_path / "g.gz", "wb") as handle:
        handle.write(text)
    (tmp_path / "z.zlib").write_bytes(zlib.compress(text))
    assert elements(TextLineDataset(str(tmp_path / "g.gz"), compression_type="GZIP")) == lines
    assert elements(TextLineDataset(str(tmp_path / "z.zlib"), compression_type="ZLIB",
                                    buffer_size=100)) == lines
    with pytest.raises(ValueError, match="compression_type"):
        TextLineDataset("x", compression_type="BZ2")


def test_text_lines_from_fed_names_and_datasets_of_names(tmp_path):
    for name, text in (("one.txt", "1\n2\n"), ("two.txt", "3\n")):
        (tmp_path / name).write_text(text)
    names = fg.placeholder(fg.string, [None])
    got = elements(TextLineDataset(names), {names: [str(tmp_path / "two.txt"),
                                                    str(tmp_path / "one.txt")]})
    assert got == [b"3", b"1", b"2"]
    files = Dataset.list_files(str(tmp_path / "*.txt"), shuffle=False)
    assert elements(TextLineDataset(files)) == [b"1", b"2", b"3"]
    mixed = files.interleave(lambda f: TextLineDataset(f).map(lambda s: fg.string_to_number(s)),
                             cycle_length=2)
    assert [float(v) for v in elements(mixed)] == [1.0, 3.0, 2.0]


def test_missing_file_is_not_found(tmp_path):
    nxt = TextLineDataset(str(tmp_path / "nope.txt")).make_one_shot_iterator().get_next()
    with fg.Session() as sess:
        with pytest.raises(fg.errors.NotFoundError, match="nope.txt"):
            sess.run(nxt)


def test_fixed_length_records(tmp_path):
    path = tmp_path / "r.bin"
    path.write_bytes(b"HDR" + b"".join(bytes([i]) * 4 for i in range(5)) + b"FT")
    ds = FixedLengthRecordDataset(str(path), 4, header_bytes=3, footer_bytes=2)
    assert elements(ds) == [bytes([i]) * 4 for i in range(5)]
    decoded = ds.map(fg.strings.length)
    assert [int(v) for v in elements(decoded)] == [4] * 5
    with gzip.open(tmp_path / "r.gz", "wb") as handle:
        handle.write(path.read_bytes())
    gz = FixedLengthRecordDataset(str(tmp_path / "r.gz"), 4, 3, 2, compression_type="GZIP")
    assert elements(gz) == [bytes([i]) * 4 for i in range(5)]


def test_fixed_length_body_must_be_a_multiple(tmp_path):
    path = tmp_path / "bad.bin"
    path.write_bytes(b"x" * 10)
    nxt = FixedLengthRecordDataset(str(path), 4).make_one_shot_iterator().get_next()
    with fg.Session() as sess:
        with pytest.raises(fg.errors.InvalidArgumentError,
                           match="body length 10 bytes, which is not an exact multiple of the "
                                 "record length \\(4 bytes\\)"):
            sess.run(nxt)


def write(path, text):
    path.write_text(text)
    return str(path)


def test_csv_dataset_types_defaults_and_quotes(tmp_path):
    name = write(tmp_path / "d.csv",
                 'id,score,name,ratio\n1,2.5,"Smith, J",0.5\n2,,"say ""hi""",\n'
                 '3,1e2,"two\nlines",7\n')
    ds = experimental.CsvDataset(name, [fg.int64, [-1.0], "?", np.float64(9.0)], header=True)
    assert ds.output_types == (fg.int64, fg.float32, fg.string, fg.float64)
    assert ds.output_shapes == (fg.TensorShape([]),) * 4
    got = elements(ds)
    assert [int(r[0]) for r in got] == [1, 2, 3]
    assert [float(r[1]) for r in got] == [2.5, -1.0, 100.0]
    assert [r[2] for r in got] == [b"Smith, J", b'say "hi"', b"two\nlines"]
    assert [float(r[3]) for r in got] == [0.5, 9.0, 7.0]


def test_csv_dataset_select_cols_na_value_and_delimiter(tmp_path):
    name = write(tmp_path / "s.csv", "a|b|c\n1|NA|x\n2|5|y\n")
    ds = experimental.CsvDataset(name, [[0], [0]], header=True, field_delim="|",
                                 na_value="NA", select_cols=[0, 1])
    assert [(int(a), int(b)) for a, b in elements(ds)] == [(1, 0), (2, 5)]
    with pytest.raises(ValueError, match="same length"):
        experimental.CsvDataset(name, [[0]], select_cols=[0, 1])


@pytest.mark.parametrize("text,defaults,message", [
    ("1,2\n", [[0], [0], [0]], "Expect 3 fields but have 2 in record"),
    ("1,,3\n", [[0], fg.int32, [0]], "Field 1 is required but missing in record!"),
    ("1,x,3\n", [[0], [0], [0]], "Field 1 in record is not a valid int32: x"),
    ('1,2"3,4\n', [[0], [""], [0]], "Unquoted fields cannot have quotes inside"),
    ('"a"b,1\n', [[""], [0]], "Quote inside a string has to be escaped by another quote"),
])
def test_csv_dataset_errors(tmp_path, text, defaults, message):
    name = write(tmp_path / "e.csv", text)
    nxt = experimental.CsvDataset(name, defaults).make_one_shot_iterator().get_next()
    with fg.Session() as sess:
        with pytest.raises(fg.errors.InvalidArgumentError, match=message):
            sess.run(nxt)


def test_csv_dataset_ignore_errors(tmp_path):
    name = write(tmp_path / "i.csv", "1,2\nbad\n3,x\n5,6\n")
    ds = experimental.CsvDataset(name, [[0], [0]]).apply(experimental.ignore_errors())
    assert [(int(a), int(b)) for a, b in elements(ds)] == [(1, 2), (5, 6)]


def test_make_csv_dataset(tmp_path):
    write(tmp_path / "part1.csv", "age,height,name,label\n30,1.8,ann,1\n40,1.6,bob,0\n")
    write(tmp_path / "part2.csv", "age,height,name,label\n50,,cyd,1\n")
    ds = experimental.make_csv_dataset(str(tmp_path / "part*.csv"), batch_size=2,
                                       label_name="label", num_epochs=1, shuffle=False)
    features, label = ds.output_types
    assert list(features) == ["age", "height", "name"]
    assert features["age"] == fg.int32 and features["height"] == fg.float32
    assert features["name"] == fg.string and label == fg.int32
    got = elements(ds)
    assert [f["name"].tolist() for f, _ in got] == [[b"ann", b"bob"], [b"cyd"]]
    assert got[1][0]["height"].tolist() == [0.0]  # inferred columns default to 0
    assert [lab.tolist() for _, lab in got] == [[1, 0], [1]]
    forever = experimental.make_csv_dataset(str(tmp_path / "part1.csv"), 3,
                                            select_columns=["name", "age"], shuffle=True,
                                            shuffle_seed=1)
    assert forever.output_shapes["age"].as_list() == [3]  # full batches only
    assert list(forever.output_types) == ["age", "name"]
    nxt = forever.make_one_shot_iterator().get_next()
    with fg.Session() as sess:
        batches = [sess.run(nxt) for _ in range(4)]
    assert all(sorted(b["name"].tolist()) in ([b"ann", b"ann", b"bob"], [b"ann", b"bob",
                                                                         b"bob"])
               for b in batches)


def test_npy_dataset_rows(tmp_path):
    array = np.arange(24, dtype=np.int16).reshape(6, 2, 2)
    np.save(tmp_path / "a.npy", array)
    ds = experimental.NpyDataset(str(tmp_path / "a.npy"))
    assert ds.output_types == fg.int16 and ds.output_shapes.as_list() == [2, 2]
    rows = elements(ds)
    assert [r.tolist() for r in rows] == array.tolist()
    batches = elements(ds.batch(4))
    assert [b.tolist() for b in batches] == [array[:4].tolist(), array[4:].tolist()]
    assert len(elements(ds.batch(4, drop_remainder=True))) == 1


def test_npy_dataset_windows_cover_every_row(tmp_path, monkeypatch):
    from flowgraph.data import engine_readers
    monkeypatch.setattr(engine_readers, "NPY_WINDOW_BYTES", 3 * 8)  # 3 rows per window
    array = np.arange(10, dtype=np.float64).reshape(10, 1) * 1.5
    np.save(tmp_path / "w.npy", array)
    got = elements(experimental.NpyDataset(str(tmp_path / "w.npy")))
    assert [float(r[0]) for r in got] == [1.5 * i for i in range(10)]


def test_npy_dataset_refuses_pickles_and_fortran_order(tmp_path):
    np.save(tmp_path / "o.npy", np.array([{"a": 1}], dtype=object), allow_pickle=True)
    with pytest.raises(fg.errors.InvalidArgumentError, match="pickles"):
        experimental.NpyDataset(str(tmp_path / "o.npy"))
    np.save(tmp_path / "f.npy", np.asfortranarray(np.zeros((3, 4))))
    with pytest.raises(fg.errors.InvalidArgumentError, match="Fortran"):
        experimental.NpyDataset(str(tmp_path / "f.npy"))
    with pytest.raises(fg.errors.NotFoundError):
        experimental.NpyDataset(str(tmp_path / "missing.npy"))


def test_drain_helper_stops_at_the_end():
    nxt = Dataset.range(3).make_one_shot_iterator().get_next()
    with fg.Session() as sess:
        assert drain(nxt, sess) == [0, 1, 2]


def test_crc32c_check_value_and_tfrecord_layout():
    from flowgraph.data.tfrecord import crc32c, encode_record
    assert crc32c(b"123456789") == 0xE3069283  # the standard CRC-32C check value
    assert crc32c(b"") == 0
    record = encode_record(b"abc")
    assert len(record) == 8 + 4 + 3 + 4
    assert record[:8] == (3).to_bytes(8, "little") and record[12:15] == b"abc"


def test_tfrecord_dataset(tmp_path):
    from flowgraph.data import TFRecordDataset
    from flowgraph.data.tfrecord import encode_record, write_records
    records = [b"first", b"", bytes(range(256)) * 3]
    write_records(str(tmp_path / "a.tfrecord"), records)
    with gzip.open(tmp_path / "b.tfrecord.gz", "wb") as handle:
        handle.write(encode_record(b"zipped"))
    assert elements(TFRecordDataset(str(tmp_path / "a.tfrecord"))) == records
    assert elements(TFRecordDataset([str(tmp_path / "b.tfrecord.gz")],
                                    compression_type="GZIP")) == [b"zipped"]
    data = bytearray((tmp_path / "a.tfrecord").read_bytes())
    data[14] ^= 0xFF  # a byte of the first record's data
    (tmp_path / "bad.tfrecord").write_bytes(bytes(data))
    nxt = TFRecordDataset(str(tmp_path / "bad.tfrecord")).make_one_shot_iterator().get_next()
    with fg.Session() as sess:
        with pytest.raises(fg.errors.DataLossError, match="corrupted record at 0"):
            sess.run(nxt)
    (tmp_path / "short.tfrecord").write_bytes(bytes(data[:-3]))
    nxt = TFRecordDataset(str(tmp_path / "short.tfrecord")).skip(2).make_one_shot_iterator()
    with fg.Session() as sess:
        with pytest.raises(fg.errors.DataLossError):
            sess.run(nxt.get_next())
