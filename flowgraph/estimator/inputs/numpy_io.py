"""`numpy_input_fn`: an input_fn over numpy arrays, as TF1's
`tf.estimator.inputs.numpy_input_fn`."""

from collections import OrderedDict
from typing import Any, Callable, Optional

import numpy as np

from flowgraph.estimator.inputs.feeding import check_shuffle, enqueue_data, unique_target_key

__all__ = ["numpy_input_fn"]

_DIRECT_NP_INPUT = "__direct_np_input__"


def _validate_and_convert_features(x: Any) -> "OrderedDict[str, np.ndarray]":
    if isinstance(x, dict):
        if not x:
            raise ValueError("x cannot be an empty dict")
        return OrderedDict(sorted(((k, np.asarray(v)) for k, v in x.items()),
                                  key=lambda item: item[0]))
    if isinstance(x, np.ndarray):
        if x.size == 0:
            raise ValueError("x cannot be an empty array")
        return OrderedDict([(_DIRECT_NP_INPUT, x)])
    raise ValueError(f"x must be a dict or array; got {type(x).__name__}")


def numpy_input_fn(x: Any, y: Any = None, batch_size: int = 128, num_epochs: Optional[int] = 1,
                   shuffle: Optional[bool] = None, queue_capacity: int = 1000,
                   num_threads: int = 1) -> Callable:
    """An input_fn giving batches of `x` (a dict of arrays, or one array) and `y`.

    Parameters
    ----------
    x : dict of str to np.ndarray, or np.ndarray
        The features; the input_fn returns the same kind (a dict of tensors or a tensor).
    y : np.ndarray or dict of str to np.ndarray, optional
        The labels (None: the input_fn returns features only).
    batch_size : int
    num_epochs : int or None
        Passes over the data; None repeats forever (then every batch is full).
    shuffle : bool
        Required: shuffle the examples (within a buffer of `queue_capacity`).
    queue_capacity, num_threads : int
        The shuffle buffer; `num_threads` is accepted for TF1 compatibility.

    Raises
    ------
    ValueError
        If shuffle is not a bool, x is empty or of the wrong type, y is an empty dict, keys
        of x and y collide, or lengths differ.
    """
    check_shuffle(shuffle)

    def input_fn() -> Any:
        data = _validate_and_convert_features(x)
        feature_keys = list(data.keys())
        if y is None:
            target_keys: Any = None
        elif isinstance(y, dict):
            if not y:
                raise ValueError("y cannot be empty dict, use None instead.")
            ordered_y = OrderedDict(sorted(((k, np.asarray(v)) for k, v in y.items()),
                                           key=lambda item: item[0]))
            target_keys = list(ordered_y.keys())
            duplicate_keys = set(feature_keys) & set(target_keys)
            if duplicate_keys:
                raise ValueError(f"{len(duplicate_keys)} duplicate keys are found in both x "
                                 f"and y: {duplicate_keys}")
            data.update(ordered_y)
        else:
            target_keys = unique_target_key(data)
            data[target_keys] = np.asarray(y)
        if len({v.shape[0] if v.ndim else None for v in data.values()}) != 1:
            shapes_x = {k: data[k].shape for k in feature_keys}
            if target_keys is None:
                shape_y = None
            elif isinstance(target_keys, str):
                shape_y = data[target_keys].shape
            else:
                shape_y = {k: data[k].shape for k in target_keys}
            raise ValueError("Length of tensors in x and y is mismatched. All elements in x "
                             f"and y must have the same length.\nShapes in x: {shapes_x}\n"
                             f"Shapes in y: {shape_y}\n")
        batch = enqueue_data(data, batch_size, num_epochs, shuffle, queue_capacity)
        if isinstance(x, np.ndarray):
            features = batch[_DIRECT_NP_INPUT]
        else:
            features = {k: batch[k] for k in feature_keys}
        if target_keys is None:
            return features
        if isinstance(target_keys, str):
            return features, batch[target_keys]
        return features, {k: batch[k] for k in target_keys}

    return input_fn
