"""Summary ops: each outputs a serialized TensorBoard `Summary` protobuf (a string scalar).

The public builders with TF1's names and scoping rules (`fg.summary.scalar`, `histogram`,
`image`, `audio`, `text`, `tensor_summary`, `merge`, `merge_all`) live in
`flowgraph.summary`; this module holds the op definitions only, so ``__all__`` is empty.
Running a summary op needs tensorboardX (for the protobuf classes); building one does not.
"""

from __future__ import annotations

from typing import Any, Tuple

import numpy as np

from flowgraph import dtypes, errors
from flowgraph.ops.elementwise import check_dtype
from flowgraph.ops.registry import Op, register
from flowgraph.ops.summary_encoding import (
    as_string_scalar,
    encode_png,
    encode_wav,
    histogram_fields,
    load_protos,
    normalize_image,
    tag_text,
    tensor_proto,
)

__all__: list = []


def _protos() -> Any:
    try:
        return load_protos()
    except ImportError as exc:
        raise errors.FailedPreconditionError(None, None, str(exc)) from None


def _invalid(message: str) -> errors.InvalidArgumentError:
    return errors.InvalidArgumentError(None, None, message)


def _check_scalar_string(op: Any, tensor: Any, what: str) -> None:
    check_dtype(op, tensor, "S", what)
    if tensor.shape.ndims not in (None, 0):
        raise ValueError(f"{op.type} {what} must be a scalar string, got shape {tensor.shape}")


def _scalar_tag(tag: np.ndarray) -> str:
    if np.ndim(tag) != 0:
        raise _invalid(f"tag must be a scalar string, got shape {list(np.shape(tag))}")
    return tag_text(tag[()])


def _serialize(protos: Any, values: list) -> np.ndarray:
    summary = protos.summary_pb2.Summary(value=values)
    return as_string_scalar(summary.SerializeToString())


class _SummaryOp(Op):
    """Base of the summary ops: not differentiable, one string scalar output."""

    differentiable = False


@register
class ScalarSummary(_SummaryOp):
    """A Summary with one `simple_value` per element of `values`, tagged by `tags` (a string
    tensor of the same shape; in TF1 use, both are scalars)."""

    def infer(self, op):
        tags, values = op.inputs
        check_dtype(op, tags, "S", "tags")
        check_dtype(op, values, "fiu", "values")
        if not tags.shape.is_compatible_with(values.shape):
            raise ValueError(f"ScalarSummary tags and values must have the same shape, got "
                             f"tags {tags.shape} and values {values.shape}: a scalar summary "
                             "takes a single value (reduce it with fg.reduce_mean, or index it)")
        return [(dtypes.string, [])]

    def kernel(self, tags, values):
        if tags.shape != values.shape:
            first = tag_text(tags.reshape(-1)[0]) if tags.size else ""
            raise _invalid(f"tags and values not the same shape: {list(tags.shape)} != "
                           f"{list(values.shape)} (tag '{first}')")
        p = _protos()
        items = [p.summary_pb2.Summary.Value(tag=tag_text(t), simple_value=float(v))
                 for t, v in zip(tags.reshape(-1), values.reshape(-1))]
        return _serialize(p, items)


@register
class HistogramSummary(_SummaryOp):
    """A Summary with a histogram of `values` (TensorFlow's default exponential buckets)."""

    def infer(self, op):
        tag, values = op.inputs
        _check_scalar_string(op, tag, "tag")
        check_dtype(op, values, "fiu", "values")
        return [(dtypes.string, [])]

    def kernel(self, tag, values):
        name = _scalar_tag(tag)
        flat = values.astype(np.float64).reshape(-1)
        if flat.size and not np.all(np.isfinite(flat)):
            what = "Nan" if np.isnan(flat).any() else "Infinity"
            raise _invalid(f"{what} in summary histogram for: {name}")
        p = _protos()
        histo = p.summary_pb2.HistogramProto(**histogram_fields(flat))
        return _serialize(p, [p.summary_pb2.Summary.Value(tag=name, histo=histo)])


def _output_tag(base: str, kind: str, max_outputs: int, i: int) -> str:
    # As TF1: the tag depends on the number of requested outputs, not produced ones.
    return f"{base}/{kind}/{i}" if max_outputs > 1 else f"{base}/{kind}"


@register
class ImageSummary(_SummaryOp):
    """A Summary with up to `max_images` PNG images from a [batch, height, width, channels]
    tensor (channels 1, 3 or 4; uint8, or floats normalized as TF1 does)."""

    max_images: int = 3
    bad_color: Tuple[int, ...] = (255, 0, 0, 255)

    def check(self) -> None:
        if self.max_images < 1:
            raise ValueError(f"ImageSummary max_images must be >= 1, got {self.max_images}")
        if not self.bad_color or any(not 0 <= int(c) <= 255 for c in self.bad_color):
            raise ValueError(f"ImageSummary bad_color must be uint8 values, got "
                             f"{self.bad_color}")

    def infer(self, op):
        tag, tensor = op.inputs
        _check_scalar_string(op, tag, "tag")
        if tensor.dtype.name not in ("uint8", "float16", "float32", "float64"):
            raise TypeError(f"ImageSummary tensor {tensor.name} has dtype {tensor.dtype.name}; "
                            "expected uint8, float16, float32 or float64.")
        dims = tensor.shape.as_tuple()
        if dims is not None and (len(dims) != 4 or dims[3] not in (None, 1, 3, 4)):
            raise ValueError(f"ImageSummary tensor must be 4-D [batch, height, width, "
                             f"channels] with 1, 3 or 4 channels, got shape {tensor.shape}")
        return [(dtypes.string, [])]

    def kernel(self, tag, tensor):
        base = _scalar_tag(tag)
        if tensor.ndim != 4 or tensor.shape[3] not in (1, 3, 4):
            raise _invalid(f"Tensor must be 4-D with last dim 1, 3, or 4, not "
                           f"{list(tensor.shape)}")
        depth = tensor.shape[3]
        if depth > len(self.bad_color):
            raise _invalid(f"bad_color has {len(self.bad_color)} values, fewer than the "
                           f"{depth} channels of the images")
        p = _protos()
        bad = np.asarray(self.bad_color, dtype=np.uint8)
        items = []
        for i in range(min(tensor.shape[0], self.max_images)):
            image = normalize_image(tensor[i], bad)
            encoded = p.summary_pb2.Summary.Image(
                height=image.shape[0], width=image.shape[1], colorspace=depth,
                encoded_image_string=encode_png(image))
            items.append(p.summary_pb2.Summary.Value(
                tag=_output_tag(base, "image", self.max_images, i), image=encoded))
        return _serialize(p, items)


@register
class AudioSummaryV2(_SummaryOp):
    """A Summary with up to `max_outputs` 16-bit WAV clips from float32 audio
    [batch, frames, channels] or [batch, frames], values in [-1, 1]."""

    max_outputs: int = 3

    def check(self) -> None:
        if self.max_outputs < 1:
            raise ValueError(f"AudioSummaryV2 max_outputs must be >= 1, got "
                             f"{self.max_outputs}")

    def infer(self, op):
        tag, tensor, sample_rate = op.inputs
        _check_scalar_string(op, tag, "tag")
        if tensor.dtype != dtypes.float32:
            raise TypeError(f"AudioSummaryV2 tensor {tensor.name} has dtype "
                            f"{tensor.dtype.name}; expected float32.")
        if tensor.shape.ndims is not None and tensor.shape.ndims not in (2, 3):
            raise ValueError(f"AudioSummaryV2 tensor must be 2-D [batch, frames] or 3-D "
                             f"[batch, frames, channels], got shape {tensor.shape}")
        if sample_rate.dtype != dtypes.float32 or sample_rate.shape.ndims not in (None, 0):
            raise ValueError(f"AudioSummaryV2 sample_rate must be a float32 scalar, got "
                             f"{sample_rate.dtype.name}{sample_rate.shape}")
        return [(dtypes.string, [])]

    def kernel(self, tag, tensor, sample_rate):
        base = _scalar_tag(tag)
        if tensor.ndim not in (2, 3):
            raise _invalid(f"Tensor must be 3-D or 2-D, got: {list(tensor.shape)}")
        if np.ndim(sample_rate) != 0:
            raise _invalid(f"sample_rate must be rank 0, got shape {list(np.shape(sample_rate))}")
        rate = float(sample_rate)
        if not rate > 0:
            raise _invalid(f"sample_rate must be > 0, got {rate}")
        clips = tensor if tensor.ndim == 3 else tensor[:, :, None]
        p = _protos()
        items = []
        for i in range(min(clips.shape[0], self.max_outputs)):
            audio = p.summary_pb2.Summary.Audio(
                sample_rate=rate, num_channels=clips.shape[2], length_frames=clips.shape[1],
                encoded_audio_string=encode_wav(clips[i], rate), content_type="audio/wav")
            items.append(p.summary_pb2.Summary.Value(
                tag=_output_tag(base, "audio", self.max_outputs, i), audio=audio))
        return _serialize(p, items)


@register
class TensorSummaryV2(_SummaryOp):
    """A Summary holding a whole tensor as a TensorProto, with the SummaryMetadata given by
    the attributes (``plugin_name='text'`` for fg.summary.text)."""

    plugin_name: str = ""
    plugin_content: bytes = b""
    display_name: str = ""
    summary_description: str = ""

    def infer(self, op):
        tag, tensor = op.inputs
        _check_scalar_string(op, tag, "tag")
        return [(dtypes.string, [])]

    def kernel(self, tag, tensor):
        name = _scalar_tag(tag)
        p = _protos()
        s = p.summary_pb2
        metadata = s.SummaryMetadata(display_name=self.display_name,
                                     summary_description=self.summary_description)
        if self.plugin_name or self.plugin_content:
            metadata.plugin_data.CopyFrom(s.SummaryMetadata.PluginData(
                plugin_name=self.plugin_name, content=self.plugin_content))
        dtype = dtypes.string if tensor.dtype == object else dtypes.as_dtype(tensor.dtype)
        value = s.Summary.Value(tag=name, metadata=metadata,
                                tensor=tensor_proto(p, tensor, dtype))
        return _serialize(p, [value])


@register
class MergeSummary(_SummaryOp):
    """One Summary holding the values of all input Summaries (string tensors of serialized
    Summary protobufs, any shape); duplicate tags are an error."""

    def infer(self, op):
        if not op.inputs:
            raise ValueError("MergeSummary needs at least one input summary")
        for i, t in enumerate(op.inputs):
            check_dtype(op, t, "S", f"input {i}")
        return [(dtypes.string, [])]

    def kernel(self, *inputs):
        p = _protos()
        merged = p.summary_pb2.Summary()
        tags = set()
        for value in inputs:
            for item in np.asarray(value, dtype=object).reshape(-1):
                try:
                    summary = p.summary_pb2.Summary.FromString(bytes(item))
                except Exception:  # protobuf's DecodeError and friends
                    raise _invalid("Could not parse one of the summary inputs") from None
                for v in summary.value:
                    if v.tag and v.tag in tags:
                        raise _invalid(f"Duplicate tag {v.tag} found in summary inputs")
                    tags.add(v.tag)
                    merged.value.add().CopyFrom(v)
        return as_string_scalar(merged.SerializeToString())
