"""The window geometry of pooling (TF1's padding arithmetic) and the strided views of the
padded input that the pooling kernels and their gradients loop over."""

from __future__ import annotations

import itertools
from typing import Any, Iterator, Sequence

import numpy as np

from flowgraph import errors

__all__: list = []


def output_size(size: int, k: int, stride: int, dilation: int, padding: str) -> tuple:
    """(outputs, pad_before, pad_after) of one spatial dimension, as TF1 computes them; a
    negative output count for a "VALID" window larger than the input."""
    k_eff = (k - 1) * dilation + 1
    if padding == "SAME":
        out = -(-size // stride)
        total = max((out - 1) * stride + k_eff - size, 0)
        return out, total // 2, total - total // 2
    return (size - k_eff) // stride + 1 if size >= k_eff else size - k_eff, 0, 0


class Geometry:
    """The windows of one pooling over an input of spatial shape `sizes`: output sizes,
    padding, and the strided view of the padded input read by each window offset."""

    def __init__(self, sizes: Sequence[int], ksize: Sequence[int], strides: Sequence[int],
                 dilations: Sequence[int], padding: str) -> None:
        self.sizes = tuple(sizes)
        self.ksize, self.strides, self.dilations = tuple(ksize), tuple(strides), tuple(dilations)
        dims = [output_size(n, k, s, d, padding)
                for n, k, s, d in zip(sizes, ksize, strides, dilations)]
        for n, k, d, (out, _, _) in zip(sizes, ksize, dilations, dims):
            if out < 0:
                raise errors.InvalidArgumentError(
                    None, None, f"Computed output size would be negative: a window of "
                    f"{(k - 1) * d + 1} does not fit an input of size {n} with VALID padding")
        self.out = tuple(d[0] for d in dims)
        self.before = tuple(d[1] for d in dims)
        self.after = tuple(d[2] for d in dims)
        self.padded = any(self.before) or any(self.after)
        # No two windows overlap: each input cell is read by at most one (window, offset)
        # pair, so gradients can be written with assignments instead of sums.
        self.disjoint = all((k - 1) * d < s for k, s, d in zip(ksize, strides, dilations))
        # Windows without gaps that cover the padded input exactly (2x2 windows with stride
        # 2 on even sizes, ...): each cell is read by exactly one (window, offset) pair.
        self.tiles = all(d == 1 and k == s and o * s == n + b + a for k, s, d, o, n, b, a in
                         zip(ksize, strides, dilations, self.out, self.sizes, self.before,
                             self.after))

    @property
    def empty(self) -> bool:
        return 0 in self.out

    def pad(self, x: np.ndarray, fill: Any) -> np.ndarray:
        """x (channels last) surrounded by `fill` where the windows reach past it."""
        if not self.padded:
            return x
        shape = (x.shape[0],) + tuple(n + b + a for n, b, a in
                                      zip(self.sizes, self.before, self.after)) + x.shape[-1:]
        out = np.full(shape, fill, dtype=x.dtype)
        out[self.inner()] = x
        return out

    def inner(self) -> tuple:
        """The index of the real cells inside a padded array."""
        return (slice(None),) + tuple(slice(b, b + n) for b, n in
                                      zip(self.before, self.sizes)) + (slice(None),)

    def padded_shape(self, batch: int, channels: int) -> tuple:
        return (batch,) + tuple(n + b + a for n, b, a in
                                zip(self.sizes, self.before, self.after)) + (channels,)

    def offsets(self) -> Iterator[tuple]:
        """The index into the padded input of each window offset, in TF1's scan order (the
        first spatial dimension outermost): the first maximum found wins ties."""
        for offset in itertools.product(*(range(k) for k in self.ksize)):
            yield (slice(None),) + tuple(
                slice(z * d, z * d + (o - 1) * s + 1, s)
                for z, d, o, s in zip(offset, self.dilations, self.out, self.strides)
            ) + (slice(None),)

    def counts(self, dtype: np.dtype) -> Any:
        """The number of real cells of each window, shaped to broadcast against the output
        (channels last); a plain number when every window is whole."""
        if not self.padded:
            return dtype.type(np.prod(self.ksize))
        total = np.ones((), dtype)
        for n, k, s, d, o, b in zip(self.sizes, self.ksize, self.strides, self.dilations,
                                    self.out, self.before):
            pos = np.arange(o)[:, None] * s + np.arange(k)[None, :] * d - b
            per_dim = ((pos >= 0) & (pos < n)).sum(axis=1).astype(dtype)
            total = np.multiply.outer(total, per_dim)
        return total[..., None]


def work_dtype(dtype: np.dtype) -> np.dtype:
    """float16 sums are accumulated in float32."""
    return np.dtype(np.float32) if dtype == np.float16 else np.dtype(dtype)


def lowest(dtype: np.dtype) -> Any:
    return -np.inf if dtype.kind == "f" else np.iinfo(dtype).min
