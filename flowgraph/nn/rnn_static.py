"""Statically unrolled RNNs, as TF1's: `static_rnn`, `static_bidirectional_rnn` and
`static_state_saving_rnn`.

The cell is called once per element of the input list, in the variable scope ``rnn`` (so
the Variables are ``rnn/<cell>/kernel``, shared with `dynamic_rnn` under the same scope).
With `sequence_length`, a row's outputs past its length are zeros, its state stops at its
last valid step, and no gradient flows from the padding.
"""

from __future__ import annotations

from typing import Any, Callable, Optional

from flowgraph import dtypes
from flowgraph.control_flow import nest
from flowgraph.graph import Tensor, get_default_graph
from flowgraph.nn.rnn_cell_impl import _concat, assert_like_rnncell
from flowgraph.ops.array import concat, stack, unstack
from flowgraph.ops.cast import cast
from flowgraph.ops.compare import greater_equal
from flowgraph.ops.constant import convert_to_tensor, identity
from flowgraph.ops.fill import zeros
from flowgraph.ops.logic import where
from flowgraph.ops.reorder import reverse_sequence
from flowgraph.ops.shape_ops import shape
from flowgraph.shapes import TensorShape, dimension_value
from flowgraph.variable_scope import variable_scope

__all__ = ["static_rnn", "static_bidirectional_rnn", "static_state_saving_rnn"]


def _infer_state_dtype(explicit_dtype: Any, state: Any) -> dtypes.DType:
    """`explicit_dtype`, else the (single) dtype of the state's tensors."""
    if explicit_dtype is not None:
        return dtypes.as_dtype(explicit_dtype)
    if nest.is_sequence(state):
        inferred = [element.dtype for element in nest.flatten(state)]
        if not inferred:
            raise ValueError("Unable to infer dtype from empty state.")
        if not all(x == inferred[0] for x in inferred):
            raise ValueError("State has tensors of different inferred_dtypes. Unable to infer "
                             "a single representative dtype.")
        return inferred[0]
    return state.dtype


def _initial_state(cell: Any, initial_state: Any, batch_size: Any, dtype: Any) -> Any:
    if initial_state is not None:
        return initial_state
    if not dtype:
        raise ValueError("If no initial_state is provided, dtype must be specified")
    if getattr(cell, "get_initial_state", None) is not None:
        return cell.get_initial_state(inputs=None, batch_size=batch_size, dtype=dtype)
    return cell.zero_state(batch_size, dtype)


def rnn_step(time: Any, sequence_length: Tensor, zero_output: Any, state: Any,
             call_cell: Callable) -> tuple:
    """One step of an RNN over a batch of sequences of different lengths.

    Rows with ``time >= sequence_length`` get the zero output and keep their previous
    state (a `where` on each output and state tensor, TF1's `_rnn_step` with
    ``skip_conditionals=True``): their values and gradients do not depend on the padding.
    """
    flat_state = nest.flatten(state)
    flat_zero_output = nest.flatten(zero_output)
    copy_cond = greater_equal(time, sequence_length)

    def copy_one_through(old: Any, new: Any) -> Any:
        if hasattr(old, "flow") or old.shape.ndims == 0:  # TensorArrays and scalars
            return new
        return where(copy_cond, old, new)

    new_output, new_state = call_cell()
    nest.assert_same_structure(zero_output, new_output)
    nest.assert_same_structure(state, new_state)
    final_output = [copy_one_through(z, o)
                    for z, o in zip(flat_zero_output, nest.flatten(new_output))]
    final_state = [copy_one_through(s, n) for s, n in zip(flat_state, nest.flatten(new_state))]
    for output, zero in zip(final_output, flat_zero_output):
        output.set_shape(zero.shape)
    for substate, old in zip(final_state, flat_state):
        if not hasattr(substate, "flow"):
            substate.set_shape(old.shape)
    return (nest.pack_sequence_as(zero_output, final_output),
            nest.pack_sequence_as(state, final_state))


def zero_output_for(cell: Any, batch_size: Any, static_batch: Any, dtype: Any) -> Any:
    """Zeros shaped like one step of the cell's output: [batch_size] + output_size."""
    def create(output_size: Any) -> Tensor:
        output = zeros(_concat(batch_size, output_size), dtype)
        static = _concat(static_batch, output_size, static=True)
        if static is not None:
            output.set_shape(TensorShape(static))
        return output

    flat = [create(size) for size in nest.flatten(cell.output_size)]
    return nest.pack_sequence_as(cell.output_size, flat)


def static_rnn(cell: Any, inputs: Any, initial_state: Any = None, dtype: Any = None,
               sequence_length: Any = None, scope: Any = None) -> tuple:
    """An RNN unrolled over the list `inputs` (T tensors of shape [batch, input_size]).

    Parameters
    ----------
    cell : RNNCell
    inputs : list of Tensor (or of nested tuples of Tensors)
    initial_state : Tensor or tuple, optional
        Default: the cell's zero state (then `dtype` is required).
    dtype : DType, optional
    sequence_length : int32/int64 Tensor of shape [batch], optional
        Outputs past a row's length are zeros and its state is copied through.
    scope : str or VariableScope, optional
        Default ``"rnn"``.

    Returns
    -------
    (outputs, state): the list of T outputs and the final state.
    """
    assert_like_rnncell("cell", cell)
    if not nest.is_sequence(inputs):
        raise TypeError("inputs must be a sequence")
    if not inputs:
        raise ValueError("inputs must not be empty")
    outputs = []
    with variable_scope(scope or "rnn") as varscope:
        first_input = inputs
        while nest.is_sequence(first_input):
            first_input = first_input[0]
        first_input = convert_to_tensor(first_input)
        if first_input.shape.ndims != 1:
            fixed_batch = first_input.shape.with_rank_at_least(2)[0]
            for flat_input in nest.flatten(inputs):
                input_shape = convert_to_tensor(flat_input).shape.with_rank_at_least(2)
                fixed_batch = fixed_batch.merge_with(input_shape[0])
                for i, size in enumerate(input_shape[1:].as_list()):
                    if size is None:
                        raise ValueError(f"Input size (dimension {i} of inputs) must be "
                                         "accessible via shape inference, but saw value "
                                         "None.")
        else:
            fixed_batch = first_input.shape.with_rank_at_least(1)[0]
        static_batch = dimension_value(fixed_batch)
        batch_size = static_batch if static_batch else shape(first_input)[0]
        state = _initial_state(cell, initial_state, batch_size, dtype)
        if sequence_length is not None:
            sequence_length = convert_to_tensor(sequence_length, name="sequence_length")
            if sequence_length.shape.ndims not in (None, 1):
                raise ValueError("sequence_length must be a vector of length batch_size")
            zero_output = zero_output_for(cell, batch_size, static_batch,
                                          _infer_state_dtype(dtype, state))
            sequence_length = cast(sequence_length, dtypes.int32)
        for time, input_ in enumerate(inputs):
            if time > 0:
                varscope.reuse_variables()

            def call_cell(input_: Any = input_, state: Any = state) -> tuple:
                return cell(input_, state)

            if sequence_length is not None:
                output, state = rnn_step(time, sequence_length, zero_output, state,
                                         call_cell)
            else:
                output, state = call_cell()
            outputs.append(output)
        return outputs, state


def static_state_saving_rnn(cell: Any, inputs: Any, state_saver: Any, state_name: Any,
                            sequence_length: Any = None, scope: Any = None) -> tuple:
    """`static_rnn` starting from `state_saver.state(name)` and saving the final state with
    `state_saver.save_state(name, state)` (run before the last output is available)."""
    state_size = cell.state_size
    state_is_tuple = nest.is_sequence(state_size)
    if state_is_tuple != nest.is_sequence(state_name):
        raise ValueError(f"state_name should be the same type as cell.state_size.  "
                         f"state_name: {state_name}, cell.state_size: {state_size}")
    if state_is_tuple:
        names = nest.flatten(state_name)
        if len(names) != len(nest.flatten(state_size)):
            raise ValueError(f"#elems(state_name) != #elems(state_size): {len(names)} vs. "
                             f"{len(nest.flatten(state_size))}")
        initial_state = nest.pack_sequence_as(state_size, [state_saver.state(s) for s in names])
    else:
        initial_state = state_saver.state(state_name)
    outputs, state = static_rnn(cell, inputs, initial_state=initial_state,
                                sequence_length=sequence_length, scope=scope)
    if state_is_tuple:
        save = [state_saver.save_state(name, substate)
                for name, substate in zip(nest.flatten(state_name), nest.flatten(state))]
    else:
        save = [state_saver.save_state(state_name, state)]
    with get_default_graph().control_dependencies(save):
        last = outputs[-1]
        outputs[-1] = nest.pack_sequence_as(last, [identity(o) for o in nest.flatten(last)])
        state = nest.map_structure(identity, state)
    return outputs, state


def reverse_seq(input_seq: list, lengths: Any) -> list:
    """The list `input_seq` reversed in time, each row only up to its length (if given)."""
    if lengths is None:
        return list(reversed(input_seq))
    flat_input_seq = [nest.flatten(input_) for input_ in input_seq]
    flat_results: list = [[] for _ in input_seq]
    for sequence in zip(*flat_input_seq):
        sequence = [convert_to_tensor(s) for s in sequence]
        input_shape = TensorShape(None)
        for input_ in sequence:
            input_shape = input_shape.merge_with(input_.shape)
        joined = stack(sequence)  # [time, batch, depth]
        reversed_ = reverse_sequence(joined, lengths, seq_axis=0, batch_axis=1)
        for r, flat_result in zip(unstack(reversed_, num=len(sequence)), flat_results):
            r.set_shape(input_shape)
            flat_result.append(r)
    return [nest.pack_sequence_as(input_, flat_result)
            for input_, flat_result in zip(input_seq, flat_results)]


def static_bidirectional_rnn(cell_fw: Any, cell_bw: Any, inputs: Any,
                             initial_state_fw: Any = None, initial_state_bw: Any = None,
                             dtype: Any = None, sequence_length: Any = None,
                             scope: Optional[Any] = None) -> tuple:
    """Forward and backward `static_rnn`s over `inputs`, outputs depth-concatenated.

    Variables go under ``bidirectional_rnn/fw/`` and ``bidirectional_rnn/bw/``. The
    backward RNN reads each sequence reversed up to its length.

    Returns
    -------
    (outputs, output_state_fw, output_state_bw): outputs is the list of T tensors
    ``concat([fw, bw], 1)``.
    """
    assert_like_rnncell("cell_fw", cell_fw)
    assert_like_rnncell("cell_bw", cell_bw)
    if not nest.is_sequence(inputs):
        raise TypeError("inputs must be a sequence")
    if not inputs:
        raise ValueError("inputs must not be empty")
    with variable_scope(scope or "bidirectional_rnn"):
        with variable_scope("fw") as fw_scope:
            output_fw, output_state_fw = static_rnn(cell_fw, inputs, initial_state_fw, dtype,
                                                    sequence_length, scope=fw_scope)
        with variable_scope("bw") as bw_scope:
            reversed_inputs = reverse_seq(inputs, sequence_length)
            tmp, output_state_bw = static_rnn(cell_bw, reversed_inputs, initial_state_bw,
                                              dtype, sequence_length, scope=bw_scope)
    output_bw = reverse_seq(tmp, sequence_length)
    flat_outputs = [concat([fw, bw], 1) for fw, bw in
                    zip(nest.flatten(output_fw), nest.flatten(output_bw))]
    outputs = nest.pack_sequence_as(output_fw, flat_outputs)
    return outputs, output_state_fw, output_state_bw
