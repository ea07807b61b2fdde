"""`fg.spectral`: TF1's deprecated alias module of the FFT and DCT functions of fg.signal."""

from flowgraph.ops.fft_ops import (  # noqa: F401
    fft,
    fft2d,
    fft3d,
    ifft,
    ifft2d,
    ifft3d,
    irfft,
    irfft2d,
    irfft3d,
    rfft,
    rfft2d,
    rfft3d,
)
from flowgraph.signal.dct_ops import dct, idct  # noqa: F401
