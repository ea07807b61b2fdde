"""The tensor functions of `tf.keras.backend` as TF 1.15 in graph mode (re-exported by
flowgraph.keras.backend): placeholders and Variables, values through the Keras Session,
`function`, and the maths Keras layers, losses and metrics are written in."""

from __future__ import annotations

import builtins
import itertools
import string
from typing import Any, Callable, Optional, Sequence

import numpy as np

import flowgraph as fg
from flowgraph import dtypes
from flowgraph.keras import activations
from flowgraph.keras.backend import epsilon, floatx, get_session, image_data_format
from flowgraph.keras.backend import learning_phase as _learning_phase

__all__ = [
    "placeholder", "is_placeholder", "variable", "constant", "zeros", "ones", "eye",
    "zeros_like", "ones_like", "random_uniform_variable", "random_normal_variable",
    "int_shape", "shape", "ndim", "dtype", "count_params", "cast", "is_tensor",
    "is_keras_tensor", "get_value", "batch_get_value", "set_value", "batch_set_value",
    "eval", "function", "gradients", "stop_gradient", "dot", "batch_dot", "transpose",
    "gather", "max", "min", "sum", "prod", "mean", "std", "var", "any", "all", "argmax",
    "argmin", "square", "abs", "sqrt", "exp", "log", "pow", "round", "sign", "clip", "equal",
    "not_equal", "greater", "greater_equal", "less", "less_equal", "maximum", "minimum",
    "sin", "cos", "concatenate", "reshape", "permute_dimensions", "repeat_elements",
    "repeat", "arange", "tile", "flatten", "batch_flatten", "expand_dims", "squeeze",
    "stack", "one_hot", "reverse", "switch", "in_train_phase", "in_test_phase", "relu",
    "elu", "softmax", "softplus", "softsign", "categorical_crossentropy",
    "sparse_categorical_crossentropy", "binary_crossentropy", "sigmoid", "hard_sigmoid",
    "tanh", "dropout", "l2_normalize", "bias_add", "random_normal", "random_uniform",
    "truncated_normal", "update", "update_add", "update_sub", "moving_average_update",
    "name_scope", "cumsum", "cumprod", "logsumexp",
]

_builtin_any = any
name_scope = fg.name_scope


def _floatx_dtype(dtype_: Any) -> Any:
    return dtypes.as_dtype(dtype_ if dtype_ is not None else floatx())


def _const(value: Any, dtype_: Any) -> Any:
    return fg.constant(value, dtype=dtype_)


def _unary(fn: Callable, name: str, doc: str) -> Callable:
    """The Keras backend function ``name(x)``: `fn` of one tensor."""

    def keras_function(x: Any) -> Any:
        return fn(x)

    keras_function.__name__ = keras_function.__qualname__ = name
    keras_function.__doc__ = doc
    return keras_function


def _binary(fn: Callable, name: str, doc: str) -> Callable:
    """The Keras backend function ``name(x, y)``: `fn` of two tensors."""

    def keras_function(x: Any, y: Any) -> Any:
        return fn(x, y)

    keras_function.__name__ = keras_function.__qualname__ = name
    keras_function.__doc__ = doc
    return keras_function


# -- creating tensors and Variables
def placeholder(shape: Any = None, ndim: Optional[int] = None, dtype: Any = None,
                sparse: bool = False, name: Optional[str] = None) -> Any:
    """A placeholder of `shape` (or of rank `ndim` with unknown dimensions), floatx by
    default."""
    dtype = _floatx_dtype(dtype)
    if not shape and ndim:
        shape = (None,) * ndim
    if sparse:
        return fg.sparse_placeholder(dtype, shape=shape, name=name)
    return fg.placeholder(dtype, shape=shape, name=name)


def is_placeholder(x: Any) -> bool:
    """Whether `x` is a placeholder tensor."""
    op = getattr(x, "op", None)
    return op is not None and op.type in ("Placeholder", "PlaceholderWithDefault")


def variable(value: Any, dtype: Any = None, name: Optional[str] = None,
             constraint: Any = None) -> Any:
    """A Variable holding `value` (floatx by default), initialized by the Keras Session."""
    dtype = _floatx_dtype(dtype)
    if not isinstance(value, (fg.Tensor, fg.Variable)):
        value = np.asarray(value, dtype=dtype.np)
    return fg.Variable(value, dtype=dtype, name=name, constraint=constraint)


def constant(value: Any, dtype: Any = None, shape: Any = None,
             name: Optional[str] = None) -> Any:
    """A constant tensor (floatx by default)."""
    return fg.constant(value, dtype=_floatx_dtype(dtype), shape=shape, name=name)


def zeros(shape: Any, dtype: Any = None, name: Optional[str] = None) -> Any:
    """A Variable of zeros (a zeros tensor when `shape` is not fully known), named as in TF
    1.15: the ``zeros`` op takes `name` first, so a named Variable becomes ``name_1``."""
    return _filled(fg.zeros, shape, dtype, name)


def ones(shape: Any, dtype: Any = None, name: Optional[str] = None) -> Any:
    """A Variable of ones (a ones tensor when `shape` is not fully known), named as
    `zeros`."""
    return _filled(fg.ones, shape, dtype, name)


def _filled(fill: Callable, shape: Any, dtype: Any, name: Optional[str]) -> Any:
    dtype = _floatx_dtype(dtype)
    with fg.init_scope():
        value = fill(shape, dtype=dtype, name=name)
        # as TF 1.15: a Variable only when every dimension is known and non-zero
        dims = value.shape.as_list() if value.shape.ndims is not None else [None]
        if builtins.all(dims):
            return variable(value, dtype, name)
        return value


def eye(size: Any, dtype: Any = None, name: Optional[str] = None) -> Any:
    """A Variable holding the identity matrix (`size` an int or (rows, cols))."""
    dtype = _floatx_dtype(dtype)
    rows, cols = (size, size) if isinstance(size, int) else tuple(size)
    return variable(np.eye(rows, cols, dtype=dtype.np), dtype, name)


def zeros_like(x: Any, dtype: Any = None, name: Optional[str] = None) -> Any:
    """Zeros of `x`'s shape."""
    return fg.zeros_like(x, dtype=dtype, name=name)


def ones_like(x: Any, dtype: Any = None, name: Optional[str] = None) -> Any:
    """Ones of `x`'s shape."""
    return fg.ones_like(x, dtype=dtype, name=name)


def _seed(seed: Optional[int]) -> int:
    return int(np.random.randint(10e6)) if seed is None else seed


def random_uniform_variable(shape: Any, low: float, high: float, dtype: Any = None,
                            name: Optional[str] = None, seed: Optional[int] = None) -> Any:
    """A Variable of uniform values in [low, high)."""
    dtype = _floatx_dtype(dtype)
    value = fg.random_uniform(shape, low, high, dtype=dtype, seed=_seed(seed))
    return variable(value, dtype, name)


def random_normal_variable(shape: Any, mean: float, scale: float, dtype: Any = None,
                           name: Optional[str] = None, seed: Optional[int] = None) -> Any:
    """A Variable of normal values."""
    dtype = _floatx_dtype(dtype)
    value = fg.random_normal(shape, mean, scale, dtype=dtype, seed=_seed(seed))
    return variable(value, dtype, name)


# -- shapes and types
def int_shape(x: Any) -> Optional[tuple]:
    """The static shape as a tuple of ints and None (None for an unknown rank)."""
    shape_ = x.shape if hasattr(x, "shape") else np.shape(x)
    if hasattr(shape_, "ndims"):
        return None if shape_.ndims is None else tuple(shape_.as_list())
    return tuple(shape_)


def shape(x: Any) -> Any:
    """The dynamic shape, an int32 tensor."""
    return fg.shape(x)


def ndim(x: Any) -> Optional[int]:
    """The rank (None when unknown)."""
    return x.shape.ndims


def dtype(x: Any) -> str:
    """The dtype's name, e.g. 'float32'."""
    return x.dtype.base_dtype.name


def count_params(x: Any) -> int:
    """The number of elements of a tensor or Variable of fully known shape."""
    return int(np.prod(x.shape.as_list()))


def cast(x: Any, dtype: Any) -> Any:
    """`x` converted to `dtype`."""
    return fg.cast(x, dtype)


def is_tensor(x: Any) -> bool:
    return isinstance(x, (fg.Tensor, fg.Variable, fg.SparseTensor))


def is_keras_tensor(x: Any) -> bool:
    """Whether the tensor `x` came from a Keras layer or `Input` (ValueError for a
    non-tensor)."""
    if not is_tensor(x):
        raise ValueError(f"Unexpectedly found an instance of type `{type(x)}`. Expected a "
                         "symbolic tensor instance.")
    from flowgraph.keras import history
    return history.producer(x) is not None


# -- values through the Keras Session
def get_value(x: Any) -> np.ndarray:
    """The value of a Variable (or tensor), run in the Keras Session."""
    return get_session().run(x)


def batch_get_value(tensors: Sequence) -> list:
    """The values of several Variables or tensors, in one run."""
    return list(get_session().run(list(tensors))) if tensors else []


def set_value(x: Any, value: Any) -> None:
    """Assigns the numpy `value` to the Variable `x`."""
    batch_set_value([(x, value)])


def batch_set_value(tuples: Sequence) -> None:
    """Assigns each (Variable, numpy value) pair, in one run."""
    from flowgraph.keras.base_layer import batch_set_value as assign_all
    assign_all([(x, np.asarray(value, dtype=x.dtype.base_dtype.np)) for x, value in tuples])


def eval(x: Any) -> np.ndarray:  # noqa: A001 - Keras' name
    """The value of `x` (as `get_value`)."""
    return get_value(x)


class GraphExecutionFunction:
    """What `function` returns: call it with a list of input values."""

    def __init__(self, inputs: Sequence, outputs: Any, updates: Optional[Sequence] = None,
                 name: Optional[str] = None) -> None:
        if not isinstance(inputs, (list, tuple)):
            raise TypeError("`inputs` to a Keras backend function should be a list or tuple.")
        self.inputs = list(inputs)
        self._single = not isinstance(outputs, (list, tuple))
        self.outputs = [outputs] if self._single else list(outputs)
        self.name = name
        update_ops = []
        with fg.control_dependencies([o for o in self.outputs if is_tensor(o)] or None):
            for item in updates or []:
                if isinstance(item, tuple):
                    variable_, new_value = item
                    update_ops.append(fg.assign(variable_, new_value))
                else:
                    update_ops.append(item)
        self.updates_op = fg.group(*update_ops) if update_ops else None

    def __call__(self, inputs: Sequence) -> Any:
        if not isinstance(inputs, (list, tuple)):
            raise TypeError("A Keras backend function takes a list or tuple of input values, "
                            f"got {type(inputs).__name__}")
        if len(inputs) != len(self.inputs):
            raise ValueError(f"This Keras function takes {len(self.inputs)} inputs, got "
                             f"{len(inputs)}")
        feeds = {}
        for tensor, value in zip(self.inputs, inputs):
            if value is None:
                continue
            if not isinstance(value, fg.SparseTensorValue):
                value = np.asarray(value)
            feeds[tensor] = value
        fetches = list(self.outputs)
        if self.updates_op is not None:
            fetches.append(self.updates_op)
        results = get_session().run(fetches, feeds)[:len(self.outputs)]
        return results[0] if self._single else list(results)


def function(inputs: Sequence, outputs: Any, updates: Optional[Sequence] = None,
             name: Optional[str] = None, **kwargs: Any) -> GraphExecutionFunction:
    """A callable taking a list of values for `inputs` (the learning-phase placeholder
    among them if wanted) and returning the values of `outputs`, running `updates`
    (ops or (Variable, new value) pairs) each call."""
    for key in kwargs:
        raise ValueError(f'Invalid argument "{key}" passed to K.function with TensorFlow '
                         "backend")
    return GraphExecutionFunction(inputs, outputs, updates=updates, name=name)


def gradients(loss: Any, variables: Any) -> list:
    """The gradients of `loss` with respect to `variables`."""
    return fg.gradients(loss, variables, colocate_gradients_with_ops=True)


def stop_gradient(variables: Any) -> Any:
    """`variables` (a tensor or a list) with no gradient flowing back through them."""
    if isinstance(variables, (list, tuple)):
        return [fg.stop_gradient(v) for v in variables]
    return fg.stop_gradient(variables)


# -- linear algebra
def _shape_parts(x: Any) -> list:
    static = int_shape(x)
    if _builtin_any(d is None for d in static):
        dynamic = fg.shape(x)
        return [d if d is not None else dynamic[i] for i, d in enumerate(static)]
    return list(static)


def _as_shape(parts: list) -> Any:
    if _builtin_any(isinstance(p, fg.Tensor) for p in parts):
        return fg.stack([p if isinstance(p, fg.Tensor) else _const(p, fg.int32)
                         for p in parts])
    return parts


def dot(x: Any, y: Any) -> Any:
    """Keras' dot: matmul for 2-D; for higher ranks, contracts x's last axis with y's
    second-to-last (as Theano's dot)."""
    if ndim(x) is not None and (ndim(x) > 2 or ndim(y) > 2):
        x_shape = _shape_parts(x)
        y_shape = _shape_parts(y)
        y_perm = list(range(ndim(y)))
        y_perm = [y_perm.pop(-2)] + y_perm
        xt = fg.reshape(x, [-1, x_shape[-1]])
        yt = fg.reshape(fg.transpose(y, perm=y_perm), _as_shape([y_shape[-2], -1]))
        return fg.reshape(fg.matmul(xt, yt),
                          _as_shape(x_shape[:-1] + y_shape[:-2] + y_shape[-1:]))
    return fg.matmul(x, y)


def batch_dot(x: Any, y: Any, axes: Any = None) -> Any:
    """Per-sample dot products: contracts `axes` (x's axis, y's axis; default x's last and
    y's second-to-last, or y's last when y is 2-D) over the batch axis 0. A rank-1 result
    gets a trailing axis of 1."""
    x_ndim, y_ndim = ndim(x), ndim(y)
    if x_ndim < 2 or y_ndim < 2:
        raise ValueError(f"Cannot do batch_dot on inputs with rank < 2. Received inputs with "
                         f"shapes {int_shape(x)} and {int_shape(y)}.")
    if isinstance(axes, int):
        axes = (axes, axes)
    if axes is None:
        axes = [x_ndim - 1, y_ndim - 2 if y_ndim > 2 else y_ndim - 1]
    ax_x, ax_y = (a % n for a, n in zip(axes, (x_ndim, y_ndim)))
    if 0 in (ax_x, ax_y):
        raise ValueError(f"Cannot perform batch_dot over axis 0 (the batch axis); got axes "
                         f"{axes}")
    letters = iter(string.ascii_letters[2:])
    x_sub = ["a"] + [next(letters) for _ in range(x_ndim - 1)]
    y_sub = ["a"] + [next(letters) for _ in range(y_ndim - 1)]
    y_sub[ax_y] = "b"
    x_sub[ax_x] = "b"
    out = ["a"] + [c for c in x_sub[1:] if c != "b"] + [c for c in y_sub[1:] if c != "b"]
    result = fg.einsum(f"{''.join(x_sub)},{''.join(y_sub)}->{''.join(out)}", x, y)
    if len(out) == 1:
        result = fg.expand_dims(result, 1)
    return result


def transpose(x: Any) -> Any:
    """Reverses the axes of `x`."""
    return fg.transpose(x)


def gather(reference: Any, indices: Any) -> Any:
    """``reference[indices]`` along axis 0."""
    return fg.gather(reference, indices)


# -- reductions
def max(x: Any, axis: Any = None, keepdims: bool = False) -> Any:  # noqa: A001
    return fg.reduce_max(x, axis, keepdims)


def min(x: Any, axis: Any = None, keepdims: bool = False) -> Any:  # noqa: A001
    return fg.reduce_min(x, axis, keepdims)


def sum(x: Any, axis: Any = None, keepdims: bool = False) -> Any:  # noqa: A001
    return fg.reduce_sum(x, axis, keepdims)


def prod(x: Any, axis: Any = None, keepdims: bool = False) -> Any:
    return fg.reduce_prod(x, axis, keepdims)


def cumsum(x: Any, axis: int = 0) -> Any:
    return fg.cumsum(x, axis=axis)


def cumprod(x: Any, axis: int = 0) -> Any:
    return fg.cumprod(x, axis=axis)


def _float_if_bool(x: Any) -> Any:
    return fg.cast(x, floatx()) if x.dtype.base_dtype == dtypes.bool else x


def mean(x: Any, axis: Any = None, keepdims: bool = False) -> Any:
    """The mean (bools count as floats)."""
    return fg.reduce_mean(_float_if_bool(x), axis, keepdims)


def std(x: Any, axis: Any = None, keepdims: bool = False) -> Any:
    """The (population) standard deviation."""
    return fg.math.reduce_std(_float_if_bool(x), axis=axis, keepdims=keepdims)


def var(x: Any, axis: Any = None, keepdims: bool = False) -> Any:
    """The (population) variance."""
    return fg.math.reduce_variance(_float_if_bool(x), axis=axis, keepdims=keepdims)


def any(x: Any, axis: Any = None, keepdims: bool = False) -> Any:  # noqa: A001
    """Logical or over `axis` (x cast to bool)."""
    return fg.reduce_any(fg.cast(x, dtypes.bool), axis, keepdims)


def all(x: Any, axis: Any = None, keepdims: bool = False) -> Any:  # noqa: A001
    """Logical and over `axis` (x cast to bool)."""
    return fg.reduce_all(fg.cast(x, dtypes.bool), axis, keepdims)


def argmax(x: Any, axis: int = -1) -> Any:
    return fg.argmax(x, axis)


def argmin(x: Any, axis: int = -1) -> Any:
    return fg.argmin(x, axis)


def logsumexp(x: Any, axis: Any = None, keepdims: bool = False) -> Any:
    return fg.reduce_logsumexp(x, axis, keepdims)


# -- element-wise
square = _unary(fg.square, "square", "``x ** 2``, element-wise.")
abs = _unary(fg.abs, "abs", "``|x|``, element-wise.")  # noqa: A001


def sqrt(x: Any) -> Any:
    """sqrt of x clipped below at 0 (as Keras: no NaN for tiny negative values)."""
    dtype_ = x.dtype.base_dtype
    return fg.sqrt(fg.clip_by_value(x, _const(0.0, dtype_), _const(np.inf, dtype_)))


exp = _unary(fg.exp, "exp", "``e ** x``, element-wise.")
log = _unary(fg.log, "log", "The natural logarithm, element-wise.")


def pow(x: Any, a: Any) -> Any:  # noqa: A001
    return fg.pow(x, a)


round = _unary(fg.round, "round", "Rounds to the nearest integer, halves to even.")  # noqa: A001
sign = _unary(fg.sign, "sign", "-1, 0 or 1 by the sign of `x`, element-wise.")


def clip(x: Any, min_value: Any, max_value: Any) -> Any:
    """`x` clipped to [min_value, max_value] (None: unbounded; max < min: max = min)."""
    if isinstance(min_value, (int, float)) and isinstance(max_value, (int, float)):
        if max_value < min_value:
            max_value = min_value
    if min_value is None:
        min_value = -np.inf
    if max_value is None:
        max_value = np.inf
    dtype_ = x.dtype.base_dtype
    if not isinstance(min_value, (fg.Tensor, fg.Variable)):
        min_value = _const(min_value, dtype_)
    if not isinstance(max_value, (fg.Tensor, fg.Variable)):
        max_value = _const(max_value, dtype_)
    return fg.clip_by_value(x, min_value, max_value)


equal = _binary(fg.equal, "equal", "``x == y`` (bool), element-wise.")
not_equal = _binary(fg.not_equal, "not_equal", "``x != y`` (bool), element-wise.")
greater = _binary(fg.greater, "greater", "``x > y`` (bool), element-wise.")
greater_equal = _binary(fg.greater_equal, "greater_equal", "``x >= y`` (bool), element-wise.")
less = _binary(fg.less, "less", "``x < y`` (bool), element-wise.")
less_equal = _binary(fg.less_equal, "less_equal", "``x <= y`` (bool), element-wise.")
maximum = _binary(fg.maximum, "maximum", "The larger of `x` and `y`, element-wise.")
minimum = _binary(fg.minimum, "minimum", "The smaller of `x` and `y`, element-wise.")
sin = _unary(fg.sin, "sin", "The sine, element-wise.")
cos = _unary(fg.cos, "cos", "The cosine, element-wise.")


# -- shapes
def concatenate(tensors: Sequence, axis: int = -1) -> Any:
    """Joins `tensors` along `axis` (negative axes count from the first tensor's rank)."""
    if axis < 0:
        rank = ndim(tensors[0])
        axis = axis % rank if rank else 0
    return fg.concat(list(tensors), axis)


def reshape(x: Any, shape: Any) -> Any:
    return fg.reshape(x, shape)


def permute_dimensions(x: Any, pattern: Sequence) -> Any:
    """Transposes `x` to the axis order `pattern`."""
    return fg.transpose(x, perm=list(pattern))


def repeat_elements(x: Any, rep: int, axis: int) -> Any:
    """Repeats each element `rep` times along `axis` (as np.repeat)."""
    static = x.shape.as_list()
    axis = axis % len(static)
    expanded = fg.tile(fg.expand_dims(x, axis + 1),
                       [1] * (axis + 1) + [rep] + [1] * (len(static) - axis - 1))
    parts = _shape_parts(x)
    parts[axis] = parts[axis] * rep
    result = fg.reshape(expanded, _as_shape(parts))
    known = list(static)
    known[axis] = known[axis] * rep if known[axis] is not None else None
    result.set_shape(known)
    return result


def repeat(x: Any, n: int) -> Any:
    """A 2-D (batch, dim) tensor repeated to (batch, n, dim)."""
    if ndim(x) != 2:
        raise ValueError(f"repeat expects a 2-D tensor, got shape {int_shape(x)}")
    return fg.tile(fg.expand_dims(x, 1), [1, n, 1])


def arange(start: Any, stop: Any = None, step: Any = 1, dtype: str = "int32") -> Any:
    """The 1-D tensor start, start + step, ... below stop (as np.arange)."""
    if stop is None and isinstance(start, (int, float)) and start < 0:
        start = 0
    result = fg.range(start, limit=stop, delta=step, name="arange")
    if dtype != "int32":
        result = fg.cast(result, dtype)
    return result


def tile(x: Any, n: Any) -> Any:
    """`x` tiled `n` times (an int or one count per axis)."""
    if isinstance(n, int):
        n = [n]
    return fg.tile(x, n)


def flatten(x: Any) -> Any:
    """`x` as a 1-D tensor."""
    return fg.reshape(x, [-1])


def batch_flatten(x: Any) -> Any:
    """`x` as (batch, everything else)."""
    return fg.reshape(x, fg.stack([-1, fg.reduce_prod(fg.shape(x)[1:])]))


def expand_dims(x: Any, axis: int = -1) -> Any:
    return fg.expand_dims(x, axis)


def squeeze(x: Any, axis: int) -> Any:
    return fg.squeeze(x, [axis])


def stack(x: Sequence, axis: int = 0) -> Any:
    return fg.stack(list(x), axis=axis)


def one_hot(indices: Any, num_classes: int) -> Any:
    """One-hot floats with a new last axis of `num_classes`."""
    return fg.one_hot(indices, depth=num_classes, axis=-1)


def reverse(x: Any, axes: Any) -> Any:
    """`x` reversed along `axes` (an int or a list)."""
    if isinstance(axes, int):
        axes = [axes]
    return fg.reverse(x, axes)


# -- control flow and the learning phase
def switch(condition: Any, then_expression: Any, else_expression: Any) -> Any:
    """`then_expression` where `condition` holds, else `else_expression`: a scalar
    condition picks a branch (callables are called lazily); a tensor condition selects
    element-wise, broadcast over the trailing axes."""
    if not isinstance(condition, (fg.Tensor, fg.Variable)):
        condition = fg.constant(condition)
    if condition.dtype.base_dtype != dtypes.bool:
        condition = fg.cast(condition, "bool")
    cond_ndim = ndim(condition)
    if not cond_ndim:
        then_fn = then_expression if callable(then_expression) else (lambda: then_expression)
        else_fn = else_expression if callable(else_expression) else (lambda: else_expression)
        return fg.cond(condition, then_fn, else_fn)
    if callable(then_expression):
        then_expression = then_expression()
    if callable(else_expression):
        else_expression = else_expression()
    expr_ndim = ndim(then_expression)
    if cond_ndim > expr_ndim:
        raise ValueError("Rank of `condition` should be less than or equal to rank of "
                         f"`then_expression` and `else_expression`. ndim(condition)="
                         f"{cond_ndim}, ndim(then_expression)={expr_ndim}")
    if cond_ndim > 1:
        ndim_diff = expr_ndim - cond_ndim
        cond_shape = fg.concat([fg.shape(condition), _const([1] * ndim_diff, fg.int32)], 0)
        condition = fg.reshape(condition, cond_shape)
        expr_shape = fg.shape(then_expression)
        tile_shape = fg.where(expr_shape - cond_shape > 0, expr_shape,
                              fg.ones_like(expr_shape))
        condition = fg.tile(condition, tile_shape)
    return fg.where(condition, then_expression, else_expression)


def in_train_phase(x: Any, alt: Any, training: Any = None) -> Any:
    """`x` in the training phase, else `alt` (callables are called); `training` None
    means the learning phase."""
    if training is None:
        training = _learning_phase()
    if training is True or (isinstance(training, int) and not isinstance(training, bool)
                            and training == 1):
        return x() if callable(x) else x
    if training is False or (isinstance(training, int) and training == 0):
        return alt() if callable(alt) else alt
    return switch(training, x, alt)


def in_test_phase(x: Any, alt: Any, training: Any = None) -> Any:
    """`x` in the test phase, else `alt`."""
    return in_train_phase(alt, x, training=training)


# -- activations and neural-network functions
def relu(x: Any, alpha: float = 0.0, max_value: Optional[float] = None,
         threshold: float = 0) -> Any:
    """Keras' relu (see flowgraph.keras.activations.relu)."""
    return activations.relu(x, alpha=alpha, max_value=max_value, threshold=threshold)


def elu(x: Any, alpha: float = 1.0) -> Any:
    return activations.elu(x, alpha)


def softmax(x: Any, axis: int = -1) -> Any:
    return fg.nn.softmax(x, axis=axis)


softplus = _unary(fg.nn.softplus, "softplus", "``log(exp(x) + 1)``, element-wise.")
softsign = _unary(fg.nn.softsign, "softsign", "``x / (|x| + 1)``, element-wise.")
sigmoid = _unary(fg.nn.sigmoid, "sigmoid", "``1 / (1 + exp(-x))``, element-wise.")


def hard_sigmoid(x: Any) -> Any:
    """``clip(0.2 * x + 0.5, 0, 1)``."""
    return activations.hard_sigmoid(x)


tanh = _unary(fg.nn.tanh, "tanh", "The hyperbolic tangent, element-wise.")


def _is_op(x: Any, op_type: str) -> bool:
    return not isinstance(x, fg.Variable) and getattr(getattr(x, "op", None), "type",
                                                       None) == op_type


def categorical_crossentropy(target: Any, output: Any, from_logits: bool = False,
                             axis: int = -1) -> Any:
    """``-sum(target * log(output), axis)``: `output` rescaled to sum to 1 and clipped to
    [epsilon, 1 - epsilon]; a Softmax output or logits go through the fused op."""
    target = fg.convert_to_tensor(target)
    output = fg.convert_to_tensor(output)
    if not from_logits:
        if not _is_op(output, "Softmax"):
            output = output / fg.reduce_sum(output, axis, True)
            eps = _const(epsilon(), output.dtype.base_dtype)
            output = fg.clip_by_value(output, eps, 1.0 - eps)
            return -fg.reduce_sum(target * fg.log(output), axis)
        output = output.op.inputs[0]
    return fg.nn.softmax_cross_entropy_with_logits_v2(labels=target, logits=output,
                                                      axis=axis)


def sparse_categorical_crossentropy(target: Any, output: Any, from_logits: bool = False,
                                    axis: int = -1) -> Any:
    """Categorical crossentropy with integer targets."""
    target = fg.convert_to_tensor(target)
    output = fg.convert_to_tensor(output)
    if not from_logits:
        if not _is_op(output, "Softmax"):
            eps = _const(epsilon(), output.dtype.base_dtype)
            output = fg.log(fg.clip_by_value(output, eps, 1 - eps))
        else:
            output = output.op.inputs[0]
    output_rank = output.shape.ndims
    if output_rank is not None:
        axis %= output_rank
        if axis != output_rank - 1:
            perm = list(itertools.chain(range(axis), range(axis + 1, output_rank), [axis]))
            output = fg.transpose(output, perm=perm)
    elif axis != -1:
        raise ValueError(f"Cannot compute sparse categorical crossentropy with `axis={axis}` "
                         "on an output tensor with unknown rank.")
    target = fg.cast(target, "int64")
    output_shape = fg.shape(output)
    target_rank = target.shape.ndims
    update_shape = (target_rank is not None and output_rank is not None and
                    target_rank != output_rank - 1)
    if update_shape:
        target = flatten(target)
        output = fg.reshape(output, fg.stack([-1, output_shape[-1]]))
    res = fg.nn.sparse_softmax_cross_entropy_with_logits(labels=target, logits=output)
    if update_shape and output_rank >= 3:
        return fg.reshape(res, output_shape[:-1])
    return res


def binary_crossentropy(target: Any, output: Any, from_logits: bool = False) -> Any:
    """Element-wise ``-(t log(p + eps) + (1 - t) log(1 - p + eps))`` with p clipped to
    [eps, 1 - eps] (TF 1.15); a Sigmoid output or logits go through the fused op."""
    target = fg.convert_to_tensor(target)
    output = fg.convert_to_tensor(output)
    if not from_logits:
        if not _is_op(output, "Sigmoid"):
            eps = _const(epsilon(), output.dtype.base_dtype)
            output = fg.clip_by_value(output, eps, 1.0 - eps)
            bce = target * fg.log(output + epsilon())
            bce += (1 - target) * fg.log(1 - output + epsilon())
            return -bce
        output = output.op.inputs[0]
    return fg.nn.sigmoid_cross_entropy_with_logits(labels=target, logits=output)


def dropout(x: Any, level: float, noise_shape: Any = None, seed: Optional[int] = None) -> Any:
    """Zeros a fraction `level` of x's entries, scaling the rest by 1 / (1 - level)."""
    return fg.nn.dropout(x, rate=level, noise_shape=noise_shape, seed=_seed(seed))


def l2_normalize(x: Any, axis: Any = None) -> Any:
    return fg.nn.l2_normalize(x, axis=axis)


def bias_add(x: Any, bias: Any, data_format: Optional[str] = None) -> Any:
    """Adds `bias` (1-D over the channels, or one value per position and channel)."""
    if data_format is None:
        data_format = image_data_format()
    if data_format not in ("channels_first", "channels_last"):
        raise ValueError(f"Unknown data_format: {data_format}")
    bias_shape = int_shape(bias)
    x_ndim = ndim(x)
    if len(bias_shape) != 1 and len(bias_shape) != x_ndim - 1:
        raise ValueError(f"Unexpected bias dimensions {len(bias_shape)}, expect to be 1 or "
                         f"{x_ndim - 1} dimensions")
    if len(bias_shape) == 1:
        if data_format == "channels_last" or x_ndim == 2:
            return fg.nn.bias_add(x, bias)
        return x + fg.reshape(bias, (1, bias_shape[0]) + (1,) * (x_ndim - 2))
    if data_format == "channels_first":
        return x + fg.reshape(bias, (1, bias_shape[-1]) + tuple(bias_shape[:-1]))
    return x + fg.reshape(bias, (1,) + tuple(bias_shape))


# -- random tensors
def random_normal(shape: Any, mean: float = 0.0, stddev: float = 1.0, dtype: Any = None,
                  seed: Optional[int] = None) -> Any:
    return fg.random_normal(shape, mean=mean, stddev=stddev, dtype=_floatx_dtype(dtype),
                            seed=_seed(seed))


def random_uniform(shape: Any, minval: float = 0.0, maxval: float = 1.0, dtype: Any = None,
                   seed: Optional[int] = None) -> Any:
    return fg.random_uniform(shape, minval=minval, maxval=maxval,
                             dtype=_floatx_dtype(dtype), seed=_seed(seed))


def truncated_normal(shape: Any, mean: float = 0.0, stddev: float = 1.0, dtype: Any = None,
                     seed: Optional[int] = None) -> Any:
    return fg.truncated_normal(shape, mean, stddev, dtype=_floatx_dtype(dtype),
                               seed=_seed(seed))


# -- updates
def update(x: Any, new_x: Any) -> Any:
    return fg.assign(x, new_x)


def update_add(x: Any, increment: Any) -> Any:
    return fg.assign_add(x, increment)


def update_sub(x: Any, decrement: Any) -> Any:
    return fg.assign_sub(x, decrement)


def moving_average_update(x: Any, value: Any, momentum: float) -> Any:
    """``x = momentum * x + (1 - momentum) * value``, zero-debiased as TF1's Keras."""
    from flowgraph.train.moving_averages import assign_moving_average
    return assign_moving_average(x, value, momentum, zero_debias=True)

