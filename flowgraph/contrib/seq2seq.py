"""`fg.contrib.seq2seq`: TF 1.15's `tf.contrib.seq2seq` pieces used by the classic NMT
tutorial: `sequence_loss`, the `Helper`s (`TrainingHelper`, `GreedyEmbeddingHelper`,
`SampleEmbeddingHelper`), `BasicDecoder`, `dynamic_decode` and `tile_batch`.

Everything is composed from existing ops (`while_loop`, `TensorArray`, `cond`, `where`...),
so gradients come for free. `dynamic_decode` follows TF1's loop exactly: one iteration per
decode step, stopping when every row is finished or after `maximum_iterations`.
"""

from __future__ import annotations

import abc
import collections
from typing import Any, Callable, Optional

import flowgraph as fg
from flowgraph import dtypes
from flowgraph.control_flow import nest
from flowgraph.nn.rnn_dynamic import _transpose_batch_time
from flowgraph.shapes import TensorShape, as_shape

__all__ = ["sequence_loss", "Helper", "TrainingHelper", "GreedyEmbeddingHelper",
           "SampleEmbeddingHelper", "Decoder", "BasicDecoder", "BasicDecoderOutput",
           "dynamic_decode", "tile_batch", "AttentionMechanism", "AttentionWrapper",
           "AttentionWrapperState", "BahdanauAttention", "LuongAttention", "hardmax",
           "safe_cumprod"]


def sequence_loss(logits: Any, targets: Any, weights: Any,
                  average_across_timesteps: bool = True, average_across_batch: bool = True,
                  sum_over_timesteps: bool = False, sum_over_batch: bool = False,
                  softmax_loss_function: Optional[Callable] = None,
                  name: Optional[str] = None) -> Any:
    """Weighted cross-entropy of a batch of sequences (TF1's `seq2seq.sequence_loss`).

    Parameters
    ----------
    logits : float Tensor [batch, time, num_classes]
    targets : int Tensor [batch, time]
    weights : float Tensor [batch, time] (a mask, typically)
    average_across_timesteps, average_across_batch : bool
        Divide the summed loss by the summed weights over that axis.
    sum_over_timesteps, sum_over_batch : bool
        Divide the summed loss by the count of nonzero weights over that axis.
    softmax_loss_function : callable(labels=, logits=), optional

    Returns
    -------
    A scalar when both axes are reduced, else [batch] or [time], else [batch, time].
    """
    logits = fg.convert_to_tensor(logits)
    targets = fg.convert_to_tensor(targets)
    weights = fg.convert_to_tensor(weights)
    if logits.shape.ndims != 3:
        raise ValueError("Logits must be a [batch_size x sequence_length x logits] tensor")
    if targets.shape.ndims != 2:
        raise ValueError("Targets must be a [batch_size x sequence_length] tensor")
    if weights.shape.ndims != 2:
        raise ValueError("Weights must be a [batch_size x sequence_length] tensor")
    if average_across_timesteps and sum_over_timesteps:
        raise ValueError("average_across_timesteps and sum_over_timesteps cannot be set to "
                         "True at same time.")
    if average_across_batch and sum_over_batch:
        raise ValueError("average_across_batch and sum_over_batch cannot be set to True at "
                         "same time.")
    with fg.name_scope(name, "sequence_loss", [logits, targets, weights]):
        num_classes = fg.shape(logits)[2]
        logits_flat = fg.reshape(logits, fg.stack([-1, num_classes]))
        targets_flat = fg.reshape(targets, [-1])
        if softmax_loss_function is None:
            crossent = fg.nn.sparse_softmax_cross_entropy_with_logits(
                labels=targets_flat, logits=logits_flat)
        else:
            crossent = softmax_loss_function(labels=targets_flat, logits=logits_flat)
        crossent = crossent * fg.reshape(weights, [-1])
        if average_across_timesteps and average_across_batch:
            crossent = fg.div_no_nan(fg.reduce_sum(crossent), fg.reduce_sum(weights))
        elif sum_over_timesteps and sum_over_batch:
            total_count = fg.cast(fg.count_nonzero(weights), crossent.dtype)
            crossent = fg.div_no_nan(fg.reduce_sum(crossent), total_count)
        else:
            crossent = fg.reshape(crossent, fg.shape(logits)[0:2])
            if average_across_timesteps or average_across_batch:
                axis = [0] if average_across_batch else [1]
                crossent = fg.div_no_nan(fg.reduce_sum(crossent, axis=axis),
                                         fg.reduce_sum(weights, axis=axis))
            elif sum_over_timesteps or sum_over_batch:
                axis = [0] if sum_over_batch else [1]
                total_count = fg.cast(fg.count_nonzero(weights, axis=axis), crossent.dtype)
                crossent = fg.div_no_nan(fg.reduce_sum(crossent, axis=axis), total_count)
        return crossent


def tile_batch(t: Any, multiplier: int, name: Optional[str] = None) -> Any:
    """Each batch row of `t` (or of every Tensor in the nested `t`) repeated `multiplier`
    times in place: [batch, ...] -> [batch * multiplier, ...] (rows b0 b0 b1 b1 ...)."""
    flat = nest.flatten(t)
    with fg.name_scope(name, "tile_batch", flat + [multiplier]):
        return nest.map_structure(lambda x: _tile_batch(x, multiplier), t)


def _tile_batch(t: Any, multiplier: int) -> Any:
    t = fg.convert_to_tensor(t, name="t")
    if t.shape.ndims is None:
        raise ValueError("t must have statically known rank")
    if t.shape.ndims == 0:
        raise ValueError(f"tile_batch needs Tensors of rank >= 1 (a batch axis); got the "
                         f"scalar {t.name}.")
    shape_t = fg.shape(t)
    tiling = [1] * (t.shape.ndims + 1)
    tiling[1] = multiplier
    tiled = fg.tile(fg.expand_dims(t, 1), tiling)
    tiled = fg.reshape(tiled, fg.concat(([shape_t[0] * multiplier], shape_t[1:]), 0))
    batch = t.shape.as_list()[0]
    tiled.set_shape([None if batch is None else batch * multiplier] + t.shape.as_list()[1:])
    return tiled


def _unstack_ta(inp: Any) -> Any:
    return fg.TensorArray(dtype=inp.dtype, size=fg.shape(inp)[0],
                          element_shape=inp.shape[1:]).unstack(inp)


class Helper(abc.ABC):
    """Interface of the decoding helpers `BasicDecoder` uses: how to start, how to sample
    from the outputs, and what the next inputs are."""

    @property
    @abc.abstractmethod
    def batch_size(self) -> Any:
        """Batch size of the tensors `initialize` and `next_inputs` return."""

    @property
    @abc.abstractmethod
    def sample_ids_shape(self) -> TensorShape:
        """Shape of one row of sample ids (without the batch axis)."""

    @property
    @abc.abstractmethod
    def sample_ids_dtype(self) -> dtypes.DType:
        """DType of the sample ids."""

    @abc.abstractmethod
    def initialize(self, name: Optional[str] = None) -> tuple:
        """(initial_finished, initial_inputs)."""

    @abc.abstractmethod
    def sample(self, time: Any, outputs: Any, state: Any, name: Optional[str] = None) -> Any:
        """sample_ids for this step."""

    @abc.abstractmethod
    def next_inputs(self, time: Any, outputs: Any, state: Any, sample_ids: Any,
                    name: Optional[str] = None) -> tuple:
        """(finished, next_inputs, next_state)."""


class TrainingHelper(Helper):
    """Teacher forcing: the decoder reads `inputs` step by step; a row is finished at its
    `sequence_length`. Sample ids are the argmax of the outputs."""

    def __init__(self, inputs: Any, sequence_length: Any, time_major: bool = False,
                 name: Optional[str] = None) -> None:
        with fg.name_scope(name, "TrainingHelper", [inputs, sequence_length]):
            inputs = nest.map_structure(fg.convert_to_tensor, inputs)
            if not time_major:
                inputs = nest.map_structure(_transpose_batch_time, inputs)
            self._input_tas = nest.map_structure(_unstack_ta, inputs)
            self._sequence_length = fg.convert_to_tensor(sequence_length,
                                                         name="sequence_length")
            if self._sequence_length.shape.ndims != 1:
                raise ValueError(f"Expected sequence_length to be a vector, but received "
                                 f"shape: {self._sequence_length.shape}")
            self._zero_inputs = nest.map_structure(lambda inp: fg.zeros_like(inp[0, :]),
                                                   inputs)
            self._batch_size = fg.size(self._sequence_length)

    @property
    def inputs(self) -> Any:
        return self._input_tas

    @property
    def sequence_length(self) -> Any:
        return self._sequence_length

    @property
    def batch_size(self) -> Any:
        return self._batch_size

    @property
    def sample_ids_shape(self) -> TensorShape:
        return TensorShape([])

    @property
    def sample_ids_dtype(self) -> dtypes.DType:
        return dtypes.int32

    def _read_or_zeros(self, finished: Any, time: Any) -> Any:
        def read() -> Any:
            return nest.map_structure(lambda ta: ta.read(time), self._input_tas)
        return fg.cond(fg.reduce_all(finished), lambda: self._zero_inputs, read)

    def initialize(self, name: Optional[str] = None) -> tuple:
        with fg.name_scope(name, "TrainingHelperInitialize"):
            finished = fg.greater_equal(0, self._sequence_length)
            return finished, self._read_or_zeros(finished, 0)

    def sample(self, time: Any, outputs: Any, state: Any, name: Optional[str] = None) -> Any:
        with fg.name_scope(name, "TrainingHelperSample", [time, outputs]):
            return fg.cast(fg.argmax(outputs, axis=-1), dtypes.int32)

    def next_inputs(self, time: Any, outputs: Any, state: Any, sample_ids: Any,
                    name: Optional[str] = None) -> tuple:
        with fg.name_scope(name, "TrainingHelperNextInputs", [time, outputs, state]):
            next_time = time + 1
            finished = fg.greater_equal(next_time, self._sequence_length)
            return finished, self._read_or_zeros(finished, next_time), state


class GreedyEmbeddingHelper(Helper):
    """Inference: the argmax of the outputs is embedded and fed back; a row is finished
    when it emits `end_token`."""

    def __init__(self, embedding: Any, start_tokens: Any, end_token: Any) -> None:
        if callable(embedding):
            self._embedding_fn = embedding
        else:
            self._embedding_fn = lambda ids: fg.nn.embedding_lookup(embedding, ids)
        self._start_tokens = fg.convert_to_tensor(start_tokens, dtype=dtypes.int32,
                                                  name="start_tokens")
        self._end_token = fg.convert_to_tensor(end_token, dtype=dtypes.int32,
                                               name="end_token")
        if self._start_tokens.shape.ndims != 1:
            raise ValueError("start_tokens must be a vector")
        if self._end_token.shape.ndims != 0:
            raise ValueError("end_token must be a scalar")
        self._batch_size = fg.size(self._start_tokens)
        self._start_inputs = self._embedding_fn(self._start_tokens)

    @property
    def batch_size(self) -> Any:
        return self._batch_size

    @property
    def sample_ids_shape(self) -> TensorShape:
        return TensorShape([])

    @property
    def sample_ids_dtype(self) -> dtypes.DType:
        return dtypes.int32

    def initialize(self, name: Optional[str] = None) -> tuple:
        finished = fg.tile([False], fg.reshape(self._batch_size, [1]))
        return finished, self._start_inputs

    def sample(self, time: Any, outputs: Any, state: Any, name: Optional[str] = None) -> Any:
        if not isinstance(outputs, fg.Tensor):
            raise TypeError(f"Expected outputs to be a single Tensor, got: {type(outputs)}")
        return fg.cast(fg.argmax(outputs, axis=-1), dtypes.int32)

    def next_inputs(self, time: Any, outputs: Any, state: Any, sample_ids: Any,
                    name: Optional[str] = None) -> tuple:
        finished = fg.equal(sample_ids, self._end_token)
        next_inputs = fg.cond(fg.reduce_all(finished), lambda: self._start_inputs,
                              lambda: self._embedding_fn(sample_ids))
        return finished, next_inputs, state


class SampleEmbeddingHelper(GreedyEmbeddingHelper):
    """Like `GreedyEmbeddingHelper`, but the ids are sampled from the softmax of
    ``outputs / softmax_temperature`` instead of taken by argmax."""

    def __init__(self, embedding: Any, start_tokens: Any, end_token: Any,
                 softmax_temperature: Any = None, seed: Optional[int] = None) -> None:
        super().__init__(embedding, start_tokens, end_token)
        self._softmax_temperature = softmax_temperature
        self._seed = seed

    def sample(self, time: Any, outputs: Any, state: Any, name: Optional[str] = None) -> Any:
        if not isinstance(outputs, fg.Tensor):
            raise TypeError(f"Expected outputs to be a single Tensor, got: {type(outputs)}")
        logits = outputs if self._softmax_temperature is None \
            else outputs / self._softmax_temperature
        ids = fg.random.categorical(logits, 1, seed=self._seed)
        return fg.cast(fg.reshape(ids, [-1]), dtypes.int32)


BasicDecoderOutput = collections.namedtuple("BasicDecoderOutput", ("rnn_output", "sample_id"))


class Decoder(abc.ABC):
    """Interface `dynamic_decode` drives: `initialize`, `step`, and optionally
    `finalize`."""

    @property
    @abc.abstractmethod
    def batch_size(self) -> Any:
        """The decoder's batch size."""

    @property
    @abc.abstractmethod
    def output_size(self) -> Any:
        """Nested shapes of one step's output (without the batch axis)."""

    @property
    @abc.abstractmethod
    def output_dtype(self) -> Any:
        """Nested dtypes of one step's output."""

    @property
    def tracks_own_finished(self) -> bool:
        """Whether `step` already keeps finished rows finished (False: dynamic_decode ORs)."""
        return False

    @abc.abstractmethod
    def initialize(self, name: Optional[str] = None) -> tuple:
        """(finished, initial_inputs, initial_state)."""

    @abc.abstractmethod
    def step(self, time: Any, inputs: Any, state: Any, name: Optional[str] = None) -> tuple:
        """(outputs, next_state, next_inputs, finished)."""

    def finalize(self, outputs: Any, final_state: Any, sequence_lengths: Any) -> tuple:
        """Post-processing of the stacked outputs; by default TF1 raises
        NotImplementedError here, which dynamic_decode takes as "nothing to do"."""
        raise NotImplementedError


class BasicDecoder(Decoder):
    """An RNN cell, an optional output layer and a `Helper` that picks the next inputs."""

    def __init__(self, cell: Any, helper: Helper, initial_state: Any,
                 output_layer: Any = None) -> None:
        from flowgraph.nn.rnn_cell_impl import assert_like_rnncell
        assert_like_rnncell("cell", cell)
        if not isinstance(helper, Helper):
            raise TypeError(f"helper must be a Helper, received: {type(helper)}")
        if output_layer is not None and not callable(output_layer):
            raise TypeError(f"output_layer must be a Layer, received: {type(output_layer)}")
        self._cell = cell
        self._helper = helper
        self._initial_state = initial_state
        self._output_layer = output_layer

    @property
    def batch_size(self) -> Any:
        return self._helper.batch_size

    def _rnn_output_size(self) -> Any:
        size = self._cell.output_size
        if self._output_layer is None:
            return size
        with_batch = nest.map_structure(
            lambda s: TensorShape([None]).concatenate(as_shape(s)), size)
        layer_shape = self._output_layer.compute_output_shape(with_batch)
        return nest.map_structure(lambda s: TensorShape(as_shape(s).as_list()[1:]),
                                  layer_shape)

    @property
    def output_size(self) -> BasicDecoderOutput:
        return BasicDecoderOutput(rnn_output=self._rnn_output_size(),
                                  sample_id=self._helper.sample_ids_shape)

    @property
    def output_dtype(self) -> BasicDecoderOutput:
        dtype = nest.flatten(self._initial_state)[0].dtype
        return BasicDecoderOutput(
            nest.map_structure(lambda _: dtype, self._rnn_output_size()),
            self._helper.sample_ids_dtype)

    def initialize(self, name: Optional[str] = None) -> tuple:
        return self._helper.initialize() + (self._initial_state,)

    def step(self, time: Any, inputs: Any, state: Any, name: Optional[str] = None) -> tuple:
        with fg.name_scope(name, "BasicDecoderStep", (time, inputs, state)):
            cell_outputs, cell_state = self._cell(inputs, state)
            if self._output_layer is not None:
                cell_outputs = self._output_layer(cell_outputs)
            sample_ids = self._helper.sample(time=time, outputs=cell_outputs, state=cell_state)
            finished, next_inputs, next_state = self._helper.next_inputs(
                time=time, outputs=cell_outputs, state=cell_state, sample_ids=sample_ids)
        return BasicDecoderOutput(cell_outputs, sample_ids), next_state, next_inputs, finished


def _zero_outputs(size: Any, dtype: Any, batch_size: Any) -> Any:
    def zero(s: Any, d: Any) -> Any:
        dims = as_shape(s).as_list()
        return fg.zeros(fg.concat(([fg.reshape(batch_size, [])], dims), 0)
                        if dims else fg.reshape(batch_size, [1]), dtype=d)
    return nest.map_structure(zero, size, dtype)


def dynamic_decode(decoder: Decoder, output_time_major: bool = False,
                   impute_finished: bool = False, maximum_iterations: Any = None,
                   parallel_iterations: int = 32, swap_memory: bool = False,
                   scope: Any = None) -> tuple:
    """Run `decoder` in a `while_loop` until every row is finished (or for at most
    `maximum_iterations` steps).

    Returns
    -------
    (final_outputs, final_state, final_sequence_lengths): outputs stacked
    [batch, time, ...] (time-major with `output_time_major`), the last state and an int32
    [batch] vector of decoded lengths. With `impute_finished`, outputs of finished rows are
    zeros and their state is copied through.
    """
    if not isinstance(decoder, Decoder):
        raise TypeError(f"Expected decoder to be type Decoder, but saw: {type(decoder)}")
    with fg.variable_scope(scope, "decoder"):
        if maximum_iterations is not None:
            maximum_iterations = fg.convert_to_tensor(maximum_iterations, dtype=dtypes.int32,
                                                      name="maximum_iterations")
            if maximum_iterations.shape.ndims != 0:
                raise ValueError("maximum_iterations must be a scalar")
        initial_finished, initial_inputs, initial_state = decoder.initialize()
        zero_outputs = _zero_outputs(decoder.output_size, decoder.output_dtype,
                                     decoder.batch_size)
        if maximum_iterations is not None:
            initial_finished = fg.logical_or(initial_finished,
                                             fg.greater_equal(0, maximum_iterations))
        initial_sequence_lengths = fg.zeros_like(initial_finished, dtype=dtypes.int32)
        initial_time = fg.constant(0, dtype=dtypes.int32)
        static_batch = fg.get_static_value(decoder.batch_size)
        batch_dim = None if static_batch is None else int(static_batch)

        def create_ta(s: Any, d: Any) -> Any:
            return fg.TensorArray(dtype=d, size=0, dynamic_size=True,
                                  element_shape=TensorShape([batch_dim]).concatenate(
                                      as_shape(s)))

        initial_outputs_ta = nest.map_structure(create_ta, decoder.output_size,
                                                decoder.output_dtype)

        def condition(time: Any, outputs_ta: Any, state: Any, inputs: Any, finished: Any,
                      sequence_lengths: Any) -> Any:
            return fg.logical_not(fg.reduce_all(finished))

        def body(time: Any, outputs_ta: Any, state: Any, inputs: Any, finished: Any,
                 sequence_lengths: Any) -> tuple:
            next_outputs, decoder_state, next_inputs, decoder_finished = decoder.step(
                time, inputs, state)
            if decoder.tracks_own_finished:
                next_finished = decoder_finished
            else:
                next_finished = fg.logical_or(decoder_finished, finished)
            next_sequence_lengths = fg.where(
                fg.logical_not(finished),
                fg.fill(fg.shape(sequence_lengths), time + 1), sequence_lengths)
            nest.assert_same_structure(state, decoder_state)
            nest.assert_same_structure(outputs_ta, next_outputs)
            nest.assert_same_structure(inputs, next_inputs)
            if impute_finished:
                emit = nest.map_structure(lambda out, zero: fg.where(finished, zero, out),
                                          next_outputs, zero_outputs)

                def maybe_copy(new: Any, cur: Any) -> Any:
                    if isinstance(cur, fg.TensorArray):
                        return new
                    new.set_shape(cur.shape)
                    return new if new.shape.ndims == 0 else fg.where(finished, cur, new)

                next_state = nest.map_structure(maybe_copy, decoder_state, state)
            else:
                emit = next_outputs
                next_state = decoder_state
            outputs_ta = nest.map_structure(lambda ta, out: ta.write(time, out),
                                            outputs_ta, emit)
            return (time + 1, outputs_ta, next_state, next_inputs, next_finished,
                    next_sequence_lengths)

        res = fg.while_loop(
            condition, body,
            loop_vars=(initial_time, initial_outputs_ta, initial_state, initial_inputs,
                       initial_finished, initial_sequence_lengths),
            parallel_iterations=parallel_iterations, maximum_iterations=maximum_iterations,
            swap_memory=swap_memory)
        final_outputs_ta, final_state, final_sequence_lengths = res[1], res[2], res[5]
        final_outputs = nest.map_structure(lambda ta: ta.stack(), final_outputs_ta)
        try:
            final_outputs, final_state = decoder.finalize(final_outputs, final_state,
                                                          final_sequence_lengths)
        except NotImplementedError:
            pass
        if not output_time_major:
            final_outputs = nest.map_structure(_transpose_batch_time, final_outputs)
    return final_outputs, final_state, final_sequence_lengths

from flowgraph.contrib.seq2seq_attention import (  # noqa: E402,F401
    AttentionMechanism,
    AttentionWrapper,
    AttentionWrapperState,
    BahdanauAttention,
    LuongAttention,
    hardmax,
    safe_cumprod,
)
from flowgraph.contrib.seq2seq_beam_search import (  # noqa: E402,F401
    BeamSearchDecoder,
    BeamSearchDecoderOutput,
    BeamSearchDecoderState,
    FinalBeamSearchDecoderOutput,
    gather_tree,
)
