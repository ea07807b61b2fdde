"""Numerical gradient checks, as TF1's `tf.test.compute_gradient(_error)`."""

from __future__ import annotations

from typing import Any, Optional

import numpy as np

from flowgraph.gradients import gradients
from flowgraph.graph import get_default_session
from flowgraph.ops.constant import convert_to_tensor, placeholder

__all__ = ["compute_gradient", "compute_gradient_error"]


def _session() -> Any:
    session = get_default_session()
    if session is None:
        raise ValueError("compute_gradient runs in the default session: use it inside "
                         "`with fg.Session() as sess:` (or sess.as_default()).")
    return session


def _jacobians(session: Any, x: Any, x_shape: tuple, x_value: np.ndarray, y: Any,
               y_shape: tuple, grad: Any, dy: Any, delta: float, feeds: dict) -> tuple:
    x_size = int(np.prod(x_shape, dtype=np.int64))
    y_size = int(np.prod(y_shape, dtype=np.int64))
    dtype = np.float64 if x_value.dtype == np.float64 else np.float32
    theoretical = np.zeros((x_size, y_size), dtype=dtype)
    if grad is not None:
        for j in range(y_size):
            unit = np.zeros(y_size, dtype=y.dtype.np)
            unit[j] = 1
            column = session.run(grad, {**feeds, x: x_value, dy: unit.reshape(y_shape)})
            theoretical[:, j] = np.asarray(column, dtype=dtype).reshape(-1)
    numerical = np.zeros((x_size, y_size), dtype=dtype)
    flat = x_value.reshape(-1)
    for i in range(x_size):
        original = flat[i]
        flat[i] = original + delta
        plus = np.array(session.run(y, {**feeds, x: x_value}), dtype=np.float64)
        flat[i] = original - delta
        minus = np.array(session.run(y, {**feeds, x: x_value}), dtype=np.float64)
        flat[i] = original
        numerical[i, :] = ((plus - minus) / (2 * delta)).reshape(-1)
    return theoretical, numerical


def compute_gradient(x: Any, x_shape: Any, y: Any, y_shape: Any, x_init_value: Any = None,
                     delta: float = 1e-3, init_targets: Any = None,
                     extra_feed_dict: Optional[dict] = None) -> Any:
    """The symbolic and the finite-difference Jacobians of y with respect to x.

    Each Jacobian has shape (x size, y size). With a list of xs (and x_shapes), returns a
    list of (theoretical, numerical) pairs. Runs in the default session; x is fed with
    `x_init_value` (default: uniform random values).
    """
    session = _session()
    if init_targets is not None:
        session.run(init_targets)
    many = isinstance(x, (list, tuple))
    xs = [convert_to_tensor(v) for v in (x if many else [x])]
    shapes = list(x_shape) if many else [x_shape]
    inits = list(x_init_value) if many and x_init_value is not None else \
        [x_init_value] * len(xs) if not many else [None] * len(xs)
    y = convert_to_tensor(y)
    y_shape = tuple(y_shape)
    dy = placeholder(y.dtype, y_shape, name="compute_gradient_dy")
    grads = gradients(y, xs, grad_ys=dy)
    feeds = dict(extra_feed_dict or {})
    rng = np.random.default_rng(0)
    results = []
    for i, (xt, shape, init) in enumerate(zip(xs, shapes, inits)):
        shape = tuple(shape)
        if init is None:
            value = rng.random(shape).astype(xt.dtype.np)
        else:
            value = np.array(init, dtype=xt.dtype.np).reshape(shape)
        others = {xs[k]: (np.array(inits[k], dtype=xs[k].dtype.np) if inits[k] is not None
                          else rng.random(tuple(shapes[k])).astype(xs[k].dtype.np))
                  for k in range(len(xs)) if k != i}
        grad = grads[i]
        if grad is not None:
            grad = convert_to_tensor(grad)
        results.append(_jacobians(session, xt, shape, value, y, y_shape, grad, dy, delta,
                                  {**feeds, **others}))
    return results if many else results[0]


def compute_gradient_error(x: Any, x_shape: Any, y: Any, y_shape: Any,
                           x_init_value: Any = None, delta: float = 1e-3,
                           init_targets: Any = None,
                           extra_feed_dict: Optional[dict] = None) -> float:
    """The largest absolute difference between the symbolic and finite-difference
    Jacobians (over all xs)."""
    result = compute_gradient(x, x_shape, y, y_shape, x_init_value, delta, init_targets,
                              extra_feed_dict)
    pairs = result if isinstance(result, list) else [result]
    error = 0.0
    for theoretical, numerical in pairs:
        if theoretical.size:
            error = max(error, float(np.max(np.abs(theoretical - numerical))))
    return error
