"""tf.train.SyncReplicasOptimizer: N gradients aggregated into one update of their mean,
single-replica training equal to the wrapped optimizer's, the hook with
MonitoredTrainingSession (references computed by hand with numpy)."""

import time

import numpy as np
import pytest

import flowgraph as fg

W0 = np.array([1.0, -2.0])
LR = 0.1


def _model(replicas):
    x = fg.placeholder(fg.float32, [2])
    w = fg.Variable(W0.astype(np.float32), name="w")
    step = fg.train.get_or_create_global_step()
    loss = fg.reduce_sum(w * w * x)                  # d loss / d w = 2 w x
    opt = fg.train.SyncReplicasOptimizer(fg.train.GradientDescentOptimizer(LR), replicas)
    train = opt.minimize(loss, global_step=step)
    return x, w, step, opt, train


def test_aggregates_n_gradients_into_one_update():
    with fg.Graph().as_default():
        x, w, step, opt, train = _model(3)
        sync_op = opt.get_chief_queue_runner()._enqueue_ops[0]
        with fg.Session() as s:
            s.run([fg.global_variables_initializer(), fg.local_variables_initializer()])
            s.run(opt.chief_init_op)
            s.run(opt.get_init_tokens_op())        # three tokens: three replica steps
            feeds = [[1.0, 1.0], [2.0, 0.0], [0.0, 3.0]]
            for value in feeds:
                s.run(train, {x: value})
            np.testing.assert_allclose(s.run(w), W0)      # nothing applied yet
            assert s.run(step) == 0
            s.run(sync_op)
            expected = W0 - LR * np.mean([2 * W0 * np.array(f) for f in feeds], axis=0)
            np.testing.assert_allclose(s.run(w), expected, rtol=1e-6)
            assert s.run(step) == 1


def test_single_replica_step_equals_wrapped_optimizer():
    with fg.Graph().as_default():
        x, w, step, opt, train = _model(1)
        sync_op = opt.get_chief_queue_runner()._enqueue_ops[0]
        with fg.Session() as s:
            s.run([fg.global_variables_initializer(), fg.local_variables_initializer()])
            s.run(opt.chief_init_op)
            s.run(opt.get_init_tokens_op())
            s.run(train, {x: [0.5, 2.0]})
            s.run(sync_op)
            np.testing.assert_allclose(s.run(w), W0 - LR * 2 * W0 * [0.5, 2.0], rtol=1e-6)
            assert s.run(step) == 1
            # the gradient of the next step (taken at local step 0) is stale: dropped, as TF1
            s.run(train, {x: [0.5, 2.0]})
            assert s.run(opt._accumulator_list[0][0].num_accumulated()) == 0


def test_hook_with_monitored_training_session_trains_like_wrapped_optimizer():
    with fg.Graph().as_default():
        x, w, step, opt, train = _model(1)
        hook = opt.make_session_run_hook(is_chief=True)
        feed = [1.0, 0.5]
        with fg.train.MonitoredTrainingSession(hooks=[hook]) as sess:
            for _ in range(6):
                sess.run(train, {x: feed})
            # wait for the chief's queue runner to finish any update in flight
            previous = None
            for _ in range(100):
                current = sess.run([w, step])
                if previous is not None and previous[1] == current[1]:
                    break
                previous = current
                time.sleep(0.05)
            w_value, steps = current
        assert 1 <= steps <= 6
        expected = W0.copy()
        for _ in range(int(steps)):            # each update is one plain SGD step
            expected = expected - LR * 2 * expected * np.array(feed)
        np.testing.assert_allclose(w_value, expected, rtol=1e-5)


def test_errors():
    with fg.Graph().as_default():
        w = fg.Variable([1.0])
        opt = fg.train.SyncReplicasOptimizer(fg.train.GradientDescentOptimizer(LR), 2)
        with pytest.raises(ValueError, match="after apply_gradients"):
            opt.get_chief_queue_runner()
        with pytest.raises(ValueError, match="Global step is required"):
            opt.minimize(fg.reduce_sum(w * w))
        with pytest.raises(ValueError, match="at least one"):
            opt.apply_gradients([], global_step=fg.train.get_or_create_global_step())
        opt3 = fg.train.SyncReplicasOptimizer(fg.train.GradientDescentOptimizer(LR), 3,
                                              total_num_replicas=1)
        opt3.minimize(fg.reduce_sum(w * w), global_step=fg.train.get_or_create_global_step())
        with pytest.raises(ValueError, match="Too few tokens"):
            opt3.get_init_tokens_op(num_tokens=1)


def test_sparse_gradients_are_aggregated_per_row():
    with fg.Graph().as_default():
        table = fg.Variable(np.zeros((4, 2), np.float32), name="table")
        ids = fg.placeholder(fg.int32, [None])
        step = fg.train.get_or_create_global_step()
        loss = fg.reduce_sum(fg.nn.embedding_lookup(table, ids))   # gradient rows of ones
        opt = fg.train.SyncReplicasOptimizer(fg.train.GradientDescentOptimizer(LR), 2)
        train = opt.minimize(loss, global_step=step)
        sync_op = opt.get_chief_queue_runner()._enqueue_ops[0]
        with fg.Session() as s:
            s.run([fg.global_variables_initializer(), fg.local_variables_initializer()])
            s.run(opt.chief_init_op)
            s.run(opt.get_init_tokens_op())
            s.run(train, {ids: [0, 2]})
            s.run(train, {ids: [2, 3]})
            s.run(sync_op)
            # each row is averaged over the gradients that had it: every touched row gets 1
            expected = -LR * np.array([[1, 1], [0, 0], [1, 1], [1, 1]], np.float32)
            np.testing.assert_allclose(s.run(table), expected, rtol=1e-6)
            assert s.run(step) == 1
