"""More of TF 1.15's recurrent `tf.keras.layers`: `AbstractRNNCell`, the base of a Keras cell
of your own, and `StackedRNNCells`, which runs a list of cells as one cell (what
``RNN([cell_1, cell_2])`` builds).

A stack of cells feeds each cell's output to the next one; its ``state_size`` is the tuple
of its cells' state sizes (``(units_1, [units_2, units_2])`` for a SimpleRNNCell then an
LSTMCell) and its ``output_size`` that of the last cell. Its states, given flat or nested,
are cut into the cells' states in order. Each cell's weights live in a scope named after it,
inside the RNN's: ``rnn/lstm_cell/kernel:0``, ``rnn/gru_cell/kernel:0`` (TF 1.15 builds each
cell in ``K.name_scope(cell.name)``).
"""

from __future__ import annotations

from typing import Any

from flowgraph.keras.base_layer import Layer
from flowgraph.layers.base import as_shape_list
from flowgraph.ops import shape, stack, zeros
from flowgraph.shapes import TensorShape

__all__ = ["AbstractRNNCell", "StackedRNNCells"]


def _is_multiple_state(state_size: Any) -> bool:
    """Whether `state_size` lists several states (rather than one state's size)."""
    return isinstance(state_size, (list, tuple)) and len(state_size) > 0


def _flat_sizes(state_size: Any) -> list:
    """The sizes of the states `state_size` describes, nested lists flattened in order."""
    if isinstance(state_size, (list, tuple)):
        return [size for item in state_size for size in _flat_sizes(item)]
    return [state_size]


def _flat(states: Any) -> list:
    if isinstance(states, (list, tuple)):
        return [state for item in states for state in _flat(item)]
    return [states]


def _zero_states(state_size: Any, batch: Any, dtype: Any) -> Any:
    """Zero states ``[batch, size]`` in the structure of `state_size`."""
    if isinstance(state_size, (list, tuple)):
        return [_zero_states(size, batch, dtype) for size in state_size]
    return zeros(stack([batch, state_size]), dtype=dtype)


def _output_dim(cell: Any) -> int:
    """What a cell outputs: its `output_size`, else its first state's size (as TF 1.15)."""
    if getattr(cell, "output_size", None) is not None:
        return cell.output_size
    if _is_multiple_state(cell.state_size):
        return cell.state_size[0]
    return cell.state_size


class AbstractRNNCell(Layer):
    """The base class of a Keras RNN cell of your own (TF 1.15's
    ``tf.keras.layers.AbstractRNNCell``).

    A subclass defines ``call(inputs, states)`` returning ``(output, new_states)``, and the
    properties ``state_size`` (an int or a list of ints) and ``output_size``; `RNN` runs it
    over time. Example::

        class MinimalRNNCell(AbstractRNNCell):
            def __init__(self, units, **kwargs):
                super().__init__(**kwargs)
                self.units = units
            state_size = property(lambda self: self.units)
            output_size = property(lambda self: self.units)
            def build(self, input_shape):
                self.kernel = self.add_weight("kernel", (input_shape[-1], self.units))
            def call(self, inputs, states):
                output = tf.matmul(inputs, self.kernel) + states[0]
                return output, [output]
    """

    def call(self, inputs: Any, states: Any) -> tuple:
        """One step: ``(output, new_states)`` from `inputs` ``[batch, features]`` and the
        previous `states`. Subclasses must define it."""
        raise NotImplementedError(f"{type(self).__name__} is an AbstractRNNCell: define "
                                  "`call(self, inputs, states)` returning (output, new_states)")

    @property
    def state_size(self) -> Any:
        """The size of each state (an int, or a list of ints). Subclasses must define it."""
        raise NotImplementedError(f"{type(self).__name__} is an AbstractRNNCell: define the "
                                  "`state_size` property")

    @property
    def output_size(self) -> Any:
        """The size of the cell's output. Subclasses must define it."""
        raise NotImplementedError(f"{type(self).__name__} is an AbstractRNNCell: define the "
                                  "`output_size` property")

    def get_initial_state(self, inputs: Any = None, batch_size: Any = None,
                          dtype: Any = None) -> Any:
        """Zero states in the structure of `state_size`, ``[batch, size]`` each (the batch
        taken from `inputs` when given, else `batch_size`)."""
        return _initial_state(self, inputs, batch_size, dtype)


def _initial_state(cell: Any, inputs: Any, batch_size: Any, dtype: Any) -> Any:
    if inputs is not None:
        batch_size = shape(inputs)[0]
        dtype = inputs.dtype
    if batch_size is None or dtype is None:
        raise ValueError(f"get_initial_state needs `inputs`, or both `batch_size` and "
                         f"`dtype`; got batch_size={batch_size!r}, dtype={dtype!r}")
    return _zero_states(cell.state_size, batch_size, dtype)


class StackedRNNCells(Layer):
    """Runs a list of RNN cells as one cell: the input goes to the first cell, each cell's
    output to the next, and the last cell's output is the stack's output.

    Parameters
    ----------
    cells : list of cells
        Each with ``call(inputs, states)``, ``state_size`` (and ideally ``output_size``).
    reverse_state_order : bool (keyword only)
        As TF 1.15: list the states last cell first (kept for old checkpoints).
    """

    def __init__(self, cells: Any, **kwargs: Any) -> None:
        if not isinstance(cells, (list, tuple)) or not cells:
            raise ValueError(f"StackedRNNCells needs a non-empty list of cells, got {cells!r}")
        for cell in cells:
            if not hasattr(cell, "call"):
                raise ValueError(f"All cells must have a `call` method. received cells: "
                                 f"{cells}")
            if not hasattr(cell, "state_size"):
                raise ValueError(f"All cells must have a `state_size` attribute. received "
                                 f"cells: {cells}")
        self.cells = list(cells)
        self.reverse_state_order = bool(kwargs.pop("reverse_state_order", False))
        super().__init__(**kwargs)

    @property
    def state_size(self) -> tuple:
        cells = self.cells[::-1] if self.reverse_state_order else self.cells
        return tuple(cell.state_size for cell in cells)

    @property
    def output_size(self) -> Any:
        return _output_dim(self.cells[-1])

    # dropout: the RNN layer draws the cells' masks once per call (see `_prepare_masks`)
    @property
    def dropout(self) -> float:
        return max(getattr(cell, "dropout", 0.0) for cell in self.cells)

    @property
    def recurrent_dropout(self) -> float:
        return max(getattr(cell, "recurrent_dropout", 0.0) for cell in self.cells)

    def _prepare_masks(self, inputs: Any, state: Any, training: Any) -> None:
        """Each cell's dropout masks for one call of the RNN, drawn on zeros shaped like that
        cell's inputs and first state."""
        batch = shape(inputs)[0]
        like = inputs
        for cell in self.cells:
            if hasattr(cell, "_prepare_masks"):
                first = _flat_sizes(cell.state_size)[0]
                cell._prepare_masks(like, zeros(stack([batch, first]), dtype=inputs.dtype),
                                    training)
            like = zeros(stack([batch, _output_dim(cell)]), dtype=inputs.dtype)

    def _reset_masks(self) -> None:
        for cell in self.cells:
            if hasattr(cell, "_reset_masks"):
                cell._reset_masks()

    # -- weights: the cells'
    @property
    def trainable_weights(self) -> list:
        if not self.trainable:
            return []
        return [w for cell in self.cells for w in getattr(cell, "trainable_weights", [])]

    @property
    def non_trainable_weights(self) -> list:
        weights = [w for cell in self.cells
                   for w in getattr(cell, "non_trainable_weights", [])]
        if self.trainable:
            return weights
        return [w for cell in self.cells for w in getattr(cell, "trainable_weights", [])] \
            + weights

    @property
    def losses(self) -> list:
        return list(self._losses) + [loss for cell in self.cells
                                     for loss in getattr(cell, "losses", [])]

    def build(self, input_shape: Any) -> None:
        if isinstance(input_shape, list) and input_shape and \
                isinstance(input_shape[0], (list, tuple, TensorShape)):
            input_shape = input_shape[0]
        dims = as_shape_list(input_shape)
        for cell in self.cells:
            if isinstance(cell, Layer) and not cell.built:
                self._build_cell(cell, TensorShape(dims))
            dims = [dims[0]] + TensorShape(_output_dim(cell)).as_list()
        self.built = True

    def _build_cell(self, cell: Layer, input_shape: TensorShape) -> None:
        """Builds `cell` with its weights in a scope named after it, inside this stack's
        (the RNN layer's) scope: ``rnn/lstm_cell/kernel``."""
        from flowgraph.graph import get_default_graph
        from flowgraph.variable_scope import variable_scope
        if cell._dtype is None:
            cell._dtype = self._dtype
        if self._scope is None:
            with get_default_graph().name_scope(cell.name):
                cell.build(input_shape)
        else:
            with variable_scope(self._scope, auxiliary_name_scope=False):
                with variable_scope(cell.name) as inner:
                    cell._scope = inner
                    cell._graph = self._graph
            cell.build(input_shape)
        cell.built = True

    def call(self, inputs: Any, states: Any, training: Any = None) -> tuple:
        """One step of every cell in turn: ``(last cell's output, new states)``, the new
        states nested as `state_size` (one entry per cell)."""
        flat = _flat(states)
        sizes = self.state_size
        if len(flat) != len(_flat_sizes(sizes)):
            raise ValueError(f"StackedRNNCells expects {len(_flat_sizes(sizes))} states "
                             f"(state_size {sizes}), got {len(flat)}")
        per_cell = []
        for size in sizes:
            count = len(_flat_sizes(size))
            per_cell.append(flat[:count])
            flat = flat[count:]
        if self.reverse_state_order:
            per_cell = per_cell[::-1]
        new_states = []
        for cell, cell_states in zip(self.cells, per_cell):
            kwargs = {} if training is None or not _takes_training(cell) \
                else {"training": training}
            inputs, cell_new = cell.call(inputs, cell_states, **kwargs)
            new_states.append(list(cell_new) if isinstance(cell_new, (list, tuple))
                              else [cell_new])
        if self.reverse_state_order:
            new_states = new_states[::-1]
        nested = [states if _is_multiple_state(size) else states[0]
                  for states, size in zip(new_states, sizes)]
        return inputs, nested

    def get_initial_state(self, inputs: Any = None, batch_size: Any = None,
                          dtype: Any = None) -> list:
        """Each cell's zero states, in the order of `state_size`."""
        return [_initial_state(cell, inputs, batch_size, dtype) for cell in
                (self.cells[::-1] if self.reverse_state_order else self.cells)]

    def get_config(self) -> dict:
        cells = [{"class_name": type(cell).__name__, "config": cell.get_config()}
                 for cell in self.cells]
        return {**super().get_config(), "cells": cells}

    @classmethod
    def from_config(cls, config: dict, custom_objects: Any = None) -> "StackedRNNCells":
        from flowgraph.keras.saving import deserialize
        config = dict(config)
        cells = [deserialize(cell, custom_objects=custom_objects)
                 for cell in config.pop("cells")]
        return cls(cells, **config)


def _takes_training(cell: Any) -> bool:
    import inspect
    try:
        return "training" in inspect.signature(cell.call).parameters
    except (TypeError, ValueError):
        return False
