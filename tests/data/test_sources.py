"""fg.data sources against plain-Python expectations."""

import collections

import numpy as np
import pytest

import flowgraph as fg
from flowgraph.data import Dataset
from tests.data.util import drain, elements, scalars

Point = collections.namedtuple("Point", ["x", "y"])


def test_from_tensor_slices_array_values_and_specs():
    data = np.arange(12, dtype=np.float32).reshape(4, 3)
    ds = Dataset.from_tensor_slices(data)
    assert ds.output_types == fg.float32
    assert ds.output_shapes.as_list() == [3]
    assert ds.output_classes is fg.Tensor
    got = elements(ds)
    assert len(got) == 4
    for i, row in enumerate(got):
        assert row.dtype == np.float32
        assert row.tolist() == [3.0 * i, 3.0 * i + 1, 3.0 * i + 2]


def test_from_tensor_slices_python_lists_follow_tf1_dtypes():
    assert Dataset.from_tensor_slices([1, 2, 3]).output_types == fg.int32
    assert Dataset.from_tensor_slices([1.5, 2.0]).output_types == fg.float32
    strings = Dataset.from_tensor_slices(["a", "bc"])
    assert strings.output_types == fg.string
    assert elements(strings) == [b"a", b"bc"]
    assert scalars(Dataset.from_tensor_slices([4, 5, 6])) == [4, 5, 6]


def test_from_tensor_slices_tuple_dict_nested_namedtuple():
    ds = Dataset.from_tensor_slices(({"b": np.array([1, 2]), "a": np.array([[1.0], [2.0]])},
                                     Point(x=np.array([10, 20]), y=np.array([b"p", b"q"]))))
    types = ds.output_types
    assert isinstance(types, tuple) and list(types[0]) == ["b", "a"]
    assert types[0]["a"] == fg.float64 and types[0]["b"] == fg.int64
    assert isinstance(types[1], Point) and types[1].y == fg.string
    assert ds.output_shapes[0]["a"].as_list() == [1]
    got = elements(ds)
    assert len(got) == 2
    first, point = got[1]
    assert first["b"] == 2 and first["a"].tolist() == [2.0]
    assert isinstance(point, Point) and point.x == 20 and point.y == b"q"


def test_from_tensor_slices_mismatched_first_dimensions():
    with pytest.raises(ValueError, match="Dimensions 2 and 3 are not compatible"):
        Dataset.from_tensor_slices((np.zeros(2), np.zeros(3)))
    with pytest.raises(ValueError, match="rank >= 1"):
        Dataset.from_tensor_slices(np.float32(1.0))


def test_from_tensor_slices_of_graph_tensors():
    x = fg.constant([[1, 2], [3, 4]]) * 10
    ds = Dataset.from_tensor_slices(x)
    assert ds.output_shapes.as_list() == [2]
    assert [v.tolist() for v in elements(ds)] == [[10, 20], [30, 40]]
    # a placeholder is evaluated when the initializer runs, with its feeds
    p = fg.placeholder(fg.int64, [None])
    fed = Dataset.from_tensor_slices(p)
    assert fed.output_shapes.as_list() == []
    assert [int(v) for v in elements(fed, {p: [7, 8, 9]})] == [7, 8, 9]


def test_from_tensor_slices_runtime_size_mismatch():
    a = fg.placeholder(fg.int32, [None])
    b = fg.placeholder(fg.int32, [None])
    it = Dataset.from_tensor_slices((a, b)).make_initializable_iterator()
    with fg.Session() as sess:
        with pytest.raises(fg.errors.InvalidArgumentError, match="same size in dimension 0"):
            sess.run(it.initializer, {a: [1, 2], b: [1]})


def test_from_tensors_is_one_element():
    ds = Dataset.from_tensors(([1, 2, 3], "s"))
    assert ds.output_shapes[0].as_list() == [3]
    got = elements(ds)
    assert len(got) == 1
    assert got[0][0].tolist() == [1, 2, 3] and got[0][1] == b"s"


def test_range_forms():
    assert scalars(Dataset.range(4)) == [0, 1, 2, 3]
    assert scalars(Dataset.range(2, 5)) == [2, 3, 4]
    assert scalars(Dataset.range(10, 0, -3)) == [10, 7, 4, 1]
    assert scalars(Dataset.range(5, 2)) == []
    assert Dataset.range(3).output_types == fg.int64
    assert Dataset.range(3, output_type=fg.int32).output_types == fg.int32
    values = elements(Dataset.range(3, output_type=fg.int32))
    assert all(v.dtype == np.int32 for v in values)
    with pytest.raises(ValueError, match="1 to 3 arguments"):
        Dataset.range()


def test_range_with_zero_step_fails_when_initialized():
    it = Dataset.range(0, 5, 0).make_initializable_iterator()
    with fg.Session() as sess:
        with pytest.raises(fg.errors.InvalidArgumentError, match="non-zero"):
            sess.run(it.initializer)


def test_from_generator_structure_args_and_epochs():
    calls = []

    def gen(n):
        calls.append(n)
        for i in range(int(n)):
            yield i, {"sq": [i * i, i]}

    ds = Dataset.from_generator(gen, (fg.int64, {"sq": fg.int32}),
                                (fg.TensorShape([]), {"sq": fg.TensorShape([2])}), args=(3,))
    assert ds.output_shapes[1]["sq"].as_list() == [2]
    got = elements(ds.repeat(2))
    assert [int(a) for a, _ in got] == [0, 1, 2, 0, 1, 2]
    assert [b["sq"].tolist() for _, b in got][:3] == [[0, 0], [1, 1], [4, 2]]
    assert got[0][1]["sq"].dtype == np.int32
    assert len(calls) == 2 and int(calls[0]) == 3  # called anew for each pass


def test_from_generator_checks_yielded_values():
    def bad_shape():
        yield [1, 2]
        yield [1, 2, 3]

    it = Dataset.from_generator(bad_shape, fg.int32, [2]).make_one_shot_iterator()
    nxt = it.get_next()
    with fg.Session() as sess:
        assert sess.run(nxt).tolist() == [1, 2]
        with pytest.raises(fg.errors.InvalidArgumentError, match="shape \\[3\\].*shape \\(2,\\)"):
            sess.run(nxt)

    def bad_structure():
        yield 1

    nxt = Dataset.from_generator(bad_structure, (fg.int32, fg.int32)).make_one_shot_iterator()
    with fg.Session() as sess:
        with pytest.raises(fg.errors.InvalidArgumentError, match="did not match the expected"):
            sess.run(nxt.get_next())
    with pytest.raises(TypeError, match="must be callable"):
        Dataset.from_generator([1, 2], fg.int32)


def test_zip_tuple_and_dict_end_with_shortest():
    ds = Dataset.zip((Dataset.range(5), Dataset.from_tensor_slices(["a", "b", "c"])))
    assert ds.output_types == (fg.int64, fg.string)
    assert [(int(a), b) for a, b in elements(ds)] == [(0, b"a"), (1, b"b"), (2, b"c")]
    nested = Dataset.zip({"n": Dataset.range(2), "pair": (Dataset.range(10, 12),
                                                          Dataset.range(20, 23))})
    got = elements(nested)
    assert [(int(e["n"]), int(e["pair"][0]), int(e["pair"][1])) for e in got] == \
        [(0, 10, 20), (1, 11, 21)]
    with pytest.raises(TypeError, match="structure of `Dataset` objects"):
        Dataset.zip((Dataset.range(1), [1, 2]))


def test_concatenate_types_and_shapes():
    a = Dataset.from_tensor_slices(np.zeros((2, 3), np.float32))
    b = Dataset.from_tensor_slices(np.ones((1, 4), np.float32))
    both = a.concatenate(b)
    assert both.output_shapes.as_list() == [None]
    assert [v.tolist() for v in elements(both)] == [[0, 0, 0], [0, 0, 0], [1, 1, 1, 1]]
    with pytest.raises(TypeError, match="different types"):
        Dataset.range(2).concatenate(Dataset.from_tensor_slices([1.0]))
    with pytest.raises(TypeError, match="different structures"):
        Dataset.range(2).concatenate(Dataset.zip((Dataset.range(1), Dataset.range(1))))


def test_list_files(tmp_path):
    for name in ("b.txt", "a.txt", "c.log"):
        (tmp_path / name).write_text("x")
    plain = Dataset.list_files(str(tmp_path / "*.txt"), shuffle=False)
    assert elements(plain) == [str(tmp_path / "a.txt").encode(), str(tmp_path / "b.txt").encode()]
    both = Dataset.list_files([str(tmp_path / "*.log"), str(tmp_path / "a*")], shuffle=False)
    assert [v.decode()[-5:] for v in elements(both)] == ["c.log", "a.txt"]
    shuffled = Dataset.list_files(str(tmp_path / "*"), seed=3)
    first = elements(shuffled)
    assert sorted(first) == sorted(str(tmp_path / n).encode() for n in ("a.txt", "b.txt",
                                                                        "c.log"))
    missing = Dataset.list_files(str(tmp_path / "*.csv")).make_initializable_iterator()
    with fg.Session() as sess:
        with pytest.raises(fg.errors.InvalidArgumentError, match="No files matched pattern"):
            sess.run(missing.initializer)


def test_sparse_tensor_slices_and_classes():
    sp = fg.SparseTensorValue(indices=[[0, 0], [1, 2], [1, 3]], values=[1.0, 2.0, 3.0],
                              dense_shape=[2, 4])
    # As TF1 (SparseTensorSliceDataset): each row is a tuple (indices, values, dense_shape)
    ds = Dataset.from_sparse_tensor_slices(sp)
    assert ds.output_classes == (fg.Tensor, fg.Tensor, fg.Tensor)
    assert ds.output_types == (fg.int64, fg.float32, fg.int64)
    assert [s.as_list() for s in ds.output_shapes] == [[None, 1], [None], [1]]
    nxt = ds.make_one_shot_iterator().get_next()
    with fg.Session() as sess:
        rows = drain(nxt, sess)
    assert [r[0].tolist() for r in rows] == [[[0]], [[2], [3]]]
    assert [r[1].tolist() for r in rows] == [[1.0], [2.0, 3.0]]
    assert rows[1][2].tolist() == [4]
    # from_tensor_slices of a SparseTensor gives SparseTensor rows, which batch back
    sparse_rows = Dataset.from_tensor_slices(sp)
    assert sparse_rows.output_classes is fg.SparseTensor
    assert sparse_rows.output_shapes.as_list() == [4]
    batched = sparse_rows.batch(2)
    with fg.Session() as sess:
        value = sess.run(batched.make_one_shot_iterator().get_next())
    assert value.indices.tolist() == [[0, 0], [1, 2], [1, 3]]
    assert value.dense_shape.tolist() == [2, 4]
