"""Iterator semantics: end of sequence, (re)initialization, switching datasets, per-Session
state, feeds into initializers, handles, threads."""

import threading
import time

import numpy as np
import pytest

import flowgraph as fg
from flowgraph.data import Dataset, Iterator, make_initializable_iterator, make_one_shot_iterator
from tests.data.util import drain


def test_end_of_sequence_repeats():
    nxt = Dataset.range(2).make_one_shot_iterator().get_next()
    assert nxt.op.type == "IteratorGetNext" and nxt.op.name == "IteratorGetNext"
    with fg.Session() as sess:
        assert [sess.run(nxt), sess.run(nxt)] == [0, 1]
        for _ in range(2):
            with pytest.raises(fg.errors.OutOfRangeError, match="End of sequence"):
                sess.run(nxt)


def test_one_shot_iterator_state_is_per_session():
    nxt = make_one_shot_iterator(Dataset.range(3)).get_next()
    first, second = fg.Session(), fg.Session()
    try:
        assert first.run(nxt) == 0 and first.run(nxt) == 1
        assert second.run(nxt) == 0  # its own pass
        assert first.run(nxt) == 2
        assert second.run(nxt) == 1
    finally:
        first.close()
        second.close()


def test_uninitialized_iterator_names_it():
    it = Dataset.range(3).make_initializable_iterator()
    nxt = it.get_next()
    with fg.Session() as sess:
        with pytest.raises(fg.errors.FailedPreconditionError) as info:
            sess.run(nxt)
    message = str(info.value)
    assert "has not been initialized" in message and "'Iterator'" in message
    assert "test_iterators.py" in message  # where the iterator was created


def test_initializer_feeds_and_reinitialization():
    limit = fg.placeholder(fg.int64, [])
    values = fg.placeholder(fg.float32, [None])
    ds = Dataset.zip((Dataset.range(limit), Dataset.from_tensor_slices(values)))
    it = make_initializable_iterator(ds)
    assert it.initializer.type == "MakeIterator"
    nxt = it.get_next()
    with fg.Session() as sess:
        sess.run(it.initializer, {limit: 3, values: [1.0, 2.0, 3.0, 4.0]})
        assert [(int(a), float(b)) for a, b in drain(nxt, sess)] == [(0, 1.0), (1, 2.0),
                                                                      (2, 3.0)]
        sess.run(it.initializer, {limit: 10, values: [9.0]})
        assert [(int(a), float(b)) for a, b in drain(nxt, sess)] == [(0, 9.0)]
        sess.run(it.initializer, {limit: 2, values: [5.0, 6.0]})
        assert sess.run(nxt) == (0, 5.0)
        sess.run(it.initializer, {limit: 2, values: [7.0, 8.0]})  # restart mid-way
        assert sess.run(nxt) == (0, 7.0)


def test_from_structure_switches_between_datasets():
    train = Dataset.from_tensor_slices(np.arange(6, dtype=np.float32)).batch(4)
    valid = Dataset.from_tensor_slices(np.arange(100, 103, dtype=np.float32)).batch(4)
    it = Iterator.from_structure(train.output_types, train.output_shapes)
    assert it.output_types == fg.float32 and it.output_shapes.as_list() == [None]
    nxt = it.get_next()
    train_init, valid_init = it.make_initializer(train), it.make_initializer(valid)
    with pytest.raises(ValueError, match="does not have an initializer"):
        _ = it.initializer
    with fg.Session() as sess:
        for _ in range(2):
            sess.run(train_init)
            assert [b.tolist() for b in drain(nxt, sess)] == [[0, 1, 2, 3], [4, 5]]
            sess.run(valid_init)
            assert [b.tolist() for b in drain(nxt, sess)] == [[100, 101, 102]]


def test_make_initializer_checks_the_structure():
    it = Iterator.from_structure((fg.int64, fg.float32), ([], [None]))
    with pytest.raises(TypeError, match="Expected output types"):
        it.make_initializer(Dataset.zip((Dataset.range(2), Dataset.range(2))))
    with pytest.raises(TypeError, match="Expected output shapes compatible"):
        it.make_initializer(Dataset.from_tensors((np.int64(1), np.zeros((2, 2), np.float32))))
    with pytest.raises(ValueError, match="same nested structure"):  # TF1 nest: ValueError
        it.make_initializer(Dataset.range(2))
    fits = Dataset.from_tensors((np.int64(1), np.zeros([5], np.float32)))
    init = it.make_initializer(fits)
    nxt = it.get_next()
    with fg.Session() as sess:
        sess.run(init)
        assert sess.run(nxt)[1].tolist() == [0, 0, 0, 0, 0]


def test_one_shot_iterator_rejects_run_time_values():
    p = fg.placeholder(fg.int32, [None])
    with pytest.raises(ValueError, match="make_initializable_iterator"):
        Dataset.from_tensor_slices(p).make_one_shot_iterator()
    constant = fg.constant([4, 5]) + 1  # known when building: fine
    nxt = Dataset.from_tensor_slices(constant).make_one_shot_iterator().get_next()
    with fg.Session() as sess:
        assert drain(nxt, sess) == [5, 6]


def test_string_handles_select_the_iterator():
    training = Dataset.range(100, 200).make_one_shot_iterator()
    validation = Dataset.range(5).make_initializable_iterator()
    handle = fg.placeholder(fg.string, [])
    it = Iterator.from_string_handle(handle, training.output_types, training.output_shapes)
    nxt = it.get_next()
    with fg.Session() as sess:
        train_handle = sess.run(training.string_handle())
        valid_handle = sess.run(validation.string_handle())
        assert train_handle != valid_handle
        sess.run(validation.initializer)
        assert sess.run(nxt, {handle: train_handle}) == 100
        assert sess.run(nxt, {handle: valid_handle}) == 0
        assert sess.run(nxt, {handle: train_handle}) == 101
        assert sess.run(nxt, {handle: valid_handle}) == 1


def test_get_next_structure_names_and_shapes():
    ds = Dataset.from_tensor_slices({"img": np.zeros((4, 2, 3), np.float32),
                                     "label": np.arange(4)}).batch(2, drop_remainder=True)
    element = ds.make_one_shot_iterator().get_next(name="batch")
    assert set(element) == {"img", "label"}
    assert element["img"].shape.as_list() == [2, 2, 3]
    assert element["img"].op.name == "batch"
    with fg.Session() as sess:
        value = sess.run(element)
    assert value["img"].shape == (2, 2, 3) and value["label"].tolist() == [0, 1]


def test_get_next_from_several_threads_gives_each_element_once():
    nxt = Dataset.range(400).map(lambda x: x * 2).make_one_shot_iterator().get_next()
    seen, lock = [], threading.Lock()
    with fg.Session() as sess:
        def work():
            while True:
                try:
                    value = int(sess.run(nxt))
                except fg.errors.OutOfRangeError:
                    return
                with lock:
                    seen.append(value)

        threads = [threading.Thread(target=work) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert sorted(seen) == [2 * i for i in range(400)]


def _prefetch_threads():
    return [t for t in threading.enumerate() if t.name == "fg-data-prefetch"]


def test_closing_the_session_stops_prefetch_threads():
    before = len(_prefetch_threads())
    nxt = Dataset.range(10**9).prefetch(2).make_one_shot_iterator().get_next()
    sess = fg.Session()
    assert sess.run(nxt) == 0
    assert len(_prefetch_threads()) == before + 1
    sess.close()
    deadline = time.time() + 5
    while len(_prefetch_threads()) > before and time.time() < deadline:
        time.sleep(0.01)
    assert len(_prefetch_threads()) == before


def test_reinitializing_stops_the_previous_pass():
    before = len(_prefetch_threads())
    it = Dataset.range(10**9).prefetch(1).make_initializable_iterator()
    nxt = it.get_next()
    with fg.Session() as sess:
        for _ in range(3):
            sess.run(it.initializer)
            assert sess.run(nxt) == 0
        deadline = time.time() + 5
        while len(_prefetch_threads()) > before + 1 and time.time() < deadline:
            time.sleep(0.01)
        assert len(_prefetch_threads()) == before + 1


def test_errors_in_map_functions_name_the_node():
    ds = Dataset.from_tensor_slices(["1.5", "oops"]).map(
        lambda s: fg.string_to_number(s, name="parse"))
    nxt = ds.make_one_shot_iterator().get_next()
    with fg.Session() as sess:
        assert sess.run(nxt) == 1.5
        with pytest.raises(fg.errors.InvalidArgumentError) as info:
            sess.run(nxt)
    assert "parse" in str(info.value) and "test_iterators.py" in str(info.value)


def test_output_properties_of_iterators_and_helpers():
    ds = Dataset.zip((Dataset.range(2), Dataset.from_tensors("a").repeat()))
    it = ds.make_one_shot_iterator()
    from flowgraph import data
    assert data.get_output_types(it) == (fg.int64, fg.string)
    assert data.get_output_types(ds) == (fg.int64, fg.string)
    assert data.get_output_shapes(it) == (fg.TensorShape([]), fg.TensorShape([]))
    assert data.get_output_classes(it) == (fg.Tensor, fg.Tensor)
