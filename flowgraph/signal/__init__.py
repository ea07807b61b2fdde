"""`fg.signal` (TF1's `tf.signal`): FFTs over the innermost dimensions and signal helpers."""

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
from flowgraph.ops.signal_shift import fftshift, ifftshift  # noqa: E402,F401 - tf.signal
from flowgraph.signal.dct_ops import dct, idct  # noqa: E402,F401
from flowgraph.signal.framing import frame, overlap_and_add  # noqa: E402,F401
from flowgraph.signal.mel_ops import (  # noqa: E402,F401
    linear_to_mel_weight_matrix,
    mfccs_from_log_mel_spectrograms,
)
from flowgraph.signal.spectral import inverse_stft, inverse_stft_window_fn, stft  # noqa: E402,F401
from flowgraph.signal.windows import hamming_window, hann_window  # noqa: E402,F401
