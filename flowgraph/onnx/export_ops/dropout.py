"""Recognizing `fg.nn.dropout` so that the exported (inference) model skips its mask.

nn.dropout builds ``out = x * (cast(random_uniform(shape) >= rate, dtype) * scale)``; the
export writes an ONNX Dropout of x instead, which is the identity in inference. Only this
exact structure is recognized: other uses of random numbers are reported as unsupported
rather than silently dropped.
"""

from __future__ import annotations

from typing import Any, Optional


def _is_dropout_mask(tensor: Any) -> bool:
    op = tensor.op
    if op.type != "Mul":
        return False
    for kept in op.inputs:
        cast = kept.op
        if cast.type != "Cast":
            continue
        compare = cast.inputs[0].op
        if compare.type == "GreaterEqual" and compare.inputs[0].op.type == "RandomUniform":
            return True
    return False


def dropout_source(op: Any) -> Optional[Any]:
    """For the Mul of an nn.dropout (x times its random mask), x; else None."""
    if op.type != "Mul":
        return None
    a, b = op.inputs
    if _is_dropout_mask(b):
        return a
    if _is_dropout_mask(a):
        return b
    return None
