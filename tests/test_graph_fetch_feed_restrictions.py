"""Graph.prevent_fetching / prevent_feeding / is_fetchable / is_feedable and how
Session.run refuses such fetches and feeds (TF's error classes and wording)."""

import pytest

import flowgraph as fg


@pytest.fixture()
def marked():
    graph = fg.Graph()
    with graph.as_default():
        x = fg.placeholder(fg.float32, [2], name="x")
        y = fg.identity(x, name="y")
        z = fg.multiply(y, 2.0, name="z")
        graph.prevent_fetching(y.op)
        graph.prevent_feeding(y)
    return graph, x, y, z


NOT_FETCHABLE = "Operation y has been marked as not fetchable"


def test_predicates(marked):
    graph, x, y, z = marked
    assert graph.is_fetchable(y) is False  # a tensor is judged by its op
    assert graph.is_fetchable(y.op) is False
    assert graph.is_fetchable(x) is True and graph.is_fetchable(z.op) is True
    assert graph.is_feedable(y) is False
    assert graph.is_feedable(x) is True and graph.is_feedable(z) is True


def test_fresh_graph_allows_everything():
    graph = fg.Graph()
    with graph.as_default():
        a = fg.constant(1.0, name="a")
    assert graph.is_fetchable(a) and graph.is_fetchable(a.op) and graph.is_feedable(a)


@pytest.mark.parametrize("fetch", ["tensor", "op", "name", "list"])
def test_run_refuses_unfetchable(marked, fetch):
    graph, x, y, z = marked
    fetches = {"tensor": y, "op": y.op, "name": "y:0", "list": [z, y]}[fetch]
    with fg.Session(graph=graph) as sess:
        with pytest.raises(fg.errors.InaccessibleTensorError, match=NOT_FETCHABLE):
            sess.run(fetches, {x: [1.0, 2.0]})
        # Its consumers still run (only fetching it is refused): 2 * [1, 2]
        assert sess.run(z, {x: [1.0, 2.0]}).tolist() == [2.0, 4.0]


def test_unfetchable_is_a_value_error(marked):
    graph, x, y, _ = marked
    with fg.Session(graph=graph) as sess:
        with pytest.raises(ValueError):
            sess.run(y, {x: [1.0, 2.0]})


@pytest.mark.parametrize("key", ["tensor", "name"])
def test_run_refuses_unfeedable(marked, key):
    graph, _, y, z = marked
    feed_key = y if key == "tensor" else "y:0"
    with fg.Session(graph=graph) as sess:
        with pytest.raises(ValueError, match="Tensor y:0 may not be fed"):
            sess.run(z, {feed_key: [1.0, 2.0]})


def test_make_callable_and_partial_run(marked):
    graph, x, y, z = marked
    with fg.Session(graph=graph) as sess:
        with pytest.raises(fg.errors.InaccessibleTensorError, match=NOT_FETCHABLE):
            sess.make_callable(y)
        call = sess.make_callable(z, [y])  # as TF: refused when called
        with pytest.raises(ValueError, match="may not be fed"):
            call([1.0, 2.0])
        with pytest.raises(fg.errors.InaccessibleTensorError, match=NOT_FETCHABLE):
            sess.partial_run_setup([y], [x])


def test_marking_after_a_cached_run(marked):
    graph, x, _, z = marked
    with fg.Session(graph=graph) as sess:
        assert sess.run(z, {x: [3.0, 4.0]}).tolist() == [6.0, 8.0]
        graph.prevent_fetching(z.op)
        with pytest.raises(fg.errors.InaccessibleTensorError, match="Operation z has"):
            sess.run(z, {x: [3.0, 4.0]})


def test_control_dependency_on_variable_names_the_variable_node():
    graph = fg.Graph()
    with graph.as_default():
        v = fg.Variable(1.0, name="v")
        with fg.control_dependencies([v]):
            y = fg.constant(2.0, name="y")
        assert y.op.node_def.input == ["^v"]  # TF1 records the variable node itself
        assert [op.name for op in y.op.control_inputs] == ["v"]
        with fg.Session() as sess:
            # As TF1: the variable node runs without reading, so no initialization needed.
            assert sess.run(y) == 2.0
