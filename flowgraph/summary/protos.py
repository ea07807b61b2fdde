"""TensorBoard's protobuf classes under TF1's names (`fg.summary.Summary`, `Event`, ...).

They are tensorboardX's classes, loaded on first use, so that ``import flowgraph`` works
without the optional extra: ``fg.summary.Summary(value=[fg.summary.Summary.Value(
tag="loss", simple_value=0.5)])`` builds a real protobuf, and ``isinstance`` checks work.
"""

from __future__ import annotations

from typing import Any

from flowgraph.ops.summary_encoding import load_protos

__all__ = ["Summary", "SummaryMetadata", "SummaryDescription", "HistogramProto", "Event",
           "SessionLog", "LogMessage", "TaggedRunMetadata"]


class _LazyProto(type):
    """Metaclass of stand-ins that forward calls, attributes and isinstance to the real
    protobuf class (``_module``, ``_message``)."""

    def real_class(cls) -> type:
        """The tensorboardX protobuf class; ImportError with the install hint if missing."""
        return getattr(getattr(load_protos(), cls._module), cls._message)

    def __call__(cls, *args: Any, **kwargs: Any) -> Any:
        return cls.real_class()(*args, **kwargs)

    def __getattr__(cls, name: str) -> Any:
        if name.startswith("_"):  # keep introspection (copy, inspect, pytest) off the import
            raise AttributeError(name)
        return getattr(cls.real_class(), name)

    def __instancecheck__(cls, obj: Any) -> bool:
        try:
            return isinstance(obj, cls.real_class())
        except ImportError:
            return False

    def __repr__(cls) -> str:
        return f"<protobuf class {cls._message} (tensorboardX, loaded on use)>"


class Summary(metaclass=_LazyProto):
    """A set of tagged values (``Summary.Value``: simple_value, histo, image, audio,
    tensor), as TF1's `tf.Summary`."""

    _module, _message = "summary_pb2", "Summary"


class SummaryMetadata(metaclass=_LazyProto):
    """How TensorBoard shows a value (plugin name and data, display name), as TF1's."""

    _module, _message = "summary_pb2", "SummaryMetadata"


class SummaryDescription(metaclass=_LazyProto):
    _module, _message = "summary_pb2", "SummaryDescription"


class HistogramProto(metaclass=_LazyProto):
    _module, _message = "summary_pb2", "HistogramProto"


class Event(metaclass=_LazyProto):
    """One record of an event file: a summary, graph, session log or run metadata."""

    _module, _message = "event_pb2", "Event"


class SessionLog(metaclass=_LazyProto):
    _module, _message = "event_pb2", "SessionLog"


class LogMessage(metaclass=_LazyProto):
    _module, _message = "event_pb2", "LogMessage"


class TaggedRunMetadata(metaclass=_LazyProto):
    _module, _message = "event_pb2", "TaggedRunMetadata"
