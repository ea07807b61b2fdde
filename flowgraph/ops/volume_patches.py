"""``tf.extract_volume_patches``: the 3-D version of ``extract_image_patches``."""

from __future__ import annotations

from typing import Any, Optional

import numpy as np

from flowgraph.graph import Tensor
from flowgraph.ops.constant import convert_to_tensor
from flowgraph.ops.conv3d import conv3d
from flowgraph.ops.elementwise import op_scope

__all__ = ["extract_volume_patches"]


def _five_ints(value: Any, what: str) -> list:
    try:
        values = [int(v) for v in value]
    except TypeError:
        values = []
    if len(values) != 5 or values[0] != 1 or values[4] != 1 or min(values) < 1:
        raise ValueError(f"extract_volume_patches: {what} must be 5 positive ints "
                         f"[1, planes, rows, cols, 1] (1 on the batch and depth axes), got "
                         f"{value!r}")
    return values


def extract_volume_patches(input: Any, ksizes: Any, strides: Any, padding: str,
                           name: Optional[str] = None) -> Tensor:
    """The ksize_planes x ksize_rows x ksize_cols patches of a 5-D batch [batch, planes, rows,
    cols, depth], each flattened (planes, then rows, then columns, then depth) into the last
    axis of the output [batch, out_planes, out_rows, out_cols, kp * kr * kc * depth], as
    TF1's ``tf.extract_volume_patches``. `padding` is "VALID" or "SAME" (zeros outside).

    It is a 3-D convolution with one-hot filters, so it is differentiable.

    >>> p = fg.extract_volume_patches(v, [1, 2, 2, 2, 1], [1, 2, 2, 2, 1], "VALID")
    """
    with op_scope(name, "ExtractVolumePatches", [input]) as scope:
        input = convert_to_tensor(input, name="input")
        if input.shape.ndims != 5 or input.shape[-1].value is None:
            raise ValueError("extract_volume_patches needs a 5-D input [batch, planes, rows, "
                             f"cols, depth] with a known depth, got shape {input.shape}")
        _, kp, kr, kc, _ = _five_ints(ksizes, "ksizes")
        strides = _five_ints(strides, "strides")
        if padding not in ("VALID", "SAME"):
            raise ValueError(f"extract_volume_patches: padding must be 'VALID' or 'SAME', got "
                             f"{padding!r}")
        depth = input.shape[-1].value
        eye = np.zeros((kp, kr, kc, depth, kp * kr * kc * depth), input.dtype.np)
        for index in range(kp * kr * kc):
            p, rest = divmod(index, kr * kc)
            r, c = divmod(rest, kc)
            for d in range(depth):
                eye[p, r, c, d, index * depth + d] = 1
        return conv3d(input, eye, strides=strides, padding=padding, name=scope)
