"""What an exported Estimator is fed: `ServingInputReceiver` (features for the model_fn,
plus the tensors the saved model is fed) and the receiver functions that build one, as
TF1's `tf.estimator.export`."""

import collections
from typing import Any, Callable, Optional

from flowgraph import dtypes
from flowgraph.graph import Tensor
from flowgraph.ops.constant import placeholder
from flowgraph.shapes import TensorShape
from flowgraph.sparse_tensor import SparseTensor

__all__ = ["ServingInputReceiver", "TensorServingInputReceiver",
           "build_raw_serving_input_receiver_fn", "build_parsing_serving_input_receiver_fn"]

SINGLE_FEATURE_DEFAULT_NAME = "feature"
SINGLE_RECEIVER_DEFAULT_NAME = "input"
SINGLE_LABEL_DEFAULT_NAME = "label"


def _check_tensor(tensor: Any, name: Any, error_label: str = "feature") -> None:
    if not isinstance(tensor, (Tensor, SparseTensor)):
        raise ValueError(f"{error_label} {name} must be a Tensor, SparseTensor, or "
                         "RaggedTensor.")


def _check_tensor_key(name: Any, error_label: str = "feature") -> None:
    if not isinstance(name, str):
        raise ValueError(f"{error_label} keys must be strings: {name}.")


def _wrap_and_check_input_tensors(tensors: Any, field_name: str) -> dict:
    if tensors is None:
        raise ValueError(f"{field_name}s must be defined.")
    if not isinstance(tensors, dict):
        tensors = {SINGLE_RECEIVER_DEFAULT_NAME: tensors}
    for name, tensor in tensors.items():
        _check_tensor_key(name, error_label=field_name)
        _check_tensor(tensor, name, error_label=field_name)
    return dict(tensors)


def _receiver_alternatives(alternatives: Any) -> Optional[dict]:
    if alternatives is None:
        return None
    if not isinstance(alternatives, dict):
        raise ValueError(f"receiver_tensors_alternatives must be a dict: {alternatives}.")
    return {alt_name: _wrap_and_check_input_tensors(tensors, "receiver_tensors_alternative")
            for alt_name, tensors in alternatives.items()}


class ServingInputReceiver(collections.namedtuple(
        "ServingInputReceiver",
        ["features", "receiver_tensors", "receiver_tensors_alternatives"])):
    """The serving inputs of an exported model.

    Parameters
    ----------
    features : Tensor, SparseTensor or dict of str to them
        What the model_fn gets as `features` (a single tensor is keyed 'feature').
    receiver_tensors : Tensor or dict of str to Tensor
        What the saved model is fed (the signature inputs; a single tensor is keyed 'input').
    receiver_tensors_alternatives : dict of str to (dict of str to Tensor), optional
        Further sets of inputs, each exported as extra signatures.
    """

    def __new__(cls, features: Any, receiver_tensors: Any,
                receiver_tensors_alternatives: Any = None) -> "ServingInputReceiver":
        if features is None:
            raise ValueError("features must be defined.")
        if not isinstance(features, dict):
            features = {SINGLE_FEATURE_DEFAULT_NAME: features}
        for name, tensor in features.items():
            _check_tensor_key(name)
            _check_tensor(tensor, name)
        receiver_tensors = _wrap_and_check_input_tensors(receiver_tensors, "receiver_tensor")
        return super().__new__(cls, features=features, receiver_tensors=receiver_tensors,
                               receiver_tensors_alternatives=_receiver_alternatives(
                                   receiver_tensors_alternatives))


class TensorServingInputReceiver(collections.namedtuple(
        "TensorServingInputReceiver",
        ["features", "receiver_tensors", "receiver_tensors_alternatives"])):
    """As ServingInputReceiver, but the model_fn gets `features` as one Tensor (not a
    dict)."""

    def __new__(cls, features: Any, receiver_tensors: Any,
                receiver_tensors_alternatives: Any = None) -> "TensorServingInputReceiver":
        if features is None:
            raise ValueError("features must be defined.")
        _check_tensor(features, None)
        receiver = ServingInputReceiver(features=features, receiver_tensors=receiver_tensors,
                                        receiver_tensors_alternatives=(
                                            receiver_tensors_alternatives))
        return super().__new__(
            cls, features=receiver.features[SINGLE_FEATURE_DEFAULT_NAME],
            receiver_tensors=receiver.receiver_tensors,
            receiver_tensors_alternatives=receiver.receiver_tensors_alternatives)


def _placeholder_from_tensor(tensor: Any, default_batch_size: Optional[int]) -> Any:
    """A placeholder like `tensor` (its op name, dtype and shape, batch size replaced)."""
    shape = tensor.get_shape()
    if shape.ndims is None:
        new_shape = None
    else:
        dims = shape.as_list()
        if dims:
            dims[0] = default_batch_size
        new_shape = TensorShape(dims)
    return placeholder(dtype=tensor.dtype, shape=new_shape, name=tensor.op.name)


def build_raw_serving_input_receiver_fn(features: dict,
                                        default_batch_size: Optional[int] = None) -> Callable:
    """A serving_input_receiver_fn feeding placeholders shaped like `features` (a dict of
    Tensors, e.g. placeholders) straight to the model_fn.

    >>> fn = build_raw_serving_input_receiver_fn({"x": fg.placeholder(fg.float32, [None, 4])})
    >>> est.export_saved_model("export", fn)
    """
    if not isinstance(features, dict):
        raise ValueError("features must be a dict of str to Tensor, got "
                         f"{type(features).__name__}.")

    def serving_input_receiver_fn() -> ServingInputReceiver:
        receiver_tensors = {name: _placeholder_from_tensor(t, default_batch_size)
                            for name, t in features.items()}
        return ServingInputReceiver(receiver_tensors, dict(receiver_tensors))

    return serving_input_receiver_fn


def build_parsing_serving_input_receiver_fn(feature_spec: dict,
                                            default_batch_size: Optional[int] = None
                                            ) -> Callable:
    """A serving_input_receiver_fn fed serialized `tf.Example` strings ('examples'), parsed
    with `feature_spec` (e.g. from `fg.feature_column.make_parse_example_spec`)."""

    def serving_input_receiver_fn() -> ServingInputReceiver:
        parse_example = _parse_example_fn()
        serialized = placeholder(dtype=dtypes.string, shape=[default_batch_size],
                                 name="input_example_tensor")
        features = parse_example(serialized, feature_spec)
        return ServingInputReceiver(features, {"examples": serialized})

    return serving_input_receiver_fn


def _parse_example_fn() -> Callable:
    from flowgraph.io.example_parsing import parse_example

    return parse_example
