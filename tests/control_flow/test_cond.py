"""fg.cond and fg.case: values, only the taken branch runs, structures, TF1's errors."""

import collections

import numpy as np
import pytest

import flowgraph as fg
import flowgraph.control_flow as cf
from tests.control_flow.helpers import run


def test_values_of_both_branches_and_static_shape():
    x = fg.placeholder(fg.float32, [3])
    y = cf.cond(fg.reduce_sum(x) > 0, lambda: fg.sqrt(x), lambda: fg.square(x))
    assert y.shape.as_list() == [3] and y.dtype == fg.float32
    with fg.Session() as sess:
        np.testing.assert_allclose(sess.run(y, {x: [1.0, 4.0, 9.0]}), [1.0, 2.0, 3.0])
        np.testing.assert_allclose(sess.run(y, {x: [-1.0, -2.0, 0.0]}), [1.0, 4.0, 0.0])


def test_shapes_merge_to_what_both_branches_have():
    x = fg.placeholder(fg.float32, [4, 3])
    p = fg.placeholder(fg.bool, [])
    y = cf.cond(p, lambda: x, lambda: x[:2])
    assert y.shape.as_list() == [None, 3]
    z = cf.cond(p, lambda: x, lambda: fg.reshape(x, [12]))
    assert z.shape.ndims is None
    assert run(y, {x: np.ones((4, 3)), p: False}).shape == (2, 3)


def test_only_the_taken_branch_runs():
    v = fg.Variable(0, name="counter")
    w = fg.Variable(0, name="other")
    p = fg.placeholder(fg.bool, [])
    y = cf.cond(p, lambda: fg.assign_add(v, 1), lambda: fg.assign_add(w, 10))
    with fg.Session() as sess:
        sess.run(fg.global_variables_initializer())
        assert sess.run(y, {p: True}) == 1
        assert sess.run(y, {p: True}) == 2
        assert sess.run(y, {p: False}) == 10
        assert sess.run([v, w]) == [2, 10]


def test_stateful_op_not_returned_still_runs_in_its_branch_only():
    v = fg.Variable(0.0, name="v")
    p = fg.placeholder(fg.bool, [])

    def true_fn():
        v.assign_add(5.0)  # not returned: runs because it is in the taken branch
        return fg.constant(1.0)

    y = cf.cond(p, true_fn, lambda: fg.constant(2.0))
    with fg.Session() as sess:
        sess.run(fg.global_variables_initializer())
        sess.run(y, {p: False})
        assert sess.run(v) == 0.0
        sess.run(y, {p: True})
        assert sess.run(v) == 5.0


def test_variable_read_in_branch_sees_assign_made_before_it():
    v = fg.Variable(1.0, name="v")
    p = fg.placeholder(fg.bool, [])

    def true_fn():
        with fg.control_dependencies([v.assign(7.0)]):
            return v.read_value() * 2.0

    y = cf.cond(p, true_fn, lambda: v * 3.0)
    with fg.Session() as sess:
        sess.run(fg.global_variables_initializer())
        assert sess.run(y, {p: False}) == 3.0
        assert sess.run(y, {p: True}) == 14.0
        assert sess.run(y, {p: False}) == 21.0  # the assign persisted


def test_nested_structures_and_strict():
    Pair = collections.namedtuple("Pair", "a b")
    x = fg.constant([1.0, 2.0])
    p = fg.placeholder(fg.bool, [])
    out = cf.cond(p, lambda: {"k": Pair(x, [x * 2.0])}, lambda: {"k": Pair(-x, [x * 3.0])})
    assert isinstance(out["k"], Pair) and isinstance(out["k"].b, list)
    values = run(out, {p: False})
    np.testing.assert_allclose(values["k"].a, [-1.0, -2.0])
    np.testing.assert_allclose(values["k"].b[0], [3.0, 6.0])
    single = cf.cond(p, lambda: [x], lambda: [x + 1.0])
    assert isinstance(single, fg.Tensor)  # unpacked, strict=False
    kept = cf.cond(p, lambda: [x], lambda: [x + 1.0], strict=True)
    assert isinstance(kept, list) and len(kept) == 1


def test_python_values_and_outer_tensors_as_results():
    x = fg.placeholder(fg.int32, [])
    y = cf.cond(x > 0, lambda: 10, lambda: x)
    assert run(y, {x: 3}) == 10 and run(y, {x: -4}) == -4


def test_branches_returning_nothing_give_the_op():
    v = fg.Variable(0, name="v")
    p = fg.placeholder(fg.bool, [])
    op = cf.cond(p, lambda: v.assign_add(1).op, lambda: None)
    assert isinstance(op, fg.Operation) and op.type == "If"
    with fg.Session() as sess:
        sess.run(fg.global_variables_initializer())
        sess.run(op, {p: True})
        sess.run(op, {p: False})
        assert sess.run(v) == 1


def test_fed_predicate_and_fn1_fn2_aliases():
    p = fg.placeholder(fg.bool, [])
    y = cf.cond(p, fn1=lambda: fg.constant(1), fn2=lambda: fg.constant(2))
    assert run(y, {p: True}) == 1 and run(y, {p: False}) == 2
    with pytest.raises(TypeError, match="true_fn and fn1"):
        cf.cond(p, lambda: 1, lambda: 2, fn1=lambda: 1)


def test_errors_as_tf1():
    p = fg.placeholder(fg.bool, [])
    with pytest.raises(TypeError, match="pred must not be a Python bool"):
        cf.cond(True, lambda: 1, lambda: 2)
    with pytest.raises(TypeError, match="true_fn must be callable"):
        cf.cond(p, None, lambda: 2)
    with pytest.raises(TypeError, match="pred must be a bool"):
        cf.cond(fg.constant(1.0), lambda: 1, lambda: 2)
    with pytest.raises(ValueError, match="scalar"):
        cf.cond(fg.constant([True, False]), lambda: 1, lambda: 2)


def test_dtype_mismatch_names_both_branches():
    p = fg.placeholder(fg.bool, [])
    with pytest.raises(ValueError, match="same type: float32, int32") as info:
        cf.cond(p, lambda: fg.constant(1.0), lambda: fg.constant(1))
    assert isinstance(info.value, TypeError)  # TF2's error class too
    assert "true_fn" in str(info.value) and "false_fn" in str(info.value)


def test_structure_mismatch():
    p = fg.placeholder(fg.bool, [])
    with pytest.raises(ValueError, match="Incompatible return values of true_fn and false_fn"):
        cf.cond(p, lambda: [fg.constant(1), fg.constant(2)], lambda: [fg.constant(1)])
    with pytest.raises(ValueError, match="Incompatible return values"):
        cf.cond(p, lambda: fg.constant(1), lambda: None)
    with pytest.raises(TypeError, match="Incompatible return types"):
        cf.cond(p, lambda: {"a": fg.constant(1)}, lambda: [fg.constant(1)])


def test_names_follow_the_scope():
    p = fg.placeholder(fg.bool, [])
    a = cf.cond(p, lambda: fg.constant(1), lambda: fg.constant(2))
    b = cf.cond(p, lambda: fg.constant(1), lambda: fg.constant(2), name="choose")
    with fg.name_scope("outer"):
        c = cf.cond(p, lambda: fg.constant(1), lambda: fg.constant(2))
    assert [a.op.name, b.op.name, c.op.name] == ["cond/Merge", "choose/Merge",
                                                 "outer/cond/Merge"]


def test_variables_created_in_a_branch_live_in_the_outer_graph():
    p = fg.placeholder(fg.bool, [])

    def true_fn():
        with fg.variable_scope("branch"):
            w = fg.get_variable("w", [2], initializer=fg.ones_initializer())
        return w * 2.0

    y = cf.cond(p, true_fn, lambda: fg.zeros([2]))
    names = [v.name for v in fg.global_variables()]
    assert names == ["branch/w:0"]
    assert fg.global_variables()[0].graph is fg.get_default_graph()
    np.testing.assert_allclose(run(y, {p: True}, init=True), [2.0, 2.0])


def test_case_first_true_default_and_checks():
    x = fg.placeholder(fg.int32, [])
    r = cf.case([(x < 0, lambda: fg.constant(-1)), (x > 10, lambda: fg.constant(1))],
                default=lambda: fg.constant(0))
    with fg.Session() as sess:
        assert [sess.run(r, {x: v}) for v in (-5, 5, 50)] == [-1, 0, 1]
    overlapping = cf.case([(x > 0, lambda: fg.constant(1)), (x > 5, lambda: fg.constant(2))],
                          default=lambda: fg.constant(0))
    assert run(overlapping, {x: 7}) == 1  # the first true predicate wins
    exclusive = cf.case([(x > 0, lambda: fg.constant(1)), (x > 5, lambda: fg.constant(2))],
                        default=lambda: fg.constant(0), exclusive=True)
    assert run(exclusive, {x: 3}) == 1
    with pytest.raises(fg.errors.InvalidArgumentError, match="exclusive=True"):
        run(exclusive, {x: 7})


def test_case_without_default_uses_the_last_pair_and_checks_it():
    x = fg.placeholder(fg.int32, [])
    r = cf.case({x < 0: lambda: fg.constant(-1), x > 0: lambda: fg.constant(1)})
    assert run(r, {x: -3}) == -1 and run(r, {x: 3}) == 1
    with pytest.raises(fg.errors.InvalidArgumentError, match="None of conditions"):
        run(r, {x: 0})


def test_case_argument_errors():
    with pytest.raises(TypeError, match="pred must not be a Python bool"):
        cf.case([(True, lambda: 1)])
    with pytest.raises(TypeError, match="must be callable"):
        cf.case([(fg.constant(True), 1)])
    with pytest.raises(TypeError, match="pairs"):
        cf.case([])
