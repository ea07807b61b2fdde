"""`fg.random`: TF1's `tf.random` names."""

from flowgraph.graph import set_random_seed  # noqa: F401
from flowgraph.ops.random import get_seed, normal, truncated_normal, uniform  # noqa: F401
from flowgraph.ops.random_sampling import categorical, multinomial, shuffle  # noqa: F401

# Added by the TF1 fidelity pass.
from flowgraph.ops.candidate_sampling import (  # noqa: E402,F401
    log_uniform_candidate_sampler,
    uniform_candidate_sampler,
)
from flowgraph.ops.random_more import random_gamma as gamma  # noqa: E402,F401
from flowgraph.ops.random_more import random_poisson as poisson  # noqa: E402,F401

from flowgraph.ops.stateless_random import (  # noqa: E402,F401 - tf.random.stateless_*
    stateless_categorical,
    stateless_multinomial,
    stateless_truncated_normal,
)
from flowgraph.ops.stateless_random import (  # noqa: E402,F401
    stateless_random_normal as stateless_normal,
    stateless_random_uniform as stateless_uniform,
)

from flowgraph.ops.candidate_sampling_more import (  # noqa: E402,F401
    all_candidate_sampler,
    fixed_unigram_candidate_sampler,
    learned_unigram_candidate_sampler,
)

from flowgraph.ops.stateless_random_more import (  # noqa: E402,F401 - tf.random.stateless_*
    stateless_random_binomial as stateless_binomial,
    stateless_random_gamma as stateless_gamma,
    stateless_random_poisson as stateless_poisson,
)
