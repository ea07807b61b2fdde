"""fg.train.Saver and the checkpoint-folder functions, as TF1's."""

import json
import logging
import os
import time

import numpy as np
import pytest

import flowgraph as fg
from flowgraph import errors
from flowgraph.train import checkpoint_management


def make_vars():
    w = fg.Variable(np.arange(6, dtype=np.float32).reshape(2, 3), name="w")
    b = fg.Variable(np.array([1, 2], dtype=np.int32), name="layer/b")
    return w, b


def initialized_session():
    sess = fg.Session()
    sess.run(fg.global_variables_initializer())
    return sess


# --------------------------------------------------------------------------- save / restore
def test_save_and_restore_into_a_fresh_session(tmp_path):
    w, b = make_vars()
    saver = fg.train.Saver()
    with initialized_session() as sess:
        sess.run(w.assign(w * 10))
        path = saver.save(sess, str(tmp_path / "model.ckpt"), write_meta_graph=False)
    assert path == str(tmp_path / "model.ckpt")
    assert sorted(os.listdir(tmp_path)) == ["checkpoint", "model.ckpt.data-00000-of-00001",
                                             "model.ckpt.index"]
    with fg.Session() as sess:  # no initializer run
        saver.restore(sess, path)
        got_w, got_b = sess.run([w, b])
    np.testing.assert_array_equal(got_w, np.arange(6).reshape(2, 3) * 10.0)
    assert got_w.dtype == np.float32
    np.testing.assert_array_equal(got_b, [1, 2])


def test_global_step_int_and_tensor(tmp_path):
    make_vars()
    step = fg.train.get_or_create_global_step()
    saver = fg.train.Saver()
    base = str(tmp_path / "model.ckpt")
    with initialized_session() as sess:
        assert saver.save(sess, base, global_step=1000, write_meta_graph=False) == \
            base + "-1000"
        sess.run(step.assign(42))
        assert saver.save(sess, base, global_step=step, write_meta_graph=False) == base + "-42"
        assert saver.save(sess, base, global_step="global_step:0",
                          write_meta_graph=False) == base + "-42"
        padded = fg.train.Saver(pad_step_number=True)
        assert padded.save(sess, base, global_step=7, write_meta_graph=False) == \
            base + "-00000007"
    reader = fg.train.NewCheckpointReader(base + "-42")
    assert reader.get_tensor("global_step") == 42


def test_state_file_is_tf1_text(tmp_path):
    make_vars()
    saver = fg.train.Saver(max_to_keep=2)
    base = str(tmp_path / "model.ckpt")
    with initialized_session() as sess:
        for step in (1, 2, 3):
            saver.save(sess, base, global_step=step, write_meta_graph=False)
    text = open(tmp_path / "checkpoint").read()
    assert text == (f'model_checkpoint_path: "{base}-3"\n'
                    f'all_model_checkpoint_paths: "{base}-2"\n'
                    f'all_model_checkpoint_paths: "{base}-3"\n')
    state = fg.train.get_checkpoint_state(str(tmp_path))
    assert state.model_checkpoint_path == base + "-3"
    assert state.all_model_checkpoint_paths == [base + "-2", base + "-3"]
    assert fg.train.latest_checkpoint(str(tmp_path)) == base + "-3"


def test_relative_paths(tmp_path, monkeypatch):
    make_vars()
    monkeypatch.chdir(tmp_path)
    os.mkdir("run")
    with initialized_session() as sess:
        assert fg.train.Saver().save(sess, "run/model", global_step=5,
                                     write_meta_graph=False) == "run/model-5"
        assert open("run/checkpoint").read() == ('model_checkpoint_path: "model-5"\n'
                                                 'all_model_checkpoint_paths: "model-5"\n')
        fg.train.Saver(save_relative_paths=True).save(
            sess, str(tmp_path / "run" / "abs"), write_meta_graph=False)
        assert open("run/checkpoint").read().startswith('model_checkpoint_path: "abs"\n')
        assert fg.train.Saver().save(sess, "top", write_meta_graph=False) == "top"
        assert os.path.exists("checkpoint")
    assert fg.train.latest_checkpoint("run") == os.path.join("run", "abs")
    assert fg.train.latest_checkpoint(".") == os.path.join(".", "top")


def test_max_to_keep_deletes_old_checkpoints(tmp_path):
    make_vars()
    saver = fg.train.Saver(max_to_keep=2)
    base = str(tmp_path / "m")
    with initialized_session() as sess:
        for step in range(4):
            saver.save(sess, base, global_step=step, write_meta_graph=False)
        assert saver.last_checkpoints == [base + "-2", base + "-3"]
        assert [fg.train.checkpoint_exists(f"{base}-{s}") for s in range(4)] == \
            [False, False, True, True]
        assert sorted(os.listdir(tmp_path)) == [
            "checkpoint", "m-2.data-00000-of-00001", "m-2.index", "m-3.data-00000-of-00001",
            "m-3.index"]
        # Saving an existing path again moves it to the end instead of adding it.
        saver.save(sess, base + "-2", write_meta_graph=False)
        assert saver.last_checkpoints == [base + "-3", base + "-2"]
        keep_all = fg.train.Saver(max_to_keep=None)
        for step in range(10, 14):
            keep_all.save(sess, base, global_step=step, write_meta_graph=False)
        assert keep_all.last_checkpoints == []
        assert all(fg.train.checkpoint_exists(f"{base}-{s}") for s in range(10, 14))


def test_keep_checkpoint_every_n_hours(tmp_path):
    make_vars()
    saver = fg.train.Saver(max_to_keep=1, keep_checkpoint_every_n_hours=0.5 / 3600)
    base = str(tmp_path / "m")
    with initialized_session() as sess:
        saver.save(sess, base, global_step=0, write_meta_graph=False)
        saver.save(sess, base, global_step=1, write_meta_graph=False)
        time.sleep(0.6)
        saver.save(sess, base, global_step=2, write_meta_graph=False)
        saver.save(sess, base, global_step=3, write_meta_graph=False)
    # 1 was made within the first 0.5 s: deleted; 2 was made later: kept beyond max_to_keep.
    assert [fg.train.checkpoint_exists(f"{base}-{s}") for s in range(4)] == \
        [False, False, True, True]
    assert saver.last_checkpoints == [base + "-3"]


def test_recover_last_checkpoints(tmp_path):
    make_vars()
    base = str(tmp_path / "m")
    with initialized_session() as sess:
        first = fg.train.Saver(max_to_keep=2)
        for step in range(2):
            first.save(sess, base, global_step=step, write_meta_graph=False)
        second = fg.train.Saver(max_to_keep=2)
        second.recover_last_checkpoints(
            fg.train.get_checkpoint_state(str(tmp_path)).all_model_checkpoint_paths +
            [base + "-99"])
        assert second.last_checkpoints == [base + "-0", base + "-1"]
        second.save(sess, base, global_step=2, write_meta_graph=False)
    assert not fg.train.checkpoint_exists(base + "-0")
    assert fg.train.get_checkpoint_state(str(tmp_path)).all_model_checkpoint_paths == \
        [base + "-1", base + "-2"]


def test_var_list_subset_and_dict_renaming(tmp_path):
    w, b = make_vars()
    with initialized_session() as sess:
        path = fg.train.Saver([w]).save(sess, str(tmp_path / "sub"), write_meta_graph=False)
        renamed = fg.train.Saver({"weights/kernel": w}).save(
            sess, str(tmp_path / "renamed"), write_meta_graph=False)
    assert fg.train.list_variables(path) == [("w", [2, 3])]
    assert fg.train.list_variables(renamed) == [("weights/kernel", [2, 3])]
    fg.reset_default_graph()
    other = fg.Variable(np.zeros((2, 3), np.float32), name="other")
    with fg.Session() as sess:
        fg.train.Saver({"weights/kernel": other}).restore(sess, renamed)
        np.testing.assert_array_equal(sess.run(other), np.arange(6).reshape(2, 3))


def test_var_list_errors():
    w, b = make_vars()
    with pytest.raises(ValueError, match="At least two variables have the same name: w"):
        fg.train.Saver([w, b, w])
    with pytest.raises(ValueError, match="same saveable will be restored with two names"):
        fg.train.Saver({"a": w, "b": w})
    with pytest.raises(TypeError, match="dict or a list"):
        fg.train.Saver(w)
    with pytest.raises(TypeError, match="Not a variable"):
        fg.train.Saver([w.value() * 2])
    with pytest.raises(ValueError, match="build cannot be deferred"):
        fg.train.Saver([w], defer_build=True)
    fg.reset_default_graph()
    with pytest.raises(ValueError, match="No variables to save"):
        fg.train.Saver()
    with pytest.raises(ValueError, match="No variables to save"):
        fg.train.Saver([])


def test_empty_saver(tmp_path):
    saver = fg.train.Saver(allow_empty=True)
    with fg.Session() as sess:
        assert saver.save(sess, str(tmp_path / "m"), write_meta_graph=False) is None
        saver.restore(sess, str(tmp_path / "m"))
    assert saver.as_saver_def() is None
    assert os.listdir(tmp_path) == []


def test_defer_build(tmp_path):
    saver = fg.train.Saver(defer_build=True)
    w = fg.Variable([1.0], name="late")
    with initialized_session() as sess:
        with pytest.raises(RuntimeError, match="build\\(\\)` should be called"):
            saver.save(sess, str(tmp_path / "m"), write_meta_graph=False)
        saver.build()
        path = saver.save(sess, str(tmp_path / "m"), write_meta_graph=False)
    assert fg.train.list_variables(path) == [("late", [1])]
    assert w.op.name == "late"


def test_restore_errors(tmp_path):
    w, b = make_vars()
    saver = fg.train.Saver([w])
    with initialized_session() as sess:
        path = saver.save(sess, str(tmp_path / "m"), write_meta_graph=False)
    fg.reset_default_graph()
    fg.Variable(np.zeros((2, 3), np.float32), name="W")
    with fg.Session() as sess:
        with pytest.raises(errors.NotFoundError) as info:
            fg.train.Saver().restore(sess, path)
        assert "Key W not found in checkpoint" in str(info.value)
        assert "close matches in the checkpoint: w" in str(info.value)
    fg.reset_default_graph()
    fg.Variable(np.zeros((3, 2), np.float32), name="w")
    with fg.Session() as sess:
        with pytest.raises(errors.InvalidArgumentError,
                           match=r"lhs shape= \(3, 2\).*rhs shape= \[2, 3\]"):
            fg.train.Saver().restore(sess, path)
    fg.reset_default_graph()
    fg.Variable(np.zeros((2, 3), np.float64), name="w")
    with fg.Session() as sess:
        with pytest.raises(errors.InvalidArgumentError,
                           match="expected dtype float64.*original dtype float32"):
            fg.train.Saver().restore(sess, path)
        with pytest.raises(ValueError, match="Can't load save_path when it is None."):
            fg.train.Saver().restore(sess, None)
        with pytest.raises(ValueError, match="The passed save_path is not a valid checkpoint: "):
            fg.train.Saver().restore(sess, str(tmp_path / "missing"))


def test_restore_with_reshape(tmp_path):
    w, _ = make_vars()
    with initialized_session() as sess:
        path = fg.train.Saver([w]).save(sess, str(tmp_path / "m"), write_meta_graph=False)
    fg.reset_default_graph()
    w = fg.Variable(np.zeros((3, 2), np.float32), name="w")
    with fg.Session() as sess:
        fg.train.Saver(reshape=True).restore(sess, path)
        np.testing.assert_array_equal(sess.run(w), np.arange(6).reshape(3, 2))


def test_save_errors(tmp_path):
    w, b = make_vars()
    saver = fg.train.Saver()
    with fg.Session() as sess:
        with pytest.raises(errors.FailedPreconditionError, match="uninitialized value layer/b"):
            saver.save(sess, str(tmp_path / "m"))
        sess.run(fg.global_variables_initializer())
        # As TF1's V2 checkpoints: a missing folder is created.
        saved = saver.save(sess, str(tmp_path / "no" / "such" / "m"), write_meta_graph=False)
        assert fg.train.checkpoint_exists(saved)
        with pytest.raises(ValueError, match="must not contain path components"):
            saver.save(sess, str(tmp_path / "m"), latest_filename="a/b")
        with pytest.raises(ValueError, match="collides with 'save_path'"):
            saver.save(sess, str(tmp_path / "checkpoint"))
        with pytest.raises(TypeError, match="'sess' must be a Session"):
            saver.save("not a session", str(tmp_path / "m"))
    with pytest.raises(RuntimeError, match="closed Session"):
        saver.save(sess, str(tmp_path / "m"))
    with fg.Graph().as_default():
        with fg.Session() as other:
            with pytest.raises(ValueError, match="another graph"):
                saver.save(other, str(tmp_path / "m"))
    assert not os.path.exists(tmp_path / "checkpoint")


def test_optimizer_slots_round_trip(tmp_path):
    """Training resumed from a checkpoint continues exactly as uninterrupted training."""
    x = fg.constant([[1.0, 2.0], [3.0, -1.0]])
    w = fg.Variable([[0.5], [-0.3]], name="w")
    loss = fg.reduce_sum(fg.square(fg.matmul(x, w) - 1.0))
    step = fg.train.get_or_create_global_step()
    train = fg.train.AdamOptimizer(0.1).minimize(loss, global_step=step)
    saver = fg.train.Saver()
    with initialized_session() as sess:
        for _ in range(3):
            sess.run(train)
        path = saver.save(sess, str(tmp_path / "m"), global_step=step, write_meta_graph=False)
        for _ in range(3):
            sess.run(train)
        expected = sess.run(w)
    assert path.endswith("m-3")
    assert {name for name, _ in fg.train.list_variables(path)} == {
        "w", "w/Adam", "w/Adam_1", "beta1_power", "beta2_power", "global_step"}
    with fg.Session() as sess:
        saver.restore(sess, fg.train.latest_checkpoint(str(tmp_path)))
        for _ in range(3):
            sess.run(train)
        np.testing.assert_array_equal(sess.run(w), expected)
        assert sess.run(step) == 6


# --------------------------------------------------------------------------- saver_def
def test_saver_def_round_trip_through_json(tmp_path):
    w, b = make_vars()
    saver = fg.train.Saver({"kernel": w, "bias": b}, max_to_keep=3)
    saver_def = saver.as_saver_def()
    assert saver_def.max_to_keep == 3 and saver_def["version"] == fg.train.SaverDef.V2
    assert saver_def["restore_op_name"] == "save/restore_all"
    assert saver_def["variables"] == [["bias", "layer/b"], ["kernel", "w"]]
    with initialized_session() as sess:
        path = saver.save(sess, str(tmp_path / "m"), write_meta_graph=False)
    saver_def = json.loads(json.dumps(saver_def))
    fg.reset_default_graph()
    with fg.name_scope("imported"):
        w2, b2 = make_vars()
    rebuilt = fg.train.Saver.from_proto(saver_def, import_scope="imported")
    assert rebuilt.to_proto(export_scope="imported")["variables"] == saver_def["variables"]
    with fg.Session() as sess:
        rebuilt.restore(sess, path)
        np.testing.assert_array_equal(sess.run(b2), [1, 2])
    with pytest.raises(ValueError, match="not a Variable of the graph"):
        fg.train.Saver(saver_def=saver_def)
    with pytest.raises(ValueError, match="saver_def must be a SaverDef"):
        fg.train.Saver(saver_def="save/restore_all")
    with pytest.raises(ValueError, match="invalid entry"):
        fg.train.Saver(saver_def=dict(saver_def, variables=[["a", 3]]))
    with pytest.raises(ValueError, match="lists a variable twice"):
        fg.train.Saver(saver_def=dict(saver_def, variables=[["a", "w"], ["b", "w"]]))


def test_meta_graph_is_written_with_the_checkpoint(tmp_path):
    meta_graph = pytest.importorskip("flowgraph.io.meta_graph")
    make_vars()
    saver = fg.train.Saver()
    with initialized_session() as sess:
        path = saver.save(sess, str(tmp_path / "model.ckpt"), global_step=1)
    assert os.path.exists(path + ".meta")
    fg.reset_default_graph()
    restored_saver = meta_graph.import_meta_graph(path + ".meta")
    with fg.Session() as sess:
        restored_saver.restore(sess, path)
        np.testing.assert_array_equal(sess.run("layer/b:0"), [1, 2])


# --------------------------------------------------------------------------- state file
def test_get_checkpoint_state_reads_tf1_files(tmp_path):
    (tmp_path / "checkpoint").write_text(
        '# written by TensorFlow\n'
        'model_checkpoint_path: "model.ckpt-20"\n'
        "all_model_checkpoint_paths: 'model.ckpt-10'\n"
        'all_model_checkpoint_paths: "model.ckpt-20"\n'
        'all_model_checkpoint_timestamps: 1577836800.5\n'
        'all_model_checkpoint_timestamps: 1577836900\n'
        'last_preserved_timestamp: 1577836000.25\n')
    state = fg.train.get_checkpoint_state(str(tmp_path))
    assert state.model_checkpoint_path == os.path.join(str(tmp_path), "model.ckpt-20")
    assert state.all_model_checkpoint_paths[0] == os.path.join(str(tmp_path), "model.ckpt-10")
    assert state.all_model_checkpoint_timestamps == [1577836800.5, 1577836900.0]
    assert state.last_preserved_timestamp == 1577836000.25
    # The files do not exist: no latest checkpoint.
    assert fg.train.latest_checkpoint(str(tmp_path)) is None


@pytest.mark.parametrize("text", [
    'model_checkpoint_path: "../elsewhere/model"\n',
    'model_checkpoint_path: "model"\nall_model_checkpoint_paths: "a/../../x"\n',
    'model_checkpoint_path: "model"\nunknown_field: "x"\n',
    'model_checkpoint_path: model\n',
    'model_checkpoint_path: "model" trailing\n',
    'model_checkpoint_path: "unterminated\n',
    'model_checkpoint_path: "bad \\q escape"\n',
    'model_checkpoint_path: "nul\\000"\n',
    'last_preserved_timestamp: nan\nmodel_checkpoint_path: "m"\n',
    '\xff\xfe',
])
def test_invalid_state_files_are_ignored_with_a_warning(tmp_path, text, caplog):
    (tmp_path / "checkpoint").write_bytes(text.encode("latin-1"))
    with caplog.at_level(logging.WARNING):
        assert fg.train.get_checkpoint_state(str(tmp_path)) is None
    assert "Checkpoint ignored" in caplog.text


def test_state_without_model_path_is_value_error(tmp_path):
    (tmp_path / "checkpoint").write_text('all_model_checkpoint_paths: "a"\n')
    with pytest.raises(ValueError, match="Invalid checkpoint state loaded from"):
        fg.train.get_checkpoint_state(str(tmp_path))
    assert fg.train.get_checkpoint_state(str(tmp_path / "missing")) is None


def test_state_file_is_read_with_no_more_memory_than_it_holds(tmp_path):
    import tracemalloc
    (tmp_path / "checkpoint").write_text('model_checkpoint_path: "model.ckpt-1"\n')
    tracemalloc.start()
    try:
        state = fg.train.get_checkpoint_state(str(tmp_path))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert state.model_checkpoint_path == os.path.join(str(tmp_path), "model.ckpt-1")
    # A read of MAX_STATE_BYTES (16 MiB) would show up here even for this one-line file.
    assert peak < 1 << 20


def test_oversized_state_file_is_ignored_without_reading_it(tmp_path, caplog, monkeypatch):
    from flowgraph.train import checkpoint_state
    path = tmp_path / "checkpoint"
    path.write_text('model_checkpoint_path: "model.ckpt-1"\n')
    with open(path, "r+b") as handle:  # sparse: no 16 MiB written to disk
        handle.truncate(checkpoint_state.MAX_STATE_BYTES + 1)
    monkeypatch.setattr(checkpoint_state.CheckpointState, "from_text",
                        lambda text: pytest.fail("an oversized file was parsed"))
    with caplog.at_level(logging.WARNING):
        assert fg.train.get_checkpoint_state(str(tmp_path)) is None
    assert "longer than" in caplog.text and "Checkpoint ignored" in caplog.text


def test_checkpoint_state_text_round_trip():
    state = fg.train.CheckpointState(model_checkpoint_path='dir "x"\\ü\n',
                                     all_model_checkpoint_paths=["a", 'dir "x"\\ü\n'])
    text = str(state)
    assert text.splitlines()[0] == 'model_checkpoint_path: "dir \\"x\\"\\\\\\303\\274\\n"'
    assert fg.train.CheckpointState.from_text(text) == state
    assert fg.train.CheckpointState.from_text(text).model_checkpoint_path == 'dir "x"\\ü\n'


def test_generate_and_update_checkpoint_state(tmp_path, monkeypatch):
    state = fg.train.generate_checkpoint_state_proto("run", "run/m-2", ["run/m-1"])
    assert state.model_checkpoint_path == "m-2"
    assert state.all_model_checkpoint_paths == ["m-1", "m-2"]
    state = fg.train.generate_checkpoint_state_proto("/abs", "/abs/m-2")
    assert state.all_model_checkpoint_paths == ["/abs/m-2"]
    with pytest.raises(ValueError, match="timestamps, if provided, must match"):
        fg.train.generate_checkpoint_state_proto("/abs", "/abs/m", ["/abs/m"], [1.0, 2.0])
    fg.train.update_checkpoint_state(str(tmp_path), str(tmp_path / "m-7"),
                                     latest_filename="latest")
    assert open(tmp_path / "latest").read().startswith(
        f'model_checkpoint_path: "{tmp_path / "m-7"}"')
    with pytest.raises(RuntimeError, match="conflicts with path used for checkpoint state"):
        fg.train.update_checkpoint_state(str(tmp_path), str(tmp_path / "checkpoint"))


def test_checkpoint_files_functions(tmp_path):
    make_vars()
    with initialized_session() as sess:
        path = fg.train.Saver().save(sess, str(tmp_path / "m"), write_meta_graph=False)
    assert fg.train.checkpoint_exists(path)
    assert not fg.train.checkpoint_exists(path + "x")
    (mtime,) = fg.train.get_checkpoint_mtimes([path, path + "x"])
    assert abs(mtime - time.time()) < 60
    assert fg.train.load_variable(str(tmp_path), "layer/b:0").tolist() == [1, 2]
    assert fg.train.load_checkpoint(str(tmp_path)).has_tensor("w")
    assert checkpoint_management.meta_graph_filename("a/m-5-00001-of-00002") == "a/m-5.meta"
    fg.train.remove_checkpoint(path)
    assert os.listdir(tmp_path) == ["checkpoint"]
    with pytest.raises(ValueError, match="Couldn't find 'checkpoint' file or checkpoints"):
        fg.train.list_variables(str(tmp_path))
