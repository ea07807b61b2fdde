"""flowgraph's `fg.RunMetadata` (traced op timings) as TensorFlow's `RunMetadata` protobuf.

tensorboardX does not bundle `RunMetadata` / `StepStats`, so their schema (the subset that
flowgraph records, with TensorFlow's field numbers from ``config.proto`` and
``step_stats.proto``) is declared here through protobuf's descriptor API; the bytes are what
TensorBoard's Graphs tab reads for "Session runs" (compute time per node).
"""

from __future__ import annotations

from typing import Any

from flowgraph.ops.summary_encoding import INSTALL_HINT

# (message, [(field name, number, type, label, message type or "")]); TensorFlow's numbers.
_INT64, _UINT32, _STRING, _BYTES, _MESSAGE = 3, 13, 9, 12, 11
_OPTIONAL, _REPEATED = 1, 3
_SCHEMA = (
    ("NodeExecStats", (
        ("node_name", 1, _STRING, _OPTIONAL, ""),
        ("all_start_micros", 2, _INT64, _OPTIONAL, ""),
        ("op_start_rel_micros", 3, _INT64, _OPTIONAL, ""),
        ("op_end_rel_micros", 4, _INT64, _OPTIONAL, ""),
        ("all_end_rel_micros", 5, _INT64, _OPTIONAL, ""),
        ("timeline_label", 8, _STRING, _OPTIONAL, ""),
        ("scheduled_micros", 9, _INT64, _OPTIONAL, ""),
        ("thread_id", 10, _UINT32, _OPTIONAL, ""),
    )),
    ("DeviceStepStats", (
        ("device", 1, _STRING, _OPTIONAL, ""),
        ("node_stats", 2, _MESSAGE, _REPEATED, "NodeExecStats"),
    )),
    ("StepStats", (
        ("dev_stats", 1, _MESSAGE, _REPEATED, "DeviceStepStats"),
    )),
    # partition_graphs are GraphDef messages; as serialized bytes they share the wire format.
    ("RunMetadata", (
        ("step_stats", 1, _MESSAGE, _OPTIONAL, "StepStats"),
        ("partition_graphs", 3, _BYTES, _REPEATED, ""),
    )),
)
_PACKAGE = "flowgraph.tensorboard"


def run_metadata_class() -> type:
    """A protobuf message class with the wire format of TensorFlow's RunMetadata."""
    try:
        from google.protobuf import descriptor_pb2, descriptor_pool, message_factory
    except ImportError as exc:
        raise ImportError(f"{INSTALL_HINT} ({exc})") from exc
    file_proto = descriptor_pb2.FileDescriptorProto(
        name="flowgraph/tensorboard_run_metadata.proto", package=_PACKAGE, syntax="proto3")
    for message_name, fields in _SCHEMA:
        message = file_proto.message_type.add(name=message_name)
        for name, number, kind, label, type_name in fields:
            field = message.field.add(name=name, number=number, type=kind, label=label)
            if type_name:
                field.type_name = f".{_PACKAGE}.{type_name}"
    pool = descriptor_pool.DescriptorPool()
    pool.Add(file_proto)
    descriptor = pool.FindMessageTypeByName(f"{_PACKAGE}.RunMetadata")
    get_class = getattr(message_factory, "GetMessageClass", None)
    if get_class is None:  # protobuf < 4.21
        return message_factory.MessageFactory(pool).GetPrototype(descriptor)
    return get_class(descriptor)


def serialize_run_metadata(run_metadata: Any, message_class: Any = None) -> bytes:
    """The serialized RunMetadata protobuf of a `fg.RunMetadata` (or of a protobuf that
    already has ``SerializeToString``)."""
    if not hasattr(run_metadata, "step_stats"):
        raise TypeError(f"add_run_metadata() takes a fg.RunMetadata, got "
                        f"{type(run_metadata).__name__}")
    if callable(getattr(run_metadata, "SerializeToString", None)):
        return run_metadata.SerializeToString()
    proto = (message_class or run_metadata_class())()
    for dev in run_metadata.step_stats.dev_stats:
        dev_proto = proto.step_stats.dev_stats.add(device=dev.device)
        for stat in dev.node_stats:
            dev_proto.node_stats.add(
                node_name=stat.node_name, all_start_micros=int(stat.all_start_micros),
                op_start_rel_micros=int(stat.op_start_rel_micros),
                op_end_rel_micros=int(stat.op_end_rel_micros),
                all_end_rel_micros=int(stat.all_end_rel_micros),
                timeline_label=stat.timeline_label or "",
                thread_id=int(getattr(stat, "thread_id", 0) or 0))
    for graph in getattr(run_metadata, "partition_graphs", None) or ():
        proto.partition_graphs.append(_graph_bytes(graph))
    return proto.SerializeToString()


def _graph_bytes(graph: Any) -> bytes:
    if callable(getattr(graph, "SerializeToString", None)):
        return graph.SerializeToString()
    from flowgraph.summary.graph_proto import graph_def
    return graph_def(graph).SerializeToString()
