"""Building SignatureDefs, as TF1's `tf.saved_model.signature_def_utils`.

A SignatureDef names the tensors a saved model is fed (`inputs`) and fetched from
(`outputs`) under stable keys, plus the method it implements (predict, classify, regress).
"""

from __future__ import annotations

from typing import Any, Optional

from flowgraph import dtypes
from flowgraph.io.meta_graph import SignatureDef
from flowgraph.saved_model import signature_constants as sc
from flowgraph.saved_model.utils import build_tensor_info

__all__ = ["build_signature_def", "predict_signature_def", "classification_signature_def",
           "regression_signature_def", "is_valid_signature"]


def build_signature_def(inputs: Optional[dict] = None, outputs: Optional[dict] = None,
                        method_name: Optional[str] = None) -> SignatureDef:
    """A SignatureDef from maps of keys to TensorInfo (see `utils.build_tensor_info`).

    Parameters
    ----------
    inputs, outputs : dict of str to TensorInfo, optional
    method_name : str, optional
        E.g. `signature_constants.PREDICT_METHOD_NAME`.
    """
    return SignatureDef(inputs=dict(inputs or {}), outputs=dict(outputs or {}),
                        method_name=method_name or "")


def predict_signature_def(inputs: dict, outputs: dict) -> SignatureDef:
    """A predict SignatureDef from maps of keys to Tensors.

    >>> sig = predict_signature_def({"x": x}, {"y": y})
    >>> sig.inputs["x"].name
    'x:0'
    """
    if not inputs:
        raise ValueError("Prediction inputs cannot be None or empty.")
    if not outputs:
        raise ValueError("Prediction outputs cannot be None or empty.")
    signature_inputs = {key: build_tensor_info(tensor) for key, tensor in inputs.items()}
    signature_outputs = {key: build_tensor_info(tensor) for key, tensor in outputs.items()}
    return build_signature_def(signature_inputs, signature_outputs, sc.PREDICT_METHOD_NAME)


def classification_signature_def(examples: Any, classes: Any, scores: Any) -> SignatureDef:
    """A classify SignatureDef: string `examples` in, string `classes` and/or float `scores`
    out."""
    if examples is None:
        raise ValueError("Classification examples cannot be None.")
    if classes is None and scores is None:
        raise ValueError("Classification classes and scores cannot both be None.")
    examples_info = _checked_info(examples, "Classification examples must be a string Tensor.",
                                  _is_string)
    signature_outputs = {}
    if classes is not None:
        signature_outputs[sc.CLASSIFY_OUTPUT_CLASSES] = _checked_info(
            classes, "Classification classes must be a string Tensor.", _is_string)
    if scores is not None:
        signature_outputs[sc.CLASSIFY_OUTPUT_SCORES] = _checked_info(
            scores, "Classification scores must be a float Tensor.", _is_float)
    return build_signature_def({sc.CLASSIFY_INPUTS: examples_info}, signature_outputs,
                               sc.CLASSIFY_METHOD_NAME)


def regression_signature_def(examples: Any, predictions: Any) -> SignatureDef:
    """A regress SignatureDef: string `examples` in, float `predictions` out."""
    if examples is None:
        raise ValueError("Regression examples cannot be None.")
    if predictions is None:
        raise ValueError("Regression predictions cannot be None.")
    examples_info = _checked_info(examples, "Regression examples must be a string Tensor.",
                                  _is_string)
    output_info = _checked_info(predictions, "Regression output must be a float Tensor.",
                                _is_float)
    return build_signature_def({sc.REGRESS_INPUTS: examples_info},
                               {sc.REGRESS_OUTPUTS: output_info}, sc.REGRESS_METHOD_NAME)


def is_valid_signature(signature_def: Any) -> bool:
    """Whether `signature_def` is a well-formed predict, classify or regress signature."""
    if signature_def is None:
        return False
    method = getattr(signature_def, "method_name", None)
    inputs = dict(getattr(signature_def, "inputs", None) or {})
    outputs = dict(getattr(signature_def, "outputs", None) or {})
    if method == sc.PREDICT_METHOD_NAME:
        return bool(inputs) and bool(outputs)
    if method == sc.CLASSIFY_METHOD_NAME:
        if set(inputs) != {sc.CLASSIFY_INPUTS} or not _info_is(inputs[sc.CLASSIFY_INPUTS],
                                                               _is_string):
            return False
        allowed = {sc.CLASSIFY_OUTPUT_CLASSES: _is_string, sc.CLASSIFY_OUTPUT_SCORES: _is_float}
        return bool(outputs) and all(key in allowed and _info_is(info, allowed[key])
                                     for key, info in outputs.items())
    if method == sc.REGRESS_METHOD_NAME:
        return (set(inputs) == {sc.REGRESS_INPUTS} and set(outputs) == {sc.REGRESS_OUTPUTS}
                and _info_is(inputs[sc.REGRESS_INPUTS], _is_string)
                and _info_is(outputs[sc.REGRESS_OUTPUTS], _is_float))
    return False


def _is_string(dtype: dtypes.DType) -> bool:
    return dtype.is_string


def _is_float(dtype: dtypes.DType) -> bool:
    return dtype == dtypes.float32


def _info_is(info: Any, predicate: Any) -> bool:
    try:
        return predicate(dtypes.as_dtype(info.dtype))
    except (TypeError, ValueError, AttributeError):
        return False


def _checked_info(tensor: Any, message: str, predicate: Any) -> Any:
    try:
        info = build_tensor_info(tensor)
    except TypeError:
        raise ValueError(message) from None
    if not _info_is(info, predicate):
        raise ValueError(message)
    return info
