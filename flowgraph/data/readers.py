"""File reader datasets: TF1's `TextLineDataset`, `FixedLengthRecordDataset` and
`TFRecordDataset`.

`filenames` is a file name, a list of them, a string tensor (scalar or vector, e.g. a fed
placeholder), or a Dataset of file names. Files are read when the iterator runs, in order;
`compression_type` is None / "" (plain), "ZLIB" or "GZIP". A missing file raises
fg.errors.NotFoundError from the iterator's get_next.
"""

from __future__ import annotations

from typing import Any

from flowgraph import dtypes
from flowgraph.data.dataset import Dataset
from flowgraph.data.describe import Node
from flowgraph.data.sources import int_arg, string_arg
from flowgraph.data.structure import ElementSpec, Spec

DEFAULT_BUFFER_BYTES = 256 << 10
COMPRESSION_TYPES = ("", "ZLIB", "GZIP")


def compression_arg(value: Any) -> Any:
    """The compression_type argument: None, "", "ZLIB", "GZIP" or a string tensor."""
    if value is None:
        value = ""
    if isinstance(value, str) and value not in COMPRESSION_TYPES:
        raise ValueError(f"compression_type must be one of {COMPRESSION_TYPES} (or None), got "
                         f"{value!r}")
    return string_arg(value, "compression_type")


class TextLineDataset(Dataset):
    """The lines of text files (scalar strings, without their line endings)."""

    def __init__(self, filenames: Any, compression_type: Any = None, buffer_size: Any = None,
                 num_parallel_reads: Any = None) -> None:
        if isinstance(filenames, Dataset):
            inner = filenames.flat_map(
                lambda name: TextLineDataset(name, compression_type, buffer_size))
            super().__init__(inner._node, inner._spec)
            return
        node = Node("TextLine", {
            "filenames": string_arg(filenames, "filenames", vector=True),
            "compression_type": compression_arg(compression_type),
            "buffer_size": int_arg(DEFAULT_BUFFER_BYTES if buffer_size is None else
                                   buffer_size, "buffer_size")})
        super().__init__(node, ElementSpec(Spec(dtypes.string, [])))


class FixedLengthRecordDataset(Dataset):
    """The `record_bytes`-long records of binary files (scalar strings), after
    `header_bytes` and before `footer_bytes` of each file."""

    def __init__(self, filenames: Any, record_bytes: Any, header_bytes: Any = None,
                 footer_bytes: Any = None, buffer_size: Any = None,
                 compression_type: Any = None, num_parallel_reads: Any = None) -> None:
        if isinstance(filenames, Dataset):
            inner = filenames.flat_map(lambda name: FixedLengthRecordDataset(
                name, record_bytes, header_bytes, footer_bytes, buffer_size,
                compression_type))
            super().__init__(inner._node, inner._spec)
            return
        node = Node("FixedLengthRecord", {
            "filenames": string_arg(filenames, "filenames", vector=True),
            "record_bytes": int_arg(record_bytes, "record_bytes"),
            "header_bytes": int_arg(0 if header_bytes is None else header_bytes,
                                    "header_bytes"),
            "footer_bytes": int_arg(0 if footer_bytes is None else footer_bytes,
                                    "footer_bytes"),
            "buffer_size": int_arg(DEFAULT_BUFFER_BYTES if buffer_size is None else
                                   buffer_size, "buffer_size"),
            "compression_type": compression_arg(compression_type)})
        super().__init__(node, ElementSpec(Spec(dtypes.string, [])))


class TFRecordDataset(Dataset):
    """The records of TFRecord files (scalar strings), checksums verified (see
    flowgraph.data.tfrecord for the format)."""

    def __init__(self, filenames: Any, compression_type: Any = None, buffer_size: Any = None,
                 num_parallel_reads: Any = None) -> None:
        if isinstance(filenames, Dataset):
            inner = filenames.flat_map(
                lambda name: TFRecordDataset(name, compression_type, buffer_size))
            super().__init__(inner._node, inner._spec)
            return
        node = Node("TFRecord", {
            "filenames": string_arg(filenames, "filenames", vector=True),
            "compression_type": compression_arg(compression_type),
            "buffer_size": int_arg(DEFAULT_BUFFER_BYTES if buffer_size is None else
                                   buffer_size, "buffer_size")})
        super().__init__(node, ElementSpec(Spec(dtypes.string, [])))


FixedLengthRecordDatasetV1 = FixedLengthRecordDataset
TFRecordDatasetV1 = TFRecordDataset
TextLineDatasetV1 = TextLineDataset
