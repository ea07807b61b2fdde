"""Flips, 90-degree rotations and transposes of images (3-D HWC or 4-D NHWC)."""

from __future__ import annotations

from typing import Any, Optional

from flowgraph import dtypes
from flowgraph.graph import Tensor
from flowgraph.image._util import as_image, rank_3_or_4
from flowgraph.ops.elementwise import op_scope

__all__ = ["flip_left_right", "flip_up_down", "random_flip_left_right", "random_flip_up_down",
           "rot90", "transpose", "transpose_image"]


def _flip(image: Any, axis: int, scope_name: str) -> Tensor:
    from flowgraph.ops.reorder import reverse
    with op_scope(None, scope_name, [image]):
        image = as_image(image)
        rank = rank_3_or_4(image)
        result = reverse(image, [axis + rank - 3])
        result.set_shape(image.shape if image.shape.ndims is not None else [None] * 3)
        return result


def flip_left_right(image: Any) -> Tensor:
    """Flips an image (3-D) or images (4-D) horizontally: reverses the width dimension.

    >>> fg.image.flip_left_right(fg.constant([[[1], [2]], [[3], [4]]]))  # [[[2],[1]],[[4],[3]]]
    """
    return _flip(image, 1, "flip_left_right")


def flip_up_down(image: Any) -> Tensor:
    """Flips an image (3-D) or images (4-D) vertically: reverses the height dimension."""
    return _flip(image, 0, "flip_up_down")


def _random_flip(image: Any, axis: int, seed: Optional[int], scope_name: str) -> Tensor:
    """Flips with probability 1/2: one draw for a 3-D image, one per image of a batch."""
    from flowgraph.ops.array import stack
    from flowgraph.ops.compare import less
    from flowgraph.ops.logic import where_v2
    from flowgraph.ops.random import random_uniform
    from flowgraph.ops.reorder import reverse
    from flowgraph.ops.shape_ops import reshape, shape
    from flowgraph.ops.slicing import strided_slice
    with op_scope(None, scope_name, [image]):
        image = as_image(image)
        rank = rank_3_or_4(image)
        flipped = reverse(image, [axis + rank - 3])
        if rank == 3:
            draw = random_uniform([], 0, 1.0, seed=seed)
            result = where_v2(less(draw, 0.5), flipped, image)
            result.set_shape(image.shape if image.shape.ndims is not None else [None] * 3)
            return result
        batch = image.shape[0].value
        if batch is None:
            batch = strided_slice(shape(image), [0], [1], shrink_axis_mask=1)
        draws = random_uniform(stack([batch]) if not isinstance(batch, int) else [batch],
                               0, 1.0, seed=seed)
        mask = reshape(less(draws, 0.5), [-1, 1, 1, 1])
        result = where_v2(mask, flipped, image)
        result.set_shape(image.shape)
        return result


def random_flip_left_right(image: Any, seed: Optional[int] = None) -> Tensor:
    """Flips an image horizontally with probability 1/2 (each image of a 4-D batch on its
    own draw). `seed` follows TF1's seed rules (`fg.set_random_seed`)."""
    return _random_flip(image, 1, seed, "random_flip_left_right")


def random_flip_up_down(image: Any, seed: Optional[int] = None) -> Tensor:
    """Flips an image vertically with probability 1/2 (each image of a 4-D batch on its
    own draw)."""
    return _random_flip(image, 0, seed, "random_flip_up_down")


def rot90(image: Any, k: Any = 1, name: Optional[str] = None) -> Tensor:
    """Rotates an image (3-D) or images (4-D) counter-clockwise by `k` quarter turns.

    `k` is an int or an int32 scalar tensor (known only at run time is fine: the height
    and width of the result are then unknown at build time unless they are equal).

    >>> fg.image.rot90(fg.constant([[[1], [2]], [[3], [4]]]))   # [[[2], [4]], [[1], [3]]]
    """
    from flowgraph.ops.constant import convert_to_tensor
    from flowgraph.ops.image_transform import Rot90
    from flowgraph.ops.registry import apply_op
    with op_scope(name, "rot90", [image, k]) as scope:
        image = as_image(image)
        if image.shape.ndims is not None:
            rank_3_or_4(image)
        k = convert_to_tensor(k, dtype=dtypes.int32, name="k")
        if k.shape.ndims not in (None, 0):
            raise ValueError(f"k must be a scalar, got shape {k.shape}")
        return apply_op(Rot90(), [image, k], name=scope)


def transpose(image: Any, name: Optional[str] = None) -> Tensor:
    """Swaps the height and width of an image (3-D) or images (4-D)."""
    from flowgraph.ops.reorder import transpose as transpose_
    with op_scope(name, "transpose", [image]):
        image = as_image(image)
        rank = rank_3_or_4(image)
        perm = [1, 0, 2] if rank == 3 else [0, 2, 1, 3]
        return transpose_(image, perm, name=name or "transpose")


transpose_image = transpose
