"""TF1's readers (`tf.TextLineReader`, `tf.WholeFileReader`, `tf.TFRecordReader`,
`tf.FixedLengthRecordReader`): `read(queue)` takes file names from a queue (e.g.
`tf.train.string_input_producer`) and returns the next (key, value) record."""

from __future__ import annotations

from typing import Any, Optional

from flowgraph import dtypes
from flowgraph.ops.constant import convert_to_tensor
from flowgraph.ops.reader_ops import ReaderReadV2
from flowgraph.ops.registry import apply_op

__all__ = ["ReaderBase", "TextLineReader", "WholeFileReader", "TFRecordReader",
           "FixedLengthRecordReader"]


def _queue_ref(queue: Any) -> Any:
    return queue.queue_ref if hasattr(queue, "queue_ref") else convert_to_tensor(queue)


class ReaderBase:
    """A reader of (key, value) records from files named in a queue."""

    def __init__(self, kind: str, options: dict, name: Optional[str]) -> None:
        self._kind = kind
        self._options = tuple(sorted(options.items()))
        self._name = name or type(self).__name__
        self._read_op = None

    @property
    def reader_ref(self) -> Any:
        return self._read_op

    @property
    def supports_serialize(self) -> bool:
        return False

    def read(self, queue: Any, name: Optional[str] = None) -> tuple:
        """(key, value): the next record (string scalars), taking a new file from `queue`
        whenever the current one is exhausted."""
        key, value = apply_op(ReaderReadV2(kind=self._kind, options=self._options),
                              [_queue_ref(queue)], name=name or f"{self._name}Read")
        return key, value

    def read_up_to(self, queue: Any, num_records: Any, name: Optional[str] = None) -> tuple:
        """(keys, values): up to num_records records (fewer at the end of the input)."""
        count = convert_to_tensor(num_records, dtype=dtypes.int64)
        keys, values = apply_op(ReaderReadV2(kind=self._kind, options=self._options,
                                             up_to=True),
                                [_queue_ref(queue), count],
                                name=name or f"{self._name}ReadUpTo")
        return keys, values


class TextLineReader(ReaderBase):
    """Records are the lines of text files (without their newline); keys "file:line"."""

    def __init__(self, skip_header_lines: Optional[int] = None,
                 name: Optional[str] = None) -> None:
        super().__init__("text_line", {"skip_header_lines": int(skip_header_lines or 0)},
                         name)


class WholeFileReader(ReaderBase):
    """Each record is a whole file; the key is its name."""

    def __init__(self, name: Optional[str] = None) -> None:
        super().__init__("whole_file", {}, name)


class TFRecordReader(ReaderBase):
    """Records of TFRecord files (options: a compression type "", "GZIP" or "ZLIB", or a
    TFRecordOptions with compression_type)."""

    def __init__(self, name: Optional[str] = None, options: Any = None) -> None:
        compression = getattr(options, "compression_type", options) or ""
        compression = {0: "", 1: "ZLIB", 2: "GZIP"}.get(compression, compression)
        super().__init__("tf_record", {"compression": str(compression)}, name)


class FixedLengthRecordReader(ReaderBase):
    """Records of record_bytes bytes, after header_bytes and before footer_bytes of each
    file (hop_bytes apart, record_bytes by default)."""

    def __init__(self, record_bytes: int, header_bytes: Optional[int] = None,
                 footer_bytes: Optional[int] = None, hop_bytes: Optional[int] = None,
                 name: Optional[str] = None, encoding: Optional[str] = None) -> None:
        if encoding:
            raise NotImplementedError("FixedLengthRecordReader(encoding=...) is not supported")
        super().__init__("fixed_length", {"record_bytes": int(record_bytes),
                                          "header_bytes": int(header_bytes or 0),
                                          "footer_bytes": int(footer_bytes or 0),
                                          "hop_bytes": int(hop_bytes or 0)}, name)
