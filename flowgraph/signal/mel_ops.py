"""Mel-scale filterbanks and MFCCs (TF1's tf.signal.linear_to_mel_weight_matrix and
mfccs_from_log_mel_spectrograms), with HTK's mel scale: 1127 ln(1 + f / 700)."""

from __future__ import annotations

from typing import Any, Optional

import numpy as np

import flowgraph as fg
from flowgraph import dtypes
from flowgraph.signal.dct_ops import dct

_MEL_BREAK_FREQUENCY_HERTZ = 700.0
_MEL_HIGH_FREQUENCY_Q = 1127.0


def _hertz_to_mel(frequencies_hertz: np.ndarray, dtype: Any) -> np.ndarray:
    one = dtype.type(1.0)
    return dtype.type(_MEL_HIGH_FREQUENCY_Q) * np.log(
        one + frequencies_hertz / dtype.type(_MEL_BREAK_FREQUENCY_HERTZ))


def linear_to_mel_weight_matrix(num_mel_bins: int = 20, num_spectrogram_bins: int = 129,
                                sample_rate: float = 8000, lower_edge_hertz: float = 125.0,
                                upper_edge_hertz: float = 3800.0,
                                dtype: Any = dtypes.float32,
                                name: Optional[str] = None) -> fg.Tensor:
    """A [num_spectrogram_bins, num_mel_bins] matrix of triangular mel filters that maps
    magnitude spectrogram bins (0 Hz .. sample_rate / 2) to mel bands between the edges;
    the DC bin's row is 0, as HTK."""
    dtype = dtypes.as_dtype(dtype)
    if not dtype.is_floating:
        raise ValueError(f"dtype must be a floating point type. Got: {dtype.name}")
    if num_mel_bins <= 0:
        raise ValueError(f"num_mel_bins must be positive. Got: {num_mel_bins}")
    if num_spectrogram_bins <= 0:
        raise ValueError(f"num_spectrogram_bins must be positive. Got: {num_spectrogram_bins}")
    if sample_rate <= 0.0:
        raise ValueError(f"sample_rate must be positive. Got: {sample_rate}")
    if lower_edge_hertz < 0.0:
        raise ValueError(f"lower_edge_hertz must be non-negative. Got: {lower_edge_hertz}")
    if lower_edge_hertz >= upper_edge_hertz:
        raise ValueError(f"lower_edge_hertz {lower_edge_hertz} >= upper_edge_hertz "
                         f"{upper_edge_hertz}")
    if upper_edge_hertz > sample_rate / 2:
        raise ValueError(f"upper_edge_hertz must not be larger than the Nyquist frequency "
                         f"(sample_rate / 2). Got {upper_edge_hertz} for sample_rate: "
                         f"{sample_rate}")
    t = dtype.np.type
    nyquist = t(sample_rate) / t(2.0)
    linear = np.linspace(t(0.0), nyquist, num_spectrogram_bins, dtype=dtype.np)[1:]
    bins_mel = _hertz_to_mel(linear, dtype.np)[:, None]
    edges = np.linspace(_hertz_to_mel(t(lower_edge_hertz), dtype.np),
                        _hertz_to_mel(t(upper_edge_hertz), dtype.np), num_mel_bins + 2,
                        dtype=dtype.np)
    lower, center, upper = edges[:-2][None, :], edges[1:-1][None, :], edges[2:][None, :]
    lower_slopes = (bins_mel - lower) / (center - lower)
    upper_slopes = (upper - bins_mel) / (upper - center)
    weights = np.maximum(t(0.0), np.minimum(lower_slopes, upper_slopes))
    weights = np.concatenate([np.zeros((1, num_mel_bins), dtype.np), weights], 0)
    return fg.constant(weights.astype(dtype.np), name=name or "linear_to_mel_weight_matrix")


def mfccs_from_log_mel_spectrograms(log_mel_spectrograms: Any,
                                    name: Optional[str] = None) -> fg.Tensor:
    """MFCCs of [..., num_mel_bins] log-magnitude mel spectrograms: their orthonormal DCT-II
    (dct type 2 scaled by 1 / sqrt(2 num_mel_bins)), as HTK."""
    with fg.name_scope(name, "mfccs_from_log_mel_spectrograms", [log_mel_spectrograms]):
        spectrograms = fg.convert_to_tensor(log_mel_spectrograms, name="log_mel_spectrograms")
        if spectrograms.shape.ndims is not None and spectrograms.shape.ndims < 1:
            raise ValueError("log_mel_spectrograms must have rank at least 1, got a scalar.")
        bins = spectrograms.shape[-1].value if spectrograms.shape.ndims else None
        if bins is None:
            raise ValueError("mfccs_from_log_mel_spectrograms needs the number of mel bins "
                             "(the innermost dimension) known when the graph is built.")
        dct2 = dct(spectrograms, type=2)
        return dct2 * fg.constant(1.0 / np.sqrt(2.0 * bins), dtype=dct2.dtype)
