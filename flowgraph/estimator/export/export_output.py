"""What an exported model serves: `ExportOutput` and its predict, classify and regress
kinds, as TF1's `tf.estimator.export.*Output`. Each becomes one SignatureDef of the
saved model written by `Estimator.export_saved_model`.
"""

from typing import Any

from flowgraph import dtypes
from flowgraph.graph import Tensor
from flowgraph.saved_model import signature_def_utils


class ExportOutput:
    """Base class of the outputs of one exported signature."""

    _SEPARATOR_CHAR = "/"

    def as_signature_def(self, receiver_tensors: dict) -> Any:
        """The SignatureDef serving these outputs from `receiver_tensors`."""
        raise NotImplementedError(f"{type(self).__name__} must implement as_signature_def.")

    def _check_output_key(self, key: Any, error_label: str) -> str:
        if isinstance(key, tuple):
            key = self._SEPARATOR_CHAR.join(str(part) for part in key)
        if not isinstance(key, str):
            raise ValueError(f"{error_label} output key must be a string; got {key!r}.")
        return key

    def _wrap_and_check_outputs(self, outputs: Any, single_output_default_name: str,
                                error_label: str = "") -> dict:
        if not isinstance(outputs, dict):
            outputs = {single_output_default_name: outputs}
        checked = {}
        for key, value in outputs.items():
            key = self._check_output_key(key, error_label)
            if not isinstance(value, Tensor):
                raise ValueError(f"{error_label} output value must be a Tensor; got {value!r}.")
            checked[key] = value
        return checked


def _single_string_input(receiver_tensors: dict, kind: str) -> Tensor:
    """The one string tensor that classify/regress signatures are fed (serialized Examples)."""
    if len(receiver_tensors) != 1:
        raise ValueError(f"{kind} input must be a single string Tensor; got {receiver_tensors}")
    (examples,) = receiver_tensors.values()
    if not dtypes.as_dtype(examples.dtype).is_string:
        raise ValueError(f"{kind} input must be a single string Tensor; got {receiver_tensors}")
    return examples


class ClassificationOutput(ExportOutput):
    """A classify signature: float `scores` and/or string `classes`.

    Parameters
    ----------
    scores : Tensor, optional
        Float scores, [batch, num_classes].
    classes : Tensor, optional
        String class names, [batch, num_classes].
    """

    def __init__(self, scores: Any = None, classes: Any = None) -> None:
        if scores is not None and not (isinstance(scores, Tensor)
                                       and scores.dtype.is_floating):
            raise ValueError(f"Classification scores must be a float32 Tensor; got {scores}")
        if classes is not None and not (isinstance(classes, Tensor)
                                        and classes.dtype.is_string):
            raise ValueError(f"Classification classes must be a string Tensor; got {classes}")
        if scores is None and classes is None:
            raise ValueError("At least one of scores and classes must be set.")
        self._scores = scores
        self._classes = classes

    @property
    def scores(self) -> Any:
        return self._scores

    @property
    def classes(self) -> Any:
        return self._classes

    def as_signature_def(self, receiver_tensors: dict) -> Any:
        examples = _single_string_input(receiver_tensors, "Classification")
        return signature_def_utils.classification_signature_def(
            examples, self.classes, self.scores)


class RegressionOutput(ExportOutput):
    """A regress signature: one float `value` tensor.

    Parameters
    ----------
    value : Tensor
        Float predictions, [batch] or [batch, 1].
    """

    def __init__(self, value: Any) -> None:
        if not (isinstance(value, Tensor) and value.dtype.is_floating):
            raise ValueError(f"Regression output value must be a float32 Tensor; got {value}")
        self._value = value

    @property
    def value(self) -> Tensor:
        return self._value

    def as_signature_def(self, receiver_tensors: dict) -> Any:
        examples = _single_string_input(receiver_tensors, "Regression")
        return signature_def_utils.regression_signature_def(examples, self.value)


class PredictOutput(ExportOutput):
    """A predict signature: any tensors, by key (a single tensor is keyed 'output').

    Parameters
    ----------
    outputs : Tensor or dict of str to Tensor
    """

    _SINGLE_OUTPUT_DEFAULT_NAME = "output"

    def __init__(self, outputs: Any) -> None:
        self._outputs = self._wrap_and_check_outputs(
            outputs, self._SINGLE_OUTPUT_DEFAULT_NAME, error_label="Prediction")

    @property
    def outputs(self) -> dict:
        return self._outputs

    def as_signature_def(self, receiver_tensors: dict) -> Any:
        return signature_def_utils.predict_signature_def(receiver_tensors, self.outputs)
