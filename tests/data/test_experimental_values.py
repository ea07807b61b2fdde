"""fg.data.experimental.cardinality, get_single_element, get_next_as_optional / Optional,
TFRecordWriter, and fg.data.Options (TF1's names and semantics)."""

import numpy as np
import pytest

import flowgraph as fg
from tests.data.util import scalars

D = fg.data.Dataset
E = fg.data.experimental


def _cardinalities(datasets):
    with fg.Session() as sess:
        return [int(v) for v in sess.run([E.cardinality(d) for d in datasets])]


def test_cardinality_counts_as_tf1():
    assert (E.INFINITE_CARDINALITY, E.UNKNOWN_CARDINALITY) == (-1, -2)
    cases = [
        (D.range(10).shard(3, 2), 3),            # 2, 5, 8
        (D.range(10).take(20), 10),
        (D.range(3).repeat(0), 0),
        (D.range(10).skip(20), 0),
        (D.range(5).repeat().take(3), 3),
        (D.zip((D.range(3), D.range(5).repeat())), 3),
        (D.range(3).concatenate(D.range(4)), 7),
        (D.range(7).batch(3), 3),
        (D.range(7).batch(3, drop_remainder=True), 2),
        (D.range(10).window(3, 2, 1, True), 4),   # starts 0, 2, 4, 6
        (D.range(10).window(3, 4), 3),            # starts 0, 4, 8
        (D.range(10).prefetch(1).cache().shuffle(3), 10),
        (D.range(5).repeat(), E.INFINITE_CARDINALITY),
        (D.range(5).filter(lambda x: x > 2), E.UNKNOWN_CARDINALITY),
        (D.range(3).flat_map(lambda x: D.range(x)), E.UNKNOWN_CARDINALITY),
        # as TF1's DatasetV1.map, which does not preserve cardinality
        (D.range(5).map(lambda x: x), E.UNKNOWN_CARDINALITY),
    ]
    assert _cardinalities([d for d, _ in cases]) == [n for _, n in cases]
    assert E.cardinality(D.range(3)).dtype == fg.int64


def test_cardinality_of_fed_sizes_is_unknown():
    n = fg.placeholder(fg.int64, [])
    assert _cardinalities([D.range(n)]) == [E.UNKNOWN_CARDINALITY]


def test_get_single_element():
    x = E.get_single_element(D.from_tensors({"a": [1, 2], "b": 3.0}))
    assert x["a"].shape.as_list() == [2]
    with fg.Session() as sess:
        got = sess.run(x)
        assert got["a"].tolist() == [1, 2] and got["b"] == 3.0
        with pytest.raises(fg.errors.InvalidArgumentError, match="empty"):
            sess.run(E.get_single_element(D.range(0)))
        with pytest.raises(fg.errors.InvalidArgumentError, match="more than one"):
            sess.run(E.get_single_element(D.range(2)))


def test_get_next_as_optional_ends_without_error():
    it = D.from_tensor_slices((np.arange(2), np.ones((2, 3), np.float32))) \
        .make_initializable_iterator()
    optional = E.get_next_as_optional(it)
    value = optional.get_value()
    assert [t.shape.as_list() for t in value] == [[], [3]]
    with fg.Session() as sess:
        sess.run(it.initializer)
        has, (a, b) = sess.run([optional.has_value(), value])
        assert has and a == 0 and b.tolist() == [1, 1, 1]
        assert sess.run(optional.has_value())  # the second element
        assert not sess.run(optional.has_value())  # then no value, no OutOfRangeError
        with pytest.raises(fg.errors.InvalidArgumentError, match="does not have a value"):
            sess.run(value)


def test_optional_from_value_and_none():
    some = E.Optional.from_value((fg.constant(1), fg.constant([2.0, 3.0])))
    none = E.Optional.none_from_structure(some.value_structure)
    with fg.Session() as sess:
        has, (a, b) = sess.run([some.has_value(), some.get_value()])
        assert has and a == 1 and b.tolist() == [2.0, 3.0]
        assert not sess.run(none.has_value())
        with pytest.raises(fg.errors.InvalidArgumentError):
            sess.run(none.get_value())


@pytest.mark.parametrize("compression", [None, "GZIP"])
def test_tfrecord_writer_round_trip(tmp_path, compression):
    path = str(tmp_path / "out.tfrecord")
    write = E.TFRecordWriter(path, compression).write(D.from_tensor_slices(["ab", "", "xyz"]))
    with fg.Session() as sess:
        sess.run(write)
    back = fg.data.TFRecordDataset(path, compression_type=compression or "")
    assert scalars(back) == [b"ab", b"", b"xyz"]
    with pytest.raises(TypeError, match="DT_STRING"):
        E.TFRecordWriter(path).write(D.range(3))


def test_options_carry_and_merge():
    options = fg.data.Options()
    options.experimental_deterministic = False
    options.experimental_threading.private_threadpool_size = 4
    more = fg.data.Options()
    more.experimental_optimization.map_fusion = True
    ds = D.range(3).with_options(options).with_options(more)
    got = ds.options()
    assert got.experimental_deterministic is False
    assert got.experimental_threading.private_threadpool_size == 4
    assert got.experimental_optimization.map_fusion is True
    assert got.experimental_optimization.map_parallelization is None
    assert D.range(3).options() == fg.data.Options()
    assert scalars(ds) == [0, 1, 2]
    # datasets made from it carry its options (as TF1), also through zip
    derived = D.zip((ds.map(lambda x: x * 2), D.range(2)))
    assert derived.options().experimental_threading.private_threadpool_size == 4
    assert E.cardinality(ds).dtype == fg.int64 and _cardinalities([ds]) == [3]
    conflict = fg.data.Options()
    conflict.experimental_deterministic = True
    with pytest.raises(ValueError, match="incompatible"):  # as TF1's merge_options
        ds.with_options(conflict)
    with pytest.raises(AttributeError):
        options.no_such_option = 1
    with pytest.raises(TypeError):
        options.experimental_deterministic = "yes"
    assert E.ThreadingOptions().max_intra_op_parallelism is None
