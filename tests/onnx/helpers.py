"""Shared helpers of the ONNX tests: export a graph, run it in ONNX Runtime, compare."""

from __future__ import annotations

import numpy as np

import flowgraph as fg
import flowgraph.onnx  # noqa: F401  (fg.onnx)

TOLERANCE = 1e-5


def run_onnx(path, feeds: dict) -> dict:
    """Runs an ONNX model file in ONNX Runtime (one thread); {output name: value}."""
    import onnxruntime as ort
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
    names = [o.name for o in session.get_outputs()]
    return dict(zip(names, session.run(None, feeds)))


def export_and_compare(tmp_path, inputs: dict, outputs: dict, session=None, opset: int = 17,
                       name: str = "model.onnx", round_trip: bool = True) -> tuple:
    """Exports `outputs` given `inputs` ({name: (tensor, value)}), runs the file in ONNX
    Runtime and checks that it matches flowgraph's Session to 1e-5, dtypes included. With
    `round_trip`, the file is also imported back and run in a Session, which must agree.

    Returns (model, {name: ONNX Runtime value}).
    """
    tensors = {key: t for key, (t, _) in inputs.items()}
    graph = next(iter(outputs.values())).graph
    own = session is None
    if own:
        session = fg.Session(graph=graph)
        session.run(fg.variables_initializer(graph.get_collection(fg.GraphKeys.GLOBAL_VARIABLES)))
    try:
        want = session.run(outputs, {tensors[k]: v for k, (_, v) in inputs.items()})
        path = tmp_path / name
        model = fg.onnx.export(session, tensors, outputs, path, opset=opset)
    finally:
        if own:
            session.close()
    feeds = {k: np.asarray(v) for k, (_, v) in inputs.items()}
    got = run_onnx(path, feeds)
    _compare(got, want, "ONNX Runtime")
    if round_trip:
        graph, graph_inputs, graph_outputs = fg.onnx.import_model(path)
        with fg.Session(graph=graph) as imported:
            back = imported.run(graph_outputs, {graph_inputs[k]: v for k, v in feeds.items()})
        _compare(back, want, "the imported graph")
    return model, got


def _compare(got: dict, want: dict, what: str) -> None:
    for key, value in want.items():
        value = np.asarray(value)
        message = f"{key} from {what}"
        assert got[key].dtype == value.dtype, (message, got[key].dtype, value.dtype)
        assert got[key].shape == value.shape, (message, got[key].shape, value.shape)
        if value.dtype.kind in "fc":
            np.testing.assert_allclose(got[key], value, rtol=TOLERANCE, atol=TOLERANCE,
                                       err_msg=message)
        else:
            np.testing.assert_array_equal(got[key], value, err_msg=message)


def op_types(model) -> list:
    """The op types of a model's top-level nodes, in order."""
    return [node.op_type for node in model.graph.node]
