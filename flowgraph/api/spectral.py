"""`fg.spectral`: TF1's deprecated alias module of the FFT and DCT functions of fg.signal."""

from flowgraph.signal import (  # noqa: F401
    dct, fft, fft2d, fft3d, idct, ifft, ifft2d, ifft3d, irfft, irfft2d, irfft3d, rfft, rfft2d,
    rfft3d,
)
