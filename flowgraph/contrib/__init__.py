"""`fg.contrib`: the parts of TF1's `tf.contrib` that TF1 scripts commonly use
(`fg.contrib.rnn`, `fg.contrib.layers`, `fg.contrib.estimator`'s heads, `fg.contrib.predictor`,
`fg.contrib.lookup`, `fg.contrib.framework` and `fg.contrib.slim`, `fg.contrib.seq2seq`,
`fg.contrib.training`'s HParams, `fg.contrib.metrics`' streaming metrics, `fg.contrib.opt`)."""

from flowgraph.contrib import (  # noqa: F401
    estimator,
    feature_column,
    framework,
    layers,
    lookup,
    metrics,
    opt,
    predictor,
    rnn,
    seq2seq,
    slim,
    training,
)
from flowgraph.contrib import slim_losses as losses  # tf.contrib.losses (slim.losses)

__all__ = ["estimator", "feature_column", "framework", "layers", "lookup", "losses", "metrics",
           "opt", "predictor", "rnn", "seq2seq", "slim", "training"]
