"""`tf.keras.Input` and `tf.keras.layers.InputLayer`: the placeholders a functional model
starts from (``input_1``, ``input_2``... per graph, as TF 1.15's Keras)."""

from __future__ import annotations

from typing import Any, Optional

from flowgraph import dtypes
from flowgraph.keras import backend, history
from flowgraph.keras.base_layer import Layer

__all__ = ["Input", "InputLayer"]


class InputLayer(Layer):
    """The layer owning a model's input placeholder (or a given `input_tensor`).

    Parameters
    ----------
    input_shape : tuple, optional
        The shape without the batch axis; the placeholder's shape is
        ``(batch_size,) + input_shape``. ``batch_input_shape=`` (keyword) gives it whole.
    batch_size : int, optional
        A fixed batch size (default None: any).
    dtype : str or DType, optional
        The placeholder's dtype (default `backend.floatx()`).
    input_tensor : Tensor, optional
        Use this tensor instead of making a placeholder.
    sparse : bool
        Make a sparse placeholder.
    name : str, optional
        Default ``input_1``, ``input_2``... (one-based, per graph).
    ragged : bool
        TF 1.15's ragged placeholder; flowgraph has no RaggedTensor, so only False.
    """

    def __init__(self, input_shape: Any = None, batch_size: Optional[int] = None,
                 dtype: Any = None, input_tensor: Any = None, sparse: bool = False,
                 name: Optional[str] = None, ragged: bool = False, **kwargs: Any) -> None:
        _check_not_ragged(ragged)
        batch_input_shape = kwargs.pop("batch_input_shape", None)
        if kwargs:
            raise TypeError(f"Keyword argument not understood: {sorted(kwargs)[0]!r}")
        if input_shape is not None and batch_input_shape is not None:
            raise ValueError("Only provide the input_shape OR batch_input_shape argument to "
                             "InputLayer, not both at the same time.")
        if not name:
            name = "input_" + str(backend.get_uid("input"))
        if dtype is None:
            dtype = input_tensor.dtype if input_tensor is not None else backend.floatx()
        dtype = dtypes.as_dtype(dtype).base_dtype
        super().__init__(name=name, dtype=dtype)
        self.built = True
        self.sparse = bool(sparse)
        self.ragged = False
        self.batch_size = batch_size
        self.supports_masking = True
        if input_tensor is None:
            if batch_input_shape is not None:
                batch_input_shape = tuple(batch_input_shape)
            elif input_shape is not None:
                batch_input_shape = (batch_size,) + tuple(input_shape)
            if self.sparse:
                from flowgraph.ops.sparse import sparse_placeholder
                input_tensor = sparse_placeholder(dtype, shape=batch_input_shape, name=name)
            else:
                from flowgraph.ops.constant import placeholder
                input_tensor = placeholder(dtype, shape=batch_input_shape, name=name)
            self.is_placeholder = True
        else:
            self.is_placeholder = False
            if input_tensor.shape.ndims is not None:
                batch_input_shape = tuple(input_tensor.shape.as_list())
        self._batch_input_shape = batch_input_shape
        self._input_tensor = input_tensor
        history.mark_input(self, input_tensor)

    def _nodes(self) -> list:
        # TF 1.15's InputLayer node holds lists: its input_shape / output_shape are
        # ``[(None, 8)]``, its input / output the tensor itself.
        return [([self._input_tensor], [self._input_tensor])]

    def compute_output_shape(self, input_shape: Any) -> Any:
        return input_shape

    def get_config(self) -> dict:
        return {"batch_input_shape": self._batch_input_shape, "dtype": self.dtype,
                "sparse": self.sparse, "ragged": self.ragged, "name": self.name}


def Input(shape: Any = None, batch_size: Optional[int] = None,  # noqa: N802 - Keras' name
          name: Optional[str] = None, dtype: Any = None, sparse: bool = False,
          tensor: Any = None, ragged: bool = False, **kwargs: Any) -> Any:
    """A Keras input tensor: the placeholder (shape ``(batch_size,) + shape``) of a new
    `InputLayer`, the start of a functional model.

    ``batch_shape=`` (keyword) gives the full shape instead of `shape` and `batch_size`.
    """
    batch_shape = kwargs.pop("batch_shape", None)
    _check_not_ragged(ragged)
    if kwargs:
        raise TypeError(f"Unrecognized keyword arguments: {sorted(kwargs)}")
    if shape is not None and batch_shape is not None:
        raise ValueError("Only provide the shape OR batch_shape argument to Input, not both "
                         "at the same time.")
    if batch_shape is None and shape is None and tensor is None:
        raise ValueError("Please provide to Input either a `shape` or a `tensor` argument. "
                         "Note that `shape` does not include the batch dimension.")
    if batch_shape is not None:
        layer = InputLayer(batch_input_shape=batch_shape, name=name, dtype=dtype,
                           sparse=sparse, input_tensor=tensor)
    else:
        layer = InputLayer(input_shape=shape, batch_size=batch_size, name=name, dtype=dtype,
                           sparse=sparse, input_tensor=tensor)
    return layer._input_tensor


def _check_not_ragged(ragged: Any) -> None:
    if ragged:
        raise ValueError("ragged=True: flowgraph has no RaggedTensor, so a Keras Input cannot "
                         "be ragged. Pad the sequences to one length (e.g. "
                         "tf.keras.preprocessing.sequence.pad_sequences) and mask them "
                         "instead (Embedding(mask_zero=True) or a Masking layer).")
