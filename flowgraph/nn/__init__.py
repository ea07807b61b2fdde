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

# Convolutions.
from flowgraph.ops.conv import atrous_conv2d, conv1d, conv2d, convolution  # noqa: E402,F401
from flowgraph.ops.conv_depthwise import (  # noqa: E402,F401
    depthwise_conv2d,
    depthwise_conv2d_native,
    depthwise_conv2d_native_backprop_filter,
    depthwise_conv2d_native_backprop_input,
    separable_conv2d,
)
from flowgraph.ops.conv_grad import (  # noqa: E402,F401
    conv1d_transpose,
    conv2d_backprop_filter,
    conv2d_backprop_input,
    conv2d_transpose,
)

__all__ += [
    "atrous_conv2d", "conv1d", "conv1d_transpose", "conv2d", "conv2d_backprop_filter",
    "conv2d_backprop_input",
    "conv2d_transpose", "convolution", "depthwise_conv2d", "depthwise_conv2d_native",
    "depthwise_conv2d_native_backprop_filter", "depthwise_conv2d_native_backprop_input",
    "separable_conv2d",
]

# Pooling, normalization, dropout, more activations and losses.
from flowgraph.nn.activations import crelu, gelu, maxout, rbf, silu, swish  # noqa: E402,F401
from flowgraph.nn.dropout import dropout  # noqa: E402,F401
from flowgraph.nn.losses import (  # noqa: E402,F401
    log_poisson_loss,
    weighted_cross_entropy_with_logits,
)
from flowgraph.nn.normalization import (  # noqa: E402,F401
    batch_norm_with_global_normalization,
    batch_normalization,
    l2_normalize,
    layer_normalization,
)
from flowgraph.nn.pooling import (  # noqa: E402,F401
    avg_pool1d,
    avg_pool2d,
    avg_pool_v2,
    max_pool1d,
    max_pool2d,
    max_pool_v2,
    pool,
)
from flowgraph.ops.activations import step  # noqa: E402,F401
from flowgraph.ops.lrn import local_response_normalization, lrn  # noqa: E402,F401
from flowgraph.ops.normalization import fused_batch_norm  # noqa: E402,F401
from flowgraph.ops.pool import avg_pool, avg_pool3d, max_pool, max_pool3d  # noqa: E402,F401
from flowgraph.ops.pool_argmax import max_pool_with_argmax  # noqa: E402,F401

__all__ += [
    "avg_pool", "avg_pool1d", "avg_pool2d", "avg_pool3d", "avg_pool_v2", "batch_normalization",
    "crelu", "dropout", "fused_batch_norm", "gelu", "l2_normalize", "layer_normalization",
    "local_response_normalization", "log_poisson_loss", "lrn", "max_pool", "max_pool1d",
    "max_pool2d", "max_pool3d", "max_pool_v2", "max_pool_with_argmax", "maxout", "pool", "rbf",
    "silu", "step", "swish",
    "weighted_cross_entropy_with_logits",
]

# Recurrent networks and cells.
from flowgraph.nn import rnn_cell  # noqa: E402,F401
from flowgraph.nn.rnn import (  # noqa: E402,F401
    bidirectional_dynamic_rnn,
    dynamic_rnn,
    raw_rnn,
    static_bidirectional_rnn,
    static_rnn,
    static_state_saving_rnn,
)

__all__ += ["bidirectional_dynamic_rnn", "dynamic_rnn", "raw_rnn", "rnn_cell",
            "static_bidirectional_rnn", "static_rnn", "static_state_saving_rnn"]

# Added by the TF1 fidelity pass.
from flowgraph.nn.nn_extra import (  # noqa: E402,F401
    normalize_moments,
    relu_layer,
    sufficient_statistics,
    weighted_moments,
    xw_plus_b,
)
from flowgraph.nn.sampled import nce_loss, sampled_softmax_loss  # noqa: E402,F401
from flowgraph.ops.array_extra import depth_to_space, space_to_depth  # noqa: E402,F401
from flowgraph.ops.candidate_sampling import (  # noqa: E402,F401
    compute_accidental_hits,
    log_uniform_candidate_sampler,
    uniform_candidate_sampler,
)

__all__ += ["normalize_moments", "relu_layer", "sufficient_statistics", "weighted_moments",
            "xw_plus_b", "nce_loss", "sampled_softmax_loss", "depth_to_space",
            "space_to_depth", "compute_accidental_hits", "log_uniform_candidate_sampler",
            "uniform_candidate_sampler"]
from flowgraph.nn.embedding_sparse import (  # noqa: E402,F401
    embedding_lookup_sparse,
    safe_embedding_lookup_sparse,
)

__all__ += ["embedding_lookup_sparse", "safe_embedding_lookup_sparse"]

# 3-D convolutions.
from flowgraph.ops.conv3d import (  # noqa: E402,F401
    conv3d,
    conv3d_backprop_filter,
    conv3d_backprop_filter_v2,
    conv3d_transpose,
)

__all__ += ["conv3d", "conv3d_backprop_filter", "conv3d_backprop_filter_v2", "conv3d_transpose"]

# CTC (Connectionist Temporal Classification) loss and decoders.
from flowgraph.ops.ctc import ctc_loss  # noqa: E402,F401
from flowgraph.ops.ctc_decoders import (  # noqa: E402,F401
    ctc_beam_search_decoder,
    ctc_greedy_decoder,
)

__all__ += ["ctc_beam_search_decoder", "ctc_greedy_decoder", "ctc_loss"]

# Morphology, space-to-batch, fractional pooling, candidate samplers, CTC label helpers and
# more convolution helpers.
from flowgraph.nn.conv_transpose_extra import (  # noqa: E402,F401
    atrous_conv2d_transpose,
    compute_average_loss,
    conv_transpose,
    depthwise_conv2d_backprop_filter,
    depthwise_conv2d_backprop_input,
    scale_regularization_loss,
    with_space_to_batch,
)
from flowgraph.nn.ctc_labels import collapse_repeated, ctc_unique_labels  # noqa: E402,F401
from flowgraph.ops.candidate_sampling_more import (  # noqa: E402,F401
    all_candidate_sampler,
    fixed_unigram_candidate_sampler,
    learned_unigram_candidate_sampler,
)
from flowgraph.ops.fractional_pool import fractional_avg_pool, fractional_max_pool  # noqa: E402,F401
from flowgraph.ops.morphology import dilation2d, erosion2d  # noqa: E402,F401
from flowgraph.ops.space_batch import space_to_batch  # noqa: E402,F401

__all__ += ["atrous_conv2d_transpose", "compute_average_loss", "conv_transpose",
            "depthwise_conv2d_backprop_filter", "depthwise_conv2d_backprop_input",
            "scale_regularization_loss", "with_space_to_batch", "collapse_repeated",
            "ctc_unique_labels", "all_candidate_sampler", "fixed_unigram_candidate_sampler",
            "learned_unigram_candidate_sampler", "fractional_avg_pool", "fractional_max_pool",
            "dilation2d", "erosion2d", "space_to_batch"]

# TF1 aliases of TF2's CTC API, and the approximate top-k (exact on CPU, as TF).
from flowgraph.nn.ctc_v2 import ctc_beam_search_decoder_v2, ctc_loss_v2  # noqa: E402,F401
from flowgraph.ops.approx_topk import approx_max_k, approx_min_k  # noqa: E402,F401

__all__ += ["ctc_beam_search_decoder_v2", "ctc_loss_v2", "approx_max_k", "approx_min_k"]
