"""`fg.onnx.export`: the forward part of a graph as an ONNX model file."""

from __future__ import annotations

import os
from typing import Any, Mapping, Union

from flowgraph import errors
from flowgraph.graph import Tensor
from flowgraph.io.atomic import atomic_write
from flowgraph.onnx._deps import require_onnx
from flowgraph.onnx.emit import ModelState, Scope
from flowgraph.onnx.unsupported import unsupported_error

DEFAULT_OPSET = 17
MIN_OPSET = 13  # single-axis Softmax, axes of ReduceSum / Squeeze / Split as inputs


def export(session: Any, inputs: Mapping[str, Any], outputs: Mapping[str, Any],
           path: Union[str, os.PathLike], opset: int = DEFAULT_OPSET) -> Any:
    """Writes the part of a graph between `inputs` and `outputs` as an ONNX model.

    Variables are frozen: their current values in `session` become initializers. Dropout
    (``fg.nn.dropout``, and ``fg.layers.dropout`` with its training flag at its default) is
    left out, as in inference; a ``placeholder_with_default`` that is not an input takes
    its default value. Ops that the outputs do not need, such as assignments that only run
    for their effect, are not exported. Channels-last convolutions and pools are wrapped in
    transposes to ONNX's channels-first ones. The model is checked with
    ``onnx.checker.check_model(full_check=True)`` before it is written (atomically).

    Parameters
    ----------
    session : Session or None
        Holds the values of the Variables the outputs read (None if they read none).
    inputs : dict of {str: Tensor}
        The ONNX graph inputs, by name: usually placeholders, but any tensor may be one
        (what computes it is then not exported).
    outputs : dict of {str: Tensor}
        The ONNX graph outputs, by name.
    path : str or os.PathLike
        The ``.onnx`` file to write.
    opset : int
        The ONNX opset version (13 or later; default 17).

    Returns
    -------
    onnx.ModelProto
        The model that was written.

    Raises
    ------
    UnsupportedOpError
        Some ops between the inputs and the outputs have no ONNX conversion; the message
        lists every such op type with its nodes (an `fg.errors.UnimplementedError`).
    ValueError, TypeError
        Bad arguments: no outputs, a name used twice, tensors of another graph, an opset
        out of range.
    ImportError
        The `onnx` package is missing (``pip install "flowgraph[onnx]"``).

    Examples
    --------
    >>> fg.onnx.export(sess, inputs={"images": x}, outputs={"logits": logits},
    ...                path="mnist.onnx")
    """
    onnx = require_onnx()
    opset = _check_opset(onnx, opset)
    inputs = _tensor_dict(inputs, "inputs")
    outputs = _tensor_dict(outputs, "outputs")
    if not outputs:
        raise ValueError("fg.onnx.export needs at least one output, e.g. "
                         "outputs={'logits': logits}")
    both = sorted(set(inputs) & set(outputs))
    if both:
        raise ValueError(f"The names {both} are used for both an input and an output; ONNX "
                         "needs distinct names.")
    graph = session.graph if session is not None else next(iter(outputs.values())).graph
    for kind, tensors in (("input", inputs), ("output", outputs)):
        for name, t in tensors.items():
            if t.graph is not graph:
                raise ValueError(f"The {kind} {name!r} ({t.name}) belongs to another graph "
                                 "than the session's; export tensors of the session's graph.")

    model = ModelState(onnx, opset, session)
    model.used_names.update(inputs)
    model.used_names.update(outputs)
    top = Scope(model)
    for name, t in inputs.items():
        top.bind(t, name)
    names = top.convert(list(outputs.values()))
    if model.problems:
        from flowgraph.onnx.export_ops import get_exporters
        raise unsupported_error(model.problems, "export", sorted(get_exporters()))

    helper = onnx.helper
    for name, t in inputs.items():
        if t.shape.ndims is None:
            raise ValueError(f"The input {name!r} ({t.name}) has an unknown number of "
                             "dimensions; ONNX inputs need one. Give the placeholder a shape "
                             "(None for sizes known only when it runs), e.g. [None, 784].")
    input_infos = [top.value_info(name, t.dtype, t.shape) for name, t in inputs.items()]
    output_infos = []
    for (out_name, t), name in zip(outputs.items(), names):
        top.nodes.append(helper.make_node("Identity", [name], [out_name],
                                          name=model.unique(f"{out_name}/Identity")))
        output_infos.append(top.value_info(out_name, t.dtype, t.shape))
    graph_proto = top.graph("flowgraph", input_infos, output_infos)
    opset_ids = [helper.make_opsetid("", opset)]
    from flowgraph import __version__
    model_proto = helper.make_model(graph_proto, opset_imports=opset_ids,
                                    producer_name="flowgraph", producer_version=__version__)
    model_proto.ir_version = helper.find_min_ir_version_for(opset_ids)
    _complete_output_shapes(onnx, model_proto, outputs)
    try:
        onnx.checker.check_model(model_proto, full_check=True)
    except Exception as exc:  # onnx's ValidationError / InferenceError
        raise errors.InternalError(
            None, None, f"The exported ONNX model fails onnx.checker: {exc}\nThis is a bug "
            "in flowgraph's ONNX export; please report it with the op types of the "
            "model.") from exc
    atomic_write(path, model_proto.SerializeToString())
    return model_proto


def _check_opset(onnx: Any, opset: Any) -> int:
    newest = onnx.defs.onnx_opset_version()
    if isinstance(opset, bool) or not isinstance(opset, int) or \
            not MIN_OPSET <= opset <= newest:
        raise ValueError(f"opset must be an int from {MIN_OPSET} to {newest} (the newest "
                         f"this onnx package knows), got {opset!r}")
    return opset


def _tensor_dict(values: Any, what: str) -> dict:
    if not isinstance(values, Mapping):
        raise TypeError(f"{what} must be a dict of {{name: tensor}}, got "
                        f"{type(values).__name__}")
    result = {}
    for name, value in values.items():
        if not isinstance(name, str) or not name:
            raise TypeError(f"The names in {what} must be non-empty strings, got {name!r}")
        to_tensor = getattr(value, "__fg_tensor__", None)
        tensor = to_tensor() if to_tensor is not None else value
        if not isinstance(tensor, Tensor):
            raise TypeError(f"{what}[{name!r}] must be a Tensor, got "
                            f"{type(value).__name__} {value!r}")
        result[name] = tensor
    return result


def _complete_output_shapes(onnx: Any, model: Any, outputs: dict) -> None:
    """Outputs of a rank flowgraph does not know get the one ONNX infers (ONNX wants one)."""
    unknown = [info for info in model.graph.output
               if not info.type.tensor_type.HasField("shape")]
    if not unknown:
        return
    inferred = onnx.shape_inference.infer_shapes(model)
    found = {info.name: info for info in inferred.graph.output}
    for info in unknown:
        other = found.get(info.name)
        if other is None or not other.type.tensor_type.HasField("shape"):
            raise ValueError(f"The output {info.name!r} ({outputs[info.name].name}) has an "
                             "unknown number of dimensions, and ONNX cannot infer it; ONNX "
                             "outputs need one. Give it a shape with set_shape, or "
                             "export a tensor of known rank.")
        info.type.CopyFrom(other.type)
