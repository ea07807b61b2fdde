"""TF 1.15's ``Sequential.predict_proba`` and ``Sequential.predict_classes`` (attached to
`flowgraph.keras.models.Sequential`; the scikit-learn wrappers call them)."""

from __future__ import annotations

import logging
from typing import Any

import numpy as np

__all__ = ["predict_classes", "predict_proba"]


def predict_proba(self: Any, x: Any, batch_size: int = 32, verbose: int = 0) -> np.ndarray:
    """Class probabilities for `x`: the model's `predict` output (TF 1.15 logs a warning when
    a value is outside [0, 1], as the model then does not output probabilities)."""
    preds = self.predict(x, batch_size, verbose)
    if preds.min() < 0. or preds.max() > 1.:
        logging.warning("Network returning invalid probability values. The last layer might "
                        "not normalize predictions into probabilities (like softmax or "
                        "sigmoid would).")
    return preds


def predict_classes(self: Any, x: Any, batch_size: int = 32, verbose: int = 0) -> np.ndarray:
    """Class predictions for `x`: the argmax over the last axis of `predict` when it has
    several columns, else ``(proba > 0.5)`` as int32 (shape ``(n, 1)``), as TF 1.15."""
    proba = self.predict(x, batch_size=batch_size, verbose=verbose)
    if proba.shape[-1] > 1:
        return proba.argmax(axis=-1)
    return (proba > 0.5).astype("int32")
