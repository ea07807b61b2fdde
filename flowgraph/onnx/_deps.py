"""Lazy imports of the optional `onnx` and `onnxruntime` packages, with an install hint."""

from __future__ import annotations

from typing import Any

_HINT = 'Install the ONNX extra: pip install "flowgraph[onnx]" (onnx>=1.14, onnxruntime>=1.16).'


def require_onnx() -> Any:
    """The `onnx` module; ImportError with an install hint if it is missing."""
    try:
        import onnx
    except ImportError as exc:
        raise ImportError(f"fg.onnx needs the 'onnx' package, which is not installed. "
                          f"{_HINT}") from exc
    return onnx


def require_onnxruntime() -> Any:
    """The `onnxruntime` module; ImportError with an install hint if it is missing."""
    try:
        import onnxruntime
    except ImportError as exc:
        raise ImportError(f"This needs the 'onnxruntime' package, which is not installed. "
                          f"{_HINT}") from exc
    return onnxruntime
