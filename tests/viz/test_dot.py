"""fg.viz.to_dot: clusters, node styles, edge labels, depth, gradients, fetch pruning."""

from __future__ import annotations

import re

import graphviz
import pytest

import flowgraph as fg
import flowgraph.viz as viz
from tests.viz.helpers import (
    cluster_block,
    edge_lines,
    label_of,
    mlp_graph,
    node_ids,
    node_line,
)


@pytest.fixture
def mlp():
    return mlp_graph()


def test_returns_a_digraph_with_scope_clusters(mlp):
    graph, _ = mlp
    dot = viz.to_dot(graph)
    assert isinstance(dot, graphviz.Digraph)
    source = dot.source
    for scope in ("dense", "dense_1", "dense_2", "loss", "accuracy", "gradients", "Adam"):
        assert cluster_block(source, scope), f"no cluster for scope {scope}"
    # Nested scopes are nested clusters: Adam/update_dense holds kernel and bias updates.
    adam = cluster_block(source, "Adam")
    assert cluster_block(adam, "Adam/update_dense")
    assert "ApplyAdam" in cluster_block(adam, "Adam/update_dense")


def test_node_shapes_and_colours_by_kind(mlp):
    graph, _ = mlp
    source = viz.to_dot(graph).source
    images = node_line(source, "images")
    assert "shape=invhouse" in images and "float32 [?, 784]" in images
    kernel = node_line(source, "dense/kernel")
    assert "shape=cylinder" in kernel and "784×256" in kernel
    apply = node_line(source, "Adam/update_dense/kernel/ApplyAdam")
    assert "peripheries=2" in apply and "#ffcdd2" in apply  # stateful: red, double border
    noop = node_line(source, "Adam/update")
    assert "shape=hexagon" in noop  # control / group
    matmul = node_line(source, "dense/MatMul")
    assert "shape=box" in matmul and "rounded" in matmul
    # Short labels: the op type (the scope is the cluster's name).
    assert label_of(matmul) == "<<B>MatMul</B>>"
    lr = node_line(source, "Adam/learning_rate@Adam/update_dense/kernel/ApplyAdam")
    assert "shape=ellipse" in lr and "<B>0.001</B>" in lr  # a scalar drawn by its use


def test_variable_plumbing_is_one_node(mlp):
    graph, _ = mlp
    ids = node_ids(viz.to_dot(graph).source)
    assert "dense/kernel" in ids
    for plumbing in ("dense/kernel/read", "dense/kernel/Assign",
                     "dense/kernel/Initializer/random_uniform", "dense/bias/Initializer/Const"):
        assert plumbing not in ids
    unmerged = node_ids(viz.to_dot(graph, merge_variables=False).source)
    assert {"dense/kernel/read", "dense/kernel/Assign"} <= unmerged


def test_edges_carry_dtype_and_shape(mlp):
    graph, _ = mlp
    source = viz.to_dot(graph).source
    (edge,) = edge_lines(source, "images", "dense/MatMul")
    assert 'label="float32 [?, 784]"' in edge
    (edge,) = edge_lines(source, "dense/kernel", "dense/MatMul")
    assert 'label="float32 [784, 256]"' in edge
    # By-reference inputs (what an update writes) are labelled as TF1 does: float32_ref.
    (edge,) = edge_lines(source, "dense/kernel", "Adam/update_dense/kernel/ApplyAdam")
    assert "float32_ref [784, 256]" in edge
    assert 'label="int64 [?]"' in edge_lines(source, "labels", "accuracy/Equal")[0]
    plain = viz.to_dot(graph, show_shapes=False, show_dtypes=False).source
    assert "label=" not in edge_lines(plain, "images", "dense/MatMul")[0]
    dtype_only = viz.to_dot(graph, show_shapes=False).source
    assert "label=float32 " in edge_lines(dtype_only, "images", "dense/MatMul")[0]


def test_control_dependencies_are_dashed():
    x = fg.placeholder(fg.float32, [2], name="x")
    a = fg.add(x, 1.0, name="a")
    with fg.control_dependencies([a]):
        b = fg.multiply(x, 3.0, name="b")
    source = viz.to_dot(b.graph).source
    (control,) = edge_lines(source, "a", "b")
    assert "style=dashed" in control
    (data,) = edge_lines(source, "x", "b")
    assert "dashed" not in data


def test_implied_control_edges_are_not_drawn():
    x = fg.placeholder(fg.float32, [], name="x")
    first = fg.identity(x, name="first")
    with fg.control_dependencies([first]):
        second = fg.identity(x, name="second")
        third = fg.identity(second, name="third")  # already after first, through second
    source = viz.to_dot(third.graph).source
    assert edge_lines(source, "first", "second")
    assert not edge_lines(source, "first", "third")


def test_depth_collapses_deep_scopes_with_op_counts(mlp):
    graph, _ = mlp
    source = viz.to_dot(graph, depth=2).source
    ids = node_ids(source)
    # gradients/dense/MatMul_grad holds two ops: one box at depth 2.
    assert "gradients/dense/MatMul_grad/" in ids
    assert "gradients/dense/MatMul_grad/MatMul" not in ids
    assert "2 ops" in node_line(source, "gradients/dense/MatMul_grad/")
    assert "shape=box3d" in node_line(source, "gradients/dense/MatMul_grad/")
    # A scope holding one op shows the op itself.
    assert "gradients/dense/BiasAdd_grad/BiasAddGrad" in ids
    # At depth 1 the whole gradient of a layer is one box.
    shallow = node_ids(viz.to_dot(graph, depth=1).source)
    assert "gradients/dense/" in shallow and "gradients/dense/MatMul_grad/" not in shallow
    # Level-1 scopes are still clusters, their ops still boxes.
    assert cluster_block(source, "dense") and "dense/MatMul" in ids

    top = viz.to_dot(graph, depth=0).source
    dense_ops = sum(op.name.startswith("dense/") and "/Adam" not in op.name  # slots move
                    for op in graph.get_operations())
    line = node_line(top, "dense/")
    assert f"{dense_ops} ops" in line and "2 Variables" in line
    assert not cluster_block(top, "dense")


def test_edges_between_collapsed_scopes_are_merged_with_a_count(mlp):
    graph, _ = mlp
    source = viz.to_dot(graph, depth=0).source
    edges = edge_lines(source, "gradients/", "Adam/")
    assert len(edges) == 1
    assert 'label="6 tensors"' in edges[0]  # one gradient per trainable Variable


def test_hidden_gradients_and_optimizer(mlp):
    graph, _ = mlp
    source = viz.to_dot(graph, show_gradients=False).source
    ids = node_ids(source)
    assert "dense/MatMul" in ids and "loss/Mean" in ids
    hidden = [i for i in ids if i.startswith(("gradients", "Adam", "beta1_power", "global_step"))
              or "/Adam" in i]
    assert hidden == []
    assert not cluster_block(source, "gradients") and not cluster_block(source, "Adam")
    # Constants that only fed hidden nodes (Adam's initial beta powers) go too.
    assert "0.9" not in source and "0.999" not in source


def test_optimizer_slots_are_grouped_in_the_optimizer_scope(mlp):
    graph, _ = mlp
    source = viz.to_dot(graph).source
    slots = cluster_block(source, "Adam/slots")
    for slot in ("dense/kernel/Adam", "dense/kernel/Adam_1", "beta1_power", "beta2_power"):
        assert node_line(slots, slot), f"{slot} is not among the slots"
    assert not node_line(cluster_block(source, "dense"), "dense/kernel/Adam")


def test_shape_constants_hidden_by_default():
    x = fg.placeholder(fg.float32, [None, 8], name="x")
    y = fg.reshape(x, [-1, 2, 4], name="r")
    source = viz.to_dot(y.graph).source
    assert not any("r/shape" in i or i.startswith("Reshape/") for i in node_ids(source))
    shown = viz.to_dot(y.graph, show_shape_consts=True).source
    shape_consts = [i for i in node_ids(shown) if y.op.inputs[1].op.name in i]
    assert shape_consts


def test_fetches_draw_only_what_a_run_executes(mlp):
    graph, model = mlp
    source = viz.to_dot(model["loss"]).source
    ids = node_ids(source)
    assert {"dense/MatMul", "loss/Mean", "images", "labels", "dense/kernel"} <= ids
    assert not [i for i in ids if i.startswith(("accuracy", "gradients", "Adam"))]
    # A train op needs the forward pass, the gradients and the updates, not the accuracy;
    # the Variables it updates by reference are drawn although a run does not read them.
    train = node_ids(viz.to_dot([model["train_op"]]).source)
    assert "Adam/update_dense/kernel/ApplyAdam" in train
    assert "gradients/loss/Mean_grad/MeanGrad" in train
    assert "dense/kernel/Adam" in train
    assert not [i for i in train if i.startswith("accuracy")]
    # Names are looked up in graph=.
    by_name = node_ids(viz.to_dot(["accuracy/Mean:0"], graph=graph).source)
    assert "accuracy/Mean" in by_name and "loss/Mean" not in by_name


def test_legend_lists_the_kinds_drawn(mlp):
    graph, _ = mlp
    source = viz.to_dot(graph, show_gradients=False).source
    legend = cluster_block(source, "legend")
    assert "placeholder (fed)" in legend and "Variable" in legend
    assert "stateful op" not in legend  # no stateful op is drawn without the optimizer
    assert "cluster_legend" not in viz.to_dot(graph, legend=False).source


def test_title_and_rankdir(mlp):
    graph, _ = mlp
    source = viz.to_dot(graph, title="MNIST MLP", rankdir="LR").source
    assert "MNIST MLP" in source and "rankdir=LR" in source


def test_auto_depth_keeps_the_drawing_small(mlp):
    graph, _ = mlp
    ids = node_ids(viz.to_dot(graph, depth="auto", legend=False).source)
    assert 0 < len(ids) <= 60
    assert len(node_ids(viz.to_dot(graph, legend=False).source)) > 60


def test_bad_arguments():
    x = fg.placeholder(fg.float32, [], name="x")
    with pytest.raises(ValueError, match="depth"):
        viz.to_dot(x.graph, depth=-1)
    with pytest.raises(ValueError, match="depth"):
        viz.to_dot(x.graph, depth="deep")
    with pytest.raises(ValueError, match="rankdir"):
        viz.to_dot(x.graph, rankdir="UP")
    with pytest.raises(ValueError, match="empty"):
        viz.to_dot([])
    with pytest.raises(KeyError, match="nope"):
        viz.to_dot("nope:0")


def test_default_graph_and_empty_graph():
    fg.identity(fg.placeholder(fg.float32, [3], name="p"), name="out")
    assert {"p", "out"} <= node_ids(viz.to_dot().source)
    empty = viz.to_dot(fg.Graph()).source
    assert node_ids(empty) == set() and re.search(r"digraph", empty)


def test_short_labels_and_scalars_beside_their_use():
    x = fg.placeholder(fg.float32, [None, 3], name="x")
    with fg.name_scope("block"):
        y = x * 2.0
        z = fg.add(y, y, name="total")
    source = viz.to_dot(z.graph, legend=False).source
    # Type alone when the name only repeats it (case aside); else the name under the type.
    assert label_of(node_line(source, "block/mul")) == "<<B>Mul</B>>"
    assert "total" in label_of(node_line(source, "block/total"))
    # The scalar 2.0 is drawn beside the op that uses it, showing its value.
    (const_id,) = [i for i in node_ids(source) if i.startswith("block/mul/y")]
    assert const_id == "block/mul/y@block/mul"
    assert label_of(node_line(source, const_id)).startswith("<<B>2</B>")
    (edge,) = edge_lines(source, const_id, "block/mul")
    assert "label=" not in edge  # the value is in the box; no "float32 scalar" label
