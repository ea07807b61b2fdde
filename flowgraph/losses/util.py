"""Loss collections: add_loss, get_losses, the regularization losses and the total loss
(TF1's `tf.losses` utilities)."""

from __future__ import annotations

from typing import Any, Optional

from flowgraph.graph import GraphKeys, Tensor, add_to_collection, get_collection
from flowgraph.ops import add_n, constant

__all__ = ["add_loss", "get_losses", "get_regularization_losses", "get_regularization_loss",
           "get_total_loss"]


def add_loss(loss: Any, loss_collection: Optional[str] = GraphKeys.LOSSES) -> None:
    """Adds `loss` to `loss_collection` (nothing when it is None)."""
    if loss_collection:
        add_to_collection(loss_collection, loss)


def get_losses(scope: Optional[str] = None,
               loss_collection: str = GraphKeys.LOSSES) -> list:
    """The losses in `loss_collection`, filtered by name `scope` (a regular expression
    matched at the start of the name)."""
    return get_collection(loss_collection, scope)


def get_regularization_losses(scope: Optional[str] = None) -> list:
    """The tensors in ``GraphKeys.REGULARIZATION_LOSSES`` (filtered by `scope`)."""
    return get_collection(GraphKeys.REGULARIZATION_LOSSES, scope)


def get_regularization_loss(scope: Optional[str] = None,
                            name: str = "total_regularization_loss") -> Tensor:
    """The sum of the regularization losses, or a constant 0.0 if there are none."""
    losses = get_regularization_losses(scope)
    if losses:
        return add_n(losses, name=name)
    return constant(0.0)


def get_total_loss(add_regularization_losses: bool = True, name: str = "total_loss",
                   scope: Optional[str] = None) -> Tensor:
    """The sum of the losses in ``GraphKeys.LOSSES`` and, by default, the regularization
    losses. Raises ValueError when there is no loss at all."""
    losses = get_losses(scope=scope)
    if add_regularization_losses:
        losses = losses + get_regularization_losses(scope=scope)
    if not losses:
        raise ValueError("No losses to add up: the LOSSES and REGULARIZATION_LOSSES "
                         "collections are empty. Make a loss with fg.losses.* (or "
                         "fg.losses.add_loss) first.")
    return add_n(losses, name=name)
