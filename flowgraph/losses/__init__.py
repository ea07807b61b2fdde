"""`fg.losses`: TF1's `tf.losses`: weighted, reduced losses added to `GraphKeys.LOSSES`,
and the loss collections.

>>> loss = fg.losses.sparse_softmax_cross_entropy(labels=y, logits=logits)
>>> total = fg.losses.get_total_loss()      # + the layers' regularization losses
"""

from flowgraph.losses.losses_impl import (
    absolute_difference,
    cosine_distance,
    hinge_loss,
    huber_loss,
    log_loss,
    mean_pairwise_squared_error,
    mean_squared_error,
    sigmoid_cross_entropy,
    softmax_cross_entropy,
    sparse_softmax_cross_entropy,
)
from flowgraph.losses.reduction import Reduction, compute_weighted_loss
from flowgraph.losses.util import (
    add_loss,
    get_losses,
    get_regularization_loss,
    get_regularization_losses,
    get_total_loss,
)

__all__ = [
    "Reduction", "absolute_difference", "add_loss", "compute_weighted_loss",
    "cosine_distance", "get_losses", "get_regularization_loss", "get_regularization_losses",
    "get_total_loss", "hinge_loss", "huber_loss", "log_loss", "mean_pairwise_squared_error",
    "mean_squared_error", "sigmoid_cross_entropy", "softmax_cross_entropy",
    "sparse_softmax_cross_entropy",
]
