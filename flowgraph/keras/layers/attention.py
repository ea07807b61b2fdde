"""TF 1.15's dense attention `tf.keras.layers`: `Attention` (Luong-style dot-product) and
`AdditiveAttention` (Bahdanau-style).

Both are called on ``[query, value]`` or ``[query, value, key]`` (``key`` defaults to
``value``): query ``[batch, Tq, dim]``, value ``[batch, Tv, dim]``, key ``[batch, Tv, dim]``.
They score every query step against every key step (``scores`` ``[batch, Tq, Tv]``), take
a softmax over the value steps and return ``softmax(scores) @ value`` ``[batch, Tq, dim]``.

Masks: ``mask=[query_mask, value_mask]`` (``[batch, Tq]`` and ``[batch, Tv]`` bools, or the
inputs' Keras masks). Masked value steps get a score of ``-1e9`` before the softmax (so they
get no weight); masked query steps output zeros. ``causal=True`` (a constructor argument in
TF 1.15) lets query step ``i`` attend only to value steps ``j <= i``. The output's mask is
the query mask.
"""

from __future__ import annotations

from typing import Any

from flowgraph import dtypes
from flowgraph.keras.base_layer import Layer
from flowgraph.layers.base import as_shape_list
from flowgraph.nn import softmax
from flowgraph.ops import (
    add,
    cast,
    concat,
    convert_to_tensor,
    cumsum,
    expand_dims,
    greater_equal,
    logical_and,
    logical_not,
    matmul,
    multiply,
    ones,
    ones_like,
    reduce_sum,
    shape,
    subtract,
    tanh,
)
from flowgraph.shapes import TensorShape

__all__ = ["Attention", "AdditiveAttention"]


def _lower_triangular_mask(mask_shape: Any) -> Any:
    """True where the row index >= the column index (in the last two axes)."""
    row = cumsum(ones(mask_shape, dtype=dtypes.int32), axis=-2)
    col = cumsum(ones(mask_shape, dtype=dtypes.int32), axis=-1)
    return greater_equal(row, col)


def _merge_masks(x: Any, y: Any) -> Any:
    if x is None:
        return y
    if y is None:
        return x
    return logical_and(x, y)


def _as_bool(mask: Any) -> Any:
    mask = convert_to_tensor(mask)
    return mask if mask.dtype.base_dtype == dtypes.bool else cast(mask, dtypes.bool)


class _BaseDenseAttention(Layer):
    """What `Attention` and `AdditiveAttention` share (TF 1.15's BaseDenseAttention):
    argument checks, masks, the causal mask and the softmax over value steps."""

    def __init__(self, causal: bool = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.causal = bool(causal)
        self.supports_masking = True

    def _apply_scores(self, scores: Any, value: Any, scores_mask: Any = None) -> Any:
        if scores_mask is not None:
            padding = cast(logical_not(scores_mask), scores.dtype)
            # a large negative bias: masked steps get (numerically) no weight
            scores = subtract(scores, multiply(padding, 1.0e9))
        return matmul(softmax(scores), value)

    def call(self, inputs: Any, mask: Any = None) -> Any:
        self._validate_call_args(inputs, mask)
        query = convert_to_tensor(inputs[0])
        value = convert_to_tensor(inputs[1])
        key = convert_to_tensor(inputs[2]) if len(inputs) > 2 else value
        q_mask = mask[0] if mask else None
        v_mask = mask[1] if mask else None
        scores = self._calculate_scores(query, key)
        if v_mask is not None:
            v_mask = expand_dims(_as_bool(v_mask), axis=-2)  # [batch, 1, Tv]
        causal_mask = None
        if self.causal:
            scores_shape = shape(scores)
            # [1, Tq, Tv]: broadcast over the batch
            causal_shape = concat([ones_like(scores_shape[:-2]), scores_shape[-2:]], axis=0)
            causal_mask = _lower_triangular_mask(causal_shape)
        result = self._apply_scores(scores, value, _merge_masks(v_mask, causal_mask))
        if q_mask is not None:
            q_mask = expand_dims(_as_bool(q_mask), axis=-1)  # [batch, Tq, 1]
            result = multiply(result, cast(q_mask, result.dtype))
        return result

    def compute_mask(self, inputs: Any, mask: Any = None) -> Any:
        """The query mask (None without masks)."""
        self._validate_call_args(inputs, mask)
        if mask:
            q_mask = mask[0]
            return None if q_mask is None else convert_to_tensor(q_mask)
        return None

    def compute_output_shape(self, input_shape: Any) -> TensorShape:
        query, value = as_shape_list(input_shape[0]), as_shape_list(input_shape[1])
        return TensorShape(query[:-1] + value[-1:])

    def _validate_call_args(self, inputs: Any, mask: Any) -> None:
        name = type(self).__name__
        if not isinstance(inputs, list):
            raise ValueError(f"{name} layer must be called on a list of inputs, namely "
                             f"[query, value] or [query, value, key]. Got {inputs!r}")
        if len(inputs) < 2 or len(inputs) > 3:
            raise ValueError(f"{name} layer accepts inputs list of length 2 or 3, namely "
                             f"[query, value] or [query, value, key]. Given length: "
                             f"{len(inputs)}")
        if mask:
            if not isinstance(mask, list):
                raise ValueError(f"{name} layer mask must be a list, namely "
                                 f"[query_mask, value_mask]. Got {mask!r}")
            if len(mask) != 2:
                raise ValueError(f"{name} layer mask must be a list of length 2, namely "
                                 f"[query_mask, value_mask]. Given length: {len(mask)}")

    def get_config(self) -> dict:
        return {**super().get_config(), "causal": self.causal}


class Attention(_BaseDenseAttention):
    """Dot-product (Luong-style) attention: ``scores = query @ key^T`` (times the trainable
    scalar ``scale``, initialised to 1, with ``use_scale=True``), output
    ``softmax(scores) @ value`` ``[batch, Tq, dim]``.

    Parameters
    ----------
    use_scale : bool
        Learn a scalar ``attention/scale:0`` that multiplies the scores.
    causal : bool (keyword)
        Query step i attends only to value steps j <= i (decoder self-attention).
    """

    def __init__(self, use_scale: bool = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.use_scale = bool(use_scale)
        self.scale = None

    def build(self, input_shape: Any) -> None:
        if self.use_scale:
            self.scale = self.add_weight(name="scale", shape=(), initializer="ones",
                                         dtype=self.dtype, trainable=True)
        self.built = True

    def _calculate_scores(self, query: Any, key: Any) -> Any:
        scores = matmul(query, key, transpose_b=True)
        if self.scale is not None:
            scores = multiply(scores, self.scale)
        return scores

    def get_config(self) -> dict:
        return {**super().get_config(), "use_scale": self.use_scale}


class AdditiveAttention(_BaseDenseAttention):
    """Additive (Bahdanau-style) attention: ``scores[b, i, j] = sum_d scale[d] *
    tanh(query[b, i, d] + key[b, j, d])``, output ``softmax(scores) @ value``.

    Parameters
    ----------
    use_scale : bool
        Learn ``additive_attention/scale:0`` ``[dim]`` (Glorot-uniform initialised); without
        it the scale is 1.
    causal : bool (keyword)
        Query step i attends only to value steps j <= i.
    """

    def __init__(self, use_scale: bool = True, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.use_scale = bool(use_scale)
        self.scale = None

    def build(self, input_shape: Any) -> None:
        if self.use_scale:
            if not isinstance(input_shape, (list, tuple)) or len(input_shape) < 2:
                raise ValueError(f"AdditiveAttention is built from the shapes of [query, "
                                 f"value], got {input_shape!r}")
            dim = as_shape_list(input_shape[1])[-1]
            if dim is None:
                raise ValueError("AdditiveAttention with use_scale=True needs the last "
                                 "dimension of `value` to be known; got None")
            self.scale = self.add_weight(name="scale", shape=(dim,),
                                         initializer="glorot_uniform", dtype=self.dtype,
                                         trainable=True)
        self.built = True

    def _calculate_scores(self, query: Any, key: Any) -> Any:
        q = expand_dims(query, axis=-2)  # [batch, Tq, 1, dim]
        k = expand_dims(key, axis=-3)  # [batch, 1, Tv, dim]
        summed = tanh(add(q, k))
        if self.scale is not None:
            summed = multiply(self.scale, summed)
        return reduce_sum(summed, axis=-1)

    def get_config(self) -> dict:
        return {**super().get_config(), "use_scale": self.use_scale}
