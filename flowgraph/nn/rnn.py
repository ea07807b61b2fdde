"""Recurrent networks, as TF1's `tf.nn`: `dynamic_rnn`, `bidirectional_dynamic_rnn` and
`raw_rnn` (a `while_loop` over the time steps, in `rnn_dynamic`), `static_rnn`,
`static_bidirectional_rnn` and `static_state_saving_rnn` (unrolled in the graph, in
`rnn_static`)."""

from flowgraph.nn.rnn_dynamic import (  # noqa: F401
    bidirectional_dynamic_rnn,
    dynamic_rnn,
    raw_rnn,
)
from flowgraph.nn.rnn_static import (  # noqa: F401
    static_bidirectional_rnn,
    static_rnn,
    static_state_saving_rnn,
)

__all__ = ["bidirectional_dynamic_rnn", "dynamic_rnn", "raw_rnn", "static_bidirectional_rnn",
           "static_rnn", "static_state_saving_rnn"]
