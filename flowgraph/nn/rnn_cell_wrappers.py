"""Cells built from other cells, as TF1's: `MultiRNNCell` (stacked layers), `DropoutWrapper`,
`ResidualWrapper` and `DeviceWrapper`.

A wrapper adds no variable scope of its own (the wrapped cell's Variables keep their names,
``rnn/basic_lstm_cell/kernel``); `MultiRNNCell` puts cell ``i`` under
``multi_rnn_cell/cell_<i>/``.
"""

from __future__ import annotations

import hashlib
import numbers
from typing import Any, Callable, Optional

from flowgraph.control_flow import nest
from flowgraph.graph import Tensor, get_default_graph
from flowgraph.nn.dropout import dropout
from flowgraph.nn.rnn_cell_impl import RNNCell, _zero_state_tensors, assert_like_rnncell
from flowgraph.nn.rnn_cell_lstm import LSTMStateTuple
from flowgraph.ops.array import concat
from flowgraph.ops.constant import convert_to_tensor
from flowgraph.ops.division import truediv
from flowgraph.ops.random import random_uniform
from flowgraph.ops.registry import constant_value
from flowgraph.ops.rounding import floor
from flowgraph.ops.slicing import slice as slice_op
from flowgraph.shapes import TensorShape
from flowgraph.variable_scope import variable_scope

__all__ = ["MultiRNNCell", "DropoutWrapper", "ResidualWrapper", "DeviceWrapper"]


class _WrapperCell(RNNCell):
    """A cell that delegates its sizes and zero state to `cell`."""

    def __init__(self, cell: Any) -> None:
        super().__init__()
        assert_like_rnncell("cell", cell)
        self._cell = cell

    @property
    def wrapped_cell(self) -> Any:
        return self._cell

    @property
    def state_size(self) -> Any:
        return self._cell.state_size

    @property
    def output_size(self) -> Any:
        return self._cell.output_size

    @property
    def trainable_weights(self) -> list:
        return list(getattr(self._cell, "trainable_weights", []))

    @property
    def non_trainable_weights(self) -> list:
        return list(getattr(self._cell, "non_trainable_weights", []))

    trainable_variables = trainable_weights
    non_trainable_variables = non_trainable_weights

    @property
    def weights(self) -> list:
        return self.trainable_weights + self.non_trainable_weights

    variables = weights

    def zero_state(self, batch_size: Any, dtype: Any) -> Any:
        with get_default_graph().name_scope(type(self).__name__ + "ZeroState"):
            return self._cell.zero_state(batch_size, dtype)


def _rebuild(like: Any, items: list) -> Any:
    """A list, tuple or namedtuple like `like` holding `items`."""
    return type(like)(*items) if hasattr(type(like), "_fields") else type(like)(items)


def _default_dropout_state_filter_visitor(substate: Any) -> Any:
    """No dropout on the memory `c` of an LSTM state; dropout everywhere else."""
    if isinstance(substate, LSTMStateTuple):
        return LSTMStateTuple(c=False, h=True)
    if hasattr(substate, "flow"):  # a TensorArray
        return False
    return True


class DropoutWrapper(_WrapperCell):
    """Dropout on the inputs, outputs and/or new states of `cell`, as TF1's.

    Keep probabilities of 1 (Python floats) add no ops. By default the memory `c` of LSTM
    states is never dropped (see `dropout_state_filter_visitor`). With
    `variational_recurrent`, one mask per `Session.run` is used at every step (Gal and
    Ghahramani, 2016); it needs `dtype`, and `input_size` when inputs are dropped.
    """

    def __init__(self, cell: Any, input_keep_prob: Any = 1.0, output_keep_prob: Any = 1.0,
                 state_keep_prob: Any = 1.0, variational_recurrent: bool = False,
                 input_size: Any = None, dtype: Any = None, seed: Optional[int] = None,
                 dropout_state_filter_visitor: Optional[Callable] = None) -> None:
        super().__init__(cell)
        if dropout_state_filter_visitor is not None and \
                not callable(dropout_state_filter_visitor):
            raise TypeError("dropout_state_filter_visitor must be callable")
        self._dropout_state_filter = (dropout_state_filter_visitor
                                      or _default_dropout_state_filter_visitor)
        with get_default_graph().name_scope("DropoutWrapperInit"):
            for prob, attr in ((input_keep_prob, "input_keep_prob"),
                               (state_keep_prob, "state_keep_prob"),
                               (output_keep_prob, "output_keep_prob")):
                tensor = convert_to_tensor(prob)
                value = constant_value(tensor)
                if value is not None:
                    value = float(value)
                    if value < 0 or value > 1:
                        raise ValueError(f"Parameter {attr} must be between 0 and 1: "
                                         f"{value:g}")
                    setattr(self, f"_{attr}", value)
                else:
                    setattr(self, f"_{attr}", tensor)
        self._variational_recurrent = variational_recurrent
        self._seed = seed
        self._recurrent_input_noise = None
        self._recurrent_state_noise = None
        self._recurrent_output_noise = None
        if variational_recurrent:
            if dtype is None:
                raise ValueError("When variational_recurrent=True, dtype must be provided")

            def noise(kind: str) -> Callable:
                counter = [0]

                def make(size: Any) -> Tensor:
                    dims = [1] + TensorShape(size).as_list()
                    seed_ = self._gen_seed(kind, counter[0])
                    counter[0] += 1
                    return random_uniform(dims, seed=seed_, dtype=dtype)
                return make

            if not isinstance(self._input_keep_prob, numbers.Real) or \
                    self._input_keep_prob < 1.0:
                if input_size is None:
                    raise ValueError("When variational_recurrent=True and input_keep_prob < "
                                     "1.0 or is unknown, input_size must be provided")
                self._recurrent_input_noise = nest.map_structure(noise("input"), input_size)
            self._recurrent_state_noise = nest.map_structure(noise("state"), cell.state_size)
            self._recurrent_output_noise = nest.map_structure(noise("output"),
                                                              cell.output_size)

    def _gen_seed(self, salt_prefix: str, index: int) -> Optional[int]:
        if self._seed is None:
            return None
        salt = f"{salt_prefix}_{index}"
        digest = hashlib.md5((str(self._seed) + salt).encode("utf-8")).hexdigest()
        return int(digest[:8], 16) & 0x7FFFFFFF

    def _dropout(self, values: Any, salt_prefix: str, recurrent_noise: Any, keep_prob: Any,
                 state_filter: Optional[Callable] = None) -> Any:
        """Dropout on the leaves of `values` chosen by `state_filter` (all by default)."""
        counter = [0]
        flat_noise = nest.flatten(recurrent_noise) if recurrent_noise is not None else None

        def drop(value: Tensor) -> Tensor:
            index = counter[0]
            counter[0] += 1
            if not self._variational_recurrent:
                return dropout(value, keep_prob=keep_prob,
                               seed=self._gen_seed(salt_prefix, index))
            binary = floor(keep_prob + flat_noise[index])
            result = truediv(value, keep_prob) * binary
            result.set_shape(value.shape)
            return result

        def skip(value: Any) -> Any:
            counter[0] += len(nest.flatten(value))
            return value

        def visit(value: Any) -> Any:
            decision = state_filter(value) if state_filter is not None else True
            if isinstance(decision, bool):
                if not decision:
                    return skip(value)
                if nest.is_sequence(value):
                    return _rebuild(value, [visit(v) for v in value])
                return drop(value)
            return _rebuild(value, [visit(v) if d else skip(v)
                                    for d, v in zip(decision, value)])

        return visit(values)

    def _call(self, inputs: Any, state: Any, call_fn: Callable, **kwargs: Any) -> tuple:
        def should_dropout(p: Any) -> bool:
            return not isinstance(p, float) or p < 1

        if should_dropout(self._input_keep_prob):
            inputs = self._dropout(inputs, "input", self._recurrent_input_noise,
                                   self._input_keep_prob)
        output, new_state = call_fn(inputs, state, **kwargs)
        if should_dropout(self._state_keep_prob):
            new_state = self._dropout(new_state, "state", self._recurrent_state_noise,
                                      self._state_keep_prob, self._dropout_state_filter)
        if should_dropout(self._output_keep_prob):
            output = self._dropout(output, "output", self._recurrent_output_noise,
                                   self._output_keep_prob)
        return output, new_state

    def __call__(self, inputs: Any, state: Any, scope: Any = None) -> tuple:
        """Runs the wrapped cell (in its own scope) with the declared dropouts."""
        return self._call(inputs, state, call_fn=self._cell.__call__, scope=scope)


class ResidualWrapper(_WrapperCell):
    """Adds the cell's inputs to its outputs (`residual_fn(inputs, outputs)` if given)."""

    def __init__(self, cell: Any, residual_fn: Optional[Callable] = None) -> None:
        super().__init__(cell)
        self._residual_fn = residual_fn

    def __call__(self, inputs: Any, state: Any, scope: Any = None) -> tuple:
        outputs, new_state = self._cell(inputs, state, scope=scope)

        def default_residual_fn(inputs: Any, outputs: Any) -> Any:
            nest.assert_same_structure(inputs, outputs)

            def add(inp: Tensor, out: Tensor) -> Tensor:
                inp.shape.assert_is_compatible_with(out.shape)
                return inp + out
            return nest.map_structure(add, inputs, outputs)

        return (self._residual_fn or default_residual_fn)(inputs, outputs), new_state


class DeviceWrapper(_WrapperCell):
    """Runs the wrapped cell (and builds its zero state) on `device`."""

    def __init__(self, cell: Any, device: Any) -> None:
        super().__init__(cell)
        self._device = device

    def zero_state(self, batch_size: Any, dtype: Any) -> Any:
        graph = get_default_graph()
        with graph.name_scope(type(self).__name__ + "ZeroState"), graph.device(self._device):
            return self._cell.zero_state(batch_size, dtype)

    def __call__(self, inputs: Any, state: Any, scope: Any = None) -> tuple:
        with get_default_graph().device(self._device):
            return self._cell(inputs, state, scope=scope)


class MultiRNNCell(RNNCell):
    """Cells stacked in layers: the output of cell i is the input of cell i + 1.

    The state is a tuple with one state per cell (or their concatenation when
    ``state_is_tuple=False``). Cell i's Variables live under ``multi_rnn_cell/cell_<i>/``.
    """

    def __init__(self, cells: Any, state_is_tuple: bool = True) -> None:
        super().__init__()
        if not cells:
            raise ValueError("Must specify at least one cell for MultiRNNCell.")
        if not nest.is_sequence(cells):
            raise TypeError(f"cells must be a list or tuple, but saw: {cells}.")
        self._cells = list(cells)
        self._state_is_tuple = state_is_tuple
        if not state_is_tuple and any(nest.is_sequence(c.state_size) for c in self._cells):
            raise ValueError(f"Some cells return tuples of states, but the flag "
                             f"state_is_tuple is not set.  State sizes are: "
                             f"{[c.state_size for c in self._cells]}")

    @property
    def state_size(self) -> Any:
        if self._state_is_tuple:
            return tuple(cell.state_size for cell in self._cells)
        return sum(cell.state_size for cell in self._cells)

    @property
    def output_size(self) -> Any:
        return self._cells[-1].output_size

    def zero_state(self, batch_size: Any, dtype: Any) -> Any:
        with get_default_graph().name_scope(type(self).__name__ + "ZeroState"):
            if self._state_is_tuple:
                return tuple(cell.zero_state(batch_size, dtype) for cell in self._cells)
            return _zero_state_tensors(self.state_size, batch_size, dtype)

    @property
    def trainable_weights(self) -> list:
        if not self.trainable:
            return []
        return [w for cell in self._cells for w in getattr(cell, "trainable_weights", [])]

    @property
    def non_trainable_weights(self) -> list:
        weights = [w for cell in self._cells
                   for w in getattr(cell, "non_trainable_weights", [])]
        if not self.trainable:
            return [w for cell in self._cells
                    for w in getattr(cell, "trainable_weights", [])] + weights
        return weights

    trainable_variables = trainable_weights
    non_trainable_variables = non_trainable_weights

    @property
    def weights(self) -> list:
        return self.trainable_weights + self.non_trainable_weights

    variables = weights

    def call(self, inputs: Any, state: Any) -> tuple:
        position = 0
        current = inputs
        new_states = []
        for i, cell in enumerate(self._cells):
            with variable_scope(f"cell_{i}"):
                if self._state_is_tuple:
                    if not nest.is_sequence(state):
                        raise ValueError(f"Expected state to be a tuple of length "
                                         f"{len(self.state_size)}, but received: {state}")
                    cell_state = state[i]
                else:
                    cell_state = slice_op(state, [0, position], [-1, cell.state_size])
                    position += cell.state_size
                current, new_state = cell(current, cell_state)
                new_states.append(new_state)
        states = tuple(new_states) if self._state_is_tuple else concat(new_states, 1)
        return current, states
