"""`tf.keras.layers.Embedding` (TF 1.15): integer indices -> rows of an ``embeddings``
matrix."""

from __future__ import annotations

from typing import Any

import flowgraph as fg
from flowgraph.keras.base_layer import Layer
from flowgraph.keras.layers.core import resolve, serialize
from flowgraph.layers.base import as_shape_list
from flowgraph.shapes import TensorShape

__all__ = ["Embedding"]


class Embedding(Layer):
    """Looks up rows of the ``embeddings`` weight [input_dim, output_dim]:
    [batch, length] int indices -> [batch, length, output_dim].

    `input_length` fixes the length (needed to put a Flatten then a Dense after it in a
    Sequential model). With ``mask_zero=True`` index 0 is padding: the output's Keras mask
    is ``inputs != 0`` (so `input_dim` should be the vocabulary size + 1), which masking
    layers after it (RNNs, GlobalAveragePooling1D...) honour.
    """

    def __init__(self, input_dim: int, output_dim: int,
                 embeddings_initializer: Any = "uniform", embeddings_regularizer: Any = None,
                 activity_regularizer: Any = None, embeddings_constraint: Any = None,
                 mask_zero: bool = False, input_length: Any = None, **kwargs: Any) -> None:
        if "input_shape" not in kwargs and "batch_input_shape" not in kwargs:
            kwargs["input_shape"] = (input_length,) if input_length is None or isinstance(
                input_length, int) else tuple(input_length)
        kwargs.setdefault("dtype", "float32")
        super().__init__(activity_regularizer=resolve("regularizers", activity_regularizer),
                         **kwargs)
        if int(input_dim) <= 0 or int(output_dim) <= 0:
            raise ValueError("Both `input_dim` and `output_dim` should be positive, found "
                             f"input_dim {input_dim} and output_dim {output_dim}")
        self.input_dim = int(input_dim)
        self.output_dim = int(output_dim)
        self.embeddings_initializer = resolve("initializers", embeddings_initializer)
        self.embeddings_regularizer = resolve("regularizers", embeddings_regularizer)
        self.embeddings_constraint = resolve("constraints", embeddings_constraint)
        self.mask_zero = mask_zero
        self.supports_masking = mask_zero
        self.input_length = input_length

    def build(self, input_shape: Any) -> None:
        self.embeddings = self.add_weight(
            name="embeddings", shape=(self.input_dim, self.output_dim),
            initializer=self.embeddings_initializer, regularizer=self.embeddings_regularizer,
            constraint=self.embeddings_constraint)
        self.built = True

    def compute_output_shape(self, input_shape: Any) -> TensorShape:
        dims = as_shape_list(input_shape)
        if self.input_length is not None:
            lengths = self.input_length if isinstance(self.input_length, (list, tuple)) \
                else [self.input_length]
            if len(lengths) != len(dims) - 1:
                raise ValueError(f'"input_length" is {self.input_length}, but received '
                                 f"input has shape {tuple(dims)}")
            for i, (given, found) in enumerate(zip(lengths, dims[1:])):
                if given is not None and found is not None and given != found:
                    raise ValueError(f'"input_length" is {self.input_length}, but received '
                                     f"input has shape {tuple(dims)}")
                if found is None:
                    dims[i + 1] = given
        return TensorShape(dims + [self.output_dim])

    def call(self, inputs: Any) -> Any:
        if inputs.dtype not in (fg.int32, fg.int64):
            inputs = fg.cast(inputs, fg.int32)
        return fg.nn.embedding_lookup(self.embeddings, inputs)

    def compute_mask(self, inputs: Any, mask: Any = None) -> Any:
        """``inputs != 0`` with ``mask_zero=True``, else None."""
        if not self.mask_zero:
            return None
        return fg.not_equal(inputs, 0)

    def get_config(self) -> dict:
        return {**super().get_config(), "input_dim": self.input_dim,
                "output_dim": self.output_dim,
                "embeddings_initializer": serialize(self.embeddings_initializer),
                "embeddings_regularizer": serialize(self.embeddings_regularizer),
                "activity_regularizer": serialize(self.activity_regularizer),
                "embeddings_constraint": serialize(self.embeddings_constraint),
                "mask_zero": self.mask_zero, "input_length": self.input_length}
