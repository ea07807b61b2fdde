"""`tf.keras.backend` as TF 1.15 in graph mode: the Session Keras runs in, the learning
phase, the float type and epsilon, and (flowgraph.keras.backend_ops) the tensor functions.

The Keras Session is the default Session when one is active (``with sess.as_default()``),
else one Session per default graph, made on first use. Whenever Keras hands it out, it first
initializes the graph's Variables that it has not initialized yet, as TF1's Keras did, so a
model can be fit without running an initializer by hand.
"""

from __future__ import annotations

from typing import Any, Optional

import numpy as np

from flowgraph import dtypes
from flowgraph.graph import GraphKeys, get_default_graph, reset_default_graph

_FLOATX = "float32"
_EPSILON = 1e-7
_IMAGE_DATA_FORMAT = "channels_last"
_session: Any = None
_manual_init = False


# -- configuration
def floatx() -> str:
    """The default float type of Keras weights and inputs: ``'float32'``."""
    return _FLOATX


def set_floatx(value: str) -> None:
    global _FLOATX
    if value not in ("float16", "float32", "float64"):
        raise ValueError(f"Unknown floatx type: {value} (use 'float16', 'float32' or "
                         "'float64')")
    _FLOATX = str(value)


def epsilon() -> float:
    """The fuzz factor of Keras' numeric expressions: ``1e-07``."""
    return _EPSILON


def set_epsilon(value: float) -> None:
    global _EPSILON
    _EPSILON = float(value)


def image_data_format() -> str:
    """``'channels_last'`` (NHWC) unless set otherwise."""
    return _IMAGE_DATA_FORMAT


def set_image_data_format(data_format: str) -> None:
    global _IMAGE_DATA_FORMAT
    if data_format not in ("channels_last", "channels_first"):
        raise ValueError(f"Unknown data_format: {data_format} (use 'channels_last' or "
                         "'channels_first')")
    _IMAGE_DATA_FORMAT = str(data_format)


def cast_to_floatx(x: Any) -> np.ndarray:
    return np.asarray(x, dtype=_FLOATX)


# -- names
def get_uid(prefix: str = "") -> int:
    """1, 2, ... per prefix and per graph, as TF1's ``K.get_uid``."""
    counts = get_default_graph().get_state("keras_uids", dict)
    counts[prefix] = counts.get(prefix, 0) + 1
    return counts[prefix]


def reset_uids() -> None:
    get_default_graph().get_state("keras_uids", dict).clear()


def unique_object_name(name: str, zero_based: bool = True) -> str:
    """``name``, then ``name_1``, ``name_2``... per graph (Keras layer and model names)."""
    number = get_uid(name)
    if zero_based:
        number -= 1
    return name if number == 0 else f"{name}_{number}"


# -- the learning phase
def learning_phase() -> Any:
    """The graph's learning phase: the value given to `set_learning_phase` (0 or 1), else a
    bool placeholder defaulting to False (test) that `fit` feeds True."""
    graph = get_default_graph()
    phases = graph.get_state("keras_learning_phase", dict)
    if "fixed" in phases:
        return phases["fixed"]
    if "placeholder" not in phases:
        from flowgraph.ops.constant import placeholder_with_default
        with graph.as_default(), graph.name_scope(""):
            phases["placeholder"] = placeholder_with_default(
                False, shape=(), name="keras_learning_phase")
    return phases["placeholder"]


def set_learning_phase(value: int) -> None:
    """Fixes the learning phase to 0 (test) or 1 (train) for the current graph."""
    if value not in (0, 1):
        raise ValueError("Expected learning phase to be 0 or 1.")
    get_default_graph().get_state("keras_learning_phase", dict)["fixed"] = int(value)


def symbolic_learning_phase() -> Any:
    """The learning-phase placeholder (whatever `set_learning_phase` fixed)."""
    phases = get_default_graph().get_state("keras_learning_phase", dict)
    fixed = phases.pop("fixed", None)
    try:
        return learning_phase()
    finally:
        if fixed is not None:
            phases["fixed"] = fixed


# -- the Session
def get_session(op_input_list: Any = ()) -> Any:
    """The Session Keras runs in (see the module docstring), with the graph's Variables
    that Keras has not yet initialized initialized."""
    from flowgraph.context import get_default_session
    session = get_default_session()
    if session is None:
        global _session
        graph = get_default_graph()
        if _session is None or _session.graph is not graph or _session._closed:
            from flowgraph.runtime.session import Session
            _session = Session(graph=graph)
        session = _session
    if not _manual_init:
        _initialize_variables(session)
    return session


def set_session(session: Any) -> None:
    """Makes `session` the Keras Session."""
    global _session
    _session = session


def clear_session() -> None:
    """Drops the Keras Session and starts a new default graph (fresh layer names), whose
    first node is the learning-phase placeholder (as TF 1.15)."""
    global _session
    if _session is not None and not _session._closed:
        _session.close()
    _session = None
    reset_default_graph()
    learning_phase()


def manual_variable_initialization(value: bool) -> None:
    """With True, Keras leaves Variable initialization to the user."""
    global _manual_init
    _manual_init = bool(value)


def _initialize_variables(session: Any) -> None:
    graph = session.graph
    done = graph.get_state("keras_initialized", set)
    candidates = [v for v in graph.get_collection(GraphKeys.GLOBAL_VARIABLES) +
                  graph.get_collection(GraphKeys.LOCAL_VARIABLES) if id(v) not in done]
    if not candidates:
        return
    from flowgraph.variables import is_variable_initialized, variables_initializer
    with graph.as_default():
        flags = session.run([is_variable_initialized(v) for v in candidates])
        missing = [v for v, ready in zip(candidates, flags) if not ready]
        if missing:
            session.run(variables_initializer(missing))
    done.update(id(v) for v in candidates)


def is_keras_float(dtype: Any) -> bool:
    return dtypes.as_dtype(dtype).is_floating


def _default_dtype(dtype: Optional[Any]) -> Any:
    return dtypes.as_dtype(dtype if dtype is not None else _FLOATX)

from flowgraph.keras.backend_more import *  # noqa: E402,F401,F403 - conv, pool, rnn, ctc...
from flowgraph.keras.backend_ops import *  # noqa: E402,F401,F403 - the tensor functions
