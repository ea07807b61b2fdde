"""`tf.keras.experimental` as TF 1.15 had it: premade models, the peephole LSTM cell and the
cosine learning-rate schedules, and SequenceFeatures. (TF 1.15's export_saved_model and
load_from_saved_model are not here.)"""

from flowgraph.keras.layers.peephole import PeepholeLSTMCell
from flowgraph.keras.layers.sequence_features import SequenceFeatures
from flowgraph.keras.optimizer_schedules_cosine import (
    CosineDecay,
    CosineDecayRestarts,
    LinearCosineDecay,
    NoisyLinearCosineDecay,
)
from flowgraph.keras.premade import LinearModel, WideDeepModel

__all__ = ["CosineDecay", "CosineDecayRestarts", "LinearCosineDecay", "LinearModel",
           "NoisyLinearCosineDecay", "PeepholeLSTMCell", "SequenceFeatures", "WideDeepModel"]
