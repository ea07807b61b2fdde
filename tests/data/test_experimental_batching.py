"""fg.data.experimental.dense_to_sparse_batch, parse_example_dataset,
make_batched_features_dataset and SqlDataset, as TF1's."""

import sqlite3

import numpy as np
import pytest

import flowgraph as fg
from tests.data.util import elements

D = fg.data.Dataset
E = fg.data.experimental


def _ragged(n, row=()):
    return D.range(1, n + 1).map(lambda x: fg.fill([x] + list(row), x))


def test_dense_to_sparse_batch_fixed_row_shape():
    ds = _ragged(4).apply(E.dense_to_sparse_batch(3, [6]))
    assert ds.output_classes is fg.SparseTensor
    assert ds.output_shapes.as_list() == [None, 6]
    first, second = elements(ds)
    assert first.indices.tolist() == [[0, 0], [1, 0], [1, 1], [2, 0], [2, 1], [2, 2]]
    assert first.values.tolist() == [1, 2, 2, 3, 3, 3]
    assert first.dense_shape.tolist() == [3, 6]
    assert second.dense_shape.tolist() == [1, 6] and second.values.tolist() == [4] * 4


def test_dense_to_sparse_batch_unknown_dimension_takes_the_batch_maximum():
    first, second = elements(_ragged(3, [2]).apply(E.dense_to_sparse_batch(2, [None, 2])))
    assert first.dense_shape.tolist() == [2, 2, 2] and len(first.values) == 6
    assert first.indices[-1].tolist() == [1, 1, 1]
    assert second.dense_shape.tolist() == [1, 3, 2]


def test_dense_to_sparse_batch_element_too_large_is_data_loss():
    with pytest.raises(fg.errors.DataLossError, match="row shape"):
        elements(_ragged(4).apply(E.dense_to_sparse_batch(3, [2])))


def _examples(count):
    out = []
    for i in range(count):
        feature = {"a": fg.train.Feature(int64_list=fg.train.Int64List(value=[i])),
                   "y": fg.train.Feature(float_list=fg.train.FloatList(value=[i * 0.5]))}
        out.append(fg.train.Example(features=fg.train.Features(feature=feature))
                   .SerializeToString())
    return out


SPEC = {"a": fg.FixedLenFeature([], fg.int64), "y": fg.FixedLenFeature([], fg.float32)}


def test_parse_example_dataset():
    ds = D.from_tensor_slices(_examples(3)).batch(2).apply(E.parse_example_dataset(SPEC))
    got = elements(ds)
    assert [g["a"].tolist() for g in got] == [[0, 1], [2]]
    assert [g["y"].tolist() for g in got] == [[0.0, 0.5], [1.0]]


def test_make_batched_features_dataset(tmp_path):
    path = str(tmp_path / "data.tfrecord")
    with fg.python_io.TFRecordWriter(path) as writer:
        for record in _examples(5):
            writer.write(record)
    ds = E.make_batched_features_dataset(path, 2, SPEC, label_key="y", num_epochs=1,
                                         shuffle=False)
    got = elements(ds)
    assert [(f["a"].tolist(), y.tolist()) for f, y in got] == [
        ([0, 1], [0.0, 0.5]), ([2, 3], [1.0, 1.5]), ([4], [2.0])]
    with pytest.raises(ValueError, match="label_key"):
        E.make_batched_features_dataset(path, 2, SPEC, label_key="nope")


def test_sql_dataset(tmp_path):
    path = str(tmp_path / "rows.db")
    connection = sqlite3.connect(path)
    connection.execute("create table t (a text, b integer, c real)")
    connection.executemany("insert into t values (?, ?, ?)", [("x", 1, 0.5), ("yy", 2, 1.5)])
    connection.commit()
    connection.close()
    ds = E.SqlDataset("sqlite", path, "select a, b, c from t order by b",
                      (fg.string, fg.int32, fg.float64))
    assert ds.output_types == (fg.string, fg.int32, fg.float64)
    got = [(a, int(b), float(c)) for a, b, c in elements(ds)]
    assert got == [(b"x", 1, 0.5), (b"yy", 2, 1.5)]
    with pytest.raises(ValueError, match="not supported"):
        E.SqlDataset("mysql", path, "select 1", fg.int32)
    one = E.SqlDataset("sqlite", path, "select b from t where b > 1", fg.int64)
    assert [np.asarray(v).item() for v in elements(one)] == [2]
