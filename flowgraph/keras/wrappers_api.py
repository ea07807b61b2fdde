"""`tf.keras.wrappers`: the namespace holding `scikit_learn` (kept apart from
`flowgraph.keras.layers.wrappers`, the layer wrappers).

It is also registered as the modules ``flowgraph.keras.wrappers`` and
``flowgraph.keras.wrappers.scikit_learn``, so that TF 1.x's
``from tensorflow.keras.wrappers.scikit_learn import KerasClassifier`` works with flowgraph
in place of tensorflow."""

import sys

from flowgraph.keras import scikit_learn

__all__ = ["scikit_learn"]

sys.modules.setdefault("flowgraph.keras.wrappers", sys.modules[__name__])
sys.modules.setdefault("flowgraph.keras.wrappers.scikit_learn", scikit_learn)
