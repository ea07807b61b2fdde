"""TF1's WAV codec ops, `tf.audio.decode_wav` and `tf.audio.encode_wav`: 16-bit PCM WAV
data to float32 samples in [-1, 1) (int16 / 32768) and back, with TF's header checks."""

from __future__ import annotations

import collections
import struct
from typing import Any, Optional

import numpy as np

from flowgraph import dtypes, errors
from flowgraph.graph import Tensor
from flowgraph.ops.constant import convert_to_tensor
from flowgraph.ops.elementwise import check_dtype
from flowgraph.ops.registry import Op, apply_op, register
from flowgraph.ops.summary_encoding import encode_wav as _encode_pcm16
from flowgraph.shapes import TensorShape

__all__ = ["decode_wav", "encode_wav"]

_INT32_MAX = (1 << 31) - 1

# TF1 returns a namedtuple: `audio, rate = decode_wav(...)` or `.audio` / `.sample_rate`.
DecodeWavOutput = collections.namedtuple("DecodeWav", ["audio", "sample_rate"])


def _bad(message: str) -> errors.InvalidArgumentError:
    return errors.InvalidArgumentError(None, None, message)


class _Reader:
    """Reads little-endian fields of WAV data at a moving offset, as TF's wav_io.cc."""

    def __init__(self, data: bytes) -> None:
        self.data, self.offset = data, 0

    def take(self, n: int) -> bytes:
        if self.offset + n > len(self.data):
            raise _bad(f"Data too short when trying to read string: need {n} bytes at offset "
                       f"{self.offset} of {len(self.data)}; is this a complete WAV file?")
        out = self.data[self.offset:self.offset + n]
        self.offset += n
        return out

    def expect(self, text: bytes) -> None:
        found = self.take(len(text))
        if found != text:
            raise _bad(f"Header mismatch: Expected {text.decode('latin-1')} but found "
                       f"{found.decode('latin-1')}")

    def value(self, fmt: str) -> int:
        return struct.unpack("<" + fmt, self.take(struct.calcsize(fmt)))[0]


def parse_wav(data: bytes) -> tuple:
    """(int16 samples [frames, channels], sample rate) of 16-bit PCM WAV `data`."""
    r = _Reader(data)
    r.expect(b"RIFF")
    r.value("I")  # the RIFF size, not checked (as TF)
    r.expect(b"WAVE")
    r.expect(b"fmt ")
    fmt_size = r.value("I")
    if fmt_size not in (16, 18):
        raise _bad(f"Bad format chunk size for WAV: Expected 16 or 18, but got {fmt_size}")
    audio_format = r.value("H")
    if audio_format != 1:
        raise _bad(f"Bad audio format for WAV: Expected 1 (PCM), but got {audio_format}")
    channels = r.value("H")
    if channels < 1:
        raise _bad(f"Bad number of channels for WAV file: {channels}")
    rate, byte_rate, block_align, bits = r.value("I"), r.value("I"), r.value("H"), r.value("H")
    if bits != 16:
        raise _bad(f"Can only read 16-bit WAV files, but received {bits}")
    if block_align != channels * 2:
        raise _bad(f"Bad bytes per sample in WAV header: Expected {channels * 2} but got "
                   f"{block_align}")
    if byte_rate != block_align * rate:
        raise _bad(f"Bad bytes per second in WAV header: Expected {block_align * rate} but got "
                   f"{byte_rate} (sample_rate={rate}, bytes_per_sample={block_align})")
    if rate > _INT32_MAX:
        raise _bad(f"sample_rate {rate} does not fit in an int32")
    if fmt_size == 18:
        r.take(2)
    samples = None
    while r.offset < len(data):
        chunk_id = r.take(4)
        size = r.value("I")
        if size > _INT32_MAX:
            raise _bad(f"WAV data chunk '{chunk_id.decode('latin-1')}' is too large: {size} "
                       f"bytes, but the limit is {_INT32_MAX}")
        if chunk_id != b"data":
            r.offset += size  # other chunks are skipped, by their exact size (as TF)
            continue
        if samples is not None:
            raise _bad("More than one data chunk found in WAV")
        frames = size // block_align
        raw = r.take(frames * block_align)
        samples = np.frombuffer(raw, dtype="<i2").reshape(frames, channels)
    if samples is None:
        raise _bad("No data chunk found in WAV")
    return samples, rate


@register
class DecodeWav(Op):
    """Decodes a scalar string of 16-bit PCM WAV data into float32 audio [samples,
    channels] (int16 / 32768) and the int32 sample rate. `desired_channels` /
    `desired_samples` (-1: as in the file) repeat the last channel or keep the first
    ones, and zero-pad or truncate the samples."""

    desired_channels: int = -1
    desired_samples: int = -1
    differentiable = False

    def check(self) -> None:
        for field in ("desired_channels", "desired_samples"):
            if getattr(self, field) < -1:
                raise ValueError(f"DecodeWav: {field} must be -1 (as in the file) or >= 0, "
                                 f"got {getattr(self, field)}")

    def infer(self, op):
        contents = op.inputs[0]
        check_dtype(op, contents, "S", "contents")
        if contents.shape.ndims not in (None, 0):
            raise ValueError(f"DecodeWav: contents must be a scalar string, got shape "
                             f"{contents.shape}")
        shape = [None if n == -1 else n for n in (self.desired_samples, self.desired_channels)]
        return [(dtypes.float32, TensorShape(shape)), (dtypes.int32, TensorShape([]))]

    def kernel(self, contents):
        if np.ndim(contents) != 0:
            raise _bad(f"contents must be scalar, got shape {list(np.shape(contents))}")
        value = contents.item() if isinstance(contents, np.ndarray) else contents
        pcm, rate = parse_wav(value.encode("utf-8") if isinstance(value, str) else bytes(value))
        frames, channels = pcm.shape
        out_frames = frames if self.desired_samples == -1 else self.desired_samples
        out_channels = channels if self.desired_channels == -1 else self.desired_channels
        audio = np.zeros((out_frames, out_channels), dtype=np.float32)
        source = np.minimum(np.arange(out_channels), channels - 1)
        kept = min(frames, out_frames)
        audio[:kept] = pcm[:kept][:, source].astype(np.float32) / np.float32(32768.0)
        return audio, np.int32(rate)


@register
class EncodeWav(Op):
    """Encodes float32 audio [samples, channels] as a 16-bit PCM WAV string: each sample
    times 32768, rounded half away from zero and clipped to int16 (NaN as 0), as TF."""

    differentiable = False

    def infer(self, op):
        audio, rate = op.inputs
        for tensor, dtype, what in ((audio, dtypes.float32, "audio"),
                                    (rate, dtypes.int32, "sample_rate")):
            if tensor.dtype != dtype:
                raise TypeError(f"EncodeWav: {what} {tensor.name} must be {dtype.name}, got "
                                f"{tensor.dtype.name}")
        if audio.shape.ndims not in (None, 2):
            raise ValueError(f"EncodeWav: audio must be 2-D [samples, channels], got shape "
                             f"{audio.shape}")
        if rate.shape.ndims not in (None, 0):
            raise ValueError(f"EncodeWav: sample_rate must be a scalar, got shape {rate.shape}")
        return [(dtypes.string, TensorShape([]))]

    def kernel(self, audio, rate):
        rate = int(rate)
        if rate <= 0:
            raise _bad(f"sample_rate must be in (0, 2^32), got: {rate}")
        if audio.ndim != 2 or audio.shape[1] == 0:
            raise _bad(f"audio must be [samples, channels] with at least one channel, got "
                       f"shape {list(audio.shape)}")
        samples = np.where(np.isnan(audio), np.float32(0), audio)
        out = np.empty((), dtype=object)
        out[()] = _encode_pcm16(samples, rate)
        return out


def decode_wav(contents: Any, desired_channels: int = -1, desired_samples: int = -1,
               name: Optional[str] = None) -> Any:
    """Decodes 16-bit PCM WAV data (a scalar string) into ``(audio, sample_rate)``: float32
    [samples, channels] in [-1, 1) and an int32 scalar, as ``tf.audio.decode_wav``.

    >>> audio, rate = fg.audio.decode_wav(fg.io.read_file("speech.wav"), desired_channels=1)
    """
    tensor = convert_to_tensor(contents, dtype=dtypes.string)
    op_def = DecodeWav(desired_channels=desired_channels, desired_samples=desired_samples)
    audio, rate = apply_op(op_def, [tensor], name=name)
    return DecodeWavOutput(audio, rate)


def encode_wav(audio: Any, sample_rate: Any, name: Optional[str] = None) -> Tensor:
    """Encodes float32 audio [samples, channels] (in [-1, 1]; clipped) as a 16-bit PCM WAV
    string, as ``tf.audio.encode_wav``; `sample_rate` is an int32 scalar."""
    audio = convert_to_tensor(audio, dtype=dtypes.float32)
    rate = convert_to_tensor(sample_rate, dtype=dtypes.int32)
    return apply_op(EncodeWav(), [audio, rate], name=name)
