"""Cases for normalization.py and lrn.py: FusedBatchNormV3, FusedBatchNormGradV3, LRN and
LRNGrad.

References are numpy written here: batch statistics with np.mean / np.var, the textbook
batch-norm backward pass, and channel loops for local response normalization.
"""

import numpy as np

import flowgraph as fg
from flowgraph.ops.lrn import LRNGrad
from flowgraph.ops.normalization import FusedBatchNormGradV3
from flowgraph.ops.registry import apply_op
from tests.ops.harness import OpCase

F32 = np.float32
RNG = np.random.default_rng(11)
X = RNG.normal(1.0, 2.0, (2, 3, 2, 3))
SCALE = np.array([0.5, 2.0, -1.5])
OFFSET = np.array([0.1, -0.3, 1.0])
MEAN = np.array([0.5, 1.5, -0.5])
VAR = np.array([2.0, 0.5, 1.25])
DY = RNG.normal(0.0, 1.0, X.shape)
EPS = 0.001


def _nchw(x):
    return np.ascontiguousarray(np.transpose(x, (0, 3, 1, 2)))


def _nhwc(x):
    return np.ascontiguousarray(np.transpose(x, (0, 2, 3, 1)))


def np_train(x, scale, offset, eps=EPS):
    axes = (0, 1, 2)
    mean = x.mean(axis=axes)
    var = x.var(axis=axes)
    n = x.size // x.shape[-1]
    y = (x - mean) / np.sqrt(var + eps) * scale + offset
    return [y, mean, var * n / (n - 1)]


def np_infer(x, scale, offset, mean, var, eps=EPS):
    return [(x - mean) / np.sqrt(var + eps) * scale + offset, mean, var]


def np_backward(dy, x, scale, eps=EPS, training=True, mean=None, var=None):
    """dx, dscale, doffset of y = scale * (x - m) / sqrt(v + eps) + offset (NHWC)."""
    axes = (0, 1, 2)
    n = x.size // x.shape[-1]
    if training:
        mean, var = x.mean(axis=axes), x.var(axis=axes)
    inv = 1.0 / np.sqrt(var + eps)
    x_hat = (x - mean) * inv
    d_offset = dy.sum(axis=axes)
    d_scale = (dy * x_hat).sum(axis=axes)
    if training:
        dx = scale * inv / n * (n * dy - d_offset - x_hat * d_scale)
    else:
        dx = dy * scale * inv
    return [dx, d_scale, d_offset]


def _fbn(training=True, data_format="NHWC", epsilon=EPS):
    def build(x, scale, offset, *stats):
        mean, var = stats if stats else (None, None)
        return list(fg.nn.fused_batch_norm(x, scale, offset, mean, var, epsilon=epsilon,
                                           data_format=data_format, is_training=training))
    return build


def _fbn_grad(training=True, data_format="NHWC"):
    def build(dy, x, scale, *stats):
        offset = fg.zeros_like(scale)
        if training:
            outs = fg.nn.fused_batch_norm(x, scale, offset, data_format=data_format)[0].op.outputs
            saved = [outs[3], outs[4], outs[5]]
        else:
            mean, var = stats
            outs = fg.nn.fused_batch_norm(x, scale, offset, mean, var, is_training=False,
                                          data_format=data_format)[0].op.outputs
            saved = [mean, var, outs[5]]
        op_def = FusedBatchNormGradV3(epsilon=EPS, data_format=data_format,
                                      is_training=training)
        return apply_op(op_def, [dy, x, scale] + saved)[:3]
    return build


def np_lrn(x, r=5, bias=1.0, alpha=1.0, beta=0.5):
    x = np.asarray(x, np.float64)
    c = x.shape[-1]
    sums = np.zeros_like(x)
    for j in range(c):
        sums[..., j] = np.sum(x[..., max(0, j - r):j + r + 1] ** 2, axis=-1)
    return x / (bias + alpha * sums) ** beta


def np_lrn_grad(dy, x, r=5, bias=1.0, alpha=1.0, beta=0.5):
    x = np.asarray(x, np.float64)
    c = x.shape[-1]
    norm = np.zeros_like(x)
    for j in range(c):
        norm[..., j] = bias + alpha * np.sum(x[..., max(0, j - r):j + r + 1] ** 2, axis=-1)
    dx = dy * norm ** -beta
    for j in range(c):
        for i in range(max(0, j - r), min(c, j + r + 1)):
            dx[..., j] -= 2 * alpha * beta * x[..., j] * dy[..., i] * x[..., i] * \
                norm[..., i] ** (-beta - 1)
    return dx


XL = RNG.normal(0.0, 1.0, (2, 2, 3, 6))
DYL = RNG.normal(0.0, 1.0, XL.shape)


def _lrn(**kw):
    return lambda x: fg.nn.local_response_normalization(x, **kw)


def _lrn_grad(**kw):
    def build(dy, x):
        return apply_op(LRNGrad(**kw), [dy, x, fg.nn.lrn(x, **kw)])
    return build


CASES = [
    # ------------------------------------------------------------------ FusedBatchNormV3
    OpCase("FusedBatchNormV3", _fbn(), [X, SCALE, OFFSET],
           expected=lambda x, s, o: np_train(x, s, o), rtol=1e-5, grad_rtol=1e-4),
    OpCase("FusedBatchNormV3", _fbn(), [X.astype(F32), SCALE.astype(F32), OFFSET.astype(F32)],
           expected=lambda x, s, o: np_train(x.astype(np.float64), s, o), rtol=1e-4,
           atol=1e-5, name="float32", grad=False),
    OpCase("FusedBatchNormV3", _fbn(data_format="NCHW"), [_nchw(X), SCALE, OFFSET],
           expected=lambda x, s, o: [_nchw(v) if v.ndim == 4 else v
                                     for v in np_train(_nhwc(x), s, o)], rtol=1e-5,
           name="nchw", grad_rtol=1e-4),
    OpCase("FusedBatchNormV3", _fbn(training=False), [X, SCALE, OFFSET, MEAN, VAR],
           expected=lambda x, s, o, m, v: np_infer(x, s, o, m, v), name="inference"),
    OpCase("FusedBatchNormV3", _fbn(training=False, data_format="NCHW"),
           [_nchw(X), SCALE, OFFSET, MEAN, VAR], name="inference-nchw",
           expected=lambda x, s, o, m, v: [_nchw(np_infer(_nhwc(x), s, o, m, v)[0]), m, v]),
    OpCase("FusedBatchNormV3", _fbn(epsilon=0.0),
           [X.astype(np.float16), SCALE.astype(F32), OFFSET.astype(F32)], name="float16",
           expected=lambda x, s, o: [v.astype(np.float16) if v.ndim == 4 else v.astype(F32)
                                     for v in np_train(x.astype(np.float64), s, o, 1.001e-5)],
           rtol=1e-2, atol=1e-2, grad=False),
    # ------------------------------------------------------------------ FusedBatchNormGradV3
    OpCase("FusedBatchNormGradV3", _fbn_grad(), [DY, X, SCALE],
           expected=lambda dy, x, s: np_backward(dy, x, s), rtol=1e-5, grad_rtol=1e-4),
    OpCase("FusedBatchNormGradV3", _fbn_grad(data_format="NCHW"), [_nchw(DY), _nchw(X), SCALE],
           expected=lambda dy, x, s: [_nchw(v) if v.ndim == 4 else v
                                      for v in np_backward(_nhwc(dy), _nhwc(x), s)],
           rtol=1e-5, name="nchw", grad_rtol=1e-4),
    OpCase("FusedBatchNormGradV3", _fbn_grad(training=False), [DY, X, SCALE, MEAN, VAR],
           expected=lambda dy, x, s, m, v: np_backward(dy, x, s, training=False, mean=m,
                                                       var=v), name="inference"),
    # ------------------------------------------------------------------ LRN
    OpCase("LRN", _lrn(), [XL], expected=lambda x: np_lrn(x)),
    OpCase("LRN", _lrn(depth_radius=1, bias=2.0, alpha=0.5, beta=0.75), [XL.astype(F32)],
           expected=lambda x: np_lrn(x, 1, 2.0, 0.5, 0.75).astype(F32), rtol=1e-5,
           name="params"),
    OpCase("LRN", _lrn(depth_radius=0, beta=1.0), [XL], name="radius0",
           expected=lambda x: x / (1.0 + x * x)),
    OpCase("LRNGrad", _lrn_grad(depth_radius=2, bias=1.5, alpha=0.3, beta=0.75), [DYL, XL],
           expected=lambda dy, x: np_lrn_grad(dy, x, 2, 1.5, 0.3, 0.75)),
    OpCase("LRNGrad", _lrn_grad(), [DYL, XL], expected=lambda dy, x: np_lrn_grad(dy, x),
           name="defaults"),
]
