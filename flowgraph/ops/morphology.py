"""Grey-scale morphology (TF1's Dilation2D and its two backprop ops) and the builders
`fg.nn.dilation2d` and `fg.nn.erosion2d`.

Dilation: ``out[b, y, x, c] = max_{dy, dx} input[b, y * s_h + dy * r_h - pad_top,
x * s_w + dx * r_w - pad_left, c] + filter[dy, dx, c]`` over the real (unpadded) cells.
Its gradients go to the single (input cell, filter tap) that attains the maximum, the
first one in scan order (rows outer) on ties, as TF1's CPU kernels do.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Optional

import numpy as np

from flowgraph import errors
from flowgraph.graph import Tensor
from flowgraph.ops.constant import convert_to_tensor
from flowgraph.ops.elementwise import check_dtype, op_scope
from flowgraph.ops.pool_geometry import Geometry
from flowgraph.ops.registry import Op, apply_op, register
from flowgraph.shapes import TensorShape

__all__: list = []


def _invalid(message: str) -> errors.InvalidArgumentError:
    return errors.InvalidArgumentError(None, None, message)


def _lowest(dtype: np.dtype) -> Any:
    # TF1 starts from NumTraits<T>::lowest(): the most negative finite value.
    return np.finfo(dtype).min if dtype.kind == "f" else np.iinfo(dtype).min


@dataclasses.dataclass(frozen=True, kw_only=True)
class _MorphologyBase(Op):
    """The attributes of Dilation2D and its backprops: `strides` and `rates` are
    [1, height, width, 1]; `padding` is "SAME" or "VALID"."""

    strides: tuple = (1, 1, 1, 1)
    rates: tuple = (1, 1, 1, 1)
    padding: str = "VALID"

    def check(self) -> None:
        for field in ("strides", "rates"):
            value = getattr(self, field)
            if len(value) != 4 or any(isinstance(v, bool) or int(v) != v for v in value):
                raise ValueError(f"{self.type_name}: {field} must be 4 ints [1, height, width, "
                                 f"1], got {list(value)}")
            object.__setattr__(self, field, tuple(int(v) for v in value))
            value = getattr(self, field)
            if value[0] != 1 or value[3] != 1:
                raise ValueError(f"{self.type_name}: {field} in the batch and depth dimensions "
                                 f"must be 1 (not supported otherwise), got {list(value)}")
            if min(value) < 1:
                raise ValueError(f"{self.type_name}: every {field} entry must be >= 1, got "
                                 f"{list(value)}")
        if self.padding not in ("SAME", "VALID"):
            raise ValueError(f"{self.type_name}: padding must be 'SAME' or 'VALID', got "
                             f"{self.padding!r}")

    def out_dims(self, op: Any, x: Tensor, w: Tensor) -> list:
        """[batch, out_h, out_w, depth] from the static shapes (ValueError if they clash)."""
        check_dtype(op, x, "fiu", "input")
        if w.dtype != x.dtype:
            raise TypeError(f"{op.type}: filter dtype {w.dtype.name} differs from the input's "
                            f"{x.dtype.name}")
        xs = x.shape.with_rank(4) if x.shape.ndims is not None else TensorShape([None] * 4)
        ws = w.shape.with_rank(3) if w.shape.ndims is not None else TensorShape([None] * 3)
        n, h, width, c = xs.as_list()
        kh, kw, cw = ws.as_list()
        if c is not None and cw is not None and c != cw:
            raise ValueError(f"{op.type}: input depth {c} (input of shape {x.shape}) must "
                             f"match the filter depth {cw} (filter of shape {w.shape} [height, "
                             f"width, depth])")
        dims = []
        for size, k, s, r in ((h, kh, self.strides[1], self.rates[1]),
                              (width, kw, self.strides[2], self.rates[2])):
            if size is None or k is None:
                dims.append(None)
                continue
            k_eff = (k - 1) * r + 1
            if self.padding == "SAME":
                dims.append(-(-size // s))
            elif size < k_eff:
                raise ValueError(f"{op.type}: the dilated filter ({k_eff}) is larger than the "
                                 f"input ({size}) with VALID padding")
            else:
                dims.append((size - k_eff) // s + 1)
        return [n, dims[0], dims[1], c if c is not None else cw]

    def scan(self, x: np.ndarray, w: np.ndarray) -> tuple:
        """(output, input row, input column, filter row, filter column) of the maximum of
        each output cell."""
        if x.ndim != 4 or w.ndim != 3:
            raise _invalid(f"{self.type_name} needs a 4-D input [batch, height, width, depth] "
                           f"and a 3-D filter [height, width, depth], got shapes "
                           f"{list(x.shape)} and {list(w.shape)}")
        if x.shape[3] != w.shape[2]:
            raise _invalid(f"{self.type_name}: input depth {x.shape[3]} must match the filter "
                           f"depth {w.shape[2]}")
        geo = Geometry(x.shape[1:3], w.shape[:2], self.strides[1:3], self.rates[1:3],
                       self.padding)
        oh, ow = geo.out
        shape = (x.shape[0], oh, ow, x.shape[3])
        best = np.full(shape, _lowest(x.dtype), x.dtype)
        rows = np.arange(oh) * self.strides[1] - geo.before[0]
        cols = np.arange(ow) * self.strides[2] - geo.before[1]
        in_r = np.broadcast_to(np.maximum(rows, 0)[None, :, None, None], shape).copy()
        in_c = np.broadcast_to(np.maximum(cols, 0)[None, None, :, None], shape).copy()
        f_r = np.zeros(shape, np.int64)
        f_c = np.zeros(shape, np.int64)
        padded = geo.pad(x, 0)
        for index in geo.offsets():
            dy = index[1].start // self.rates[1]
            dx = index[2].start // self.rates[2]
            r = rows + dy * self.rates[1]
            c = cols + dx * self.rates[2]
            real = (((r >= 0) & (r < x.shape[1]))[:, None]
                    & ((c >= 0) & (c < x.shape[2]))[None, :])[None, :, :, None]
            value = padded[index] + w[dy, dx]
            better = real & (value > best)
            best = np.where(better, value, best)
            in_r = np.where(better, r[None, :, None, None], in_r)
            in_c = np.where(better, c[None, None, :, None], in_c)
            f_r = np.where(better, dy, f_r)
            f_c = np.where(better, dx, f_c)
        return best, in_r, in_c, f_r, f_c


@register
class Dilation2D(_MorphologyBase):
    """Grey-scale dilation of a [batch, height, width, depth] input by a [height, width,
    depth] filter (structuring function), each channel on its own."""

    def infer(self, op):
        x, w = op.inputs
        return [(x.dtype, self.out_dims(op, x, w))]

    def kernel(self, x, w):
        return self.scan(x, w)[0]

    def grad(self, op, dy):
        from flowgraph.ops.array_grad import dense
        x, w = op.inputs
        dy = dense(dy)
        attrs = self.attributes()
        return [apply_op(Dilation2DBackpropInput(**attrs), [x, w, dy]),
                apply_op(Dilation2DBackpropFilter(**attrs), [x, w, dy])]


@dataclasses.dataclass(frozen=True, kw_only=True)
class _Backprop(_MorphologyBase):
    differentiable = False

    def check_dy(self, x: np.ndarray, w: np.ndarray, dy: np.ndarray) -> tuple:
        found = self.scan(x, w)
        if dy.shape != found[0].shape:
            raise _invalid(f"{self.type_name}: out_backprop of shape {list(dy.shape)} does not "
                           f"match the dilation output shape {list(found[0].shape)}")
        return found

    def infer_dy(self, op: Any) -> None:
        x, w, dy = op.inputs
        expected = TensorShape(self.out_dims(op, x, w))
        if not dy.shape.is_compatible_with(expected):
            raise ValueError(f"{op.type}: out_backprop of shape {dy.shape} does not match the "
                             f"dilation output shape {expected}")


@register
class Dilation2DBackpropInput(_Backprop):
    """The gradient of Dilation2D for its input: each out_backprop value goes to the input
    cell that attained its window's maximum."""

    def infer(self, op):
        self.infer_dy(op)
        return [(op.inputs[0].dtype, op.inputs[0].shape)]

    def kernel(self, x, w, dy):
        _, in_r, in_c, _, _ = self.check_dy(x, w, dy)
        dx = np.zeros_like(x)
        b = np.arange(x.shape[0])[:, None, None, None]
        ch = np.arange(x.shape[3])[None, None, None, :]
        np.add.at(dx, (np.broadcast_to(b, dy.shape), in_r, in_c,
                       np.broadcast_to(ch, dy.shape)), dy)
        return dx


@register
class Dilation2DBackpropFilter(_Backprop):
    """The gradient of Dilation2D for its filter: each out_backprop value goes to the
    filter tap that attained its window's maximum."""

    def infer(self, op):
        self.infer_dy(op)
        return [(op.inputs[1].dtype, op.inputs[1].shape)]

    def kernel(self, x, w, dy):
        _, _, _, f_r, f_c = self.check_dy(x, w, dy)
        dw = np.zeros_like(w)
        ch = np.broadcast_to(np.arange(w.shape[2])[None, None, None, :], dy.shape)
        np.add.at(dw, (f_r, f_c, ch), dy)
        return dw


# --------------------------------------------------------------------------- builders
def _dilation_attrs(strides: Any, rates: Any, padding: Any, fn: str) -> dict:
    if strides is None or rates is None or padding is None:
        raise ValueError(f"{fn} needs strides, rates and padding, e.g. strides=[1, 1, 1, 1], "
                         f"rates=[1, 1, 1, 1], padding='SAME'")
    if not isinstance(padding, str):
        raise TypeError(f"{fn}: padding must be 'SAME' or 'VALID', got {padding!r}")
    return dict(strides=tuple(strides), rates=tuple(rates), padding=padding.upper())


def dilation2d(input: Any, filter: Any = None, strides: Any = None,  # noqa: A002
               rates: Any = None, padding: Any = None, name: Optional[str] = None,
               filters: Any = None, dilations: Any = None) -> Tensor:
    """Grey-scale morphological dilation, as TF1's `tf.nn.dilation2d` (node "Dilation2D").

    Parameters
    ----------
    input : Tensor
        [batch, in_height, in_width, depth] (NHWC only).
    filter : Tensor
        [filter_height, filter_width, depth], the structuring function (`filters` is the
        newer spelling).
    strides, rates : list of 4 ints
        [1, stride_height, stride_width, 1] and [1, rate_height, rate_width, 1] (`dilations`
        is the newer spelling of `rates`).
    padding : str
        "SAME" or "VALID".

    Returns
    -------
    Tensor
        [batch, out_height, out_width, depth]: the maximum over each window of
        input + filter.
    """
    if filter is not None and filters is not None:
        raise ValueError("Cannot specify both 'filters' and 'filter'")
    if rates is not None and dilations is not None:
        raise ValueError("Cannot specify both 'dilations' and 'rates'")
    filter = filters if filter is None else filter
    rates = dilations if rates is None else rates
    if filter is None:
        raise ValueError("dilation2d needs a filter [height, width, depth]")
    attrs = _dilation_attrs(strides, rates, padding, "dilation2d")
    input = convert_to_tensor(input, name="input")
    filter = convert_to_tensor(filter, dtype=input.dtype, name="filter")
    return apply_op(Dilation2D(**attrs), [input, filter], name=name)


def erosion2d(value: Any, kernel: Any, strides: Any, rates: Any, padding: Any,
              name: Optional[str] = None) -> Tensor:
    """Grey-scale morphological erosion, as TF1's `tf.nn.erosion2d`: ``out[b, y, x, c] =
    min_{dy, dx} value[b, y * s_h - dy * r_h, x * s_w - dx * r_w, c] - kernel[dy, dx, c]``,
    built by duality as ``-dilation2d(-value, reverse(kernel, [0, 1]))`` (nodes
    "erosion2d" (the Dilation2D) and "erosion2d/Neg_1")."""
    from flowgraph.ops.reorder import reverse
    from flowgraph.ops.unary import negative
    attrs = _dilation_attrs(strides, rates, padding, "erosion2d")
    with op_scope(name, "erosion2d", [value, kernel]) as scope:
        value = convert_to_tensor(value, name="value")
        kernel = convert_to_tensor(kernel, dtype=value.dtype, name="kernel")
        dilated = apply_op(Dilation2D(**attrs), [negative(value), reverse(kernel, [0, 1])],
                           name=scope)
        return negative(dilated)
