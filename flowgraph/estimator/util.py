"""Helpers shared by the Estimator's modes: inspecting model_fn / input_fn arguments,
turning an input_fn's result into (features, labels, hooks), and checking hooks."""

import functools
import inspect
from typing import Any, Callable

from flowgraph.train.checkpoint_summary_hooks import CheckpointSaverListener
from flowgraph.train.session_run_hook import SessionRunHook

_VALID_MODEL_FN_ARGS = {"features", "labels", "mode", "params", "self", "config"}


def fn_args(fn: Callable) -> tuple:
    """The names of `fn`'s positional-or-keyword arguments (without a bound `self` or
    the arguments a functools.partial already fills), as TF1's `function_utils.fn_args`."""
    if isinstance(fn, functools.partial):
        args = fn_args(fn.func)
        return tuple(a for a in args[len(fn.args):] if a not in (fn.keywords or {}))
    if not (inspect.isfunction(fn) or inspect.ismethod(fn) or inspect.isbuiltin(fn)
            or inspect.isclass(fn)) and callable(fn):
        fn = fn.__call__  # a callable object: its __call__ (bound, so without self)
    try:
        signature = inspect.signature(fn)
    except (TypeError, ValueError):
        return ()
    kinds = (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY,
             inspect.Parameter.POSITIONAL_ONLY)
    return tuple(name for name, p in signature.parameters.items() if p.kind in kinds)


def verify_model_fn_args(model_fn: Callable, params: Any) -> None:
    """TF1's checks of a model_fn's arguments: `features` is required, `params` must be
    taken when params are given, no argument outside (features, labels, mode, params,
    config)."""
    args = set(fn_args(model_fn))
    if "features" not in args:
        raise ValueError(f"model_fn ({model_fn}) must include features argument.")
    if params is not None and "params" not in args:
        raise ValueError(f"model_fn ({model_fn}) does not include params argument, but params "
                         f"({params}) is passed to Estimator.")
    non_valid_args = sorted(args - _VALID_MODEL_FN_ARGS)
    if non_valid_args:
        raise ValueError(f"model_fn ({model_fn}) has following not expected args: "
                         f"{non_valid_args}")


class DatasetInitializerHook(SessionRunHook):
    """Runs a dataset iterator's initializer when the session is created."""

    def __init__(self, iterator: Any) -> None:
        self._iterator = iterator

    def begin(self) -> None:
        self._initializer = self._iterator.initializer

    def after_create_session(self, session: Any, coord: Any) -> None:
        session.run(self._initializer)


def parse_input_fn_result(result: Any) -> tuple:
    """(features, labels, input_hooks) from what an input_fn returned: a Dataset (of
    (features, labels) or features), a (features, labels) pair, or features alone."""
    from flowgraph.data.dataset import Dataset
    from flowgraph.data.iterator import make_initializable_iterator

    input_hooks = []
    if isinstance(result, Dataset):
        iterator = make_initializable_iterator(result)
        input_hooks.append(DatasetInitializerHook(iterator))
        result = iterator.get_next()
    features, labels = parse_iterator_result(result)
    return features, labels, input_hooks


def parse_iterator_result(result: Any) -> tuple:
    if isinstance(result, (list, tuple)):
        if len(result) != 2:
            raise ValueError("input_fn should return (features, labels) as a len 2 tuple.")
        return result[0], result[1]
    return result, None


def check_hooks_type(hooks: Any) -> list:
    hooks = list(hooks or [])
    for hook in hooks:
        if not isinstance(hook, SessionRunHook):
            raise TypeError(f"All hooks must be SessionRunHook instances, given: {hook}")
    return hooks


def check_listeners_type(saving_listeners: Any) -> list:
    listeners = list(saving_listeners or [])
    for listener in listeners:
        if not isinstance(listener, CheckpointSaverListener):
            raise TypeError(f"saving_listeners must be a list of CheckpointSaverListener, "
                            f"given: {listener}")
    return listeners
