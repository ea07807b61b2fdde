"""Attention for `fg.contrib.seq2seq`, as TF 1.15's `attention_wrapper.py`:
`BahdanauAttention`, `LuongAttention`, `AttentionWrapper` (an RNN cell),
`AttentionWrapperState`, `hardmax` and `safe_cumprod`.

Everything is composed from existing ops, so gradients come for free. Variable names follow
TF1: `memory_layer/kernel` (created when the mechanism is built), and, under the wrapper's
scope, `bahdanau_attention/query_layer/kernel`, `bahdanau_attention/attention_v`,
`luong_attention/attention_g` and `attention_layer/kernel`.
"""

from __future__ import annotations

import collections
import math
from typing import Any, Callable, Optional

import numpy as np

import flowgraph as fg
from flowgraph import dtypes
from flowgraph.control_flow import nest
from flowgraph.layers.core import Dense
from flowgraph.nn.rnn_cell_impl import RNNCell, _zero_state_tensors, assert_like_rnncell
from flowgraph.shapes import TensorShape

__all__ = ["AttentionMechanism", "BahdanauAttention", "LuongAttention",
           "AttentionWrapperState", "AttentionWrapper", "hardmax", "safe_cumprod"]


def hardmax(logits: Any, name: Optional[str] = None) -> Any:
    """One-hot of the argmax of `logits` along the last axis, in `logits`' dtype."""
    with fg.name_scope(name, "Hardmax", [logits]):
        logits = fg.convert_to_tensor(logits, name="logits")
        depth = logits.shape.as_list()[-1] if logits.shape.ndims else None
        if depth is None:
            depth = fg.shape(logits)[-1]
        return fg.one_hot(fg.argmax(logits, -1), depth, dtype=logits.dtype)


def safe_cumprod(x: Any, *args: Any, **kwargs: Any) -> Any:
    """`cumprod(x)` computed as `exp(cumsum(log(clip(x, tiny, 1))))` (numerically stable);
    extra arguments go to `cumsum`."""
    with fg.name_scope(None, "SafeCumprod", [x]):
        x = fg.convert_to_tensor(x, name="x")
        tiny = np.finfo(x.dtype.as_numpy_dtype).tiny
        return fg.exp(fg.cumsum(fg.log(fg.clip_by_value(x, tiny, 1)), *args, **kwargs))


def _prepare_memory(memory: Any, memory_sequence_length: Any) -> Any:
    """Zero the memory past each row's `memory_sequence_length`."""
    memory = nest.map_structure(lambda m: fg.convert_to_tensor(m, name="memory"), memory)
    if memory_sequence_length is None:
        return memory
    memory_sequence_length = fg.convert_to_tensor(memory_sequence_length,
                                                  name="memory_sequence_length")
    if memory_sequence_length.shape.ndims not in (None, 1):
        raise ValueError(f"memory_sequence_length must be a vector [batch_size], saw shape "
                         f"{memory_sequence_length.shape}")

    def mask(m: Any) -> Any:
        if m.shape.ndims is not None and m.shape.ndims < 2:
            raise ValueError(f"memory must be [batch_size, max_time, ...], saw shape "
                             f"{m.shape}")
        n_batch = m.shape.as_list()[0] if m.shape.ndims else None
        n_len = memory_sequence_length.shape.as_list()[0] \
            if memory_sequence_length.shape.ndims else None
        if n_batch is not None and n_len is not None and n_batch != n_len:
            raise ValueError(f"memory_sequence_length and memory tensor batch sizes do not "
                             f"match: {n_len} vs {n_batch}")
        seq_len_mask = fg.sequence_mask(memory_sequence_length, maxlen=fg.shape(m)[1],
                                        dtype=m.dtype)
        extra = [1] * (m.shape.ndims - 2)
        return m * fg.reshape(seq_len_mask, fg.concat([fg.shape(seq_len_mask), extra], 0)
                              if extra else fg.shape(seq_len_mask))
    return nest.map_structure(mask, memory)


def _maybe_mask_score(score: Any, memory_sequence_length: Any, score_mask_value: Any) -> Any:
    if memory_sequence_length is None:
        return score
    score_mask = fg.sequence_mask(memory_sequence_length, maxlen=fg.shape(score)[1])
    score_mask_values = score_mask_value * fg.ones_like(score)
    return fg.where(score_mask, score, score_mask_values)


class AttentionMechanism:
    """Base of the attention mechanisms (TF1's marker class)."""

    @property
    def alignments_size(self) -> Any:
        raise NotImplementedError("Abstract method")

    @property
    def state_size(self) -> Any:
        raise NotImplementedError("Abstract method")


class _BaseAttentionMechanism(AttentionMechanism):
    """Keeps the (masked) memory as `values` and its projection through `memory_layer` as
    `keys`; `__call__(query, state)` returns `(alignments, next_state)`."""

    def __init__(self, query_layer: Any, memory: Any, probability_fn: Callable,
                 memory_sequence_length: Any = None, memory_layer: Any = None,
                 check_inner_dims_defined: bool = True, score_mask_value: Any = None,
                 name: Optional[str] = None) -> None:
        if query_layer is not None and not callable(query_layer):
            raise TypeError(f"query_layer is not a Layer: {type(query_layer).__name__}")
        if memory_layer is not None and not callable(memory_layer):
            raise TypeError(f"memory_layer is not a Layer: {type(memory_layer).__name__}")
        if not callable(probability_fn):
            raise TypeError(f"probability_fn must be callable, saw type: "
                            f"{type(probability_fn).__name__}")
        self._query_layer = query_layer
        self._memory_layer = memory_layer
        self.dtype = memory_layer.dtype if memory_layer is not None else None
        if score_mask_value is None:
            score_mask_value = dtypes.as_dtype(
                nest.flatten(memory)[0].dtype).as_numpy_dtype(-np.inf)
        self._probability_fn = lambda score, prev: probability_fn(
            _maybe_mask_score(score, memory_sequence_length, score_mask_value), prev)
        with fg.name_scope(name, "BaseAttentionMechanismInit", nest.flatten(memory)):
            self._values = _prepare_memory(memory, memory_sequence_length)
            if check_inner_dims_defined:
                for v in nest.flatten(self._values):
                    if v.shape.ndims is None or None in v.shape.as_list()[2:]:
                        raise ValueError(f"Expected memory to have fully defined inner "
                                         f"dims, but saw shape: {v.shape}")
            self._keys = self.memory_layer(self._values) if self.memory_layer \
                else self._values
            static = self._keys.shape.as_list()
            self._batch_size = static[0] if static[0] is not None \
                else fg.shape(self._keys)[0]
            self._alignments_size = static[1] if static[1] is not None \
                else fg.shape(self._keys)[1]

    @property
    def memory_layer(self) -> Any:
        return self._memory_layer

    @property
    def query_layer(self) -> Any:
        return self._query_layer

    @property
    def values(self) -> Any:
        return self._values

    @property
    def keys(self) -> Any:
        return self._keys

    @property
    def batch_size(self) -> Any:
        return self._batch_size

    @property
    def alignments_size(self) -> Any:
        return self._alignments_size

    @property
    def state_size(self) -> Any:
        return self._alignments_size

    def initial_alignments(self, batch_size: Any, dtype: Any) -> Any:
        """All-zero alignments [batch_size, max_time]."""
        return _zero_state_tensors(self._alignments_size, batch_size, dtype)

    def initial_state(self, batch_size: Any, dtype: Any) -> Any:
        """The initial attention state (the initial alignments)."""
        return self.initial_alignments(batch_size, dtype)


def _luong_score(query: Any, keys: Any, scale: Any) -> Any:
    depth = query.shape.as_list()[-1]
    key_units = keys.shape.as_list()[-1]
    if depth != key_units:
        raise ValueError(f"Incompatible or unknown inner dimensions between query and keys. "
                         f"Query (shape {query.shape}) has units: {depth}.  Keys (shape "
                         f"{keys.shape}) have units: {key_units}.  Perhaps you need to set "
                         f"num_units to the keys' dimension ({key_units})?")
    score = fg.squeeze(fg.matmul(fg.expand_dims(query, 1), keys, transpose_b=True), [1])
    if scale is not None:
        score = scale * score
    return score


class LuongAttention(_BaseAttentionMechanism):
    """Multiplicative attention: `score = query . keys` (times a learned scalar
    `attention_g` with `scale=True`)."""

    def __init__(self, num_units: int, memory: Any, memory_sequence_length: Any = None,
                 scale: bool = False, probability_fn: Optional[Callable] = None,
                 score_mask_value: Any = None, dtype: Any = None,
                 name: str = "LuongAttention") -> None:
        if probability_fn is None:
            probability_fn = fg.nn.softmax
        if dtype is None:
            dtype = dtypes.float32
        fn = probability_fn
        super().__init__(
            query_layer=None,
            memory_layer=Dense(num_units, name="memory_layer", use_bias=False, dtype=dtype),
            memory=memory, probability_fn=lambda score, _: fn(score),
            memory_sequence_length=memory_sequence_length,
            score_mask_value=score_mask_value, name=name)
        self._num_units = num_units
        self._scale = scale
        self._name = name

    def __call__(self, query: Any, state: Any) -> tuple:
        """Returns `(alignments, next_state)`, both [batch_size, max_time]."""
        with fg.variable_scope(None, "luong_attention", [query]):
            attention_g = None
            if self._scale:
                attention_g = fg.get_variable("attention_g", dtype=query.dtype,
                                              initializer=fg.ones_initializer(), shape=())
            score = _luong_score(query, self._keys, attention_g)
        alignments = self._probability_fn(score, state)
        return alignments, alignments


def _bahdanau_score(processed_query: Any, keys: Any, attention_v: Any,
                    attention_g: Any = None, attention_b: Any = None) -> Any:
    processed_query = fg.expand_dims(processed_query, 1)
    if attention_g is not None:
        normed_v = attention_g * attention_v * fg.rsqrt(
            fg.reduce_sum(fg.square(attention_v)))
        return fg.reduce_sum(normed_v * fg.tanh(keys + processed_query + attention_b), [2])
    return fg.reduce_sum(attention_v * fg.tanh(keys + processed_query), [2])


class BahdanauAttention(_BaseAttentionMechanism):
    """Additive attention: `score = v . tanh(keys + W query)` (weight-normalized with
    `normalize=True`)."""

    def __init__(self, num_units: int, memory: Any, memory_sequence_length: Any = None,
                 normalize: bool = False, probability_fn: Optional[Callable] = None,
                 score_mask_value: Any = None, dtype: Any = None,
                 name: str = "BahdanauAttention") -> None:
        if probability_fn is None:
            probability_fn = fg.nn.softmax
        if dtype is None:
            dtype = dtypes.float32
        fn = probability_fn
        super().__init__(
            query_layer=Dense(num_units, name="query_layer", use_bias=False, dtype=dtype),
            memory_layer=Dense(num_units, name="memory_layer", use_bias=False, dtype=dtype),
            memory=memory, probability_fn=lambda score, _: fn(score),
            memory_sequence_length=memory_sequence_length,
            score_mask_value=score_mask_value, name=name)
        self._num_units = num_units
        self._normalize = normalize
        self._name = name

    def __call__(self, query: Any, state: Any) -> tuple:
        """Returns `(alignments, next_state)`, both [batch_size, max_time]."""
        with fg.variable_scope(None, "bahdanau_attention", [query]):
            processed_query = self.query_layer(query) if self.query_layer else query
            attention_v = fg.get_variable("attention_v", [self._num_units], dtype=query.dtype)
            attention_g = attention_b = None
            if self._normalize:
                attention_g = fg.get_variable(
                    "attention_g", dtype=query.dtype, shape=(),
                    initializer=fg.constant_initializer(math.sqrt(1. / self._num_units)))
                attention_b = fg.get_variable("attention_b", [self._num_units],
                                              dtype=query.dtype,
                                              initializer=fg.zeros_initializer())
            score = _bahdanau_score(processed_query, self._keys, attention_v,
                                    attention_g, attention_b)
        alignments = self._probability_fn(score, state)
        return alignments, alignments


class AttentionWrapperState(collections.namedtuple(
        "AttentionWrapperState", ("cell_state", "attention", "time", "alignments",
                                  "alignment_history", "attention_state"))):
    """The state of an `AttentionWrapper`: the wrapped cell's state, the last attention
    vector, the step count, the alignments, their history (a TensorArray per mechanism when
    `alignment_history=True`, else ()) and the mechanisms' states."""

    def clone(self, **kwargs: Any) -> "AttentionWrapperState":
        """A copy with the given fields replaced (tensors keep their static shape where
        the new value's shape is compatible)."""
        def with_same_shape(old: Any, new: Any) -> Any:
            if isinstance(old, fg.Tensor) and isinstance(new, fg.Tensor) \
                    and old.shape.is_compatible_with(new.shape):
                new.set_shape(old.shape)
            return new
        return nest.map_structure(with_same_shape, self, super()._replace(**kwargs))


def _item_or_tuple(seq: Any) -> Any:
    t = tuple(seq)
    return t[0] if len(t) == 1 else t


def _default_cell_input_fn(inputs: Any, attention: Any) -> Any:
    return fg.concat([inputs, attention], -1)


def _compute_attention(attention_mechanism: Any, cell_output: Any, attention_state: Any,
                       attention_layer: Any) -> tuple:
    alignments, next_attention_state = attention_mechanism(cell_output,
                                                           state=attention_state)
    context = fg.squeeze(fg.matmul(fg.expand_dims(alignments, 1), attention_mechanism.values),
                         [1])
    if attention_layer is not None:
        attention = attention_layer(fg.concat([cell_output, context], 1))
    else:
        attention = context
    return attention, alignments, next_attention_state


class AttentionWrapper(RNNCell):
    """Wraps an RNN cell with attention: each step feeds `cell_input_fn(inputs,
    previous attention)` to the cell, queries every attention mechanism with the cell
    output, and emits the attention vector (`attention_layer([cell_output, context])`, or
    the context alone without `attention_layer_size`)."""

    def __init__(self, cell: Any, attention_mechanism: Any, attention_layer_size: Any = None,
                 alignment_history: bool = False, cell_input_fn: Optional[Callable] = None,
                 output_attention: bool = True, initial_cell_state: Any = None,
                 name: Optional[str] = None) -> None:
        super().__init__(name=name)
        assert_like_rnncell("cell", cell)
        if isinstance(attention_mechanism, (list, tuple)):
            self._is_multi = True
            mechanisms = tuple(attention_mechanism)
            if not mechanisms:
                raise ValueError("attention_mechanism must not be an empty list or tuple")
        else:
            self._is_multi = False
            mechanisms = (attention_mechanism,)
        for m in mechanisms:
            if not isinstance(m, AttentionMechanism):
                raise TypeError(f"attention_mechanism must be an AttentionMechanism or list "
                                f"of multiple AttentionMechanism instances, saw type: "
                                f"{type(m).__name__}")
        if cell_input_fn is None:
            cell_input_fn = _default_cell_input_fn
        elif not callable(cell_input_fn):
            raise TypeError(f"cell_input_fn must be callable, saw type: "
                            f"{type(cell_input_fn).__name__}")
        if attention_layer_size is not None:
            sizes = tuple(attention_layer_size if isinstance(attention_layer_size,
                                                             (list, tuple))
                          else (attention_layer_size,))
            if len(sizes) != len(mechanisms):
                raise ValueError(f"If provided, attention_layer_size must contain exactly one "
                                 f"integer per attention_mechanism, saw: {len(sizes)} vs "
                                 f"{len(mechanisms)}")
            self._attention_layers = tuple(
                Dense(size, name="attention_layer", use_bias=False, dtype=m.dtype)
                for size, m in zip(sizes, mechanisms))
            self._attention_layer_size = sum(sizes)
        else:
            self._attention_layers = None
            inner = [m.values.shape.as_list()[-1] for m in mechanisms]
            if None in inner:
                raise ValueError(f"The memory's last dimension must be known without "
                                 f"attention_layer_size, saw: {inner}")
            self._attention_layer_size = sum(inner)
        self._cell = cell
        self._attention_mechanisms = mechanisms
        self._cell_input_fn = cell_input_fn
        self._output_attention = output_attention
        self._alignment_history = alignment_history
        if initial_cell_state is None:
            self._initial_cell_state = None
        else:
            with fg.name_scope(name, "AttentionWrapperInit"):
                self._initial_cell_state = nest.map_structure(
                    lambda s: fg.identity(s, name="check_initial_cell_state"),
                    initial_cell_state)

    @property
    def output_size(self) -> Any:
        return self._attention_layer_size if self._output_attention \
            else self._cell.output_size

    @property
    def state_size(self) -> AttentionWrapperState:
        return AttentionWrapperState(
            cell_state=self._cell.state_size,
            time=TensorShape([]),
            attention=self._attention_layer_size,
            alignments=_item_or_tuple(m.alignments_size for m in self._attention_mechanisms),
            attention_state=_item_or_tuple(m.state_size for m in self._attention_mechanisms),
            alignment_history=_item_or_tuple(
                m.alignments_size if self._alignment_history else ()
                for m in self._attention_mechanisms))

    def zero_state(self, batch_size: Any, dtype: Any) -> AttentionWrapperState:
        """The initial state: the cell's zero state (or `initial_cell_state`), zero
        attention and alignments, time 0 and empty alignment histories."""
        with fg.name_scope(type(self).__name__ + "ZeroState", values=[batch_size]):
            if self._initial_cell_state is not None:
                cell_state = self._initial_cell_state
            else:
                cell_state = self._cell.zero_state(batch_size, dtype)
            static_batch = fg.get_static_value(batch_size) \
                if isinstance(batch_size, fg.Tensor) else batch_size
            for m in self._attention_mechanisms:
                if isinstance(m.batch_size, int) and static_batch is not None \
                        and int(static_batch) != m.batch_size:
                    raise ValueError(
                        f"When calling zero_state of AttentionWrapper {self.name}: Non-matching "
                        f"batch sizes between the memory (encoder output) and the requested "
                        f"batch size ({m.batch_size} vs {int(static_batch)}). Are you using "
                        f"the BeamSearchDecoder?  If so, make sure your encoder output has "
                        f"been tiled to beam_width via tf.contrib.seq2seq.tile_batch, and "
                        f"the batch_size= argument passed to zero_state is batch_size * "
                        f"beam_width.")
            cell_state = nest.map_structure(
                lambda s: fg.identity(s, name="checked_cell_state"), cell_state)
            initial_alignments = [m.initial_alignments(batch_size, dtype)
                                  for m in self._attention_mechanisms]
            return AttentionWrapperState(
                cell_state=cell_state,
                time=fg.zeros([], dtype=dtypes.int32),
                attention=_zero_state_tensors(self._attention_layer_size, batch_size, dtype),
                alignments=_item_or_tuple(initial_alignments),
                attention_state=_item_or_tuple(m.initial_state(batch_size, dtype)
                                               for m in self._attention_mechanisms),
                alignment_history=_item_or_tuple(
                    fg.TensorArray(dtype, size=0, dynamic_size=True,
                                   element_shape=a.shape) if self._alignment_history else ()
                    for a in initial_alignments))

    def call(self, inputs: Any, state: Any) -> tuple:
        """One step: returns `(attention or cell_output, next AttentionWrapperState)`."""
        if not isinstance(state, AttentionWrapperState):
            raise TypeError(f"Expected state to be instance of AttentionWrapperState. "
                            f"Received type {type(state).__name__} instead.")
        cell_inputs = self._cell_input_fn(inputs, state.attention)
        cell_output, next_cell_state = self._cell(cell_inputs, state.cell_state)
        if self._is_multi:
            previous_attention_state = state.attention_state
            previous_alignment_history = state.alignment_history
        else:
            previous_attention_state = [state.attention_state]
            previous_alignment_history = [state.alignment_history]
        all_alignments, all_attentions, all_states, all_histories = [], [], [], []
        for i, mechanism in enumerate(self._attention_mechanisms):
            attention, alignments, next_attention_state = _compute_attention(
                mechanism, cell_output, previous_attention_state[i],
                self._attention_layers[i] if self._attention_layers else None)
            history = previous_alignment_history[i].write(state.time, alignments) \
                if self._alignment_history else ()
            all_alignments.append(alignments)
            all_attentions.append(attention)
            all_states.append(next_attention_state)
            all_histories.append(history)
        attention = fg.concat(all_attentions, 1)
        next_state = AttentionWrapperState(
            time=state.time + 1, cell_state=next_cell_state, attention=attention,
            attention_state=_item_or_tuple(all_states),
            alignments=_item_or_tuple(all_alignments),
            alignment_history=_item_or_tuple(all_histories))
        if self._output_attention:
            return attention, next_state
        return cell_output, next_state
