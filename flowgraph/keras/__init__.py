"""`tf.keras` as TF 1.15 had it in graph mode: layers, the functional and Sequential models
with compile / fit / evaluate / predict in the Keras backend's Session, optimizers, losses,
metrics, callbacks, initializers, regularizers, activations, the backend functions and utils.
"""

from flowgraph.keras import (
    activations,
    applications,
    backend,
    callbacks,
    constraints,
    datasets,
    estimator,
    initializers,
    layers,
    losses,
    metrics,
    models,
    optimizers,
    preprocessing,
    regularizers,
    utils,
)
from flowgraph.keras.input_layer import Input
from flowgraph.keras.models import Model, Sequential

__version__ = "2.2.4-tf"  # what TF 1.15's tf.keras.__version__ says

__all__ = ["Input", "Model", "Sequential", "activations", "applications", "backend", "callbacks",
           "constraints", "datasets", "estimator", "initializers", "layers", "losses", "metrics",
           "models", "optimizers", "preprocessing", "regularizers", "utils"]

from flowgraph.keras import wrappers_api as wrappers  # noqa: E402,I001 - tf.keras.wrappers
__all__ += ["wrappers"]

from flowgraph.keras import experimental  # noqa: E402,F401,I001 - tf.keras.experimental
__all__ += ["experimental"]
