"""`fg.contrib.rnn`: TF1's `tf.contrib.rnn` names: the cells and wrappers of
`fg.nn.rnn_cell`, the legacy projection and embedding wrappers, the static RNNs, and the
stacked bidirectional RNNs."""

from __future__ import annotations

from typing import Any, Optional

from flowgraph.contrib.core_rnn_cell import (  # noqa: F401
    EmbeddingWrapper,
    InputProjectionWrapper,
    OutputProjectionWrapper,
)
from flowgraph.contrib.rnn_cells import (  # noqa: F401
    GRUBlockCell,
    GRUBlockCellV2,
    HighwayWrapper,
    LayerNormBasicLSTMCell,
    LSTMBlockCell,
    LSTMBlockFusedCell,
)
from flowgraph.nn.rnn_cell import (  # noqa: F401
    BasicLSTMCell,
    BasicRNNCell,
    DeviceWrapper,
    DropoutWrapper,
    GRUCell,
    LayerRNNCell,
    LSTMCell,
    LSTMStateTuple,
    MultiRNNCell,
    ResidualWrapper,
    RNNCell,
)
from flowgraph.nn.rnn_static import (  # noqa: F401
    static_bidirectional_rnn,
    static_rnn,
    static_state_saving_rnn,
)
from flowgraph.ops.array import concat
from flowgraph.variable_scope import variable_scope

__all__ = ["BasicLSTMCell", "BasicRNNCell", "DeviceWrapper", "DropoutWrapper",
           "EmbeddingWrapper", "GRUCell", "InputProjectionWrapper", "LSTMCell",
           "LSTMStateTuple", "LayerRNNCell", "MultiRNNCell", "OutputProjectionWrapper",
           "RNNCell", "ResidualWrapper", "stack_bidirectional_dynamic_rnn",
           "stack_bidirectional_rnn", "static_bidirectional_rnn", "static_rnn",
           "static_state_saving_rnn", "GRUBlockCell", "GRUBlockCellV2", "HighwayWrapper",
           "LayerNormBasicLSTMCell", "LSTMBlockCell", "LSTMBlockFusedCell"]


def _check_stack(cells_fw: Any, cells_bw: Any, initial_states_fw: Any,
                 initial_states_bw: Any) -> None:
    if not cells_fw:
        raise ValueError("Must specify at least one fw cell for BidirectionalRNN.")
    if not cells_bw:
        raise ValueError("Must specify at least one bw cell for BidirectionalRNN.")
    if not isinstance(cells_fw, list):
        raise ValueError("cells_fw must be a list of RNNCells (one per layer).")
    if not isinstance(cells_bw, list):
        raise ValueError("cells_bw must be a list of RNNCells (one per layer).")
    if len(cells_fw) != len(cells_bw):
        raise ValueError("Forward and Backward cells must have the same depth.")
    if initial_states_fw is not None and (not isinstance(initial_states_fw, list)
                                          or len(initial_states_fw) != len(cells_fw)):
        raise ValueError("initial_states_fw must be a list of state tensors (one per layer).")
    if initial_states_bw is not None and (not isinstance(initial_states_bw, list)
                                          or len(initial_states_bw) != len(cells_bw)):
        raise ValueError("initial_states_bw must be a list of state tensors (one per layer).")


def stack_bidirectional_rnn(cells_fw: list, cells_bw: list, inputs: Any,
                            initial_states_fw: Optional[list] = None,
                            initial_states_bw: Optional[list] = None, dtype: Any = None,
                            sequence_length: Any = None, scope: Any = None) -> tuple:
    """Layers of `static_bidirectional_rnn`: layer i reads the concatenated outputs of
    layer i - 1; its Variables live under ``stack_bidirectional_rnn/cell_<i>/{fw,bw}/``.

    Returns (outputs, output_states_fw, output_states_bw): the last layer's list of
    outputs and one final state per layer and direction.
    """
    _check_stack(cells_fw, cells_bw, initial_states_fw, initial_states_bw)
    states_fw, states_bw = [], []
    prev_layer = inputs
    with variable_scope(scope or "stack_bidirectional_rnn"):
        for i, (cell_fw, cell_bw) in enumerate(zip(cells_fw, cells_bw)):
            state_fw = initial_states_fw[i] if initial_states_fw else None
            state_bw = initial_states_bw[i] if initial_states_bw else None
            with variable_scope(f"cell_{i}") as cell_scope:
                prev_layer, out_fw, out_bw = static_bidirectional_rnn(
                    cell_fw, cell_bw, prev_layer, initial_state_fw=state_fw,
                    initial_state_bw=state_bw, sequence_length=sequence_length, dtype=dtype,
                    scope=cell_scope)
            states_fw.append(out_fw)
            states_bw.append(out_bw)
    return prev_layer, tuple(states_fw), tuple(states_bw)


def stack_bidirectional_dynamic_rnn(cells_fw: list, cells_bw: list, inputs: Any,
                                    initial_states_fw: Optional[list] = None,
                                    initial_states_bw: Optional[list] = None,
                                    dtype: Any = None, sequence_length: Any = None,
                                    parallel_iterations: Optional[int] = None,
                                    time_major: bool = False, scope: Any = None,
                                    swap_memory: bool = False) -> tuple:
    """Layers of `bidirectional_dynamic_rnn`: layer i reads ``concat(outputs, 2)`` of layer
    i - 1; Variables under ``stack_bidirectional_rnn/cell_<i>/bidirectional_rnn/{fw,bw}/``.

    Returns (outputs, output_states_fw, output_states_bw): the last layer's concatenated
    outputs and one final state per layer and direction.
    """
    from flowgraph.nn.rnn import bidirectional_dynamic_rnn

    _check_stack(cells_fw, cells_bw, initial_states_fw, initial_states_bw)
    states_fw, states_bw = [], []
    prev_layer = inputs
    with variable_scope(scope or "stack_bidirectional_rnn"):
        for i, (cell_fw, cell_bw) in enumerate(zip(cells_fw, cells_bw)):
            state_fw = initial_states_fw[i] if initial_states_fw else None
            state_bw = initial_states_bw[i] if initial_states_bw else None
            with variable_scope(f"cell_{i}"):
                outputs, (out_fw, out_bw) = bidirectional_dynamic_rnn(
                    cell_fw, cell_bw, prev_layer, initial_state_fw=state_fw,
                    initial_state_bw=state_bw, sequence_length=sequence_length,
                    parallel_iterations=parallel_iterations, dtype=dtype,
                    swap_memory=swap_memory, time_major=time_major)
                prev_layer = concat(outputs, 2)
            states_fw.append(out_fw)
            states_bw.append(out_bw)
    return prev_layer, tuple(states_fw), tuple(states_bw)
