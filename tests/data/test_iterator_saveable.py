"""fg.data.experimental.make_saveable_from_iterator: a Saver checkpoint holds an iterator's
position, and restoring it (in a new graph and Session) continues from there. Expected
elements are worked out in plain Python from the datasets' definitions."""

import json

import numpy as np
import pytest

import flowgraph as fg

D = fg.data.Dataset
E = fg.data.experimental


def _build(make_dataset, initializable=False, collection=True):
    graph = fg.Graph()
    with graph.as_default():
        ds = make_dataset()
        it = ds.make_initializable_iterator() if initializable else \
            fg.data.make_one_shot_iterator(ds)
        saveable = E.make_saveable_from_iterator(it)
        if collection:
            fg.add_to_collection(fg.GraphKeys.SAVEABLE_OBJECTS, saveable)
            saver = fg.train.Saver()
        else:
            saver = fg.train.Saver([saveable])
        nxt = it.get_next()
    return graph, it, nxt, saver, saveable


def _value(v):
    v = np.asarray(v)
    return v.tolist() if v.ndim else v.item()


def _save_after(make_dataset, k, path, initializable=False, more=0):
    graph, it, nxt, saver, _ = _build(make_dataset, initializable)
    with fg.Session(graph=graph) as sess:
        if initializable:
            sess.run(it.initializer)
        first = [_value(sess.run(nxt)) for _ in range(k)]
        prefix = saver.save(sess, str(path / "model.ckpt"), write_meta_graph=False)
        after = [_value(sess.run(nxt)) for _ in range(more)]
    return first, prefix, after


def _restore_and_take(make_dataset, prefix, n, initializable=False):
    graph, it, nxt, saver, _ = _build(make_dataset, initializable)
    with fg.Session(graph=graph) as sess:
        if initializable:
            sess.run(it.initializer)
        saver.restore(sess, prefix)
        out = []
        for _ in range(n):
            try:
                out.append(_value(sess.run(nxt)))
            except fg.errors.OutOfRangeError:
                out.append("end")
                break
    return out


@pytest.mark.parametrize("initializable", [False, True])
def test_range_continues_after_restore(tmp_path, initializable):
    first, prefix, _ = _save_after(lambda: D.range(10), 3, tmp_path, initializable)
    assert first == [0, 1, 2]
    rest = _restore_and_take(lambda: D.range(10), prefix, 20, initializable)
    assert rest == [3, 4, 5, 6, 7, 8, 9, "end"]


def test_checkpoint_key_is_tf1s(tmp_path):
    # TF1: the saveable is named after the iterator tensor, its entry is NAME + "_STATE"
    _, _, _, _, saveable = _build(lambda: D.range(3))
    assert saveable.name == "OneShotIterator:0"
    _, prefix, _ = _save_after(lambda: D.range(3), 1, tmp_path)
    names = [name for name, _ in fg.train.list_variables(prefix)]
    assert names == ["OneShotIterator:0_STATE"]
    state = json.loads(np.asarray(fg.train.load_variable(prefix, "OneShotIterator:0_STATE")).item())
    assert state["consumed"] == 1


def _pipeline():
    return (D.range(20).map(lambda x: x * 2, num_parallel_calls=2)
            .filter(lambda x: fg.not_equal(x % 3, 0)).batch(3).repeat(2)
            .skip(1).take(9).prefetch(2))


def _pipeline_expected():
    kept = [x * 2 for x in range(20) if (x * 2) % 3 != 0]
    batches = [kept[i:i + 3] for i in range(0, len(kept), 3)]
    return (batches * 2)[1:10]


def test_deterministic_pipeline_continues(tmp_path):
    expected = _pipeline_expected()
    first, prefix, _ = _save_after(_pipeline, 4, tmp_path)
    assert first == expected[:4]
    assert _restore_and_take(_pipeline, prefix, 20) == expected[4:] + ["end"]


def _shuffled():
    # unseeded shuffle: the order drawn before saving must be replayed after restoring
    return D.range(30).shuffle(7).map(lambda x: x + 100).batch(4).repeat(2)


def test_unseeded_shuffle_continues_in_the_same_order(tmp_path):
    first, prefix, after = _save_after(_shuffled, 5, tmp_path, more=11)
    rest = _restore_and_take(_shuffled, prefix, 11)
    assert rest == after
    # and the whole is two epochs of a permutation of 100..129
    flat = [x for batch in first + after for x in batch]
    assert sorted(flat[:30]) == list(range(100, 130))
    assert sorted(flat[30:]) == list(range(100, 130))


def test_seeded_shuffle_restores_position(tmp_path):
    def make():
        return D.from_tensor_slices(np.arange(12)).shuffle(5, seed=3).take(10)
    first, prefix, after = _save_after(make, 6, tmp_path, more=4)
    assert _restore_and_take(make, prefix, 5) == after + ["end"]
    assert len(set(first + after)) == 10


def test_text_line_files_continue(tmp_path):
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_text("a0\na1\na2\n")
    b.write_text("b0\nb1\n")

    def make():
        return fg.data.TextLineDataset([str(a), str(b)])
    first, prefix, _ = _save_after(make, 4, tmp_path)
    assert first == [b"a0", b"a1", b"a2", b"b0"]
    assert _restore_and_take(make, prefix, 5) == [b"b1", "end"]


def test_tfrecord_files_continue(tmp_path):
    path = str(tmp_path / "r.tfrecord")
    with fg.python_io.TFRecordWriter(path) as writer:
        for i in range(5):
            writer.write(b"record%d" % i)

    def make():
        return fg.data.TFRecordDataset(path)
    first, prefix, _ = _save_after(make, 2, tmp_path, initializable=True)
    assert first == [b"record0", b"record1"]
    assert _restore_and_take(make, prefix, 9, initializable=True) == \
        [b"record2", b"record3", b"record4", "end"]


def test_exhausted_iterator_stays_exhausted(tmp_path):
    graph, _, nxt, saver, _ = _build(lambda: D.range(2))
    with fg.Session(graph=graph) as sess:
        assert [_value(sess.run(nxt)) for _ in range(2)] == [0, 1]
        with pytest.raises(fg.errors.OutOfRangeError):
            sess.run(nxt)
        prefix = saver.save(sess, str(tmp_path / "m"), write_meta_graph=False)
    assert _restore_and_take(lambda: D.range(2), prefix, 3) == ["end"]


def test_variables_and_iterator_in_one_checkpoint(tmp_path):
    def build():
        graph = fg.Graph()
        with graph.as_default():
            v = fg.Variable(5.0, name="v")
            it = fg.data.make_one_shot_iterator(D.range(6))
            saver = fg.train.Saver([v, E.make_saveable_from_iterator(it)])
            nxt = it.get_next()
            assign = v.assign(7.0)
        return graph, v, nxt, saver, assign
    graph, v, nxt, saver, assign = build()
    with fg.Session(graph=graph) as sess:
        sess.run(v.initializer)
        sess.run(assign)
        sess.run(nxt)
        sess.run(nxt)
        prefix = saver.save(sess, str(tmp_path / "m"), write_meta_graph=False)
    graph, v, nxt, saver, _ = build()
    with fg.Session(graph=graph) as sess:
        saver.restore(sess, prefix)
        assert sess.run(v) == 7.0
        assert sess.run(nxt) == 2
    # a Saver rebuilt from the SaverDef restores the iterator too
    graph, v, nxt, saver, _ = build()
    with graph.as_default():
        rebuilt = fg.train.Saver(saver_def=saver.as_saver_def())
    with fg.Session(graph=graph) as sess:
        rebuilt.restore(sess, prefix)
        assert sess.run(nxt) == 2


def test_generator_dataset_cannot_be_saved(tmp_path):
    def make():
        return D.from_generator(lambda: iter(range(3)), fg.int64)
    graph, _, nxt, saver, _ = _build(make)
    with fg.Session(graph=graph) as sess:
        sess.run(nxt)
        with pytest.raises(fg.errors.FailedPreconditionError,
                           match="GeneratorDataset does not support checkpointing"):
            saver.save(sess, str(tmp_path / "m"), write_meta_graph=False)


def test_restore_into_another_dataset_fails(tmp_path):
    _, prefix, _ = _save_after(lambda: D.range(10), 3, tmp_path)
    with pytest.raises(fg.errors.InvalidArgumentError, match="another dataset"):
        _restore_and_take(lambda: D.range(11), prefix, 1)


def test_uninitialized_iterator_errors(tmp_path):
    graph, _, _, saver, _ = _build(lambda: D.range(3), initializable=True)
    with fg.Session(graph=graph) as sess:
        with pytest.raises(fg.errors.FailedPreconditionError, match="Run its initializer"):
            saver.save(sess, str(tmp_path / "m"), write_meta_graph=False)


def test_bad_arguments():
    with pytest.raises(TypeError, match="fg.data.Iterator"):
        E.make_saveable_from_iterator(D.range(3))
    with fg.Graph().as_default():
        it = fg.data.make_one_shot_iterator(D.range(3))
        with pytest.raises(ValueError, match="external_state_policy"):
            E.make_saveable_from_iterator(it, external_state_policy="sometimes")
