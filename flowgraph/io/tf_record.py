"""Writing and reading TFRecord files from Python (TF1's ``tf.python_io`` /
``tf.io.TFRecordWriter`` and ``tf_record_iterator``); the record format and its checksums
are those of flowgraph.data.tfrecord, which `fg.data.TFRecordDataset` reads.

>>> with fg.python_io.TFRecordWriter("train.tfrecord") as writer:
...     writer.write(example.SerializeToString())
>>> for record in fg.python_io.tf_record_iterator("train.tfrecord"):
...     example = fg.train.Example.FromString(record)
"""

from __future__ import annotations

import gzip
import os
import zlib
from typing import Any, Iterator, Optional

from flowgraph import errors
from flowgraph.data.tfrecord import encode_record, read_records

__all__ = ["TFRecordWriter", "TFRecordOptions", "TFRecordCompressionType",
           "tf_record_iterator"]


class TFRecordCompressionType:
    """The compression of a TFRecord file (TF1's enum values)."""

    NONE = 0
    ZLIB = 1
    GZIP = 2


class TFRecordOptions:
    """Options of a TFRecord file: its `compression_type` ("", "ZLIB", "GZIP" or a
    TFRecordCompressionType), and the zlib `compression_level` / `window_bits` used when
    writing. The other arguments are accepted for TF1 compatibility and ignored."""

    compression_type_map = {TFRecordCompressionType.ZLIB: "ZLIB",
                            TFRecordCompressionType.GZIP: "GZIP",
                            TFRecordCompressionType.NONE: ""}

    def __init__(self, compression_type: Any = None, flush_mode: Any = None,
                 input_buffer_size: Optional[int] = None,
                 output_buffer_size: Optional[int] = None, window_bits: Optional[int] = None,
                 compression_level: Optional[int] = None, compression_method: Any = None,
                 mem_level: Optional[int] = None, compression_strategy: Any = None) -> None:
        self.get_compression_type_string(compression_type)  # validates it
        self.compression_type = compression_type
        self.flush_mode = flush_mode
        self.input_buffer_size = input_buffer_size
        self.output_buffer_size = output_buffer_size
        self.window_bits = window_bits
        self.compression_level = compression_level
        self.compression_method = compression_method
        self.mem_level = mem_level
        self.compression_strategy = compression_strategy

    @classmethod
    def get_compression_type_string(cls, options: Any) -> str:
        """"", "ZLIB" or "GZIP" for options, a compression type or its name (None: "")."""
        if not options:
            return ""
        if isinstance(options, TFRecordOptions):
            return cls.get_compression_type_string(options.compression_type)
        if isinstance(options, int) and options in cls.compression_type_map:
            return cls.compression_type_map[options]
        if isinstance(options, str) and options in cls.compression_type_map.values():
            return options
        raise ValueError(f'Not a valid compression_type: "{options}"; use "", "ZLIB", "GZIP" '
                         "or fg.python_io.TFRecordCompressionType")


def _options(options: Any) -> TFRecordOptions:
    return options if isinstance(options, TFRecordOptions) else TFRecordOptions(options)


class TFRecordWriter:
    """Writes records (bytes, e.g. serialized tf.train.Example protos) to a TFRecord file,
    optionally compressed. Records are written as they come; `close()` (or leaving the
    `with` block) finishes the file.

    Parameters
    ----------
    path : str
        The file to write (created or truncated).
    options : TFRecordOptions or str, optional
        The compression ("", "ZLIB", "GZIP").
    """

    def __init__(self, path: Any, options: Any = None) -> None:
        options = _options(options)
        self._path = os.fspath(path)
        self._compression = TFRecordOptions.get_compression_type_string(options)
        level = -1 if options.compression_level is None else int(options.compression_level)
        try:
            self._file: Any = open(self._path, "wb")
        except FileNotFoundError:
            raise errors.NotFoundError(None, None, f"Failed to create a NewWriteableFile: "
                                       f"{self._path} : No such file or directory") from None
        except OSError as exc:
            raise errors.PermissionDeniedError(None, None, f"Failed to create a "
                                               f"NewWriteableFile: {self._path} : {exc}") \
                from None
        self._gzip: Any = None
        self._zlib: Any = None
        if self._compression == "GZIP":
            self._gzip = gzip.GzipFile(fileobj=self._file, mode="wb",
                                       compresslevel=9 if level < 0 else level)
        elif self._compression == "ZLIB":
            bits = zlib.MAX_WBITS if options.window_bits is None else int(options.window_bits)
            self._zlib = zlib.compressobj(level, zlib.DEFLATED, bits)

    def write(self, record: Any) -> None:
        """Appends one record (bytes; str is written as UTF-8)."""
        if self._file is None:
            raise errors.FailedPreconditionError(None, None, f"TFRecordWriter for {self._path} "
                                                 "is closed.")
        if isinstance(record, str):
            record = record.encode("utf-8")
        elif not isinstance(record, (bytes, bytearray, memoryview)):
            raise TypeError(f"TFRecordWriter.write takes bytes, got {type(record).__name__}; "
                            "serialize messages first (example.SerializeToString())")
        self._raw_write(encode_record(bytes(record)))

    def _raw_write(self, data: bytes) -> None:
        if self._gzip is not None:
            self._gzip.write(data)
        elif self._zlib is not None:
            self._file.write(self._zlib.compress(data))
        else:
            self._file.write(data)

    def flush(self) -> None:
        """Pushes the records written so far to the file."""
        if self._file is None:
            raise errors.FailedPreconditionError(None, None, f"TFRecordWriter for {self._path} "
                                                 "is closed.")
        if self._gzip is not None:
            self._gzip.flush()
        elif self._zlib is not None:
            self._file.write(self._zlib.flush(zlib.Z_SYNC_FLUSH))
        self._file.flush()

    def close(self) -> None:
        """Finishes and closes the file (a second call does nothing)."""
        if self._file is None:
            return
        if self._gzip is not None:
            self._gzip.close()
        elif self._zlib is not None:
            self._file.write(self._zlib.flush())
        self._file.close()
        self._file = None

    def __enter__(self) -> "TFRecordWriter":
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.close()


def tf_record_iterator(path: Any, options: Any = None) -> Iterator[bytes]:
    """Yields the records of a TFRecord file, checksums verified (TF1's
    ``tf.python_io.tf_record_iterator``): NotFoundError for a missing file, DataLossError
    for a damaged one."""
    compression = TFRecordOptions.get_compression_type_string(_options(options))
    yield from read_records(os.fspath(path), compression, 1 << 18)
