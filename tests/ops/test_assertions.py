"""fg.Assert: passes silently when true, fails with TF1's message when false."""

import pytest

import flowgraph as fg


def test_assert_guards_dependent_ops():
    x = fg.placeholder(fg.float32, [None])
    check = fg.Assert(fg.reduce_all(x >= 0.0), ["x must be >= 0:", x], summarize=2)
    assert check.type == "Assert" and check.outputs == []
    with fg.control_dependencies([check]):
        y = fg.sqrt(x)
    with fg.Session() as sess:
        assert sess.run(y, {x: [4.0]}).tolist() == [2.0]
        with pytest.raises(fg.errors.InvalidArgumentError,
                           match=r"assertion failed: \[x must be >= 0:\] \[1 -4\.\.\.\]"):
            sess.run(y, {x: [1.0, -4.0, 3.0]})


def test_assert_needs_scalar_bool_condition():
    with pytest.raises(TypeError, match="scalar bool"):
        fg.Assert(fg.constant([True, False]), ["no"])
