"""NodeContext.variable_for_update: in place when nobody else holds the array, else a copy."""

import weakref

import numpy as np
import pytest

import flowgraph as fg
from flowgraph.runtime.state import NodeContext, SessionState


@pytest.fixture
def ctx():
    graph = fg.Graph()
    with graph.as_default():
        v = fg.Variable([1.0, 2.0], name="v")
    context = NodeContext(v.op, SessionState())
    context.write_variable("v", np.array([1.0, 2.0]))
    return context


def test_updates_in_place_and_relocks(ctx):
    stored = weakref.ref(ctx.state.variables["v"])
    with ctx.variable_for_update("v") as array:
        assert array.flags.writeable
        array += 1.0
    assert ctx.state.variables["v"] is stored()
    np.testing.assert_array_equal(stored(), [2.0, 3.0])
    assert not stored().flags.writeable


def test_copies_when_the_array_is_still_held(ctx):
    held = ctx.state.variables["v"]
    view = held[1:]
    with ctx.variable_for_update("v") as array:
        array *= 10.0
    np.testing.assert_array_equal(held, [1.0, 2.0])
    np.testing.assert_array_equal(view, [2.0])
    np.testing.assert_array_equal(ctx.state.variables["v"], [10.0, 20.0])
    assert ctx.state.variables["v"] is not held


def test_read_only_again_after_an_error(ctx):
    with pytest.raises(RuntimeError):
        with ctx.variable_for_update("v"):
            raise RuntimeError("kernel failed")
    assert not ctx.state.variables["v"].flags.writeable


def test_uninitialized_variable(ctx):
    del ctx.state.variables["v"]
    with pytest.raises(fg.errors.FailedPreconditionError, match="uninitialized value v"):
        with ctx.variable_for_update("v"):
            pass
