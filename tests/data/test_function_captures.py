"""Dataset functions capture tensors of the graph they are traced from, as in TF1: their
values are taken when the iterator is initialized (expected values hand-computed)."""

import numpy as np
import pytest

import flowgraph as fg
from flowgraph.data import Dataset, experimental


def drain(nxt, sess):
    out = []
    while True:
        try:
            out.append(sess.run(nxt))
        except fg.errors.OutOfRangeError:
            return out


def test_map_and_filter_use_a_placeholder_and_a_variable():
    p = fg.placeholder(fg.int64, [])
    v = fg.Variable(3, dtype=fg.int64)
    it = Dataset.range(3).map(lambda x: x + p * v).filter(lambda x: x > p) \
        .make_initializable_iterator()
    nxt = it.get_next()
    with fg.Session() as sess:
        sess.run(fg.global_variables_initializer())
        sess.run(it.initializer, {p: 2})
        assert drain(nxt, sess) == [6, 7, 8]          # 0..2 + 6, all > 2
        sess.run(it.initializer, {p: 1})
        assert drain(nxt, sess) == [3, 4, 5]          # 0..2 + 3, all > 1


def test_nested_function_reduce_scan_and_take_while_capture():
    p = fg.placeholder(fg.int64, [])
    nested = Dataset.range(3).flat_map(lambda x: Dataset.range(x).map(lambda y: y * p))
    it = nested.make_initializable_iterator()
    total = Dataset.range(4).reduce(np.int64(0), lambda s, x: s + x * p)
    scanned = Dataset.range(4).apply(experimental.scan(np.int64(0),
                                                       lambda s, x: (s + p, s + x)))
    sit = scanned.make_initializable_iterator()
    taken = Dataset.range(5).apply(experimental.take_while(lambda x: x < p))
    tit = taken.make_initializable_iterator()
    with fg.Session() as sess:
        sess.run(it.initializer, {p: 10})
        assert drain(it.get_next(), sess) == [0, 0, 10]   # range(1)*10, range(2)*10
        assert sess.run(total, {p: 5}) == 30               # (0+1+2+3)*5
        sess.run(sit.initializer, {p: 2})
        assert drain(sit.get_next(), sess) == [0, 3, 6, 9]  # states 0,2,4,6 + x
        sess.run(tit.initializer, {p: 3})
        assert drain(tit.get_next(), sess) == [0, 1, 2]


def test_constants_work_in_one_shot_iterators_placeholders_do_not():
    c = fg.constant(100, fg.int64)
    nxt = Dataset.range(2).map(lambda x: x + c).make_one_shot_iterator().get_next()
    returned = Dataset.range(2).map(lambda x: c).make_one_shot_iterator().get_next()
    with fg.Session() as sess:
        assert drain(nxt, sess) == [100, 101]
        assert drain(returned, sess) == [100, 100]
    p = fg.placeholder(fg.int64, [])
    with pytest.raises(ValueError, match="make_initializable_iterator"):
        Dataset.range(3).map(lambda x: x + p).make_one_shot_iterator()


def test_tensor_of_another_graph_is_still_refused():
    other = fg.Graph()
    with other.as_default():
        foreign = fg.constant(1, fg.int64)
    with pytest.raises(ValueError, match="outside the function"):
        Dataset.range(3).map(lambda x: x + foreign)


def test_sparse_arguments_keep_their_static_shape():
    sp = fg.SparseTensor([[0, 0], [1, 1], [2, 0]], [1, 2, 3], [3, 2])
    rows = Dataset.from_tensor_slices(sp)
    seen = []
    dense = rows.map(lambda s: (seen.append(s.shape.as_list()), fg.sparse.to_dense(s))[1])
    assert seen == [[2]] and dense.output_shapes.as_list() == [2]
    batched = []
    Dataset.from_tensor_slices(sp).batch(2).map(lambda s: (batched.append(s.shape.as_list()),
                                                          s)[1])
    assert batched == [[None, 2]]
    assert [v.tolist() for v in _values(dense)] == [[1, 0], [0, 2], [3, 0]]


def _values(ds):
    nxt = ds.make_one_shot_iterator().get_next()
    with fg.Session() as sess:
        return drain(nxt, sess)
