"""Import converters, one small module per family of ONNX ops (see `table`)."""

from flowgraph.onnx.import_ops import (  # noqa: F401  (they register themselves)
    activations,
    array,
    control_flow,
    elementwise,
    linalg,
    nn,
    reduce,
    slicing,
)
