"""TF1's legacy cell wrappers of `tf.contrib.rnn`: `EmbeddingWrapper`,
`InputProjectionWrapper` and `OutputProjectionWrapper`.

Each opens its own variable scope (``embedding_wrapper``, ``input_projection_wrapper``,
``output_projection_wrapper``) holding its Variables and the wrapped cell's.
"""

from __future__ import annotations

import math
from typing import Any, Callable, Optional

from flowgraph.graph import Tensor, get_default_graph
from flowgraph.initializers import random_uniform_initializer, zeros_initializer
from flowgraph.nn.embedding import embedding_lookup
from flowgraph.nn.rnn_cell_impl import RNNCell, assert_like_rnncell
from flowgraph.ops.linalg import matmul
from flowgraph.ops.nn_basic import bias_add
from flowgraph.ops.shape_ops import reshape
from flowgraph.variable_scope import get_variable, get_variable_scope

__all__ = ["EmbeddingWrapper", "InputProjectionWrapper", "OutputProjectionWrapper"]


def _linear(inputs: Tensor, output_size: int) -> Tensor:
    """``inputs @ kernel + bias`` with Variables ``kernel`` and ``bias`` (zeros) in the
    current variable scope, as TF1's `_Linear`."""
    depth = inputs.shape.as_list()[-1]
    if depth is None:
        raise ValueError(f"linear expects shape[1] to be provided for shape {inputs.shape}, "
                         "but saw None")
    dtype = inputs.dtype
    kernel = get_variable("kernel", [depth, output_size], dtype=dtype)
    bias = get_variable("bias", [output_size], dtype=dtype, initializer=zeros_initializer())
    return bias_add(matmul(inputs, kernel), bias)


class _Wrapper(RNNCell):
    def __init__(self, cell: Any, reuse: Any = None) -> None:
        super().__init__(_reuse=reuse)
        assert_like_rnncell("cell", cell)
        self._cell = cell

    @property
    def state_size(self) -> Any:
        return self._cell.state_size

    @property
    def output_size(self) -> Any:
        return self._cell.output_size

    def zero_state(self, batch_size: Any, dtype: Any) -> Any:
        with get_default_graph().name_scope(type(self).__name__ + "ZeroState"):
            return self._cell.zero_state(batch_size, dtype)


class EmbeddingWrapper(_Wrapper):
    """Embeds integer inputs (ids, [batch] or [batch, 1]) with the Variable ``embedding``
    [embedding_classes, embedding_size] before the cell."""

    def __init__(self, cell: Any, embedding_classes: int, embedding_size: int,
                 initializer: Any = None, reuse: Any = None) -> None:
        super().__init__(cell, reuse)
        if embedding_classes <= 0 or embedding_size <= 0:
            raise ValueError(f"Both embedding_classes and embedding_size must be > 0: "
                             f"{embedding_classes}, {embedding_size}.")
        self._embedding_classes = embedding_classes
        self._embedding_size = embedding_size
        self._initializer = initializer

    def call(self, inputs: Any, state: Any) -> tuple:
        initializer = self._initializer
        if initializer is None and get_variable_scope().initializer is None:
            initializer = random_uniform_initializer(-math.sqrt(3), math.sqrt(3))
        data_type = state[0].dtype if isinstance(state, (tuple, list)) else state.dtype
        embedding = get_variable("embedding",
                                 [self._embedding_classes, self._embedding_size],
                                 initializer=initializer, dtype=data_type)
        embedded = embedding_lookup(embedding, reshape(inputs, [-1]))
        return self._cell(embedded, state)


class InputProjectionWrapper(_Wrapper):
    """Projects the inputs to `num_proj` features (``kernel``, ``bias``) before the cell."""

    def __init__(self, cell: Any, num_proj: int, activation: Optional[Callable] = None,
                 input_size: Any = None, reuse: Any = None) -> None:
        super().__init__(cell, reuse)
        self._num_proj = num_proj
        self._activation = activation

    def call(self, inputs: Tensor, state: Any) -> tuple:
        projected = _linear(inputs, self._num_proj)
        if self._activation:
            projected = self._activation(projected)
        return self._cell(projected, state)


class OutputProjectionWrapper(_Wrapper):
    """Projects the cell's outputs to `output_size` features (``kernel``, ``bias``)."""

    def __init__(self, cell: Any, output_size: int, activation: Optional[Callable] = None,
                 reuse: Any = None) -> None:
        super().__init__(cell, reuse)
        if output_size < 1:
            raise ValueError(f"Parameter output_size must be > 0: {output_size}.")
        self._output_size = output_size
        self._activation = activation

    @property
    def output_size(self) -> int:
        return self._output_size

    def call(self, inputs: Any, state: Any) -> tuple:
        output, res_state = self._cell(inputs, state)
        projected = _linear(output, self._output_size)
        if self._activation:
            projected = self._activation(projected)
        return projected, res_state
