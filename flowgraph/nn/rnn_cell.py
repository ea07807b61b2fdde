"""`fg.nn.rnn_cell`: TF1's `tf.nn.rnn_cell` names (recurrent cells and cell wrappers)."""

from flowgraph.nn.rnn_cell_impl import BasicRNNCell, GRUCell, LayerRNNCell, RNNCell  # noqa
from flowgraph.nn.rnn_cell_lstm import BasicLSTMCell, LSTMCell, LSTMStateTuple  # noqa: F401
from flowgraph.nn.rnn_cell_wrappers import (  # noqa: F401
    DeviceWrapper,
    DropoutWrapper,
    MultiRNNCell,
    ResidualWrapper,
)

__all__ = ["BasicLSTMCell", "BasicRNNCell", "DeviceWrapper", "DropoutWrapper", "GRUCell",
           "LSTMCell", "LSTMStateTuple", "MultiRNNCell", "RNNCell", "ResidualWrapper"]
