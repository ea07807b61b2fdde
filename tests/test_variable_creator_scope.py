"""fg.variable_creator_scope: every Variable (fg.Variable, fg.get_variable) goes through
the creators, innermost first, with TF1's keyword arguments (checked against TF 1.x)."""

import numpy as np
import pytest

import flowgraph as fg

TF1_CREATOR_KWARGS = sorted([
    "initial_value", "trainable", "collections", "validate_shape", "caching_device", "name",
    "variable_def", "dtype", "expected_shape", "import_scope", "constraint", "use_resource",
    "synchronization", "aggregation", "shape"])


def test_nested_scopes_chain_innermost_first_with_tf1_kwargs():
    log = []

    def outer(next_creator, **kwargs):
        log.append(("outer", sorted(kwargs), kwargs["name"]))
        return next_creator(**kwargs)

    def inner(next_creator, **kwargs):
        log.append(("inner", kwargs["name"]))
        kwargs["name"] = "renamed"
        return next_creator(**kwargs)

    with fg.Graph().as_default():
        with fg.variable_creator_scope(outer), fg.variable_creator_scope(inner):
            v = fg.Variable(1.0, name="a")
            w = fg.get_variable("b", shape=[2], initializer=fg.zeros_initializer())
        # As TF 1.x: both renamed by the inner creator, the outer one sees the new name.
        assert v.name == "renamed:0" and w.name == "renamed_1:0"
        assert log == [("inner", "a"), ("outer", TF1_CREATOR_KWARGS, "renamed"),
                       ("inner", "b"), ("outer", TF1_CREATOR_KWARGS, "renamed")]
        with fg.Session() as sess:
            sess.run(fg.global_variables_initializer())
            np.testing.assert_array_equal(sess.run(w), [0.0, 0.0])
            assert sess.run(v) == 1.0


def test_creator_can_change_arguments_and_values():
    def frozen(next_creator, **kwargs):
        kwargs["trainable"] = False
        kwargs["initial_value"] = 7.0
        return next_creator(**kwargs)

    with fg.Graph().as_default():
        with fg.variable_creator_scope(frozen):
            v = fg.Variable(1.0, name="v")
        u = fg.Variable(2.0, name="u")  # outside: untouched
        assert fg.trainable_variables() == [u]
        assert set(fg.global_variables()) == {u, v}
        with fg.Session() as sess:
            sess.run(fg.global_variables_initializer())
            assert sess.run([v, u]) == [7.0, 2.0]


def test_creator_may_return_an_existing_variable():
    with fg.Graph().as_default():
        shared = fg.Variable(3.0, name="shared")
        made = []

        def reuse(next_creator, **kwargs):
            made.append(kwargs["name"])
            return shared

        with fg.variable_creator_scope(reuse):
            got = fg.Variable(5.0, name="x")
        assert got is shared and made == ["x"]
        assert fg.global_variables() == [shared]


def test_stack_is_per_graph_and_popped_on_exit():
    calls = []

    def count(next_creator, **kwargs):
        calls.append(kwargs["name"])
        return next_creator(**kwargs)

    g1, g2 = fg.Graph(), fg.Graph()
    with g1.as_default(), fg.variable_creator_scope(count):
        fg.Variable(1.0, name="in_g1")
        with g2.as_default():
            fg.Variable(1.0, name="in_g2")
    with g1.as_default():
        fg.Variable(1.0, name="after")
    assert calls == ["in_g1"]


def test_variables_in_cond_branch_go_through_creators():
    calls = []

    def count(next_creator, **kwargs):
        calls.append(kwargs["name"])
        return next_creator(**kwargs)

    with fg.Graph().as_default(), fg.variable_creator_scope(count):
        def branch():
            return fg.get_variable("in_branch", shape=[], initializer=fg.ones_initializer())
        fg.cond(fg.constant(True), branch, lambda: fg.constant(0.0))
    assert calls == ["in_branch"]


def test_positional_arguments_are_passed_by_name():
    seen = {}

    def spy(next_creator, **kwargs):
        seen.update(kwargs)
        return next_creator(**kwargs)

    with fg.Graph().as_default(), fg.variable_creator_scope(spy):
        v = fg.Variable(2.0, False, None, True, None, "pos")
    assert seen["initial_value"] == 2.0 and seen["trainable"] is False
    assert seen["name"] == "pos" and v.name == "pos:0" and not v.trainable


def test_bad_arguments():
    with pytest.raises(TypeError, match="must be callable"):
        with fg.variable_creator_scope(3):
            pass
    with fg.Graph().as_default(), fg.variable_creator_scope(lambda nc, **kw: nc(**kw)):
        with pytest.raises(TypeError, match="unexpected keyword"):
            fg.Variable(1.0, not_an_argument=2)
