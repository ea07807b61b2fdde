"""The pipeline behind numpy_input_fn and pandas_input_fn: arrays fed to placeholders,
sliced, optionally shuffled, repeated `num_epochs` times and batched."""

from collections import OrderedDict
from typing import Any, Optional

import numpy as np

from flowgraph import dtypes
from flowgraph.ops.constant import placeholder
from flowgraph.train.input_feeders import add_input_feeder


def _as_feedable(name: str, array: Any) -> np.ndarray:
    array = np.asarray(array)
    if array.dtype.kind in "OUS":
        # Strings (or objects holding strings) become a string tensor, whose elements are
        # bytes in TF1 (a vocabulary lookup compares b"yes", never "yes").
        return np.vectorize(_as_bytes, otypes=[object])(array) if array.size else \
            array.astype(object)
    if array.dtype.kind not in "biuf":
        raise ValueError(f"The input {name!r} has numpy dtype {array.dtype}, which cannot be "
                         "fed to a tensor; use numbers, booleans or strings.")
    return array


def _as_bytes(value: Any) -> Any:
    return value.encode("utf-8") if isinstance(value, str) else value


def _dtype_of(array: np.ndarray) -> Any:
    if array.dtype == object:
        return dtypes.string
    return dtypes.as_dtype(array.dtype)


def enqueue_data(data: "OrderedDict[str, Any]", batch_size: int, num_epochs: Optional[int],
                 shuffle: bool, queue_capacity: int) -> dict:
    """Batched tensors of the columns of `data` (equal-length arrays), in a new
    Python-fed input pipeline of the default graph.

    With `num_epochs=None` the data repeats forever and every batch is full; otherwise the
    last batch may be smaller and the end of data raises OutOfRangeError.
    """
    from flowgraph.data.dataset import Dataset
    from flowgraph.data.iterator import make_initializable_iterator

    if batch_size is None or int(batch_size) <= 0:
        raise ValueError(f"batch_size must be a positive integer, got {batch_size}.")
    arrays = OrderedDict((name, _as_feedable(name, value)) for name, value in data.items())
    placeholders = OrderedDict()
    for name, array in arrays.items():
        shape = [None] + list(array.shape[1:])
        placeholders[name] = placeholder(_dtype_of(array), shape=shape,
                                         name=f"{_safe(name)}_input")
    dataset = Dataset.from_tensor_slices(dict(placeholders))
    if shuffle:
        dataset = dataset.shuffle(max(int(queue_capacity or 1), 1))
    if num_epochs is not None and num_epochs <= 0:
        raise ValueError(f"num_epochs must be None or a positive integer, got {num_epochs}.")
    dataset = dataset.repeat(num_epochs)
    dataset = dataset.batch(int(batch_size), drop_remainder=num_epochs is None)
    iterator = make_initializable_iterator(dataset)
    add_input_feeder(iterator.initializer,
                     {placeholders[name]: arrays[name] for name in arrays})
    batch = iterator.get_next()
    return {name: batch[name] for name in arrays}


def _safe(name: str) -> str:
    cleaned = "".join(c if c.isalnum() or c in "_.-" else "_" for c in str(name))
    if not cleaned or not (cleaned[0].isalnum() or cleaned[0] == "."):
        cleaned = "input" + cleaned
    return cleaned


def check_shuffle(shuffle: Any) -> None:
    if not isinstance(shuffle, bool):
        raise ValueError("shuffle must be provided and explicitly set as boolean (it is "
                         f"recommended to set it as True for training); got {shuffle}")


def unique_target_key(features: Any, target_key: str = "__target_key__") -> str:
    """A key not used by `features` (TF1 appends '_n' until it is free)."""
    while target_key in features:
        target_key += "_n"
    return target_key
