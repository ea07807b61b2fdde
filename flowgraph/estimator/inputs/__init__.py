"""`fg.estimator.inputs`: input_fns over in-memory data, as TF1's
`tf.estimator.inputs` (`numpy_input_fn`, `pandas_input_fn`)."""

from flowgraph.estimator.inputs.numpy_io import numpy_input_fn
from flowgraph.estimator.inputs.pandas_io import pandas_input_fn

__all__ = ["numpy_input_fn", "pandas_input_fn"]
