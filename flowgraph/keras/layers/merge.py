"""`tf.keras.layers` merge layers (TF 1.15): Add, Subtract, Multiply, Average, Maximum,
Minimum, Concatenate, Dot, and their functional forms (add, subtract, ...)."""

from __future__ import annotations

import functools
from typing import Any, Callable

import flowgraph as fg
from flowgraph.keras.base_layer import Layer
from flowgraph.shapes import TensorShape, as_shape

__all__ = ["Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum", "Concatenate",
           "Dot", "add", "subtract", "multiply", "average", "maximum", "minimum",
           "concatenate", "dot"]


def _broadcast_dims(first: list, second: list, layer: str) -> list:
    """Numpy broadcasting of two static shapes (None = unknown); ValueError when they
    cannot broadcast."""
    if len(first) < len(second):
        first, second = second, first
    second = [1] * (len(first) - len(second)) + list(second)
    out = []
    for a, b in zip(first, second):
        if a == 1:
            out.append(b)
        elif b == 1:
            out.append(a)
        elif a is None or b is None:
            out.append(a if b is None else b)
        elif a == b:
            out.append(a)
        else:
            raise ValueError(f"Operands could not be broadcast together with shapes "
                             f"{tuple(first)} {tuple(second)} (layer {layer})")
    return out


class _Merge(Layer):
    """Merges a list of at least two tensors elementwise (shapes broadcast)."""

    _exactly_two = False

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.supports_masking = True

    def _check_inputs(self, input_shape: Any) -> list:
        if not isinstance(input_shape, (list, tuple)) or (
                input_shape and isinstance(input_shape[0], (int, type(None)))):
            raise ValueError("A merge layer should be called on a list of inputs.")
        shapes = [as_shape(s) for s in input_shape]
        if self._exactly_two and len(shapes) != 2:
            raise ValueError(f"A `{type(self).__name__}` layer should be called on exactly 2 "
                             f"inputs, got {len(shapes)}")
        if len(shapes) < 2:
            raise ValueError("A merge layer should be called on a list of at least 2 inputs. "
                             f"Got {len(shapes)} inputs.")
        return shapes

    def build(self, input_shape: Any) -> None:
        self.compute_output_shape(input_shape)
        self.built = True

    def compute_output_shape(self, input_shape: Any) -> TensorShape:
        shapes = self._check_inputs(input_shape)
        if any(s.ndims is None for s in shapes):
            return TensorShape(None)
        dims = shapes[0].as_list()
        for shape in shapes[1:]:
            dims = _broadcast_dims(dims, shape.as_list(), self.name)
        return TensorShape(dims)

    def call(self, inputs: Any) -> Any:
        return self._merge_function(list(inputs))

    def _check_masks(self, inputs: Any, mask: Any) -> bool:
        """Whether there is any mask to merge (ValueError for a mask of the wrong form)."""
        if mask is None:
            return False
        if not isinstance(mask, (list, tuple)):
            raise ValueError("`mask` should be a list.")
        if not isinstance(inputs, (list, tuple)):
            raise ValueError("`inputs` should be a list.")
        if len(mask) != len(inputs):
            raise ValueError("The lists `inputs` and `mask` should have the same length.")
        return any(m is not None for m in mask)

    def compute_mask(self, inputs: Any, mask: Any = None) -> Any:
        """The logical and of the inputs' masks (None when no input is masked)."""
        if not self._check_masks(inputs, mask):
            return None
        present = [fg.expand_dims(m, axis=0) for m in mask if m is not None]
        return fg.reduce_all(fg.concat(present, axis=0), axis=0, keepdims=False)

    def _merge_function(self, inputs: list) -> Any:
        raise NotImplementedError


class Add(_Merge):
    """The sum of the inputs."""

    def _merge_function(self, inputs: list) -> Any:
        return functools.reduce(lambda a, b: a + b, inputs)


class Subtract(_Merge):
    """``inputs[0] - inputs[1]`` (exactly two inputs)."""

    _exactly_two = True

    def _merge_function(self, inputs: list) -> Any:
        return inputs[0] - inputs[1]


class Multiply(_Merge):
    """The elementwise product of the inputs."""

    def _merge_function(self, inputs: list) -> Any:
        return functools.reduce(lambda a, b: a * b, inputs)


class Average(_Merge):
    """The elementwise mean of the inputs."""

    def _merge_function(self, inputs: list) -> Any:
        return functools.reduce(lambda a, b: a + b, inputs) / len(inputs)


class Maximum(_Merge):
    """The elementwise maximum of the inputs."""

    def _merge_function(self, inputs: list) -> Any:
        return functools.reduce(fg.maximum, inputs)


class Minimum(_Merge):
    """The elementwise minimum of the inputs."""

    def _merge_function(self, inputs: list) -> Any:
        return functools.reduce(fg.minimum, inputs)


class Concatenate(_Merge):
    """Concatenates the inputs along `axis` (all other sizes must match)."""

    def __init__(self, axis: int = -1, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.axis = axis

    def compute_output_shape(self, input_shape: Any) -> TensorShape:
        shapes = self._check_inputs(input_shape)
        if any(s.ndims is None for s in shapes):
            return TensorShape(None)
        lists = [s.as_list() for s in shapes]
        rank = len(lists[0])
        if any(len(dims) != rank for dims in lists):
            raise ValueError("A `Concatenate` layer requires inputs with matching shapes "
                             f"except for the concat axis. Got inputs shapes: "
                             f"{[tuple(dims) for dims in lists]}")
        axis = self.axis % rank
        out = list(lists[0])
        for dims in lists[1:]:
            for i, (a, b) in enumerate(zip(out, dims)):
                if i == axis:
                    out[i] = None if a is None or b is None else a + b
                elif a is not None and b is not None and a != b:
                    raise ValueError("A `Concatenate` layer requires inputs with matching "
                                     "shapes except for the concat axis. Got inputs shapes: "
                                     f"{[tuple(dims) for dims in lists]}")
                elif a is None:
                    out[i] = b
        return TensorShape(out)

    def call(self, inputs: Any) -> Any:
        return fg.concat(list(inputs), axis=self.axis)

    def compute_mask(self, inputs: Any, mask: Any = None) -> Any:
        """The inputs' masks (all True for an unmasked input) concatenated along `axis`,
        then reduced with a logical and over the last axis, as TF 1.15."""
        if not self._check_masks(inputs, mask):
            return None
        parts = []
        for tensor, part in zip(inputs, mask):
            if part is None:
                parts.append(fg.ones_like(tensor, dtype=fg.bool))
            elif part.shape.ndims is not None and tensor.shape.ndims is not None and \
                    part.shape.ndims < tensor.shape.ndims:
                # broadcast to the input's shape (TF 1.15 keeps [..., 1], which cannot
                # concatenate along any other axis than the last)
                parts.append(fg.logical_and(fg.expand_dims(part, axis=-1),
                                            fg.ones_like(tensor, dtype=fg.bool)))
            else:
                parts.append(part)
        return fg.reduce_all(fg.concat(parts, axis=self.axis), axis=-1, keepdims=False)

    def get_config(self) -> dict:
        return {**super().get_config(), "axis": self.axis}


class Dot(_Merge):
    """The dot product of two batches of tensors along `axes` (an int or a pair), as
    Keras' ``batch_dot``: [b, n] . [b, n] -> [b, 1]; [b, m, n] . [b, k, n] (axes=2) ->
    [b, m, k]. With ``normalize=True`` the inputs are L2-normalized along `axes` first
    (cosine proximity)."""

    _exactly_two = True

    def __init__(self, axes: Any, normalize: bool = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if not isinstance(axes, int):
            if not isinstance(axes, (list, tuple)) or len(axes) != 2 or not all(
                    isinstance(a, int) for a in axes):
                raise TypeError("Invalid type for `axes` - should be a list of 2 ints or an "
                                f"int, got {axes!r}")
        self.axes = axes
        self.normalize = normalize
        self.supports_masking = True

    def _axes(self, ranks: list) -> list:
        axes = [self.axes] * 2 if isinstance(self.axes, int) else list(self.axes)
        return [a % r if a < 0 else a for a, r in zip(axes, ranks)]

    def compute_output_shape(self, input_shape: Any) -> TensorShape:
        shapes = self._check_inputs(input_shape)
        if any(s.ndims is None for s in shapes):
            raise ValueError("A `Dot` layer needs inputs of known rank.")
        first, second = (s.as_list() for s in shapes)
        axes = self._axes([len(first), len(second)])
        if 0 in axes:
            raise ValueError("Cannot perform batch_dot over axis 0 (the batch axis).")
        if first[axes[0]] is not None and second[axes[1]] is not None and \
                first[axes[0]] != second[axes[1]]:
            raise ValueError(f"Dimension incompatibility {first[axes[0]]} != "
                             f"{second[axes[1]]}. Layer shapes: {tuple(first)}, "
                             f"{tuple(second)}")
        rest = [d for i, d in enumerate(first) if i not in (0, axes[0])] + \
            [d for i, d in enumerate(second) if i not in (0, axes[1])]
        return TensorShape([first[0]] + (rest if rest else [1]))

    def call(self, inputs: Any) -> Any:
        x, y = inputs
        axes = self._axes([x.shape.ndims, y.shape.ndims])
        if self.normalize:
            x = fg.math.l2_normalize(x, axis=axes[0])
            y = fg.math.l2_normalize(y, axis=axes[1])
        letters = iter("cdefghijklmnopqrstuvwxyz")
        x_sub = ["b"] + [next(letters) for _ in range(x.shape.ndims - 1)]
        y_sub = ["b"] + [next(letters) for _ in range(y.shape.ndims - 1)]
        y_sub[axes[1]] = x_sub[axes[0]]
        out = ["b"] + [s for i, s in enumerate(x_sub) if i not in (0, axes[0])] + \
            [s for i, s in enumerate(y_sub) if i not in (0, axes[1])]
        result = fg.einsum(f"{''.join(x_sub)},{''.join(y_sub)}->{''.join(out)}", x, y)
        if len(out) == 1:
            result = fg.expand_dims(result, 1)
        return result

    def compute_mask(self, inputs: Any, mask: Any = None) -> Any:
        return None

    def get_config(self) -> dict:
        return {**super().get_config(), "axes": self.axes, "normalize": self.normalize}


def _functional(layer_class: type) -> Callable:
    def merge(inputs: list, **kwargs: Any) -> Any:
        return layer_class(**kwargs)(inputs)
    merge.__name__ = layer_class.__name__.lower()
    merge.__doc__ = f"Functional `{layer_class.__name__}`: ``{layer_class.__name__}(" \
                    "**kwargs)(inputs)``."
    return merge


add = _functional(Add)
subtract = _functional(Subtract)
multiply = _functional(Multiply)
average = _functional(Average)
maximum = _functional(Maximum)
minimum = _functional(Minimum)


def concatenate(inputs: list, axis: int = -1, **kwargs: Any) -> Any:
    """Functional `Concatenate`: ``Concatenate(axis=axis, **kwargs)(inputs)``."""
    return Concatenate(axis=axis, **kwargs)(inputs)


def dot(inputs: list, axes: Any, normalize: bool = False, **kwargs: Any) -> Any:
    """Functional `Dot`: ``Dot(axes, normalize, **kwargs)(inputs)``."""
    return Dot(axes=axes, normalize=normalize, **kwargs)(inputs)
