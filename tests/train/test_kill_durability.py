"""A process killed (SIGKILL) at random moments while it saves checkpoints never leaves the
latest checkpoint (the one the state file names) damaged or half-written."""

import os
import random
import signal
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest

import flowgraph as fg

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")

KILLS = 20
W1_SIZE = 512 * 1024          # float32: 2 MB
W2_SHAPE = (128, 1024)        # float64: 1 MB

CHILD = textwrap.dedent("""
    import sys

    import numpy as np

    import flowgraph as fg

    step_dir, fixed_dir = sys.argv[1], sys.argv[2]
    W1_SIZE, W2_SHAPE = {w1_size}, {w2_shape}


    def weights(c):
        w1 = ((np.arange(W1_SIZE, dtype=np.int64) * 7 + c) % 1009).astype(np.float32)
        w2 = (np.arange(np.prod(W2_SHAPE), dtype=np.float64).reshape(W2_SHAPE) + 0.5 * c)
        return w1, w2


    counter = fg.Variable(np.int64(0), name="counter")
    w1 = fg.Variable(np.zeros(W1_SIZE, np.float32), name="layer/w1")
    w2 = fg.Variable(np.zeros(W2_SHAPE, np.float64), name="layer/w2")
    increment = counter.assign_add(1)
    saver = fg.train.Saver(max_to_keep=3)
    fixed_saver = fg.train.Saver()
    with fg.Session() as sess:
        latest = fg.train.latest_checkpoint(step_dir)
        if latest is None:
            sess.run(fg.global_variables_initializer())
        else:
            saver.restore(sess, latest)
            saver.recover_last_checkpoints(
                fg.train.get_checkpoint_state(step_dir).all_model_checkpoint_paths)
        print("ready", int(sess.run(counter)), flush=True)
        while True:
            c = int(sess.run(increment))
            a, b = weights(c)
            w1.load(a, sess)
            w2.load(b, sess)
            saver.save(sess, step_dir + "/model.ckpt", global_step=counter,
                       write_meta_graph=False)
            # The same prefix saved over and over: its index and data are replaced.
            fixed_saver.save(sess, fixed_dir + "/model.ckpt", write_meta_graph=False)
            print("saved", c, flush=True)
""").format(w1_size=W1_SIZE, w2_shape=W2_SHAPE)


def expected_weights(c):
    """The weights the child sets at counter value c (written out independently)."""
    w1 = ((np.arange(W1_SIZE, dtype=np.int64) * 7 + c) % 1009).astype(np.float32)
    w2 = np.arange(W2_SHAPE[0] * W2_SHAPE[1], dtype=np.float64).reshape(W2_SHAPE) + 0.5 * c
    return w1, w2


def check_committed(prefix):
    """The counter of checkpoint `prefix`, after checking its weights match that counter."""
    reader = fg.train.NewCheckpointReader(prefix)
    assert sorted(reader.get_variable_to_shape_map()) == ["counter", "layer/w1", "layer/w2"]
    c = int(reader.get_tensor("counter"))
    w1, w2 = expected_weights(c)
    np.testing.assert_array_equal(reader.get_tensor("layer/w1"), w1)
    np.testing.assert_array_equal(reader.get_tensor("layer/w2"), w2)
    return c


def test_sigkill_at_random_moments_leaves_latest_checkpoint_complete(tmp_path):
    rng = random.Random(1234)
    step_dir = tmp_path / "steps"
    fixed_dir = tmp_path / "fixed"
    step_dir.mkdir()
    fixed_dir.mkdir()
    script = tmp_path / "child.py"
    script.write_text(CHILD)
    repo_root = os.path.dirname(os.path.dirname(os.path.abspath(fg.__file__)))
    env = dict(os.environ, PYTHONPATH=repo_root + os.pathsep + os.environ.get("PYTHONPATH", ""))
    last_counter = last_fixed_counter = 0
    saves_seen = 0
    for _ in range(KILLS):
        child = subprocess.Popen([sys.executable, str(script), str(step_dir), str(fixed_dir)],
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
        try:
            ready = child.stdout.readline().decode()
            assert ready.startswith("ready"), (ready, child.stderr.read().decode()[-2000:])
            # It continues from the latest checkpoint.
            assert int(ready.split()[1]) == last_counter
            # At least one save per child (so that progress does not depend on how fast a
            # loaded machine runs it), then the kill lands at a random moment of later saves.
            first = child.stdout.readline().decode()
            assert first.startswith("saved"), (first, child.stderr.read().decode()[-2000:])
            time.sleep(rng.uniform(0.0, 0.3))
        finally:
            child.kill()  # SIGKILL
            child.wait()
            child.stdout.close()
            child.stderr.close()
        assert child.returncode == -signal.SIGKILL
        latest = fg.train.latest_checkpoint(str(step_dir))
        if latest is None:
            assert last_counter == 0  # killed before its first save
            continue
        counter = check_committed(latest)
        assert counter >= last_counter
        saves_seen += counter - last_counter
        last_counter = counter
        # The state file lists at most max_to_keep checkpoints, and every checkpoint that
        # exists (listed or not: one saved just before the kill, or one whose deletion the
        # kill interrupted) is complete.
        state = fg.train.get_checkpoint_state(str(step_dir))
        assert state.all_model_checkpoint_paths[-1] == latest
        assert len(state.all_model_checkpoint_paths) <= 3
        for index in step_dir.glob("*.index"):
            assert check_committed(str(index)[:-len(".index")]) <= counter + 1
        # The prefix saved over and over is complete as well, at a step not past the
        # latest one and not before the one it held at the previous kill.
        fixed = fg.train.latest_checkpoint(str(fixed_dir))
        if fixed is not None:
            fixed_counter = check_committed(fixed)
            assert last_fixed_counter <= fixed_counter <= counter
            last_fixed_counter = fixed_counter
    assert saves_seen >= KILLS  # the child made progress between kills
    # Some kills landed in the middle of writing a file (its temporary file was left).
    leftovers = list(step_dir.glob(".*.tmp")) + list(fixed_dir.glob(".*.tmp"))
    assert leftovers
