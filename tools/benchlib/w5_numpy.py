"""The hand-written numpy version of the W5 CNN training step: the fastest numpy we could
write (im2col products a few images at a time so that each block is still in cache when BLAS
reads it, the input gradient as a convolution with the rotated filter, relu and max-pooling
backprop in one pass)."""

from __future__ import annotations

from typing import Callable

import numpy as np

LR = 0.05


class NumpyConv5x5:
    """A hand-written 5x5 SAME convolution (stride 1) on NHWC float32 images by im2col
    products, a few images at a time so that each im2col block is still in cache when BLAS
    reads it. With one input channel, the block is built transposed (25 contiguous row
    copies) and kept for the filter gradient."""

    def __init__(self, batch: int, size: int, channels: int, chunk: int) -> None:
        self.batch, self.size, self.channels = batch, size, channels
        self.chunk = batch if channels == 1 else chunk
        self.padded = np.zeros((batch, size + 4, size + 4, channels), np.float32)
        self.kept = None

    def _windows(self, padded: np.ndarray) -> np.ndarray:
        s, n = padded.strides, self.size
        return np.lib.stride_tricks.as_strided(
            padded, (padded.shape[0], n, n, 5, 5, padded.shape[3]),
            (s[0], s[1], s[2], s[1], s[2], s[3]), writeable=False)

    def _blocks(self, padded: np.ndarray):
        n, c, chunk = self.size, padded.shape[3], self.chunk
        rows = chunk * n * n
        if c == 1:
            for b0 in range(0, self.batch, chunk):
                cols_t = np.empty((5, 5, chunk, n, n), np.float32)
                for i in range(5):
                    for j in range(5):
                        cols_t[i, j] = padded[b0:b0 + chunk, i:i + n, j:j + n, 0]
                yield b0 * n * n, cols_t.reshape(25, rows).T
            return
        cols = np.empty((chunk, n, n, 5, 5, c), np.float32)
        windows = self._windows(padded)
        for b0 in range(0, self.batch, chunk):
            np.copyto(cols, windows[b0:b0 + chunk])
            yield b0 * n * n, cols.reshape(rows, 25 * c)

    def relu_forward(self, x: np.ndarray, kernel: np.ndarray, bias: np.ndarray) -> np.ndarray:
        """relu(conv(x, kernel) + bias), as [batch * size * size, out_channels]."""
        n = self.size
        self.padded[:, 2:n + 2, 2:n + 2, :] = x
        out = np.empty((self.batch * n * n, kernel.shape[3]), np.float32)
        matrix = kernel.reshape(-1, kernel.shape[3])
        rows = self.chunk * n * n
        for r0, cols in self._blocks(self.padded):
            np.matmul(cols, matrix, out=out[r0:r0 + rows])
            if self.channels == 1:
                self.kept = cols  # a new block each time: keep it for filter_grad
        out += bias
        np.maximum(out, 0, out=out)
        return out

    def filter_grad(self, d: np.ndarray) -> np.ndarray:
        if self.kept is not None:
            return (self.kept.T @ d).reshape(5, 5, self.channels, d.shape[1])
        total = np.zeros((25 * self.channels, d.shape[1]), np.float32)
        part = np.empty_like(total)
        rows = self.chunk * self.size * self.size
        for r0, cols in self._blocks(self.padded):
            np.matmul(cols.T, d[r0:r0 + rows], out=part)
            total += part
        return total.reshape(5, 5, self.channels, d.shape[1])

    def input_grad(self, d: np.ndarray, kernel: np.ndarray) -> np.ndarray:
        """The input gradient: a SAME convolution of d with the filter rotated by 180 degrees
        (in and out channels swapped)."""
        n, o = self.size, kernel.shape[3]
        rotated = np.ascontiguousarray(kernel[::-1, ::-1].transpose(0, 1, 3, 2)).reshape(
            25 * o, self.channels)
        padded = np.zeros((self.batch, n + 4, n + 4, o), np.float32)
        padded[:, 2:n + 2, 2:n + 2, :] = d.reshape(self.batch, n, n, o)
        out = np.empty((self.batch * n * n, self.channels), np.float32)
        cols = np.empty((self.chunk, n, n, 5, 5, o), np.float32)
        windows = self._windows(padded)
        rows = self.chunk * n * n
        for b0 in range(0, self.batch, self.chunk):
            np.copyto(cols, windows[b0:b0 + self.chunk])
            np.matmul(cols.reshape(rows, 25 * o), rotated, out=out[b0 * n * n:b0 * n * n + rows])
        return out.reshape(self.batch, n, n, self.channels)


def pool_forward(a: np.ndarray) -> np.ndarray:
    """2x2 max pooling (stride 2) of NHWC a with even sides."""
    return np.maximum(np.maximum(a[:, 0::2, 0::2], a[:, 0::2, 1::2]),
                      np.maximum(a[:, 1::2, 0::2], a[:, 1::2, 1::2]))


def pool_relu_backward(a: np.ndarray, pooled: np.ndarray, d: np.ndarray) -> np.ndarray:
    """The gradient through relu and 2x2 max pooling at once: d goes to each window's
    maximum where it is positive (a holds relu outputs)."""
    d = d * (pooled > 0)
    g = np.empty_like(a)
    for di in (0, 1):
        for dj in (0, 1):
            np.multiply(a[:, di::2, dj::2] == pooled, d, out=g[:, di::2, dj::2])
    return g


def numpy_cnn_step(x: np.ndarray, y: np.ndarray, params: list) -> Callable[[], float]:
    """A hand-written numpy training step of the W5 CNN (forward, backward, in-place SGD)."""
    weights = [p.copy() for p in params]
    batch = len(y)
    rows = np.arange(batch)
    lr, scale = np.float32(LR), np.float32(1.0 / batch)
    conv1 = NumpyConv5x5(batch, 28, 1, batch)
    conv2 = NumpyConv5x5(batch, 14, 32, 4)

    def step() -> float:
        k1, c1, k2, c2, w1, b1, w2, b2 = weights
        a1 = conv1.relu_forward(x, k1, c1).reshape(batch, 28, 28, 32)
        p1 = pool_forward(a1)
        a2 = conv2.relu_forward(p1, k2, c2).reshape(batch, 14, 14, 64)
        p2 = pool_forward(a2)
        flat = p2.reshape(batch, 3136)
        a3 = flat @ w1
        a3 += b1
        np.maximum(a3, 0, out=a3)
        logits = a3 @ w2 + b2
        top = logits.max(axis=1, keepdims=True)
        exp = np.exp(logits - top)
        total = exp.sum(axis=1, keepdims=True)
        loss = float(np.mean(np.log(total[:, 0]) + top[:, 0] - logits[rows, y]))
        d = exp / total
        d[rows, y] -= 1
        d *= scale
        grads = [None] * 8
        grads[6], grads[7] = a3.T @ d, d.sum(axis=0)
        d = (d @ w2.T) * (a3 > 0)
        grads[4], grads[5] = flat.T @ d, d.sum(axis=0)
        d = pool_relu_backward(a2, p2, (d @ w1.T).reshape(batch, 7, 7, 64)).reshape(-1, 64)
        grads[2], grads[3] = conv2.filter_grad(d), d.sum(axis=0)
        d = pool_relu_backward(a1, p1, conv2.input_grad(d, k2)).reshape(-1, 32)
        grads[0], grads[1] = conv1.filter_grad(d), d.sum(axis=0)
        for p, g in zip(weights, grads):
            p -= lr * g
        return loss

    return step
