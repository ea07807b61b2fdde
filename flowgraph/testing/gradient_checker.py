"""Numerical gradient checks: TF1's `tf.test.compute_gradient` and
`tf.test.compute_gradient_error` (tensorflow/python/ops/gradient_checker.py).

The theoretical Jacobian comes from flowgraph's symbolic gradients, one backward pass per
element of y (with a one-hot `dy` fed); the numerical one from central differences, one pair
of forward passes per element of x. Both are (x size, y size) arrays, rows indexed by the
flattened x and columns by the flattened y.
"""

from __future__ import annotations

from typing import Any, Optional, Sequence

import numpy as np

from flowgraph import dtypes
from flowgraph.context import get_default_session
from flowgraph.gradients import gradients
from flowgraph.indexed_slices import IndexedSlices
from flowgraph.ops.constant import constant, convert_to_tensor, identity

__all__ = ["compute_gradient", "compute_gradient_error"]

_ALLOWED = (dtypes.float16, dtypes.float32, dtypes.float64)


def _product(shape: Sequence[int]) -> int:
    return int(np.prod([int(d) for d in shape], dtype=np.int64))


def _feeds(extra_feed_dict: Optional[dict], new_feeds: dict) -> dict:
    # As TF1: the checker's own feeds win over the caller's extra ones.
    if not extra_feed_dict:
        return new_feeds
    merged = dict(extra_feed_dict)
    merged.update(new_feeds)
    return merged


def _session(what: str) -> Any:
    session = get_default_session()
    if session is None:
        raise ValueError(f"{what} runs in the default session, and there is none: call it "
                         "inside `with fg.Session() as sess:` (or `with sess.as_default():`, "
                         "or `with self.session():` in a fg.test.TestCase).")
    return session


def _theoretical_jacobian(x: Any, x_shape: tuple, x_data: np.ndarray, dy: Any,
                          dy_shape: tuple, dx: Any, extra_feed_dict: Optional[dict]) -> Any:
    x_size = _product(x_shape)
    x_val_size = _product(x_shape[1:])  # one row of x: the unit of a sparse gradient
    dy_size = _product(dy_shape)
    jacobian = np.zeros((x_size, dy_size), dtype=x.dtype.np)
    sess = _session("compute_gradient")
    dy_data = np.zeros(dy_shape, dtype=dy.dtype.np)
    dy_flat = dy_data.reshape(-1)
    for col in range(dy_size):
        dy_flat[col] = 1
        feeds = _feeds(extra_feed_dict, {x: x_data, dy: dy_data})
        if dx is None:
            pass  # y does not depend on x: the column stays zero
        elif isinstance(dx, IndexedSlices):
            indices, values = sess.run([dx.indices, dx.values], feed_dict=feeds)
            for i, v in zip(np.asarray(indices).reshape(-1), values):
                begin = int(i) * x_val_size
                jacobian[begin:begin + x_val_size, col] += np.asarray(v).reshape(-1)
        else:
            jacobian[:, col] = np.asarray(sess.run(dx, feed_dict=feeds)).reshape(-1)
        dy_flat[col] = 0
    if not dy_size and dx is not None and not isinstance(dx, IndexedSlices):
        # An empty y: the gradient must still have x's shape and be all zeros.
        backprop = np.asarray(sess.run(dx, feed_dict=_feeds(extra_feed_dict,
                                                            {x: x_data, dy: dy_data})))
        if backprop.shape != x_data.shape:
            raise ValueError(f"Empty gradient has wrong shape: expected {x_data.shape}, "
                             f"got {backprop.shape}")
        if np.any(backprop):
            raise ValueError("Empty tensor with nonzero gradients")
    return jacobian


def _numeric_jacobian(x: Any, x_shape: tuple, x_data: np.ndarray, y: Any, y_shape: tuple,
                      delta: float, extra_feed_dict: Optional[dict]) -> np.ndarray:
    x_size = _product(x_shape)
    y_size = _product(y_shape)
    y_dtype = y.dtype.np
    # As TF1: x is perturbed in its own dtype and the difference divided in y's dtype.
    x_data = np.asarray(x_data, dtype=x.dtype.np)
    scale = np.asarray(2 * delta, dtype=y_dtype)[()]
    jacobian = np.zeros((x_size, y_size), dtype=x.dtype.np)
    sess = _session("compute_gradient")
    for row in range(x_size):
        x_pos = np.array(x_data, copy=True)
        x_neg = np.array(x_data, copy=True)
        x_pos.reshape(-1)[row] += delta
        y_pos = np.asarray(sess.run(y, feed_dict=_feeds(extra_feed_dict, {x: x_pos})))
        x_neg.reshape(-1)[row] -= delta
        y_neg = np.asarray(sess.run(y, feed_dict=_feeds(extra_feed_dict, {x: x_neg})))
        jacobian[row, :] = ((y_pos - y_neg) / scale).reshape(-1)
    return jacobian


def _dx_and_dy(x: Any, y: Any, y_shape: tuple) -> tuple:
    """The gradient of y w.r.t. x for a fed `dy`: as TF1, a Const of ones (the tensor fed)
    behind an Identity (so dy is never the very tensor fetched, e.g. for y = x + c)."""
    with x.graph.as_default():
        dy_orig = constant(1.0, shape=list(y_shape), dtype=y.dtype)
        dy = identity(dy_orig)
    grads = gradients(y, [x], grad_ys=[dy])
    return grads[0], dy_orig


def _check_dtype(t: Any, what: str) -> None:
    if t.dtype.base_dtype not in _ALLOWED:
        raise TypeError(f"compute_gradient: {what} {t.name!r} has dtype {t.dtype.name}; "
                        "only float16, float32 and float64 are supported. Cast it first "
                        "(e.g. fg.cast(x, fg.float64)).")


def _one_gradient(x: Any, x_shape: Any, dx: Any, y: Any, y_shape: tuple, dy: Any,
                  x_init_value: Any, delta: float, extra_feed_dict: Optional[dict]) -> tuple:
    _check_dtype(x, "x")
    _check_dtype(y, "y")
    x_shape = tuple(int(d) for d in x_shape)
    if x_init_value is not None:
        x_data = np.asarray(x_init_value)
        if list(x_shape) != list(x_data.shape):
            # TF1 requires the exact shape; a value with as many elements is reshaped.
            if x_data.size != _product(x_shape):
                raise ValueError(f"compute_gradient: x_shape = {list(x_shape)}, but "
                                 f"x_init_value has shape {list(x_data.shape)}.")
            x_data = x_data.reshape(x_shape)
    else:
        # As TF1: uniform [0, 1) values from numpy's global generator (np.random.seed works).
        x_data = np.random.random_sample(x_shape).astype(x.dtype.np)
    jacob_t = _theoretical_jacobian(x, x_shape, x_data, dy, y_shape, dx, extra_feed_dict)
    jacob_n = _numeric_jacobian(x, x_shape, x_data, y, y_shape, delta, extra_feed_dict)
    return jacob_t, jacob_n


def _run_init_targets(init_targets: Any) -> None:
    if init_targets is None:
        return
    if not isinstance(init_targets, (list, tuple)):
        raise TypeError("compute_gradient: init_targets must be a list or tuple of ops, got "
                        f"{type(init_targets).__name__}.")
    sess = _session("compute_gradient")
    for init in init_targets:
        sess.run(init)


def _with_other_placeholders(xs: list, inits: list, i: int, extra_feed_dict: dict) -> dict:
    """The feeds while differentiating w.r.t. xs[i]: the other xs that are placeholders are
    fed their given x_init_value (TF1 would stop with "You must feed a value for
    placeholder"); values in extra_feed_dict win. Other kinds of x keep their graph value,
    as in TF1."""
    fixed = {xj: init for j, (xj, init) in enumerate(zip(xs, inits))
             if j != i and init is not None and xj.op.type == "Placeholder"}
    if not fixed:
        return extra_feed_dict
    return _feeds(fixed, dict(extra_feed_dict or {}))


def compute_gradient(x: Any, x_shape: Any, y: Any, y_shape: Any, x_init_value: Any = None,
                     delta: float = 1e-3, init_targets: Any = None,
                     extra_feed_dict: Optional[dict] = None) -> Any:
    """Computes and returns the theoretical and numerical Jacobian of y with respect to x.

    Parameters
    ----------
    x : Tensor or list of Tensor
        The input(s); each is fed its value (so any feedable tensor works).
    x_shape : sequence of int, or a list of them when x is a list
        The shape(s) of x.
    y : Tensor
        The output.
    y_shape : sequence of int
        The shape of y.
    x_init_value : numpy array (list of arrays when x is a list), optional
        The point at which to differentiate; default uniform random values in [0, 1).
    delta : float
        The central-difference step.
    init_targets : list of ops, optional
        Run once first (e.g. variable initializers).
    extra_feed_dict : dict, optional
        Extra feeds, held fixed during the computation.

    Returns
    -------
    (theoretical, numerical) : two numpy arrays of shape (x size, y size), or a list of such
        pairs when x is a list. Runs in the default session.

    Examples
    --------
    >>> x = fg.placeholder(fg.float64, [3])
    >>> with fg.Session():
    ...     jt, jn = fg.test.compute_gradient(x, [3], x * x, [3])   # 2x on the diagonal
    """
    if extra_feed_dict is None:
        extra_feed_dict = {}
    y = convert_to_tensor(y)
    y_shape = tuple(int(d) for d in y_shape)
    if isinstance(x, list):
        xs = [convert_to_tensor(xi) for xi in x]
        pairs = [_dx_and_dy(xi, y, y_shape) for xi in xs]
        _run_init_targets(init_targets)
        inits = [None] * len(xs) if x_init_value is None else list(x_init_value)
        return [_one_gradient(xi, shape_i, dx, y, y_shape, dy, init_i, delta,
                              _with_other_placeholders(xs, inits, i, extra_feed_dict))
                for i, (xi, shape_i, (dx, dy), init_i)
                in enumerate(zip(xs, x_shape, pairs, inits))]
    x = convert_to_tensor(x)
    _run_init_targets(init_targets)
    dx, dy = _dx_and_dy(x, y, y_shape)
    return _one_gradient(x, x_shape, dx, y, y_shape, dy, x_init_value, delta, extra_feed_dict)


def _compute_error(grad: Any) -> Any:
    if isinstance(grad, tuple):
        grad = [grad]
    error = 0
    for jacob_t, jacob_n in grad:
        if jacob_t.size or jacob_n.size:  # zero-size tensors contribute nothing
            error = np.maximum(error, np.fabs(jacob_t - jacob_n).max())
    return error


def compute_gradient_error(x: Any, x_shape: Any, y: Any, y_shape: Any,
                           x_init_value: Any = None, delta: float = 1e-3,
                           init_targets: Any = None,
                           extra_feed_dict: Optional[dict] = None) -> Any:
    """The largest absolute difference between the theoretical and numerical Jacobians of
    `compute_gradient` (over every x when x is a list). Same arguments as
    `compute_gradient`; runs in the default session."""
    grad = compute_gradient(x, x_shape, y, y_shape, x_init_value, delta, init_targets,
                            extra_feed_dict=extra_feed_dict)
    return _compute_error(grad)
