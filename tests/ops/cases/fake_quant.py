"""Cases for the fake-quantization ops and QuantizeAndDequantizeV2; the expected values
are TF 2.21 (tf.compat.v1) outputs for the same inputs.

The forward ops' gradients are straight-through estimates (not the derivative of their
piecewise-constant outputs); tests/ops/test_fake_quant.py checks them.
"""

import numpy as np

import flowgraph as fg
from tests.ops.harness import OpCase

X = np.array([-7.0, -1.0, -0.05, 0.0, 0.1, 0.3, 2.0, 3.0, 6.5], np.float32)
DY = np.arange(1, 10, dtype=np.float32)
P = np.array([[-2.0, 0.2, 0.9], [0.31, -0.7, 4.0], [1.2, 1.9, -0.1], [-0.02, 0.55, 2.6]],
             np.float32)
PDY = np.arange(1, 13, dtype=np.float32).reshape(4, 3)
P_MIN = np.array([-1.0, 0.0, -0.5], np.float32)
P_MAX = np.array([1.0, 1.5, 2.0], np.float32)
Q = np.array([-1.0, -0.5, 0.3, 0.75, 2.0], np.float32)

CASES = [
    OpCase("FakeQuantWithMinMaxArgs", lambda x: fg.fake_quant_with_min_max_args(x), [X],
           expected=np.array([-6.0235295, -0.9882353, -0.047058824, 0.0, 0.09411765,
                              0.28235295, 2.0235295, 3.0117648, 5.9764705], np.float32),
           grad=False),
    OpCase("FakeQuantWithMinMaxArgsGradient",
           lambda dy, x: fg.fake_quant_with_min_max_args_gradient(dy, x, min=-0.3, max=1.7,
                                                                  num_bits=3),
           [DY, X], expected=np.array([0, 0, 3, 4, 5, 6, 0, 0, 0], np.float32)),
    OpCase("FakeQuantWithMinMaxVars",
           lambda x, lo, hi: fg.fake_quant_with_min_max_vars(x, lo, hi, num_bits=5),
           [X, np.float32(-1.3), np.float32(2.9)],
           expected=np.array([-1.3548386, -0.948387, 0.0, 0.0, 0.13548386, 0.27096772,
                              2.032258, 2.845161, 2.845161], np.float32), grad=False),
    OpCase("FakeQuantWithMinMaxVarsGradient",
           lambda dy, x, lo, hi: fg.fake_quant_with_min_max_vars_gradient(dy, x, lo, hi,
                                                                          num_bits=5),
           [DY, X, np.float32(-1.3), np.float32(2.9)],
           expected=[np.array([0, 2, 3, 4, 5, 6, 7, 0, 0], np.float32), np.float32(1.0),
                     np.float32(17.0)]),
    OpCase("FakeQuantWithMinMaxVarsPerChannel",
           lambda x, lo, hi: fg.fake_quant_with_min_max_vars_per_channel(x, lo, hi,
                                                                         num_bits=4),
           [P, P_MIN, P_MAX],
           expected=np.array([[-0.9333334, 0.2, 0.8333334], [0.26666668, 0.0, 2.0],
                              [1.0666667, 1.5, -0.16666667], [0.0, 0.6, 2.0]], np.float32),
           grad=False),
    OpCase("FakeQuantWithMinMaxVarsPerChannelGradient",
           lambda dy, x, lo, hi: fg.fake_quant_with_min_max_vars_per_channel_gradient(
               dy, x, lo, hi, num_bits=4),
           [PDY, P, P_MIN, P_MAX],
           expected=[np.array([[0, 2, 3], [4, 0, 0], [0, 0, 9], [10, 11, 0]], np.float32),
                     np.array([1, 5, 0], np.float32), np.array([7, 8, 18], np.float32)]),
    OpCase("QuantizeAndDequantizeV2",
           lambda x: fg.quantization.quantize_and_dequantize(x, -1.0, 1.0), [Q],
           expected=np.array([-1.007874, -0.503937, 0.2992126, 0.7559055, 2.0], np.float32),
           grad=False),
    OpCase("QuantizeAndDequantizeV2",
           lambda x, lo, hi: fg.quantization.quantize_and_dequantize(
               x, lo, hi, range_given=True, narrow_range=True, num_bits=4),
           [Q, np.float32(-0.6), np.float32(1.0)],
           expected=np.array([-1.0, -0.5714286, 0.2857143, 0.71428573, 1.0], np.float32),
           grad=False, name="range_given"),
]
