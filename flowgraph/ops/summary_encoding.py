"""Encoders for the summary ops: TensorBoard protobufs, PNG images, WAV audio, histograms.

The protobuf classes come from tensorboardX (the optional ``tensorboard`` extra), imported
only when a summary is computed or written, so that graphs with summary ops build without it.
"""

from __future__ import annotations

import io
import struct
import types
import wave
import zlib
from typing import Any

import numpy as np

from flowgraph import dtypes

INSTALL_HINT = ("TensorBoard summaries need the tensorboardX package: "
                "pip install 'flowgraph[tensorboard]' (or pip install tensorboardX).")

# TensorFlow's DataType enum values (tensorflow/core/framework/types.proto).
TF_DATATYPE = {
    "float32": 1, "float64": 2, "int32": 3, "uint8": 4, "int16": 5, "int8": 6,
    "string": 7, "int64": 9, "bool": 10, "uint16": 17, "float16": 19, "uint32": 22, "uint64": 23,
}

_PROTO_MODULES = ("summary_pb2", "event_pb2", "graph_pb2", "node_def_pb2", "attr_value_pb2",
                  "tensor_pb2", "tensor_shape_pb2", "versions_pb2")


def load_protos() -> types.SimpleNamespace:
    """tensorboardX's bundled TensorFlow protobuf modules, as attributes (``.summary_pb2``...).

    Raises ImportError with the install hint when tensorboardX is not installed.
    """
    modules = {}
    try:
        for name in _PROTO_MODULES:
            package = __import__(f"tensorboardX.proto.{name}", fromlist=[name])
            modules[name] = package
    except ImportError as exc:
        raise ImportError(f"{INSTALL_HINT} ({exc})") from exc
    return types.SimpleNamespace(**modules)


def datatype_enum(dtype: Any) -> int:
    """TensorFlow's DataType enum value for a flowgraph dtype (0, DT_INVALID, if none)."""
    return TF_DATATYPE.get(dtypes.as_dtype(dtype).name, 0)


def shape_proto(protos: Any, dims: Any) -> Any:
    """A TensorShapeProto; `dims` is a tuple with None for unknown sizes, or None (unknown
    rank). Unknown sizes are written as -1, as TensorFlow does."""
    proto = protos.tensor_shape_pb2.TensorShapeProto()
    if dims is None:
        proto.unknown_rank = True
        return proto
    for d in dims:
        proto.dim.add(size=-1 if d is None else int(d))
    return proto


def tensor_proto(protos: Any, value: np.ndarray, dtype: Any) -> Any:
    """A TensorProto holding `value` (strings in ``string_val``, numbers as raw
    little-endian ``tensor_content``, as TensorFlow's ``AsProtoTensorContent``)."""
    dtype = dtypes.as_dtype(dtype)
    value = np.asarray(value)
    proto = protos.tensor_pb2.TensorProto(dtype=datatype_enum(dtype),
                                          tensor_shape=shape_proto(protos, value.shape))
    if dtype.is_string:
        proto.string_val.extend(to_bytes(v) for v in value.reshape(-1))
    else:
        little = value.astype(np.dtype(dtype.np).newbyteorder("<"), copy=False)
        proto.tensor_content = np.ascontiguousarray(little).tobytes()
    return proto


def to_bytes(value: Any) -> bytes:
    return value.encode("utf-8") if isinstance(value, str) else bytes(value)


def tag_text(value: Any) -> str:
    """A tag read from a string tensor element, as the protobuf's str."""
    return to_bytes(value).decode("utf-8", errors="replace")


def as_string_scalar(data: bytes) -> np.ndarray:
    """A 0-d string tensor value (object array holding bytes)."""
    out = np.empty((), dtype=object)
    out[()] = data
    return out


# --------------------------------------------------------------------------- histograms
def _default_bucket_limits() -> np.ndarray:
    # TensorFlow's default histogram buckets (core/lib/histogram/histogram.cc): limits grow
    # by 10% from 1e-12 to 1e20, mirrored for negative values, with 0 and +-DBL_MAX.
    positive = []
    v = 1.0e-12
    while v < 1.0e20:
        positive.append(v)
        v *= 1.1
    big = float(np.finfo(np.float64).max)
    positive.append(big)
    limits = np.array([-x for x in reversed(positive)] + [0.0] + positive)
    limits.flags.writeable = False
    return limits


BUCKET_LIMITS = _default_bucket_limits()


def histogram_fields(values: np.ndarray) -> dict:
    """The fields of a HistogramProto for finite `values`, as TensorFlow encodes them: runs of
    empty buckets collapse into one entry holding the last limit of the run."""
    values = np.asarray(values, dtype=np.float64).reshape(-1)
    big = float(np.finfo(np.float64).max)
    if values.size == 0:
        return dict(min=big, max=-big, num=0.0, sum=0.0, sum_squares=0.0,
                    bucket_limit=[big], bucket=[0.0])
    # A bucket i counts values in [limit[i-1], limit[i]) (C++ upper_bound).
    index = np.minimum(np.searchsorted(BUCKET_LIMITS, values, side="right"),
                       BUCKET_LIMITS.size - 1)
    counts = np.bincount(index, minlength=BUCKET_LIMITS.size)[:BUCKET_LIMITS.size]
    limits, buckets = [], []
    i, n = 0, BUCKET_LIMITS.size
    while i < n:
        end, count = BUCKET_LIMITS[i], counts[i]
        i += 1
        if count <= 0:
            while i < n and counts[i] <= 0:
                end, count = BUCKET_LIMITS[i], counts[i]
                i += 1
        limits.append(float(end))
        buckets.append(float(count))
    return dict(min=float(values.min()), max=float(values.max()), num=float(values.size),
                sum=float(values.sum()), sum_squares=float(np.dot(values, values)),
                bucket_limit=limits, bucket=buckets)


# --------------------------------------------------------------------------- images
def normalize_image(image: np.ndarray, bad_color: np.ndarray) -> np.ndarray:
    """One [h, w, c] image as uint8, as TensorFlow's ImageSummary: uint8 is kept; floats all
    >= 0 are scaled so the largest is 255; with negatives, scaled by the largest magnitude
    and centred at 128. Pixels with a non-finite channel get `bad_color`."""
    if image.dtype == np.uint8:
        return image
    h, w, depth = image.shape
    out = np.empty((h, w, depth), dtype=np.uint8)
    if image.size == 0:
        return out
    finite = np.all(np.isfinite(image), axis=-1)
    good = image[finite].astype(np.float32)
    image_min = np.float32(good.min()) if good.size else np.float32(np.inf)
    image_max = np.float32(good.max()) if good.size else np.float32(-np.inf)
    t = image.dtype.type
    threshold = np.float32(1e-6)
    if image_min < 0:
        max_val = max(abs(image_min), abs(image_max))
        scale = t(0.0 if max_val < threshold else np.float32(127.0) / max_val)
        offset = t(128.0)
    else:
        scale = t(0.0 if image_max < threshold else np.float32(255.0) / image_max)
        offset = t(0.0)
    with np.errstate(invalid="ignore", over="ignore"):
        scaled = image * scale + offset
        out[finite] = np.trunc(scaled[finite]).astype(np.uint8)
    out[~finite] = bad_color[:depth]
    return out


def encode_png(image: np.ndarray) -> bytes:
    """An 8-bit PNG of a uint8 [h, w, c] image (c = 1 gray, 3 RGB, 4 RGBA)."""
    h, w, depth = image.shape
    color_type = {1: 0, 2: 4, 3: 2, 4: 6}[depth]
    rows = np.concatenate([np.zeros((h, 1), np.uint8),
                           np.ascontiguousarray(image).reshape(h, w * depth)], axis=1)

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", w, h, 8, color_type, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(rows.tobytes(), 6)) + chunk(b"IEND", b""))


# --------------------------------------------------------------------------- audio
def encode_wav(samples: np.ndarray, sample_rate: float) -> bytes:
    """A 16-bit PCM WAV of float samples [frames, channels] in [-1, 1] (clipped), rounded as
    TensorFlow's ``FloatToInt16Sample``."""
    scaled = samples.astype(np.float32) * np.float32(32768.0)
    rounded = np.sign(scaled) * np.floor(np.abs(scaled) + np.float32(0.5))
    pcm = np.clip(rounded, -32768, 32767).astype("<i2")
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(samples.shape[1])
        out.setsampwidth(2)
        out.setframerate(int(round(sample_rate)))
        out.writeframes(pcm.tobytes())
    return buffer.getvalue()
