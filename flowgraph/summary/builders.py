"""The summary builders with TF1's names, arguments, scoping and collections.

Each summary op is created in a name scope `name` (made unique in the graph, so a second
``scalar("loss", ...)`` gets ``loss_1``), and its tag is that scope's name without the
trailing slash: ``with fg.name_scope("train"): scalar("loss", x)`` is tagged ``train/loss``.
With a `family`, the scope is ``family/name`` and the tag is prefixed by the family once more
(``family/family/name``), exactly as TF1.
"""

from __future__ import annotations

import contextlib
import re
from typing import Any, Iterator, Optional, Sequence

from flowgraph import dtypes
from flowgraph.graph import GraphKeys, Tensor, get_default_graph, name_scope
from flowgraph.ops.constant import constant, convert_to_tensor
from flowgraph.ops.registry import apply_op, graph_of
from flowgraph.ops.summary_encoding import load_protos
from flowgraph.ops.summary_ops import (
    AudioSummaryV2,
    HistogramSummary,
    ImageSummary,
    MergeSummary,
    ScalarSummary,
    TensorSummaryV2,
)

__all__ = ["scalar", "histogram", "image", "audio", "text", "tensor_summary", "merge",
           "merge_all"]

_INVALID_TAG_CHARACTERS = re.compile(r"[^-/\w.]")


def clean_tag(name: Optional[str]) -> Optional[str]:
    """`name` with characters TensorBoard does not allow replaced by '_' and leading slashes
    removed, as TF1's summary names."""
    if name is None:
        return None
    return _INVALID_TAG_CHARACTERS.sub("_", name).lstrip("/")


@contextlib.contextmanager
def summary_scope(name: Optional[str], family: Optional[str] = None,
                  default_name: Optional[str] = None,
                  values: Optional[Sequence[Any]] = None) -> Iterator[tuple]:
    """Opens the name scope of a summary op; yields ``(tag, scope)``.

    Ops created inside go to the graph of `values` (else the default graph).
    """
    name = clean_tag(name)
    family = clean_tag(family)
    base = name if family is None or name is None else f"{family}/{name}"
    graph = graph_of(*(values or ()))
    with graph.as_default(), name_scope(base, default_name, values) as scope:
        tag = scope.rstrip("/")
        if family is not None:
            tag = f"{family}/{tag}"
        yield tag, scope


def _collect(value: Tensor, collections: Optional[Sequence[str]],
             default: Sequence[str]) -> None:
    if isinstance(collections, str):
        raise TypeError(f"collections must be a list of collection keys, got the string "
                        f"{collections!r}; use [{collections!r}]")
    for key in default if collections is None else collections:
        value.graph.add_to_collection(key, value)


def scalar(name: str, tensor: Any, collections: Optional[Sequence[str]] = None,
           family: Optional[str] = None) -> Tensor:
    """A summary of one real number (a scalar tensor), as TF1's `tf.summary.scalar`.

    Returns a string scalar: the serialized `Summary` protobuf, for
    `fg.summary.FileWriter.add_summary`. Added to `collections` (default
    ``[GraphKeys.SUMMARIES]``, so `merge_all` finds it).

    >>> loss_summary = fg.summary.scalar("loss", loss)
    """
    with summary_scope(name, family, values=[tensor]) as (tag, scope):
        tags = constant(tag, dtypes.string, name="tags")
        values = convert_to_tensor(tensor, name="values")
        value = apply_op(ScalarSummary(), [tags, values], name=scope)
    _collect(value, collections, [GraphKeys.SUMMARIES])
    return value


def histogram(name: str, values: Any, collections: Optional[Sequence[str]] = None,
              family: Optional[str] = None) -> Tensor:
    """A histogram of all the elements of `values` (any shape, real numbers), as TF1's
    `tf.summary.histogram`. Running it with a NaN or infinite value is an
    InvalidArgumentError."""
    with summary_scope(name, family, default_name="HistogramSummary",
                       values=[values]) as (tag, scope):
        tag_tensor = constant(tag, dtypes.string, name="tag")
        values = convert_to_tensor(values, name="values")
        value = apply_op(HistogramSummary(), [tag_tensor, values], name=scope)
    _collect(value, collections, [GraphKeys.SUMMARIES])
    return value


def image(name: str, tensor: Any, max_outputs: int = 3,
          collections: Optional[Sequence[str]] = None, family: Optional[str] = None) -> Tensor:
    """Up to `max_outputs` images from a 4-D tensor [batch, height, width, channels]
    (channels 1: grayscale, 3: RGB, 4: RGBA), as TF1's `tf.summary.image`.

    uint8 values are written as they are; float images are rescaled per image (values all
    >= 0: the largest becomes 255; with negatives: 0 becomes 128 and the largest magnitude
    127). Tags are ``name/image/0``, ``name/image/1``... (``name/image`` when
    ``max_outputs == 1``).
    """
    with summary_scope(name, family, values=[tensor]) as (tag, scope):
        tag_tensor = constant(tag, dtypes.string, name="tag")
        tensor = convert_to_tensor(tensor, name="tensor")
        value = apply_op(ImageSummary(max_images=max_outputs), [tag_tensor, tensor],
                         name=scope)
    _collect(value, collections, [GraphKeys.SUMMARIES])
    return value


def audio(name: str, tensor: Any, sample_rate: Any, max_outputs: int = 3,
          collections: Optional[Sequence[str]] = None, family: Optional[str] = None) -> Tensor:
    """Up to `max_outputs` WAV clips from float32 audio [batch, frames, channels] or
    [batch, frames] with values in [-1, 1], as TF1's `tf.summary.audio`. `sample_rate` is in
    hertz (a number or float32 scalar tensor)."""
    with summary_scope(name, family, values=[tensor]) as (tag, scope):
        tag_tensor = constant(tag, dtypes.string, name="tag")
        tensor = convert_to_tensor(tensor, name="tensor")
        rate = convert_to_tensor(sample_rate, dtype=dtypes.float32, name="sample_rate")
        value = apply_op(AudioSummaryV2(max_outputs=max_outputs), [tag_tensor, tensor, rate],
                         name=scope)
    _collect(value, collections, [GraphKeys.SUMMARIES])
    return value


def text(name: str, tensor: Any, collections: Optional[Sequence[str]] = None) -> Tensor:
    """A string tensor shown in TensorBoard's Text tab (Markdown), as TF1's
    `tf.summary.text`. Raises ValueError if `tensor` is not a string tensor."""
    if isinstance(tensor, Tensor) and not tensor.dtype.is_string:
        raise ValueError(f"Expected tensor {tensor.name} to have dtype string, got "
                         f"{tensor.dtype.name}")
    return _tensor_summary(name, tensor, TensorSummaryV2(plugin_name="text"), collections,
                           None, strings_only=True)


def tensor_summary(name: str, tensor: Any, summary_description: Optional[str] = None,
                   collections: Optional[Sequence[str]] = None, summary_metadata: Any = None,
                   family: Optional[str] = None, display_name: Optional[str] = None) -> Tensor:
    """A summary holding a whole tensor, as TF1's `tf.summary.tensor_summary`.

    `summary_metadata` may be a `fg.summary.SummaryMetadata` protobuf (or its serialized
    bytes); `summary_description` and `display_name` override its fields.
    """
    plugin_name, content, shown, description = _metadata_fields(summary_metadata)
    op_def = TensorSummaryV2(
        plugin_name=plugin_name, plugin_content=content,
        display_name=shown if display_name is None else display_name,
        summary_description=description if summary_description is None
        else summary_description)
    return _tensor_summary(name, tensor, op_def, collections, family)


def _tensor_summary(name: str, tensor: Any, op_def: TensorSummaryV2,
                    collections: Optional[Sequence[str]], family: Optional[str],
                    strings_only: bool = False) -> Tensor:
    with summary_scope(name, family, values=[tensor]) as (tag, scope):
        tag_tensor = constant(tag, dtypes.string, name="tag")
        tensor = convert_to_tensor(tensor, name="tensor")
        if strings_only and not tensor.dtype.is_string:
            raise ValueError(f"Expected tensor {tensor.name} to have dtype string, got "
                             f"{tensor.dtype.name}")
        value = apply_op(op_def, [tag_tensor, tensor], name=scope)
    _collect(value, collections, [GraphKeys.SUMMARIES])
    return value


def _metadata_fields(metadata: Any) -> tuple:
    if metadata is None:
        return "", b"", "", ""
    if isinstance(metadata, (bytes, bytearray)):
        metadata = load_protos().summary_pb2.SummaryMetadata.FromString(bytes(metadata))
    plugin = metadata.plugin_data
    return (plugin.plugin_name, bytes(plugin.content), metadata.display_name,
            metadata.summary_description)


def merge(inputs: Sequence[Any], collections: Optional[Sequence[str]] = None,
          name: Optional[str] = None) -> Tensor:
    """One summary holding the values of all `inputs` (string tensors of serialized
    summaries), as TF1's `tf.summary.merge`. Not added to any collection by default.
    Running it with two values of the same tag is an InvalidArgumentError."""
    if isinstance(inputs, Tensor) or not isinstance(inputs, (list, tuple)):
        raise TypeError(f"merge() takes a list of summary tensors, got "
                        f"{type(inputs).__name__}")
    if not inputs:
        raise ValueError("merge() needs at least one summary tensor; merge_all() returns None "
                         "when there is none")
    name = clean_tag(name)
    graph = graph_of(inputs)
    with graph.as_default(), name_scope(name, "Merge", inputs):
        tensors = [convert_to_tensor(t) for t in inputs]
        value = apply_op(MergeSummary(), tensors, name=name)
    _collect(value, collections, [])
    return value


def merge_all(key: str = GraphKeys.SUMMARIES, scope: Optional[str] = None,
              name: Optional[str] = None) -> Optional[Tensor]:
    """Merges every summary in the default graph's collection `key` (only those whose name
    matches `scope`, if given); None when there is none, as TF1's `tf.summary.merge_all`."""
    summaries = get_default_graph().get_collection(key, scope=scope)
    if not summaries:
        return None
    return merge(summaries, name=name)
