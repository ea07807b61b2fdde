"""`fg.nn`: TF1's `tf.nn` names: activations, softmax, losses, bias_add, moments,
embedding lookups."""

from flowgraph.nn.embedding import embedding_lookup  # noqa: F401
from flowgraph.nn.stats import moments, zero_fraction  # noqa: F401
from flowgraph.ops.activations import (  # noqa: F401
    elu,
    leaky_relu,
    relu,
    relu6,
    selu,
    softplus,
    softsign,
)
from flowgraph.ops.nn_basic import bias_add, l2_loss  # noqa: F401
from flowgraph.ops.softmax import log_softmax, softmax  # noqa: F401
from flowgraph.ops.sort import in_top_k, top_k  # noqa: F401
from flowgraph.ops.trig import sigmoid, tanh  # noqa: F401
from flowgraph.ops.xent import (  # noqa: F401
    sigmoid_cross_entropy_with_logits,
    softmax_cross_entropy_with_logits,
    softmax_cross_entropy_with_logits_v2,
    sparse_softmax_cross_entropy_with_logits,
)

__all__ = [
    "bias_add", "elu", "embedding_lookup", "in_top_k", "l2_loss", "leaky_relu",
    "log_softmax", "moments", "relu", "relu6", "selu", "sigmoid",
    "sigmoid_cross_entropy_with_logits", "softmax", "softmax_cross_entropy_with_logits",
    "softmax_cross_entropy_with_logits_v2", "softplus", "softsign",
    "sparse_softmax_cross_entropy_with_logits", "tanh", "top_k", "zero_fraction",
]
