"""fg.train.Checkpoint / CheckpointManager: TF 1.15 object-based checkpoints in graph mode.

Expected keys, paths and assertion outcomes were produced with TensorFlow
(tf.compat.v1, graph mode) and are hard-coded here.
"""

import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import flowgraph as fg


class Dense(fg.Module):
    def __init__(self, n, name=None):
        super().__init__(name=name)
        with self.name_scope:
            self.w = fg.Variable(np.arange(2 * n, dtype=np.float32).reshape(2, n), name="w")
            self.b = fg.Variable(np.zeros((n,), np.float32), name="b", trainable=False)


class Net(fg.Module):
    def __init__(self):
        super().__init__()
        with self.name_scope:
            self.layers = [Dense(3), Dense(1, name="out")]
            self.d = {"z": fg.Variable(1.0, name="z")}


def _build():
    net = Net()
    x = fg.constant(np.ones((1, 2), np.float32))
    loss = fg.reduce_sum(fg.matmul(x, net.layers[0].w))
    step = fg.train.get_or_create_global_step()
    opt = fg.train.AdamOptimizer(0.1)
    train = opt.minimize(loss, global_step=step)
    ckpt = fg.train.Checkpoint(model=net, optimizer=opt, step=step)
    return net, opt, step, train, ckpt


# Keys listed by tf.train.list_variables for the same program saved by TF.
TF_KEYS = [
    "_CHECKPOINTABLE_OBJECT_GRAPH",
    "model/d/z/.ATTRIBUTES/VARIABLE_VALUE",
    "model/layers/0/b/.ATTRIBUTES/VARIABLE_VALUE",
    "model/layers/0/w/.ATTRIBUTES/VARIABLE_VALUE",
    "model/layers/0/w/.OPTIMIZER_SLOT/optimizer/m/.ATTRIBUTES/VARIABLE_VALUE",
    "model/layers/0/w/.OPTIMIZER_SLOT/optimizer/v/.ATTRIBUTES/VARIABLE_VALUE",
    "model/layers/1/b/.ATTRIBUTES/VARIABLE_VALUE",
    "model/layers/1/w/.ATTRIBUTES/VARIABLE_VALUE",
    "optimizer/beta1_power/.ATTRIBUTES/VARIABLE_VALUE",
    "optimizer/beta2_power/.ATTRIBUTES/VARIABLE_VALUE",
    "save_counter/.ATTRIBUTES/VARIABLE_VALUE",
    "step/.ATTRIBUTES/VARIABLE_VALUE",
]


def test_keys_paths_and_state_file_match_tf(tmp_path):
    with fg.Graph().as_default():
        *_, train, ckpt = _build()
        with fg.Session() as sess:
            sess.run(fg.global_variables_initializer())
            sess.run(train)
            first = ckpt.save(str(tmp_path / "x"), session=sess)
            second = ckpt.save(str(tmp_path / "x"), session=sess)
            assert sess.run(ckpt.save_counter) == 2
    assert first == str(tmp_path / "x-1")
    assert second == str(tmp_path / "x-2")
    names = [name for name, _ in fg.train.list_variables(str(tmp_path))]
    assert names == TF_KEYS
    shapes = dict(fg.train.list_variables(str(tmp_path)))
    assert shapes["model/layers/0/w/.OPTIMIZER_SLOT/optimizer/m/.ATTRIBUTES/VARIABLE_VALUE"] \
        == [2, 3]
    assert shapes["save_counter/.ATTRIBUTES/VARIABLE_VALUE"] == []
    state = (tmp_path / "checkpoint").read_text()
    assert 'model_checkpoint_path: "x-2"' in state
    assert 'all_model_checkpoint_paths: "x-2"' in state
    assert fg.train.latest_checkpoint(str(tmp_path)) == second


def test_round_trip_into_new_graph(tmp_path):
    with fg.Graph().as_default():
        net, opt, step, train, ckpt = _build()
        with fg.Session() as sess:
            sess.run(fg.global_variables_initializer())
            sess.run(train)
            sess.run(net.d["z"].assign(7.5))
            w0 = net.layers[0].w
            expected = sess.run({"w": w0, "m": opt.get_slot(w0, "m"),
                                 "v": opt.get_slot(w0, "v"), "step": step, "z": net.d["z"]})
            path = ckpt.save(str(tmp_path / "ckpt"), session=sess)
    # Independent check of the trained value: Adam's first step moves each weight by -lr.
    np.testing.assert_allclose(expected["w"], np.arange(6).reshape(2, 3) - 0.1, rtol=1e-5)
    with fg.Graph().as_default():
        net, opt, step, train, ckpt = _build()
        status = ckpt.restore(path)
        status.assert_consumed()
        status.assert_existing_objects_matched()
        status.assert_nontrivial_match()
        with fg.Session() as sess:
            status.run_restore_ops(sess)
            w0 = net.layers[0].w
            got = sess.run({"w": w0, "m": opt.get_slot(w0, "m"), "v": opt.get_slot(w0, "v"),
                            "step": step, "z": net.d["z"]})
            for key in expected:
                np.testing.assert_array_equal(got[key], expected[key])
            assert sess.run(ckpt.save_counter) == 1
            # Counting goes on from the restored counter, as TF's.
            assert ckpt.save(str(tmp_path / "ckpt"), session=sess) == str(tmp_path / "ckpt-2")


def test_default_session_and_write(tmp_path):
    with fg.Graph().as_default():
        v = fg.Variable([1.0, 2.0], name="v")
        ckpt = fg.train.Checkpoint(a=v)
        sess = fg.Session()
        with sess.as_default():
            sess.run(v.initializer)
            path = ckpt.write(str(tmp_path / "plain"))
        sess.close()
        with pytest.raises(ValueError, match="needs a Session"):
            ckpt.save(str(tmp_path / "x"))
    assert path == str(tmp_path / "plain")
    names = [name for name, _ in fg.train.list_variables(path)]
    # write() does not create or store the save counter.
    assert names == ["_CHECKPOINTABLE_OBJECT_GRAPH", "a/.ATTRIBUTES/VARIABLE_VALUE"]
    assert not (tmp_path / "checkpoint").exists()


def _save_a(tmp_path):
    with fg.Graph().as_default():
        v = fg.Variable([1.0, 2.0], name="v")
        ckpt = fg.train.Checkpoint(a=v)
        with fg.Session() as sess:
            sess.run(v.initializer)
            return ckpt.save(str(tmp_path / "y"), session=sess)


def test_status_assertions_as_tf(tmp_path):
    path = _save_a(tmp_path)
    with fg.Graph().as_default():
        w = fg.Variable([0.0, 0.0], name="w")
        status = fg.train.Checkpoint(b=w).restore(path)
        status.assert_nontrivial_match()  # the save counter matched, as in TF
        with pytest.raises(AssertionError, match="Found 1 Python objects that were not bound"):
            status.assert_existing_objects_matched()
        with pytest.raises(AssertionError, match="not bound"):
            status.assert_consumed()
    with fg.Graph().as_default():
        w = fg.Variable([0.0, 0.0], name="w")
        u = fg.Variable(3.0, name="u")
        ckpt = fg.train.Checkpoint(a=w, c=u)
        status = ckpt.restore(path)
        with pytest.raises(AssertionError, match="not bound"):
            status.assert_existing_objects_matched()
        assert status.expect_partial() is status
        with fg.Session() as sess:
            status.initialize_or_restore(sess)
            # TF gives [1, 2], 3.0 (initialized) and save_counter 1.
            np.testing.assert_array_equal(sess.run(w), [1.0, 2.0])
            assert sess.run(u) == 3.0
            assert sess.run(ckpt.save_counter) == 1
            assert ckpt.save(str(tmp_path / "y"), session=sess) == str(tmp_path / "y-2")
    with fg.Graph().as_default():
        w = fg.Variable([0.0, 0.0], name="w")
        ckpt = fg.train.Checkpoint(a=w)
        assert ckpt.restore(path).assert_consumed() is not None
        with pytest.raises(AssertionError, match=r"No checkpoint specified \(save_path=None\)"):
            ckpt.restore(None).assert_consumed()


def test_unresolved_checkpoint_object_fails_consumed(tmp_path):
    with fg.Graph().as_default():
        a = fg.Variable(1.0, name="a")
        b = fg.Variable(2.0, name="b")
        ckpt = fg.train.Checkpoint(a=a, b=b)
        with fg.Session() as sess:
            sess.run(fg.global_variables_initializer())
            path = ckpt.save(str(tmp_path / "p"), session=sess)
    with fg.Graph().as_default():
        a = fg.Variable(0.0, name="a")
        status = fg.train.Checkpoint(a=a).restore(path)
        status.assert_existing_objects_matched()
        with pytest.raises(AssertionError, match="Unresolved object in checkpoint b/"):
            status.assert_consumed()
        with fg.Session() as sess:
            status.run_restore_ops(sess)
            assert sess.run(a) == 1.0


def test_errors(tmp_path):
    path = _save_a(tmp_path)
    with fg.Graph().as_default():
        with pytest.raises(ValueError, match="was expecting a trackable object"):
            fg.train.Checkpoint(q=3)
        with pytest.raises(fg.errors.NotFoundError, match="Failed to find any matching files"):
            fg.train.Checkpoint(a=fg.Variable(1.0)).restore(str(tmp_path / "nope-3"))
        w3 = fg.Variable([0.0, 0.0, 0.0], name="w3")
        status = fg.train.Checkpoint(a=w3).restore(path)
        with fg.Session() as sess:
            sess.run(w3.initializer)
            with pytest.raises(fg.errors.InvalidArgumentError, match=r"shape \(3,\)|\[3\]"):
                status.run_restore_ops(sess)
            np.testing.assert_array_equal(sess.run(w3), [0.0, 0.0, 0.0])
        uninit = fg.Variable(1.0, name="uninit")
        with fg.Session() as sess, pytest.raises(fg.errors.FailedPreconditionError):
            fg.train.Checkpoint(u=uninit).save(str(tmp_path / "u"), session=sess)


def test_slot_created_after_restore_is_restored(tmp_path):
    """Deferred restoration: slots made after restore() get their checkpoint values."""
    with fg.Graph().as_default():
        *_, train, ckpt = _build()
        with fg.Session() as sess:
            sess.run(fg.global_variables_initializer())
            sess.run(train)
            m_saved = sess.run(ckpt.optimizer.get_slot(ckpt.model.layers[0].w, "m"))
            path = ckpt.save(str(tmp_path / "c"), session=sess)
    with fg.Graph().as_default():
        net = Net()
        opt = fg.train.AdamOptimizer(0.1)
        step = fg.train.get_or_create_global_step()
        ckpt = fg.train.Checkpoint(model=net, optimizer=opt, step=step)
        status = ckpt.restore(path)
        with pytest.raises(AssertionError, match="Unresolved object"):
            status.assert_consumed()  # no slots yet
        x = fg.constant(np.ones((1, 2), np.float32))
        opt.minimize(fg.reduce_sum(fg.matmul(x, net.layers[0].w)), global_step=step)
        status.assert_consumed()
        with fg.Session() as sess:
            status.run_restore_ops(sess)
            np.testing.assert_array_equal(sess.run(opt.get_slot(net.layers[0].w, "m")),
                                          m_saved)


def test_restore_in_fresh_process(tmp_path):
    script = textwrap.dedent(f"""
        import numpy as np
        import flowgraph as fg
        v = fg.Variable(np.zeros((2, 2), np.float32), name="kernel")
        s = fg.Variable(0, dtype=fg.int64, name="steps")
        ckpt = fg.train.Checkpoint(net=fg.Module(), kernel=v, steps=s)
        with fg.Session() as sess:
            sess.run(fg.global_variables_initializer())
            sess.run(v.assign([[1.5, -2.0], [3.25, 4.0]]))
            sess.run(s.assign(41))
            print(ckpt.save({str(tmp_path / 'proc')!r}, session=sess))
        """)
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         timeout=300, cwd=os.getcwd())
    assert out.returncode == 0, out.stderr
    path = out.stdout.strip().splitlines()[-1]
    assert path == str(tmp_path / "proc-1")
    with fg.Graph().as_default():
        v = fg.Variable(np.zeros((2, 2), np.float32), name="other_name")
        s = fg.Variable(0, dtype=fg.int64, name="s")
        ckpt = fg.train.Checkpoint(kernel=v, steps=s)
        status = ckpt.restore(fg.train.latest_checkpoint(str(tmp_path)))
        status.assert_existing_objects_matched()
        with fg.Session() as sess:
            status.initialize_or_restore(sess)
            np.testing.assert_array_equal(sess.run(v), [[1.5, -2.0], [3.25, 4.0]])
            assert sess.run(s) == 41


def test_name_based_checkpoint_restore(tmp_path):
    with fg.Graph().as_default():
        v = fg.Variable([3.0, 4.0], name="v")
        with fg.Session() as sess:
            sess.run(v.initializer)
            path = fg.train.Saver().save(sess, str(tmp_path / "saver"))
    with fg.Graph().as_default():
        v = fg.Variable([0.0, 0.0], name="v")
        other = fg.Variable(5.0, name="other")
        status = fg.train.Checkpoint(a=v, b=other).restore(path)
        with pytest.raises(AssertionError, match="not restored"):
            status.assert_consumed()
        with fg.Session() as sess:
            status.initialize_or_restore(sess)
            np.testing.assert_array_equal(sess.run(v), [3.0, 4.0])
            assert sess.run(other) == 5.0


def test_manager_rotation(tmp_path):
    directory = str(tmp_path / "run")
    with fg.Graph().as_default():
        v = fg.Variable(0.0, name="v")
        ckpt = fg.train.Checkpoint(v=v)
        manager = fg.train.CheckpointManager(ckpt, directory, max_to_keep=2)
        assert manager.latest_checkpoint is None
        assert manager.checkpoints == []
        with fg.Session() as sess, sess.as_default():
            sess.run(v.initializer)
            paths = []
            for i in range(4):
                sess.run(v.assign(float(i)))
                paths.append(manager.save())
            numbered = manager.save(checkpoint_number=100)
    expected = [os.path.join(directory, f"ckpt-{i}") for i in (1, 2, 3, 4)]
    assert paths == expected
    assert numbered == os.path.join(directory, "ckpt-100")
    assert manager.checkpoints == [expected[3], numbered]
    assert manager.latest_checkpoint == numbered
    assert fg.train.latest_checkpoint(directory) == numbered
    for old in expected[:3]:
        assert not os.path.exists(old + ".index")
    assert os.path.exists(expected[3] + ".index")
    state = fg.train.get_checkpoint_state(directory)
    assert state.all_model_checkpoint_paths == [expected[3], numbered]
    with fg.Graph().as_default():
        v = fg.Variable(-1.0, name="v")
        ckpt = fg.train.Checkpoint(v=v)
        again = fg.train.CheckpointManager(ckpt, directory, max_to_keep=2)
        assert again.checkpoints == [expected[3], numbered]
        assert again.latest_checkpoint == numbered
        with fg.Session() as sess:
            ckpt.restore(expected[3]).run_restore_ops(sess)
            assert sess.run(v) == 3.0


def test_manager_arguments():
    with fg.Graph().as_default():
        ckpt = fg.train.Checkpoint(v=fg.Variable(1.0))
        with pytest.raises(ValueError, match="positive integer or `None`"):
            fg.train.CheckpointManager(ckpt, "/tmp/unused_fg_dir", max_to_keep=0)
        with pytest.raises(TypeError, match="expects a fg.train.Checkpoint"):
            fg.train.CheckpointManager(object(), "/tmp/unused_fg_dir", max_to_keep=1)
