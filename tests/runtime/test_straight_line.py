"""A compiled plan runs as one generated straight-line function
(flowgraph.runtime.compiler.straight_line): the right values, and errors naming the node
whose statement failed."""

import numpy as np
import pytest

import flowgraph as fg


def _chain_graph():
    graph = fg.Graph()
    with graph.as_default():
        x = fg.placeholder(fg.float32, None, name="x")
        a = fg.sin(x, name="a")
        b = fg.multiply(a, 3.0, name="b")
        c = fg.reshape(b, [2, 2], name="c")  # fails unless x has 4 elements
        d = fg.exp(c, name="d")
    return graph, x, d


def test_values_equal_numpy_written_out():
    graph, x, d = _chain_graph()
    xv = np.array([0.1, 0.2, -0.3, 1.5], np.float32)
    with fg.Session(graph=graph) as sess:
        got = sess.run(d, {x: xv})
    want = np.exp(np.sin(xv) * np.float32(3)).reshape(2, 2)
    np.testing.assert_allclose(got, want, rtol=1e-6)


def test_a_failing_statement_names_its_node():
    graph, x, d = _chain_graph()
    with fg.Session(graph=graph) as sess:
        with pytest.raises(fg.errors.InvalidArgumentError) as info:
            sess.run(d, {x: np.ones(3, np.float32)})
    message = str(info.value)
    assert "node c (op type Reshape)" in message
    assert "test_straight_line.py" in message  # the line that created it
    assert info.value.op.name == "c"


def test_plain_steps_are_statements_and_the_plan_keeps_working_after_an_error():
    graph, x, d = _chain_graph()
    with fg.Session(graph=graph) as sess:
        with pytest.raises(fg.errors.InvalidArgumentError):
            sess.run(d, {x: np.ones(5, np.float32)})
        np.testing.assert_allclose(sess.run(d, {x: np.zeros(4, np.float32)}),
                                   np.ones((2, 2)), rtol=1e-6)
        plan = next(iter(sess._plans.values()))
    run, step_of_line = plan.straight
    names = {plan.steps[i].op.name for i in step_of_line if i >= 0}
    assert {"c", "d"} <= names
    # every step has at least one line, in plan order
    seen = [i for i in step_of_line if i >= 0]
    assert seen == sorted(seen) and set(seen) == set(range(len(plan.steps)))
