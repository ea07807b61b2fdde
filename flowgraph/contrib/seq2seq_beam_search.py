"""`fg.contrib.seq2seq` beam search, as TF 1.15's `beam_search_decoder.py`:
`BeamSearchDecoder` (driven by `dynamic_decode`), its output/state namedtuples and
`gather_tree`.

Everything is composed from existing ops (`top_k`, `batch_gather`, `scan`, `where`...), so
no new registered op is needed. The coverage penalty (which needs the accumulated attention
of an `AttentionWrapper`) is not supported: `coverage_penalty_weight` must be 0.0.
"""

from __future__ import annotations

import collections
from typing import Any, Optional

import numpy as np

import flowgraph as fg
from flowgraph import dtypes
from flowgraph.contrib.seq2seq import Decoder
from flowgraph.control_flow import nest
from flowgraph.shapes import TensorShape, as_shape

__all__ = ["BeamSearchDecoder", "BeamSearchDecoderOutput", "BeamSearchDecoderState",
           "FinalBeamSearchDecoderOutput", "gather_tree"]

BeamSearchDecoderState = collections.namedtuple(
    "BeamSearchDecoderState",
    ("cell_state", "log_probs", "finished", "lengths", "accumulated_attention_probs"))
BeamSearchDecoderOutput = collections.namedtuple(
    "BeamSearchDecoderOutput", ("scores", "predicted_ids", "parent_ids"))
FinalBeamSearchDecoderOutput = collections.namedtuple(
    "FinalBeamSearchDecoderOutput", ("predicted_ids", "beam_search_decoder_output"))


def gather_tree(step_ids: Any, parent_ids: Any, max_sequence_lengths: Any, end_token: Any,
                name: Optional[str] = None) -> Any:
    """Follow the beam back-pointers from the last step to recover full beams.

    Parameters
    ----------
    step_ids, parent_ids : int32 [max_time, batch, beam]
    max_sequence_lengths : int32 [batch]; steps at or beyond it are filled with end_token.
    end_token : int32 scalar; every step after the first end_token is end_token too.

    Returns
    -------
    int32 [max_time, batch, beam]: the ids of each beam's full path.
    """
    with fg.name_scope(name, "GatherTree", [step_ids, parent_ids, max_sequence_lengths]):
        step_ids = fg.convert_to_tensor(step_ids, dtype=dtypes.int32, name="step_ids")
        parent_ids = fg.convert_to_tensor(parent_ids, dtype=dtypes.int32, name="parent_ids")
        lengths = fg.convert_to_tensor(max_sequence_lengths, dtype=dtypes.int32,
                                       name="max_sequence_lengths")
        end_token = fg.convert_to_tensor(end_token, dtype=dtypes.int32, name="end_token")
        if step_ids.shape.ndims not in (None, 3):
            raise ValueError(f"gather_tree: step_ids must be [max_time, batch_size, beam_width]"
                             f"; got shape {step_ids.shape}.")
        step_ids.shape.assert_is_compatible_with(parent_ids.shape)
        if lengths.shape.ndims not in (None, 1):
            raise ValueError(f"gather_tree: max_sequence_lengths must be a [batch_size] "
                             f"vector; got shape {lengths.shape}.")
        if end_token.shape.ndims not in (None, 0):
            raise ValueError(f"gather_tree: end_token must be a scalar; got shape "
                             f"{end_token.shape}.")
        shape = fg.shape(step_ids)
        max_time, batch, beam = shape[0], shape[1], shape[2]
        beams = fg.tile(fg.expand_dims(fg.range(beam), 0), fg.stack([batch, 1]))
        times = fg.range(max_time)
        end_fill = fg.fill(fg.stack([batch, beam]), end_token)

        def back(carry: Any, elems: Any) -> Any:
            # carry: (ids of the previous (later) step, beam each path sits in at this step)
            _, parent = carry
            ids_t, parents_t, t = elems
            valid = fg.tile(fg.expand_dims(fg.less(t, lengths), 1), fg.stack([1, beam]))
            out = fg.where(valid, fg.batch_gather(ids_t, parent), end_fill)
            parent = fg.where(valid, fg.batch_gather(parents_t, parent), parent)
            return out, parent

        out, _ = fg.scan(back, (step_ids, parent_ids, times), initializer=(end_fill, beams),
                         reverse=True)
        # Everything after the first end_token becomes end_token.
        is_end = fg.cast(fg.equal(out, end_token), dtypes.int32)
        ended_before = fg.greater(fg.cumsum(is_end, axis=0, exclusive=True), 0)
        out = fg.where(ended_before, fg.fill(shape, end_token), out)
        out.set_shape(step_ids.shape)
        return out


def _length_penalty(sequence_lengths: Any, penalty_factor: Any) -> Any:
    """Google NMT's ((5 + length) / 6) ** penalty_factor (1.0 when the factor is 0)."""
    static = fg.get_static_value(fg.convert_to_tensor(penalty_factor))
    if static is not None and float(static) == 0.0:
        return 1.0
    return fg.div((5.0 + fg.cast(sequence_lengths, dtypes.float32)) ** penalty_factor,
                  (5.0 + 1.0) ** penalty_factor)


class BeamSearchDecoder(Decoder):
    """Beam search over an RNN cell, as TF 1.15's `tf.contrib.seq2seq.BeamSearchDecoder`.

    `initial_state` must already be tiled to [batch_size * beam_width, ...] (see
    `tile_batch`). Run it with `dynamic_decode`; the final outputs are a
    `FinalBeamSearchDecoderOutput` whose `predicted_ids` is [batch, time, beam_width]
    (beams sorted best first) and the final state a `BeamSearchDecoderState`.
    """

    def __init__(self, cell: Any, embedding: Any, start_tokens: Any, end_token: Any,
                 initial_state: Any, beam_width: int, output_layer: Any = None,
                 length_penalty_weight: float = 0.0, coverage_penalty_weight: float = 0.0,
                 reorder_tensor_arrays: bool = True) -> None:
        from flowgraph.nn.rnn_cell_impl import assert_like_rnncell
        assert_like_rnncell("cell", cell)
        if output_layer is not None and not callable(output_layer):
            raise TypeError(f"output_layer must be a Layer, received: {type(output_layer)}")
        if coverage_penalty_weight != 0.0:
            raise ValueError("BeamSearchDecoder: coverage_penalty_weight is not supported "
                             "here (it needs AttentionWrapper's accumulated attention); "
                             "pass coverage_penalty_weight=0.0.")
        if not isinstance(beam_width, (int, np.integer)) or beam_width < 1:
            raise ValueError(f"beam_width must be a positive Python int; got {beam_width!r}.")
        self._cell = cell
        self._output_layer = output_layer
        self._reorder_tensor_arrays = reorder_tensor_arrays
        if callable(embedding):
            self._embedding_fn = embedding
        else:
            self._embedding_fn = lambda ids: fg.nn.embedding_lookup(embedding, ids)
        self._start_tokens = fg.convert_to_tensor(start_tokens, dtype=dtypes.int32,
                                                  name="start_tokens")
        if self._start_tokens.shape.ndims != 1:
            raise ValueError("start_tokens must be a vector")
        self._end_token = fg.convert_to_tensor(end_token, dtype=dtypes.int32,
                                               name="end_token")
        if self._end_token.shape.ndims != 0:
            raise ValueError("end_token must be a scalar")
        self._batch_size = fg.size(self._start_tokens)
        self._beam_width = int(beam_width)
        self._length_penalty_weight = length_penalty_weight
        self._coverage_penalty_weight = coverage_penalty_weight
        self._initial_cell_state = nest.map_structure(
            self._maybe_split_batch_beams, initial_state, self._cell.state_size)
        self._start_tokens = fg.tile(fg.expand_dims(self._start_tokens, 1),
                                     [1, self._beam_width])
        self._start_inputs = self._embedding_fn(self._start_tokens)
        self._finished = fg.one_hot(fg.zeros([self._batch_size], dtype=dtypes.int32),
                                    depth=self._beam_width, on_value=False, off_value=True,
                                    dtype=dtypes.bool)

    @property
    def batch_size(self) -> Any:
        return self._batch_size

    @property
    def tracks_own_finished(self) -> bool:
        return True

    @property
    def output_size(self) -> BeamSearchDecoderOutput:
        return BeamSearchDecoderOutput(scores=TensorShape([self._beam_width]),
                                       predicted_ids=TensorShape([self._beam_width]),
                                       parent_ids=TensorShape([self._beam_width]))

    @property
    def output_dtype(self) -> BeamSearchDecoderOutput:
        dtype = nest.flatten(self._initial_cell_state)[0].dtype
        return BeamSearchDecoderOutput(scores=dtype, predicted_ids=dtypes.int32,
                                       parent_ids=dtypes.int32)

    def _static_batch(self) -> Optional[int]:
        value = fg.get_static_value(self._batch_size)
        return None if value is None else int(value)

    def _split_batch_beams(self, t: Any, s: Any) -> Any:
        """[batch * beam, ...] -> [batch, beam, ...]."""
        dims = as_shape(s).as_list()
        static_batch = self._static_batch()
        if t.shape.ndims is not None and t.shape[0] is not None and static_batch is not None \
                and t.shape[0] != static_batch * self._beam_width:
            raise ValueError(
                f"BeamSearchDecoder: a cell state/output Tensor {t.name} has batch dimension "
                f"{t.shape[0]}, expected batch_size * beam_width = "
                f"{static_batch * self._beam_width}. Did you forget to tile the initial "
                f"state with tile_batch(state, multiplier=beam_width)?")
        rest = fg.shape(t)[1:]
        out = fg.reshape(t, fg.concat(([self._batch_size, self._beam_width], rest), 0))
        out.set_shape([static_batch, self._beam_width] + dims)
        return out

    def _merge_batch_beams(self, t: Any, s: Any) -> Any:
        """[batch, beam, ...] -> [batch * beam, ...]."""
        dims = as_shape(s).as_list()
        static_batch = self._static_batch()
        rest = fg.shape(t)[2:]
        out = fg.reshape(t, fg.concat(([self._batch_size * self._beam_width], rest), 0))
        out.set_shape([None if static_batch is None else static_batch * self._beam_width]
                      + dims)
        return out

    def _maybe_split_batch_beams(self, t: Any, s: Any) -> Any:
        if isinstance(t, fg.TensorArray):
            return t
        t = _known_rank(t)
        # (as TF: scalars, e.g. AttentionWrapperState.time, are shared by all beams)
        return self._split_batch_beams(t, s) if t.shape.ndims >= 1 else t

    def _maybe_merge_batch_beams(self, t: Any, s: Any) -> Any:
        if isinstance(t, fg.TensorArray):
            return t
        t = _known_rank(t)
        return self._merge_batch_beams(t, s) if t.shape.ndims >= 2 else t

    def initialize(self, name: Optional[str] = None) -> tuple:
        dtype = nest.flatten(self._initial_cell_state)[0].dtype
        log_probs = fg.one_hot(fg.zeros([self._batch_size], dtype=dtypes.int32),
                               depth=self._beam_width, on_value=fg.constant(0, dtype),
                               off_value=fg.constant(dtype.min, dtype), dtype=dtype)
        state = BeamSearchDecoderState(
            cell_state=self._initial_cell_state, log_probs=log_probs, finished=self._finished,
            lengths=fg.zeros(fg.stack([self._batch_size, self._beam_width]), dtypes.int64),
            accumulated_attention_probs=())
        return self._finished, self._start_inputs, state

    def step(self, time: Any, inputs: Any, state: Any, name: Optional[str] = None) -> tuple:
        with fg.name_scope(name, "BeamSearchDecoderStep", (time, inputs, state)):
            inputs = nest.map_structure(
                lambda inp: self._merge_batch_beams(inp, inp.shape[2:]), inputs)
            cell_state = nest.map_structure(self._maybe_merge_batch_beams, state.cell_state,
                                            self._cell.state_size)
            cell_outputs, next_cell_state = self._cell(inputs, cell_state)
            cell_outputs = nest.map_structure(
                lambda out: self._split_batch_beams(out, out.shape[1:]), cell_outputs)
            next_cell_state = nest.map_structure(self._maybe_split_batch_beams,
                                                 next_cell_state, self._cell.state_size)
            if self._output_layer is not None:
                cell_outputs = self._output_layer(cell_outputs)
            output, next_state = self._beam_search_step(cell_outputs, next_cell_state, state)
            finished = next_state.finished
            next_inputs = fg.cond(fg.reduce_all(finished), lambda: self._start_inputs,
                                  lambda: self._embedding_fn(output.predicted_ids))
        return output, next_state, next_inputs, finished

    def _beam_search_step(self, logits: Any, next_cell_state: Any, state: Any) -> tuple:
        beam, end_token = self._beam_width, self._end_token
        previously_finished = state.finished
        not_finished = fg.logical_not(previously_finished)
        step_log_probs = fg.nn.log_softmax(logits)
        static_vocab = logits.shape.as_list()[-1] if logits.shape.ndims else None
        vocab_size = static_vocab if static_vocab is not None else fg.shape(logits)[-1]
        # Finished beams may only continue with end_token, at no cost.
        finished_row = fg.one_hot(end_token, vocab_size, dtype=logits.dtype,
                                  on_value=fg.constant(0, logits.dtype),
                                  off_value=fg.constant(logits.dtype.min, logits.dtype))
        mask = fg.tile(fg.expand_dims(previously_finished, 2), fg.stack([1, 1, vocab_size]))
        finished_probs = fg.zeros_like(step_log_probs) + finished_row
        step_log_probs = fg.where(mask, finished_probs, step_log_probs)
        total_probs = fg.expand_dims(state.log_probs, 2) + step_log_probs

        lengths_to_add = fg.one_hot(fg.fill(fg.stack([self._batch_size, beam]), end_token),
                                    depth=vocab_size, on_value=np.int64(0),
                                    off_value=np.int64(1), dtype=dtypes.int64)
        lengths_to_add *= fg.expand_dims(fg.cast(not_finished, dtypes.int64), 2)
        new_lengths = lengths_to_add + fg.expand_dims(state.lengths, 2)
        penalty = _length_penalty(new_lengths, self._length_penalty_weight)
        scores = total_probs / penalty

        static_batch = self._static_batch()
        scores_flat = fg.reshape(scores, fg.stack([self._batch_size, -1]))
        next_beam_scores, word_indices = fg.nn.top_k(scores_flat, k=beam)
        next_beam_scores.set_shape([static_batch, beam])
        word_indices.set_shape([static_batch, beam])
        next_beam_probs = fg.batch_gather(
            fg.reshape(total_probs, fg.stack([self._batch_size, -1])), word_indices)
        next_word_ids = fg.cast(word_indices % vocab_size, dtypes.int32)
        next_beam_ids = fg.cast(word_indices // vocab_size, dtypes.int32)

        previously_finished = fg.batch_gather(previously_finished, next_beam_ids)
        next_finished = fg.logical_or(previously_finished, fg.equal(next_word_ids, end_token))
        next_lengths = fg.batch_gather(state.lengths, next_beam_ids) + fg.cast(
            fg.logical_not(previously_finished), dtypes.int64)
        next_cell_state = nest.map_structure(
            lambda t: fg.batch_gather(t, next_beam_ids) if _per_beam(t) else t, next_cell_state)
        next_state = BeamSearchDecoderState(
            cell_state=next_cell_state, log_probs=next_beam_probs, finished=next_finished,
            lengths=next_lengths, accumulated_attention_probs=state.accumulated_attention_probs)
        output = BeamSearchDecoderOutput(scores=next_beam_scores, predicted_ids=next_word_ids,
                                         parent_ids=next_beam_ids)
        return output, next_state

    def finalize(self, outputs: Any, final_state: Any, sequence_lengths: Any) -> tuple:
        """Gather the beams' full paths (`gather_tree`) from the time-major step outputs."""
        if self._reorder_tensor_arrays and any(
                isinstance(t, fg.TensorArray) for t in nest.flatten(final_state.cell_state)):
            # (TF sorts such arrays by beam here; flowgraph does not, and says so instead
            # of handing them back in step order unannounced.)
            raise ValueError(
                "BeamSearchDecoder cannot reorder the TensorArrays in the cell state (e.g. "
                "AttentionWrapper's alignment_history) by beam. Pass "
                "reorder_tensor_arrays=False to get them in step order, or build the "
                "AttentionWrapper with alignment_history=False.")
        max_lengths = fg.cast(fg.reduce_max(final_state.lengths, axis=1), dtypes.int32)
        predicted_ids = gather_tree(outputs.predicted_ids, outputs.parent_ids,
                                    max_sequence_lengths=max_lengths,
                                    end_token=self._end_token)
        return FinalBeamSearchDecoderOutput(beam_search_decoder_output=outputs,
                                            predicted_ids=predicted_ids), final_state


def _per_beam(t: Any) -> bool:
    """Whether a (split) cell-state value has a beam axis to follow the parents along (TF
    leaves TensorArrays and scalars such as AttentionWrapperState.time as they are)."""
    return not isinstance(t, fg.TensorArray) and t.shape.ndims is not None and t.shape.ndims >= 2


def _known_rank(t: Any) -> Any:
    t = fg.convert_to_tensor(t)
    if t.shape.ndims is None:
        raise ValueError(f"BeamSearchDecoder: expected the state tensor {t.name} to have a known "
                         "rank; set its shape (e.g. with set_shape) before decoding.")
    return t
