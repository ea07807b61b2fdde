"""Short-time Fourier transforms (TF1's tf.signal.stft, inverse_stft,
inverse_stft_window_fn), composed from frame, the windows, rfft / irfft and overlap_and_add."""

from __future__ import annotations

import math
from typing import Any, Callable, Optional

import flowgraph as fg
from flowgraph.ops.fft_ops import irfft, rfft
from flowgraph.signal.framing import _static_int, frame, overlap_and_add
from flowgraph.signal.windows import hann_window


def _enclosing_power_of_two(value: int) -> int:
    return 1 if value <= 1 else 2 ** int(math.ceil(math.log2(value)))


def stft(signals: Any, frame_length: Any, frame_step: Any, fft_length: Any = None,
         window_fn: Optional[Callable] = hann_window, pad_end: bool = False,
         name: Optional[str] = None) -> fg.Tensor:
    """The short-time Fourier transform of real `signals` [..., samples]:
    [..., frames, fft_length // 2 + 1] complex, each frame windowed by
    ``window_fn(frame_length, dtype=...)`` (none if None). `fft_length` defaults to the
    smallest power of 2 enclosing frame_length."""
    with fg.name_scope(name, "stft", [signals, frame_length, frame_step]):
        signals = fg.convert_to_tensor(signals, name="signals")
        if signals.shape.ndims is not None and signals.shape.ndims < 1:
            raise ValueError(f"signals must have rank at least 1, got {signals.shape}.")
        length = _static_int(frame_length, "frame_length")
        if fft_length is None:
            fft_length = _enclosing_power_of_two(length)
        fft_length = _static_int(fft_length, "fft_length")
        framed = frame(signals, length, frame_step, pad_end=pad_end)
        if window_fn is not None:
            framed = framed * window_fn(length, dtype=framed.dtype)
        return rfft(framed, [fft_length])


def inverse_stft_window_fn(frame_step: Any, forward_window_fn: Callable = hann_window,
                           name: Optional[str] = None) -> Callable:
    """A window_fn for inverse_stft that undoes `forward_window_fn` with this frame_step:
    the forward window divided by the overlapping sum of its squares."""
    def inverse_stft_window_fn_inner(frame_length: Any, dtype: Any) -> fg.Tensor:
        with fg.name_scope(name, "inverse_stft_window_fn", [forward_window_fn]):
            step = _static_int(frame_step, "frame_step")
            length = _static_int(frame_length, "frame_length")
            forward_window = forward_window_fn(length, dtype=dtype)
            denom = fg.square(forward_window)
            overlaps = -(-length // step)
            denom = fg.pad(denom, [(0, overlaps * step - length)])
            denom = fg.reshape(denom, [overlaps, step])
            denom = fg.reduce_sum(denom, 0, keepdims=True)
            denom = fg.tile(denom, [overlaps, 1])
            denom = fg.reshape(denom, [overlaps * step])
            return forward_window / denom[:length]
    return inverse_stft_window_fn_inner


def inverse_stft(stfts: Any, frame_length: Any, frame_step: Any, fft_length: Any = None,
                 window_fn: Optional[Callable] = hann_window,
                 name: Optional[str] = None) -> fg.Tensor:
    """Real signals [..., samples] from complex `stfts` [..., frames, fft_length // 2 + 1]:
    irfft of each frame, cut or zero-padded to frame_length, windowed, then overlapped and
    added. Use ``window_fn=inverse_stft_window_fn(frame_step)`` to invert `stft`."""
    with fg.name_scope(name, "inverse_stft", [stfts]):
        stfts = fg.convert_to_tensor(stfts, name="stfts")
        if stfts.shape.ndims is not None and stfts.shape.ndims < 2:
            raise ValueError(f"stfts must have rank at least 2, got {stfts.shape}.")
        length = _static_int(frame_length, "frame_length")
        if fft_length is None:
            fft_length = _enclosing_power_of_two(length)
        fft_length = _static_int(fft_length, "fft_length")
        real_frames = irfft(stfts, [fft_length])
        if fft_length > length:
            real_frames = real_frames[..., :length]
        elif fft_length < length:
            rank = real_frames.shape.ndims
            if rank is None:
                raise ValueError("inverse_stft needs stfts of known rank when frame_length "
                                 "exceeds fft_length.")
            real_frames = fg.pad(real_frames, [[0, 0]] * (rank - 1) + [[0, length - fft_length]])
        if window_fn is not None:
            real_frames = real_frames * window_fn(length, dtype=stfts.dtype.real_dtype)
        return overlap_and_add(real_frames, frame_step)
