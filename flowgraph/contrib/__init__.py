"""`fg.contrib`: the parts of TF1's `tf.contrib` that TF1 scripts commonly use
(`fg.contrib.rnn`, `fg.contrib.layers`, `fg.contrib.estimator`'s heads, `fg.contrib.predictor`,
`fg.contrib.lookup`)."""

from flowgraph.contrib import estimator, feature_column, layers, lookup, predictor, rnn  # noqa: F401

__all__ = ["estimator", "feature_column", "layers", "lookup", "predictor", "rnn"]
