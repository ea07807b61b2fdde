"""A functional model lists its layers as TF 1.15 does (`_map_graph_network`): by decreasing
depth from the outputs, ties in the order a depth-first walk back from the outputs meets
them. Weight files read by position depend on it. Expected orders come from tf_keras."""

from __future__ import annotations

import flowgraph as fg

L = fg.keras.layers


def test_branchy_model_lists_layers_by_depth_then_walk_order():
    with fg.Graph().as_default():
        a = L.Input((4,), name="a")
        b = L.Input((5,), name="b")
        x = L.Dense(3, name="d1")(a)
        y = L.Dense(2, name="d2")(b)
        x2 = L.Dense(6, name="d3")(x)
        x3 = L.Dense(7, name="d4")(x2)
        z = L.concatenate([x3, y], name="cat")
        out = L.Dense(1, name="out")(z)
        aux = L.Dense(8, name="aux")(y)
        model = fg.keras.Model([a, b], [out, aux])
        # tf_keras (graph mode) gives exactly this order for the same model
        assert [layer.name for layer in model.layers] == \
            ["a", "d1", "d3", "b", "d4", "d2", "cat", "out", "aux"]
        shapes = [tuple(w.shape.as_list()) for w in model.weights]
        assert shapes == [(4, 3), (3,), (3, 6), (6,), (6, 7), (7,), (5, 2), (2,), (9, 1),
                          (1,), (2, 8), (8,)]


def test_an_input_the_outputs_do_not_use_comes_first():
    with fg.Graph().as_default():
        a = L.Input((3,), name="used")
        unused = L.Input((2,), name="unused")
        out = L.Dense(1, name="head")(L.Dense(4, name="body")(a))
        model = fg.keras.Model([a, unused], out)
        # depth 0 as the outputs, met "before" the walk starts (tf_keras gives the same)
        assert [layer.name for layer in model.layers] == ["used", "body", "unused", "head"]
