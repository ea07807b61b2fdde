"""Dynamically unrolled RNNs, as TF1's: `dynamic_rnn`, `bidirectional_dynamic_rnn` and
`raw_rnn`, built on `fg.while_loop` and `fg.TensorArray` exactly as TF1's
`_dynamic_rnn_loop`: the inputs are unstacked into a TensorArray, the loop body reads step
``time``, calls the cell and writes its output; the outputs are stacked after the loop.

The cell is called in the variable scope ``rnn`` (Variables ``rnn/<cell>/kernel``, shared
with `static_rnn` under the same scope); its ops are built in the loop body
(``rnn/while/<cell>/MatMul``). With `sequence_length`, the loop stops at the longest
sequence, a row's outputs past its length are zeros, its state stops at its last valid
step, and no gradient flows from the padding.
"""

from __future__ import annotations

from typing import Any, Callable, Optional

from flowgraph import dtypes
from flowgraph.control_flow import TensorArray, nest, while_loop
from flowgraph.graph import Tensor, get_default_graph
from flowgraph.nn.rnn_cell_impl import _concat, assert_like_rnncell
from flowgraph.nn.rnn_static import _infer_state_dtype, _initial_state, rnn_step
from flowgraph.ops.array import concat, stack
from flowgraph.ops.cast import cast
from flowgraph.ops.compare import less
from flowgraph.ops.constant import constant, convert_to_tensor, identity
from flowgraph.ops.fill import range as range_
from flowgraph.ops.fill import zeros
from flowgraph.ops.logic import logical_not, logical_or, where
from flowgraph.ops.math import maximum, minimum
from flowgraph.ops.pad import pad
from flowgraph.ops.reduce import reduce_all, reduce_max
from flowgraph.ops.reorder import reverse, reverse_sequence, transpose
from flowgraph.ops.shape_ops import rank, reshape, shape
from flowgraph.shapes import TensorShape, as_shape
from flowgraph.variable_scope import variable_scope

__all__ = ["dynamic_rnn", "bidirectional_dynamic_rnn", "raw_rnn"]


def _transpose_batch_time(x: Tensor) -> Tensor:
    """x with its first two axes swapped ([batch, time, ...] <-> [time, batch, ...]),
    keeping what is known of its static shape; tensors of rank < 2 are returned as they are."""
    static = x.shape
    if static.ndims is not None and static.ndims < 2:
        return x
    if static.ndims is not None:
        perm: Any = [1, 0] + list(range(2, static.ndims))
    else:
        perm = concat(([1, 0], range_(2, rank(x))), axis=0)
    x_t = transpose(x, perm)
    if static.ndims is not None:
        dims = static.as_list()
        x_t.set_shape([dims[1], dims[0]] + dims[2:])
    return x_t


def _best_effort_input_batch_size(flat_input: list) -> Any:
    """The static batch size (axis 1 of time-major inputs) if known, else a scalar Tensor."""
    for input_ in flat_input:
        static = input_.shape
        if static.ndims is None:
            continue
        if static.ndims < 2:
            raise ValueError(f"Expected input tensor {input_} to have rank at least 2")
        batch = static.as_list()[1]
        if batch is not None:
            return batch
    return shape(flat_input[0])[1]


def _maybe_tensor_shape_from_tensor(size: Any) -> Any:
    if isinstance(size, Tensor):
        from flowgraph.ops.registry import constant_value
        value = constant_value(size)
        return as_shape(None if value is None else [int(v) for v in value.reshape(-1)])
    return size


def dynamic_rnn(cell: Any, inputs: Any, sequence_length: Any = None, initial_state: Any = None,
                dtype: Any = None, parallel_iterations: Optional[int] = None,
                swap_memory: bool = False, time_major: bool = False,
                scope: Any = None) -> tuple:
    """An RNN over `inputs` in a `while_loop` (one iteration per time step).

    Parameters
    ----------
    cell : RNNCell
    inputs : Tensor (or nested tuple of Tensors)
        [batch, max_time, ...] (or [max_time, batch, ...] with `time_major`).
    sequence_length : int32/int64 Tensor of shape [batch], optional
    initial_state : Tensor or tuple, optional
        Default: the cell's zero state (then `dtype` is required).
    dtype : DType, optional
    parallel_iterations, swap_memory
        Passed to `while_loop` (default 32 and False).
    time_major : bool
    scope : str or VariableScope, optional
        Default ``"rnn"``.

    Returns
    -------
    (outputs, state): outputs [batch, max_time, output_size] (time-major with
    `time_major`), and the final state.
    """
    assert_like_rnncell("cell", cell)
    with variable_scope(scope or "rnn"):
        flat_input = [convert_to_tensor(i) for i in nest.flatten(inputs)]
        if not time_major:
            flat_input = [_transpose_batch_time(i) for i in flat_input]
        parallel_iterations = parallel_iterations or 32
        if sequence_length is not None:
            sequence_length = cast(sequence_length, dtypes.int32)
            if sequence_length.shape.ndims not in (None, 1):
                raise ValueError(f"sequence_length must be a vector of length batch_size, "
                                 f"but saw shape: {sequence_length.shape}")
            sequence_length = identity(sequence_length, name="sequence_length")
        batch_size = _best_effort_input_batch_size(flat_input)
        state = _initial_state(cell, initial_state, batch_size, dtype) \
            if (initial_state is not None or dtype) else None
        if state is None:
            raise ValueError("If there is no initial_state, you must give a dtype.")
        if sequence_length is not None and isinstance(batch_size, int):
            known = sequence_length.shape.as_list()[0] if sequence_length.shape.ndims else None
            if known is not None and known != batch_size:
                raise ValueError(f"Expected shape for Tensor {sequence_length.name} is "
                                 f"[{batch_size}] but saw shape: [{known}]")
        inputs = nest.pack_sequence_as(inputs, flat_input)
        outputs, final_state = _dynamic_rnn_loop(
            cell, inputs, state, parallel_iterations=parallel_iterations,
            swap_memory=swap_memory, sequence_length=sequence_length, dtype=dtype)
        if not time_major:
            outputs = nest.map_structure(_transpose_batch_time, outputs)
        return outputs, final_state


def _dynamic_rnn_loop(cell: Any, inputs: Any, initial_state: Any, parallel_iterations: int,
                      swap_memory: bool, sequence_length: Optional[Tensor] = None,
                      dtype: Any = None) -> tuple:
    """TF1's loop: time-major `inputs` -> (time-major outputs, final state)."""
    state = initial_state
    flat_input = nest.flatten(inputs)
    flat_output_size = nest.flatten(cell.output_size)
    time_steps = shape(flat_input[0])[0]
    batch_size = _best_effort_input_batch_size(flat_input)
    inputs_got_shape = [i.shape.with_rank_at_least(3) for i in flat_input]
    const_time_steps, const_batch_size = inputs_got_shape[0].as_list()[:2]
    for got in inputs_got_shape:
        if not TensorShape(got.as_list()[2:]).is_fully_defined():
            raise ValueError("Input size (depth of inputs) must be accessible via shape "
                             "inference, but saw value None.")
        if got.as_list()[0] != const_time_steps:
            raise ValueError("Time steps is not the same for all the elements in the input "
                             "in a batch.")
        if got.as_list()[1] != const_batch_size:
            raise ValueError("Batch_size is not the same for all the elements in the input.")
    state_dtype = _infer_state_dtype(dtype, state)
    flat_zero_output = [zeros(_concat(batch_size, size), state_dtype)
                        for size in flat_output_size]
    zero_output = nest.pack_sequence_as(cell.output_size, flat_zero_output)
    if sequence_length is not None:
        max_sequence_length = reduce_max(sequence_length)
    else:
        max_sequence_length = time_steps
    time = constant(0, dtype=dtypes.int32, name="time")
    graph = get_default_graph()
    with graph.name_scope("dynamic_rnn") as base_name:
        pass

    def create_ta(name: str, element_shape: Any, ta_dtype: Any) -> Any:
        return TensorArray(dtype=ta_dtype, size=time_steps,
                                        element_shape=element_shape,
                                        tensor_array_name=base_name + name)

    output_ta = tuple(
        create_ta(f"output_{i}",
                  TensorShape([const_batch_size]).concatenate(
                      as_shape(_maybe_tensor_shape_from_tensor(size))),
                  state_dtype)
        for i, size in enumerate(flat_output_size))
    input_ta = tuple(create_ta(f"input_{i}", i_.shape.as_list()[1:], i_.dtype)
                     for i, i_ in enumerate(flat_input))
    input_ta = tuple(ta.unstack(i_) for ta, i_ in zip(input_ta, flat_input))

    def time_step(time: Tensor, output_ta_t: tuple, state: Any) -> tuple:
        input_t = tuple(ta.read(time) for ta in input_ta)
        for input_, got in zip(input_t, inputs_got_shape):
            input_.set_shape(got.as_list()[1:])
        input_t = nest.pack_sequence_as(inputs, list(input_t))

        def call_cell() -> tuple:
            return cell(input_t, state)

        if sequence_length is not None:
            output, new_state = rnn_step(time, sequence_length, zero_output, state,
                                         call_cell)
        else:
            output, new_state = call_cell()
        output = nest.flatten(output)
        output_ta_t = tuple(ta.write(time, out) for ta, out in zip(output_ta_t, output))
        return time + 1, output_ta_t, new_state

    # At least one step, so that the TensorArrays learn their element shapes.
    loop_bound = minimum(time_steps, maximum(1, max_sequence_length))
    final_time, output_final_ta, final_state = while_loop(
        cond=lambda time, *_: less(time, loop_bound), body=time_step,
        loop_vars=(time, output_ta, state), parallel_iterations=parallel_iterations,
        maximum_iterations=time_steps, swap_memory=swap_memory)
    if sequence_length is None:
        final_outputs = tuple(ta.stack() for ta in output_final_ta)
    else:
        # The loop stopped at the longest sequence: the steps after it are zeros.
        final_outputs = tuple(_stack_zero_padded(ta, final_time, time_steps)
                              for ta in output_final_ta)
    for output, output_size in zip(final_outputs, flat_output_size):
        static = _concat([const_time_steps, const_batch_size],
                         _maybe_tensor_shape_from_tensor(output_size), static=True)
        if static is not None:
            output.set_shape(static)
    return nest.pack_sequence_as(cell.output_size, list(final_outputs)), final_state


def _stack_zero_padded(ta: Any, written: Tensor, time_steps: Tensor) -> Tensor:
    """The `written` first elements of `ta` stacked, then zeros up to `time_steps` rows."""
    with get_default_graph().name_scope("TensorArrayStack"):
        values = ta.gather(range_(0, written))
        rank_ = values.shape.ndims
        first = reshape(stack([0, time_steps - written]), [1, 2])
        paddings = concat([first, zeros([rank_ - 1, 2], dtypes.int32)], axis=0)
        return pad(values, paddings)


def bidirectional_dynamic_rnn(cell_fw: Any, cell_bw: Any, inputs: Any,
                              sequence_length: Any = None, initial_state_fw: Any = None,
                              initial_state_bw: Any = None, dtype: Any = None,
                              parallel_iterations: Optional[int] = None,
                              swap_memory: bool = False, time_major: bool = False,
                              scope: Any = None) -> tuple:
    """Forward and backward `dynamic_rnn`s over `inputs` (the backward one reads each
    sequence reversed up to its length, and its outputs are reversed back).

    Variables go under ``bidirectional_rnn/fw/`` and ``bidirectional_rnn/bw/``.

    Returns
    -------
    ((output_fw, output_bw), (output_state_fw, output_state_bw)); concatenate the outputs
    with ``fg.concat(outputs, 2)`` if wanted.
    """
    assert_like_rnncell("cell_fw", cell_fw)
    assert_like_rnncell("cell_bw", cell_bw)
    time_axis, batch_axis = (0, 1) if time_major else (1, 0)

    def reverse_(input_: Any) -> Tensor:
        if sequence_length is not None:
            return reverse_sequence(input_, seq_lengths=sequence_length, seq_axis=time_axis,
                                    batch_axis=batch_axis)
        return reverse(input_, axis=[time_axis])

    with variable_scope(scope or "bidirectional_rnn"):
        with variable_scope("fw") as fw_scope:
            output_fw, output_state_fw = dynamic_rnn(
                cell_fw, inputs, sequence_length=sequence_length,
                initial_state=initial_state_fw, dtype=dtype,
                parallel_iterations=parallel_iterations, swap_memory=swap_memory,
                time_major=time_major, scope=fw_scope)
        with variable_scope("bw") as bw_scope:
            inputs_reverse = nest.map_structure(reverse_, inputs)
            tmp, output_state_bw = dynamic_rnn(
                cell_bw, inputs_reverse, sequence_length=sequence_length,
                initial_state=initial_state_bw, dtype=dtype,
                parallel_iterations=parallel_iterations, swap_memory=swap_memory,
                time_major=time_major, scope=bw_scope)
    output_bw = reverse_(tmp)
    return (output_fw, output_bw), (output_state_fw, output_state_bw)


def raw_rnn(cell: Any, loop_fn: Callable, parallel_iterations: Optional[int] = None,
            swap_memory: bool = False, scope: Any = None) -> tuple:
    """An RNN whose inputs, stopping and emitted outputs are decided by `loop_fn`, as TF1's.

    ``loop_fn(time, cell_output, cell_state, loop_state)`` returns ``(finished, next_input,
    next_cell_state, emit_output, next_loop_state)``; it is first called with
    ``cell_output = cell_state = loop_state = None`` for the initial values.

    Returns
    -------
    (emit_ta, final_state, final_loop_state): a TensorArray (or structure of them) of the
    emitted outputs, the final cell state and loop state.
    """
    assert_like_rnncell("cell", cell)
    if not callable(loop_fn):
        raise TypeError("loop_fn must be a callable")
    parallel_iterations = parallel_iterations or 32
    with variable_scope(scope or "rnn"):
        time = constant(0, dtype=dtypes.int32)
        (elements_finished, next_input, initial_state, emit_structure,
         init_loop_state) = loop_fn(time, None, None, None)
        flat_input = [convert_to_tensor(i) for i in nest.flatten(next_input)]
        loop_state = init_loop_state if init_loop_state is not None \
            else constant(0, dtype=dtypes.int32)
        static_batch = None
        for input_ in flat_input:
            dims = input_.shape.with_rank_at_least(1).as_list()
            if static_batch is None:
                static_batch = dims[0]
            elif dims[0] is not None and dims[0] != static_batch:
                raise ValueError(f"Dimensions {static_batch} and {dims[0]} are not "
                                 "compatible")
        batch_size = static_batch if static_batch is not None else shape(flat_input[0])[0]
        nest.assert_same_structure(initial_state, cell.state_size)
        state = nest.map_structure(convert_to_tensor, initial_state)
        flat_state = nest.flatten(state)
        if emit_structure is not None:
            flat_emit_structure = [convert_to_tensor(e) for e in nest.flatten(emit_structure)]
            flat_emit_size = [e.shape if e.shape.is_fully_defined() else shape(e)
                              for e in flat_emit_structure]
            flat_emit_dtypes = [e.dtype for e in flat_emit_structure]
        else:
            emit_structure = cell.output_size
            flat_emit_size = nest.flatten(emit_structure)
            flat_emit_dtypes = [flat_state[0].dtype] * len(flat_emit_size)
        flat_emit_ta = [
            TensorArray(
                dtype=dtype_i, dynamic_size=True, size=0, name=f"rnn_output_{i}",
                element_shape=TensorShape([static_batch]).concatenate(
                    as_shape(_maybe_tensor_shape_from_tensor(size_i))))
            for i, (dtype_i, size_i) in enumerate(zip(flat_emit_dtypes, flat_emit_size))]
        emit_ta = nest.pack_sequence_as(emit_structure, flat_emit_ta)
        zero_emit = nest.pack_sequence_as(
            emit_structure, [zeros(_concat(batch_size, size_i), dtype_i)
                             for size_i, dtype_i in zip(flat_emit_size, flat_emit_dtypes)])

        def condition(unused_time: Any, elements_finished: Tensor, *_: Any) -> Tensor:
            return logical_not(reduce_all(elements_finished))

        def body(time: Tensor, elements_finished: Tensor, current_input: Any, emit_ta: Any,
                 state: Any, loop_state: Any) -> tuple:
            next_output, cell_state = cell(current_input, state)
            nest.assert_same_structure(state, cell_state)
            nest.assert_same_structure(cell.output_size, next_output)
            next_time = time + 1
            (next_finished, next_input, next_state, emit_output,
             next_loop_state) = loop_fn(next_time, next_output, cell_state, loop_state)
            nest.assert_same_structure(state, next_state)
            nest.assert_same_structure(current_input, next_input)
            nest.assert_same_structure(emit_ta, emit_output)
            loop_state = loop_state if next_loop_state is None else next_loop_state

            def copy_some_through(current: Any, candidate: Any) -> Any:
                def copy_fn(cur_i: Any, cand_i: Any) -> Any:
                    if isinstance(cur_i, TensorArray) or cur_i.shape.ndims == 0:
                        return cand_i
                    return where(elements_finished, cur_i, cand_i)
                return nest.map_structure(copy_fn, current, candidate)

            emit_output = copy_some_through(zero_emit, emit_output)
            next_state = copy_some_through(state, next_state)
            emit_ta = nest.map_structure(lambda ta, emit: ta.write(time, emit), emit_ta,
                                         emit_output)
            elements_finished = logical_or(elements_finished, next_finished)
            return (next_time, elements_finished, next_input, emit_ta, next_state,
                    loop_state)

        returned = while_loop(
            condition, body,
            loop_vars=[time, elements_finished, next_input, emit_ta, state, loop_state],
            parallel_iterations=parallel_iterations, swap_memory=swap_memory)
        emit_ta, final_state, final_loop_state = returned[-3:]
        if init_loop_state is None:
            final_loop_state = None
        return emit_ta, final_state, final_loop_state
