"""`tf.keras.wrappers.scikit_learn` (TF 1.15): `KerasClassifier` and `KerasRegressor`, Keras
models behind the scikit-learn estimator API. scikit-learn itself is not needed: the wrappers
only follow its protocol (`get_params` / `set_params` / `fit` / `predict` / `score`), so they
work with ``sklearn.model_selection`` when it is installed.

``build_fn`` builds, compiles and returns a model: a function, an object with ``__call__``, or
None (a subclass's own ``__call__`` is then the builder). ``sk_params`` holds both the
builder's arguments and those of ``Sequential.fit`` / ``predict`` / ``predict_classes`` /
``evaluate`` (``epochs``, ``batch_size``, ...); arguments given to the methods override them.
"""

from __future__ import annotations

import copy
import inspect
import types
from typing import Any, Callable, Optional

import numpy as np

from flowgraph.keras.models import Sequential
from flowgraph.keras.utils import to_categorical

__all__ = ["KerasClassifier", "KerasRegressor"]


def _has_arg(fn: Callable, name: str) -> bool:
    """Whether `fn` takes an argument called `name` (``**kwargs`` does not count, as TF)."""
    try:
        params = inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return False
    param = params.get(name)
    return param is not None and param.kind in (inspect.Parameter.POSITIONAL_OR_KEYWORD,
                                                inspect.Parameter.KEYWORD_ONLY)


def _loss_name(model: Any) -> Any:
    """The loss the model was compiled with (TF 1.15's ``model.loss``)."""
    if hasattr(model, "loss"):
        return model.loss
    return getattr(model, "_compile_args", {}).get("loss")


def _is_categorical_crossentropy(loss: Any) -> bool:
    """TF 1.15's ``losses.is_categorical_crossentropy``: the string, the function or a
    `CategoricalCrossentropy` / wrapper of the function."""
    from flowgraph.keras import losses
    return bool(isinstance(loss, losses.CategoricalCrossentropy)
                or (isinstance(loss, losses.LossFunctionWrapper)
                    and loss.fn == losses.categorical_crossentropy)
                or getattr(loss, "__name__", None) == "categorical_crossentropy"
                or (isinstance(loss, str) and loss == "categorical_crossentropy"))


class BaseWrapper:
    """Base class of the scikit-learn wrappers (use `KerasClassifier` or `KerasRegressor`).

    Parameters
    ----------
    build_fn : callable or None
        Builds and compiles the model; None means the subclass's ``__call__``.
    **sk_params
        Arguments of `build_fn` and of ``Sequential.fit`` / ``predict`` /
        ``predict_classes`` / ``evaluate``; ValueError for any other name.
    """

    def __init__(self, build_fn: Optional[Callable] = None, **sk_params: Any) -> None:
        self.build_fn = build_fn
        self.sk_params = sk_params
        self.check_params(sk_params)

    def _builder(self) -> Callable:
        if self.build_fn is None:
            return self.__call__
        if not isinstance(self.build_fn, (types.FunctionType, types.MethodType)):
            return self.build_fn.__call__
        return self.build_fn

    def check_params(self, params: dict) -> None:
        """Raises ValueError naming any key of `params` that is neither an argument of the
        model builder nor of ``Sequential.fit`` / ``predict`` / ``predict_classes`` /
        ``evaluate`` (``nb_epoch`` is let through, as TF 1.15 does)."""
        if self.build_fn is None and not callable(self):
            raise ValueError("build_fn is None and the wrapper class has no __call__: pass "
                             "a function that builds and compiles the model as build_fn.")
        legal = [Sequential.fit, Sequential.predict, Sequential.predict_classes,
                 Sequential.evaluate, self._builder()]
        for name in params:
            if not any(_has_arg(fn, name) for fn in legal) and name != "nb_epoch":
                raise ValueError(f"{name} is not a legal parameter")

    def get_params(self, **params: Any) -> dict:
        """A deep copy of ``sk_params`` plus ``build_fn`` (`params` is ignored; it is there
        for scikit-learn's ``get_params(deep=...)``)."""
        res = copy.deepcopy(self.sk_params)
        res.update({"build_fn": self.build_fn})
        return res

    def set_params(self, **params: Any) -> "BaseWrapper":
        """Checks `params` (see `check_params`), merges them into ``sk_params``; returns self."""
        self.check_params(params)
        self.sk_params.update(params)
        return self

    def fit(self, x: Any, y: Any, **kwargs: Any) -> Any:
        """Builds a new model with `build_fn` and fits it to ``(x, y)`` (integer labels are
        one-hot encoded when the loss is categorical_crossentropy); `kwargs` override the
        ``fit`` arguments of ``sk_params``. Returns the `History`."""
        builder = self._builder()
        self.model = builder(**self.filter_sk_params(builder))
        y = np.asarray(y)
        if _is_categorical_crossentropy(_loss_name(self.model)) and len(y.shape) != 2:
            y = to_categorical(y)
        fit_args = copy.deepcopy(self.filter_sk_params(Sequential.fit))
        fit_args.update(kwargs)
        return self.model.fit(x, y, **fit_args)

    def filter_sk_params(self, fn: Callable, override: Optional[dict] = None) -> dict:
        """The entries of ``sk_params`` that are arguments of `fn`, updated with
        `override`."""
        res = {name: value for name, value in self.sk_params.items() if _has_arg(fn, name)}
        res.update(override or {})
        return res

    def _require_model(self, what: str) -> None:
        if not hasattr(self, "model"):
            raise ValueError(f"{type(self).__name__}.{what}: the estimator is not fitted "
                             f"yet; call fit(x, y) first.")


class KerasClassifier(BaseWrapper):
    """The scikit-learn classifier API for Keras models (``classes_``, ``n_classes_``,
    `predict` returning class labels, `predict_proba`, `score` = accuracy)."""

    def fit(self, x: Any, y: Any, **kwargs: Any) -> Any:
        """Sets ``classes_`` (the sorted distinct labels of a 1-D or ``(n, 1)`` `y`, whose
        labels are then replaced by their indices; ``arange(k)`` for a one-hot ``(n, k)``
        `y`) and ``n_classes_``, then fits as `BaseWrapper.fit`. ValueError for other
        shapes of `y`."""
        y = np.array(y)
        if len(y.shape) == 2 and y.shape[1] > 1:
            self.classes_ = np.arange(y.shape[1])
        elif (len(y.shape) == 2 and y.shape[1] == 1) or len(y.shape) == 1:
            self.classes_ = np.unique(y)
            y = np.searchsorted(self.classes_, y)
        else:
            raise ValueError("Invalid shape for y: " + str(y.shape))
        self.n_classes_ = len(self.classes_)
        return super().fit(x, y, **kwargs)

    def predict(self, x: Any, **kwargs: Any) -> np.ndarray:
        """The predicted labels (entries of ``classes_``) for `x`; `kwargs` are arguments of
        ``Sequential.predict_classes``."""
        self._require_model("predict")
        kwargs = self.filter_sk_params(Sequential.predict_classes, kwargs)
        classes = self.model.predict_classes(x, **kwargs)
        return self.classes_[classes]

    def predict_proba(self, x: Any, **kwargs: Any) -> np.ndarray:
        """Class probabilities, shape ``(n_samples, n_classes)``; a single sigmoid column p
        becomes ``[1 - p, p]`` as scikit-learn expects."""
        self._require_model("predict_proba")
        kwargs = self.filter_sk_params(Sequential.predict_proba, kwargs)
        probs = self.model.predict_proba(x, **kwargs)
        if probs.shape[1] == 1:
            probs = np.hstack([1 - probs, probs])
        return probs

    def score(self, x: Any, y: Any, **kwargs: Any) -> Any:
        """The model's accuracy metric on ``(x, y)``; ValueError when the model was not
        compiled with ``metrics=['accuracy']``."""
        self._require_model("score")
        y = np.searchsorted(self.classes_, y)
        kwargs = self.filter_sk_params(Sequential.evaluate, kwargs)
        loss_name = _loss_name(self.model)
        if hasattr(loss_name, "__name__"):
            loss_name = loss_name.__name__
        if loss_name == "categorical_crossentropy" and len(y.shape) != 2:
            y = to_categorical(y)
        outputs = self.model.evaluate(x, y, **kwargs)
        if not isinstance(outputs, list):
            outputs = [outputs]
        for name, output in zip(self.model.metrics_names, outputs):
            if name in ["accuracy", "acc"]:
                return output
        raise ValueError("The model is not configured to compute accuracy. You should pass "
                         "`metrics=[\"accuracy\"]` to the `model.compile()` method.")


class KerasRegressor(BaseWrapper):
    """The scikit-learn regressor API for Keras models (`score` is minus the loss)."""

    def predict(self, x: Any, **kwargs: Any) -> np.ndarray:
        """The model's predictions for `x`, a trailing axis of size 1 squeezed away;
        `kwargs` are arguments of ``Sequential.predict``."""
        self._require_model("predict")
        kwargs = self.filter_sk_params(Sequential.predict, kwargs)
        preds = np.array(self.model.predict(x, **kwargs))
        if preds.shape[-1] == 1:
            return np.squeeze(preds, axis=-1)
        return preds

    def score(self, x: Any, y: Any, **kwargs: Any) -> Any:
        """Minus the model's loss on ``(x, y)`` (greater is better, as scikit-learn wants)."""
        self._require_model("score")
        kwargs = self.filter_sk_params(Sequential.evaluate, kwargs)
        loss = self.model.evaluate(x, y, **kwargs)
        if isinstance(loss, list):
            return -loss[0]
        return -loss
