"""Optimizer.compute_gradients / apply_gradients / minimize, slots and TF1 names."""

import weakref

import numpy as np
import pytest

import flowgraph as fg
from tests.train.helpers import B0, W0, build, grads


@pytest.fixture
def graph():
    g = fg.Graph()
    with g.as_default():
        yield g


def test_compute_gradients_pairs_with_none_for_unconnected(graph):
    w, b, loss = build()
    unused = fg.Variable(1.0, name="unused")
    pairs = fg.train.GradientDescentOptimizer(0.1).compute_gradients(loss)
    assert [v for _, v in pairs] == [w, b, unused]
    assert pairs[2][0] is None
    with fg.Session() as sess:
        sess.run(fg.global_variables_initializer())
        gw, gb = sess.run([pairs[0][0], pairs[1][0]])
    want_w, want_b = grads(W0, B0)
    np.testing.assert_allclose(gw, want_w, rtol=1e-5)
    np.testing.assert_allclose(gb, want_b, rtol=1e-5)


def test_compute_gradients_var_list_and_non_trainable(graph):
    w, b, loss = build()
    frozen = fg.Variable(2.0, trainable=False, name="frozen")
    loss2 = loss * frozen
    pairs = fg.train.GradientDescentOptimizer(0.1).compute_gradients(loss2, var_list=[b])
    assert [v for _, v in pairs] == [b]
    all_pairs = fg.train.GradientDescentOptimizer(0.1).compute_gradients(loss2)
    assert frozen not in [v for _, v in all_pairs]


def test_apply_gradients_skips_none_and_errors_without_any(graph):
    w, b, loss = build()
    opt = fg.train.GradientDescentOptimizer(0.5)
    train = opt.apply_gradients([(None, w), (fg.constant([1.0]), b)])
    with fg.Session() as sess:
        sess.run(fg.global_variables_initializer())
        sess.run(train)
        np.testing.assert_allclose(sess.run(b), B0 - 0.5)
        np.testing.assert_allclose(sess.run(w), W0)
    with pytest.raises(ValueError, match="No gradients provided for any variable"):
        opt.apply_gradients([(None, w), (None, b)])
    with pytest.raises(ValueError, match="No variables provided"):
        opt.apply_gradients([])


def test_minimize_without_gradients_raises(graph):
    w, b, loss = build()
    other = fg.Variable(1.0, name="other")
    with pytest.raises(ValueError, match="No gradients provided for any variable"):
        fg.train.AdamOptimizer().minimize(loss, var_list=[other])
    with pytest.raises(ValueError, match="No variables to optimize"):
        fg.train.AdamOptimizer().minimize(loss, var_list=[])


def test_invalid_loss_dtype_and_gate(graph):
    v = fg.Variable(1, name="i")
    with pytest.raises(ValueError, match="Invalid type int32"):
        fg.train.GradientDescentOptimizer(0.1).minimize(v * 2)
    w, b, loss = build()
    with pytest.raises(ValueError, match="gate_gradients"):
        fg.train.GradientDescentOptimizer(0.1).minimize(loss, gate_gradients=7)


def test_gate_graph_gives_the_same_step(graph):
    w, b, loss = build()
    opt = fg.train.GradientDescentOptimizer(0.1)
    train = opt.minimize(loss, gate_gradients=fg.train.Optimizer.GATE_GRAPH)
    with fg.Session() as sess:
        sess.run(fg.global_variables_initializer())
        sess.run(train)
        np.testing.assert_allclose(sess.run(w), W0 - 0.1 * grads(W0, B0)[0], rtol=1e-5)


def test_train_op_names_and_collection(graph):
    w, b, loss = build()
    train = fg.train.GradientDescentOptimizer(0.1).minimize(loss)
    assert train.name == "GradientDescent"
    assert train in fg.get_collection(fg.GraphKeys.TRAIN_OP)
    names = {op.name for op in graph.get_operations()}
    assert "GradientDescent/update_w/ApplyGradientDescent" in names
    assert "GradientDescent/learning_rate" in names
    second = fg.train.GradientDescentOptimizer(0.1).minimize(loss, name="step")
    assert second.name == "step"
    third = fg.train.GradientDescentOptimizer(0.1).minimize(loss)
    assert third.name == "GradientDescent_1"


@pytest.mark.parametrize("make,slots", [
    (lambda: fg.train.MomentumOptimizer(0.1, 0.9), {"momentum": ("w/Momentum", 0.0)}),
    (lambda: fg.train.AdagradOptimizer(0.1), {"accumulator": ("w/Adagrad", 0.1)}),
    (lambda: fg.train.RMSPropOptimizer(0.1), {"rms": ("w/RMSProp", 1.0),
                                              "momentum": ("w/RMSProp_1", 0.0)}),
    (lambda: fg.train.RMSPropOptimizer(0.1, centered=True),
     {"rms": ("w/RMSProp", 1.0), "mg": ("w/RMSProp_1", 0.0), "momentum": ("w/RMSProp_2", 0.0)}),
    (lambda: fg.train.AdamOptimizer(), {"m": ("w/Adam", 0.0), "v": ("w/Adam_1", 0.0)}),
    (lambda: fg.train.FtrlOptimizer(0.1), {"accum": ("w/Ftrl", 0.1), "linear": ("w/Ftrl_1", 0.0)}),
])
def test_slot_names_and_initial_values(graph, make, slots):
    w, b, loss = build()
    opt = make()
    opt.minimize(loss)
    assert opt.get_slot_names() == sorted(slots)
    global_names = {v.op.name for v in fg.global_variables()}
    trainable = set(fg.trainable_variables())
    with fg.Session() as sess:
        sess.run(fg.global_variables_initializer())
        for slot_name, (var_name, initial) in slots.items():
            slot = opt.get_slot(w, slot_name)
            assert slot.op.name == var_name
            assert var_name in global_names and slot not in trainable
            assert slot.shape == w.shape and slot.dtype == w.dtype
            np.testing.assert_allclose(sess.run(slot), np.full(W0.shape, initial), rtol=1e-6)
            assert opt.get_slot(b, slot_name).op.name == var_name.replace("w/", "b/")
    assert opt.get_slot(w, "nope") is None
    assert set(opt.variables()) >= {opt.get_slot(w, n) for n in slots}
    assert [v.name for v in opt.variables()] == sorted(v.name for v in opt.variables())


def test_slots_of_a_second_optimizer_get_unique_names(graph):
    w, b, loss = build()
    first, second = fg.train.AdamOptimizer(), fg.train.AdamOptimizer()
    first.minimize(loss)
    second.minimize(loss)
    assert second.get_slot(w, "m").op.name == "w/Adam_2"
    assert second.get_slot(w, "v").op.name == "w/Adam_3"
    b1p, _ = second._get_beta_accumulators()
    assert b1p.op.name == "beta1_power_1"


def test_slots_ignore_control_dependencies_and_name_scopes(graph):
    w, b, loss = build()
    dep = fg.placeholder(fg.float32, [], name="dep")
    with fg.name_scope("outer"), fg.control_dependencies([dep]):
        opt = fg.train.MomentumOptimizer(0.1, 0.9)
        opt.minimize(loss)
    slot = opt.get_slot(w, "momentum")
    assert slot.op.name == "w/Momentum"
    with fg.Session() as sess:
        sess.run(fg.global_variables_initializer())  # needs no feed of `dep`


def test_global_step_increments_after_the_updates(graph):
    w, b, loss = build()
    step = fg.train.get_or_create_global_step()
    train = fg.train.GradientDescentOptimizer(0.1).minimize(loss, global_step=step)
    assert train.type == "AssignAdd" and train.name == "GradientDescent"
    with fg.Session() as sess:
        sess.run(fg.global_variables_initializer())
        for expected in (1, 2, 3):
            sess.run(train)
            assert fg.train.global_step(sess, step) == expected


def test_variable_constraint_applies_after_the_update(graph):
    w = fg.Variable([1.0, -2.0], name="w",
                    constraint=lambda t: fg.clip_by_value(t, -1.0, 1.0))
    loss = fg.reduce_sum(w * fg.constant([-10.0, 10.0]))
    train = fg.train.GradientDescentOptimizer(0.1).minimize(loss)
    with fg.Session() as sess:
        sess.run(fg.global_variables_initializer())
        sess.run(train)
        np.testing.assert_allclose(sess.run(w), [1.0, -1.0])


def test_updates_are_in_place_and_fetched_values_do_not_change(graph):
    w, b, loss = build()
    train = fg.train.AdamOptimizer(0.1).minimize(loss)
    with fg.Session() as sess:
        sess.run(fg.global_variables_initializer())
        before = sess.run(w)
        stored = weakref.ref(sess.state.variables[w.op.name])
        sess.run(train)
        np.testing.assert_allclose(before, W0)  # the fetched copy did not move
        # The Session's own array was updated in place (no new allocation per step) and is
        # read-only again.
        assert sess.state.variables[w.op.name] is stored()
        assert not stored().flags.writeable
        after = sess.run(w)
        assert not np.allclose(after, W0)
        after[0, 0] = 5.0  # a fetched value is the caller's own copy
        assert sess.run(w)[0, 0] != 5.0


def test_a_value_read_earlier_in_the_run_keeps_its_value(graph):
    # A tensor computed from w before the update but consumed after it must see the old
    # value: the update then goes to a copy (copy on write).
    w = fg.Variable([1.0, 2.0], name="w")
    read = w.value()
    train = fg.train.GradientDescentOptimizer(1.0).apply_gradients([(fg.constant([1.0, 1.0]),
                                                                     w)])
    with fg.control_dependencies([train]):
        later = read * 1.0
    with fg.Session() as sess:
        sess.run(fg.global_variables_initializer())
        np.testing.assert_allclose(sess.run(later), [1.0, 2.0])
        np.testing.assert_allclose(sess.run(w), [0.0, 1.0])


def test_uninitialized_slot_reports_the_variable(graph):
    w, b, loss = build()
    train = fg.train.MomentumOptimizer(0.1, 0.9).minimize(loss)
    with fg.Session() as sess:
        sess.run([w.initializer, b.initializer])
        with pytest.raises(fg.errors.FailedPreconditionError, match="w/Momentum"):
            sess.run(train)


def test_grad_loss_scales_the_gradient(graph):
    w, b, loss = build()
    opt = fg.train.GradientDescentOptimizer(0.1)
    pairs = opt.compute_gradients(loss, grad_loss=fg.constant(2.0))
    with fg.Session() as sess:
        sess.run(fg.global_variables_initializer())
        np.testing.assert_allclose(sess.run(pairs[0][0]), 2 * grads(W0, B0)[0], rtol=1e-5)
