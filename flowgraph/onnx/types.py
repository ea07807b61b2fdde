"""Element types: flowgraph DTypes <-> ONNX `TensorProto` data types."""

from __future__ import annotations

from typing import Any

from flowgraph import dtypes

# ONNX TensorProto.DataType numbers (stable across onnx versions), so that this table
# needs no import of onnx.
_TO_ONNX = {
    "float32": 1, "uint8": 2, "int8": 3, "uint16": 4, "int16": 5, "int32": 6, "int64": 7,
    "string": 8, "bool": 9, "float16": 10, "float64": 11,
}
_FROM_ONNX = {code: name for name, code in _TO_ONNX.items()}
_ONNX_NAMES = {1: "FLOAT", 2: "UINT8", 3: "INT8", 4: "UINT16", 5: "INT16", 6: "INT32",
               7: "INT64", 8: "STRING", 9: "BOOL", 10: "FLOAT16", 11: "DOUBLE", 12: "UINT32",
               13: "UINT64", 14: "COMPLEX64", 15: "COMPLEX128", 16: "BFLOAT16"}


def onnx_type(dtype: Any, where: str = "") -> int:
    """The ONNX element type of a flowgraph dtype; TypeError naming `where` if ONNX has none."""
    dtype = dtypes.as_dtype(dtype)
    code = _TO_ONNX.get(dtype.name)
    if code is None:
        raise TypeError(f"ONNX has no element type for {dtype.name}"
                        + (f" ({where})" if where else "")
                        + f"; supported: {sorted(_TO_ONNX)}.")
    return code


def fg_dtype(code: int, where: str = "") -> dtypes.DType:
    """The flowgraph dtype of an ONNX element type; TypeError naming `where` if none fits."""
    name = _FROM_ONNX.get(int(code))
    if name is None:
        raise TypeError(f"flowgraph has no dtype for the ONNX element type "
                        f"{_ONNX_NAMES.get(int(code), code)}"
                        + (f" ({where})" if where else "")
                        + f"; supported: {sorted(_ONNX_NAMES[c] for c in _FROM_ONNX)}.")
    return dtypes.as_dtype(name)
