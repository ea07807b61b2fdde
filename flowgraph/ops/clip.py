"""Clipping by norms: clip_by_norm, global_norm, clip_by_global_norm, clip_by_average_norm.

Composites of differentiable ops (TF1's clip_ops), so gradients flow through them.
`clip_by_value` lives in `math.py`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Optional

from flowgraph.graph import Tensor
from flowgraph.indexed_slices import IndexedSlices
from flowgraph.ops.cast import cast
from flowgraph.ops.constant import constant, convert_to_tensor, identity
from flowgraph.ops.elementwise import op_scope

__all__ = ["clip_by_norm", "global_norm", "clip_by_global_norm", "clip_by_average_norm"]


def _values(t: Any, name: Optional[str] = None) -> Tensor:
    return convert_to_tensor(t.values if isinstance(t, IndexedSlices) else t, name=name)


def clip_by_norm(t: Any, clip_norm: Any, axes: Any = None,
                 name: Optional[str] = None) -> Any:
    """`t` scaled so that its L2 norm (over `axes`, default all) is at most `clip_norm`:
    ``t * clip_norm / max(l2norm(t), clip_norm)``. An IndexedSlices clips its values.

    >>> fg.clip_by_norm([3.0, 4.0], 1.0)   # [0.6, 0.8]
    """
    from flowgraph.ops.compare import greater
    from flowgraph.ops.fill import ones_like
    from flowgraph.ops.logic import where
    from flowgraph.ops.math import maximum
    from flowgraph.ops.reduce import reduce_sum
    from flowgraph.ops.unary import sqrt
    with op_scope(name, "clip_by_norm", [t, clip_norm]) as scope:
        values = _values(t, name="t")
        l2sum = reduce_sum(values * values, axes, keepdims=True)
        positive = greater(l2sum, 0.0)
        # The two-sided where keeps the gradient finite at a zero norm (as TF1).
        l2sum_safe = where(positive, l2sum, ones_like(l2sum))
        l2norm = where(positive, sqrt(l2sum_safe), l2sum)
        clip_norm = convert_to_tensor(clip_norm, dtype=values.dtype)
        intermediate = values * clip_norm
        values.shape.merge_with(intermediate.shape)  # no unintended broadcasting
        clipped = identity(intermediate / maximum(l2norm, clip_norm), name=scope)
        if isinstance(t, IndexedSlices):
            return IndexedSlices(clipped, t.indices, t.dense_shape)
        return clipped


def _check_list(t_list: Any) -> list:
    if not isinstance(t_list, Sequence) or isinstance(t_list, (str, bytes)):
        raise TypeError("t_list should be a sequence")
    return list(t_list)


def global_norm(t_list: Sequence[Any], name: Optional[str] = None) -> Tensor:
    """``sqrt(sum(l2norm(t)^2 for t in t_list))``; None entries are ignored, IndexedSlices
    count their values."""
    from flowgraph.ops.array import stack
    from flowgraph.ops.reduce import reduce_sum
    from flowgraph.ops.unary import sqrt
    t_list = _check_list(t_list)
    with op_scope(name, "global_norm", [t for t in t_list if t is not None]):
        values = [_values(t, name=f"t_{i}") for i, t in enumerate(t_list) if t is not None]
        if not values:
            raise ValueError("global_norm needs at least one tensor that is not None")
        squares = []
        for v in values:
            with v.graph.colocate_with(v.op):
                squares.append(reduce_sum(v * v))
        total = reduce_sum(stack(squares))
        return sqrt(total, name="global_norm")


def clip_by_global_norm(t_list: Sequence[Any], clip_norm: Any, use_norm: Any = None,
                        name: Optional[str] = None) -> tuple:
    """(list_clipped, global_norm): every tensor scaled by ``clip_norm / max(global_norm,
    clip_norm)``, so that their global norm is at most `clip_norm`.

    None entries stay None; IndexedSlices stay IndexedSlices. If the global norm is
    infinite or NaN, every entry becomes NaN (as TF1). Pass `use_norm` to reuse a global
    norm computed already.
    """
    from flowgraph.ops.math import minimum
    t_list = _check_list(t_list)
    if use_norm is None:
        use_norm = global_norm(t_list, name)
    use_norm = convert_to_tensor(use_norm)
    present = [t for t in t_list if t is not None]
    with op_scope(name, "clip_by_global_norm", present + [clip_norm]) as scope:
        clip_norm = convert_to_tensor(clip_norm, dtype=use_norm.dtype)
        one = constant(1.0, dtype=use_norm.dtype)
        scale_for_finite = clip_norm * minimum(one / use_norm, one / clip_norm)
        # use_norm - use_norm is 0 for a finite norm and NaN otherwise.
        scale = scale_for_finite + (use_norm - use_norm)
        clipped = []
        for i, t in enumerate(t_list):
            if t is None:
                clipped.append(None)
                continue
            v = _values(t, name=f"t_{i}")
            with v.graph.colocate_with(v.op):
                # Named "<scope>/_<i>" inside the scope, as TF1.
                c = identity(v * cast(scale, v.dtype), name=f"{scope}_{i}")
            clipped.append(IndexedSlices(c, t.indices, t.dense_shape)
                           if isinstance(t, IndexedSlices) else c)
    return clipped, use_norm


def clip_by_average_norm(t: Any, clip_norm: Any, name: Optional[str] = None) -> Tensor:
    """`t` scaled so that its L2 norm divided by its number of elements is at most
    `clip_norm`: ``t * clip_norm * min(size / l2norm(t), 1 / clip_norm)``."""
    from flowgraph.ops.math import minimum
    from flowgraph.ops.reduce import reduce_sum
    from flowgraph.ops.shape_ops import size
    from flowgraph.ops.unary import rsqrt
    with op_scope(name, "clip_by_average_norm", [t, clip_norm]) as scope:
        t = convert_to_tensor(t, name="t")
        n_element = cast(size(t), t.dtype)
        l2norm_inv = rsqrt(reduce_sum(t * t))
        clip_norm = convert_to_tensor(clip_norm, dtype=t.dtype)
        one = constant(1.0, dtype=t.dtype)
        return identity(t * clip_norm * minimum(l2norm_inv * n_element, one / clip_norm),
                        name=scope)
