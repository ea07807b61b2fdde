"""Keras masks: the boolean ``[batch, time]`` tensor that says which steps of a symbolic
tensor are real (True) and which are padding (False).

TF 1.15's Keras keeps a tensor's mask as ``tensor._keras_mask``; flowgraph's Tensors have
``__slots__``, so the masks live in a per-Graph registry here instead. `Layer.__call__`
reads the masks of a layer's inputs (`get_mask`), passes them to ``call(..., mask=)`` when
the layer takes one, and records ``compute_mask(inputs, mask)`` for its outputs
(`set_mask`).
"""

from __future__ import annotations

from typing import Any, Optional

from flowgraph.layers.base import flatten

__all__ = ["set_mask", "get_mask", "collect_masks"]


def _is_tensor(value: Any) -> bool:
    return hasattr(value, "graph") and hasattr(value, "op") and hasattr(value, "dtype")


def _registry(graph: Any) -> dict:
    return graph.get_state("keras_masks", dict)


def set_mask(tensor: Any, mask: Optional[Any]) -> None:
    """Records `mask` (a bool tensor, or None for no mask) as the Keras mask of `tensor`."""
    if not _is_tensor(tensor):
        return
    registry = _registry(tensor.graph)
    if mask is None:
        registry.pop(tensor, None)
    else:
        registry[tensor] = mask


def get_mask(tensor: Any) -> Optional[Any]:
    """The Keras mask of `tensor` (what TF 1.15 keeps as ``tensor._keras_mask``), or None."""
    if not _is_tensor(tensor):
        return None
    return _registry(tensor.graph).get(tensor)


def collect_masks(inputs: Any) -> Optional[Any]:
    """The masks of `inputs` in the same structure (a list for a list of inputs), or None
    when none of them has a mask."""
    def masks_of(structure: Any) -> Any:
        if isinstance(structure, (list, tuple)):
            return [masks_of(item) for item in structure]
        return get_mask(structure)

    masks = masks_of(inputs)
    if all(mask is None for mask in flatten(masks)):
        return None
    return masks
