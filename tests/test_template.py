"""fg.make_template shares Variables across calls (TF1's tf.make_template), and
fg.tables_initializer is TF1's (a NoOp named init_all_tables without tables)."""

import numpy as np
import pytest

import flowgraph as fg


def test_template_calls_share_the_first_calls_variables():
    graph = fg.Graph()
    with graph.as_default():
        def scale(x, units):
            w = fg.get_variable("w", [2, units], fg.float64, fg.constant_initializer(2.0))
            return fg.matmul(x, w)

        template = fg.make_template("scale", scale, units=3)
        x = fg.placeholder(fg.float64, [None, 2])
        first, second = template(x), template(x + 1)
        other = fg.make_template("scale", scale, units=1)(x)
        assert [v.name for v in fg.global_variables()] == ["scale/w:0", "scale_1/w:0"]
        assert template.variables_created and template.variable_scope_name == "scale"
        with fg.Session() as sess:
            sess.run(fg.global_variables_initializer())
            a, b, c = sess.run([first, second, other], {x: [[1.0, 2.0]]})
    np.testing.assert_allclose(a, [[6.0, 6.0, 6.0]])
    np.testing.assert_allclose(b, [[10.0, 10.0, 10.0]])
    np.testing.assert_allclose(c, [[6.0]])


def test_template_refuses_new_variables_after_the_first_call():
    with fg.Graph().as_default():
        calls = []

        def grows():
            calls.append(1)
            return fg.get_variable(f"v{len(calls)}", [1])

        template = fg.make_template("grows", grows)
        template()
        with pytest.raises(ValueError, match="does not exist"):
            template()


def test_tables_initializer_is_a_noop_without_tables():
    with fg.Graph().as_default():
        op = fg.tables_initializer()
        assert (op.name, op.type) == ("init_all_tables", "NoOp")
        with fg.Session() as sess:
            assert sess.run(op) is None
