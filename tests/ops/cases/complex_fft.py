"""Cases for complex_ops.py and fft_ops.py.

The gradient checker differentiates float inputs and float outputs only, so every case
builds its complex operands with fg.complex from two float inputs and returns the real and
imaginary parts of complex results: the finite-difference check then covers the op's rule
together with those of Complex, Real and Imag. Expected values come from numpy.fft and numpy
written here.
"""

import numpy as np

import flowgraph as fg
from tests.ops.harness import OpCase

F32 = np.float32
RNG = np.random.default_rng(11)
RE = RNG.uniform(-1, 1, (2, 6)).astype(F32)
IM = RNG.uniform(-1, 1, (2, 6)).astype(F32)
RE3 = RNG.uniform(-1, 1, (2, 3, 4)).astype(F32)
IM3 = RNG.uniform(-1, 1, (2, 3, 4)).astype(F32)
RE4 = RNG.uniform(-1, 1, (2, 2, 3, 2)).astype(F32)
IM4 = RNG.uniform(-1, 1, (2, 2, 3, 2)).astype(F32)
# Away from 0 (|z| and angle have a kink there) and from the negative real axis.
RE_POS = np.array([[0.5, 1.5, -0.75], [2.0, 0.25, 1.0]], F32)
IM_POS = np.array([[1.0, -0.5, 0.6], [0.3, -1.25, 0.8]], F32)


def _z(re, im):
    return re.astype(np.float64) + 1j * im.astype(np.float64)


def _parts(t):
    return [fg.real(t), fg.imag(t)]


def _np_parts(z):
    return [np.real(z), np.imag(z)]


def _complex_case(op_type, fn, np_fn, re, im, name=""):
    return OpCase(op_type, lambda a, b: _parts(fn(fg.complex(a, b))), [re, im],
                  expected=lambda a, b: _np_parts(np_fn(_z(a, b))), rtol=1e-5, atol=1e-5,
                  name=name)


def _rfft_case(op_type, fn, np_fn, x, fft_length, name=""):
    return OpCase(op_type, lambda a: _parts(fn(a, fft_length)), [x],
                  expected=lambda a: _np_parts(np_fn(a.astype(np.float64), fft_length)),
                  rtol=1e-5, atol=1e-5, name=name)


def _irfft_case(op_type, fn, np_fn, re, im, fft_length, name=""):
    return OpCase(op_type, lambda a, b: fn(fg.complex(a, b), fft_length), [re, im],
                  expected=lambda a, b: np_fn(_z(a, b), fft_length), rtol=1e-5, atol=1e-5,
                  name=name)


def _rfftn(axes):
    return lambda x, s: np.fft.rfftn(x, s=s, axes=axes)


def _irfftn(axes):
    return lambda z, s: np.fft.irfftn(z, s=s, axes=axes)


S = fg.signal
CASES = [
    OpCase("Complex", lambda a, b: _parts(fg.complex(a, b)), [RE, IM],
           expected=lambda a, b: [a, b]),
    OpCase("Complex", lambda a, b: _parts(fg.complex(a, b)),
           [RE, np.array([0.5, -2.0, 1.0, 0.0, 3.0, -1.0], F32)],
           expected=lambda a, b: [a, np.broadcast_to(b, a.shape)], name="broadcast"),
    OpCase("Real", lambda a, b: fg.real(fg.complex(a, b)) * 3.0, [RE, IM],
           expected=lambda a, b: 3 * a),
    OpCase("Imag", lambda a, b: fg.imag(fg.complex(a, b)) * 3.0, [RE, IM],
           expected=lambda a, b: 3 * b),
    _complex_case("Conj", fg.conj, np.conjugate, RE, IM),
    OpCase("Angle", lambda a, b: fg.angle(fg.complex(a, b)), [RE_POS, IM_POS],
           expected=lambda a, b: np.arctan2(b, a), rtol=1e-5),
    OpCase("ComplexAbs", lambda a, b: fg.abs(fg.complex(a, b)), [RE_POS, IM_POS],
           expected=lambda a, b: np.sqrt(a.astype(np.float64) ** 2 + b.astype(np.float64) ** 2),
           rtol=1e-5),
    _complex_case("FFT", S.fft, np.fft.fft, RE, IM),
    _complex_case("IFFT", S.ifft, np.fft.ifft, RE, IM),
    _complex_case("FFT2D", S.fft2d, np.fft.fft2, RE3, IM3),
    _complex_case("IFFT2D", S.ifft2d, np.fft.ifft2, RE3, IM3),
    _complex_case("FFT3D", S.fft3d, lambda z: np.fft.fftn(z, axes=(-3, -2, -1)), RE4, IM4),
    _complex_case("IFFT3D", S.ifft3d, lambda z: np.fft.ifftn(z, axes=(-3, -2, -1)), RE4, IM4),
    _rfft_case("RFFT", S.rfft, lambda x, s: np.fft.rfft(x), RE, None),
    _rfft_case("RFFT", S.rfft, lambda x, s: np.fft.rfft(x, s[0]), RE, [9], name="pad-odd"),
    _rfft_case("RFFT", S.rfft, lambda x, s: np.fft.rfft(x, s[0]), RE, [4], name="crop"),
    _rfft_case("RFFT2D", S.rfft2d, _rfftn((-2, -1)), RE3, [3, 4]),
    _rfft_case("RFFT2D", S.rfft2d, _rfftn((-2, -1)), RE3, [2, 5], name="crop-pad"),
    _rfft_case("RFFT3D", S.rfft3d, _rfftn((-3, -2, -1)), RE4, [2, 3, 2]),
    _irfft_case("IRFFT", S.irfft, lambda z, s: np.fft.irfft(z), RE, IM, None),
    _irfft_case("IRFFT", S.irfft, lambda z, s: np.fft.irfft(z, s[0]), RE, IM, [7],
                name="odd"),
    _irfft_case("IRFFT", S.irfft, lambda z, s: np.fft.irfft(z, s[0]), RE, IM, [14],
                name="pad"),
    _irfft_case("IRFFT2D", S.irfft2d, _irfftn((-2, -1)), RE3, IM3, [3, 6]),
    _irfft_case("IRFFT2D", S.irfft2d, _irfftn((-2, -1)), RE3, IM3, [2, 5], name="crop"),
    _irfft_case("IRFFT3D", S.irfft3d, _irfftn((-3, -2, -1)), RE4, IM4, [2, 3, 2]),
]
