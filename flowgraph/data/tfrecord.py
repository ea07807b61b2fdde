"""TFRecord files (TF1's record format): reading them for `TFRecordDataset`, and writing.

Each record is::

    uint64 length (little-endian)
    uint32 masked CRC-32C of the length bytes
    bytes  data[length]
    uint32 masked CRC-32C of the data

where masked(crc) = ((crc >> 15) | (crc << 17)) + 0xa282ead8 (mod 2**32). Both checksums are
verified when reading: a damaged file raises DataLossError naming the record's offset.
CRC-32C uses the `crc32c` package when it is installed, else a table-driven loop.
"""

from __future__ import annotations

import struct
from typing import Any, Iterable, Iterator

from flowgraph import errors
from flowgraph.data.engine import Env, Source
from flowgraph.data.engine_readers import file_names, open_file, scalar_bytes

_POLY = 0x82F63B78
_MASK_DELTA = 0xA282EAD8
_LENGTH = struct.Struct("<Q")
_CRC = struct.Struct("<I")


def _table() -> list:
    table = []
    for byte in range(256):
        crc = byte
        for _ in range(8):
            crc = (crc >> 1) ^ _POLY if crc & 1 else crc >> 1
        table.append(crc)
    return table


_TABLE = _table()


def crc32c(data: bytes) -> int:
    """The CRC-32C (Castagnoli) checksum of `data`."""
    try:
        import crc32c as fast  # optional accelerator
        return fast.crc32c(data)
    except ImportError:
        pass
    crc = 0xFFFFFFFF
    table = _TABLE
    for byte in data:
        crc = table[(crc ^ byte) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


def masked_crc(data: bytes) -> int:
    crc = crc32c(data)
    return (((crc >> 15) | (crc << 17)) + _MASK_DELTA) & 0xFFFFFFFF


def encode_record(data: bytes) -> bytes:
    """One record in the TFRecord format."""
    length = _LENGTH.pack(len(data))
    return b"".join([length, _CRC.pack(masked_crc(length)), data,
                     _CRC.pack(masked_crc(data))])


def write_records(path: str, records: Iterable[bytes]) -> str:
    """Writes a TFRecord file (atomically); returns the path."""
    from flowgraph.io.atomic import atomic_write
    return atomic_write(path, b"".join(encode_record(bytes(r)) for r in records))


def read_records(name: str, compression: str, buffer_size: int) -> Iterator[bytes]:
    """The records of a TFRecord file, checksums verified."""
    with open_file(name, compression, buffer_size) as handle:
        offset = 0
        while True:
            header = handle.read(12)
            if not header:
                return
            if len(header) < 12:
                raise errors.DataLossError(None, None, f"{name}: truncated record at {offset}")
            length_bytes, (length_crc,) = header[:8], _CRC.unpack(header[8:])
            if masked_crc(length_bytes) != length_crc:
                raise errors.DataLossError(None, None, f"{name}: corrupted record at {offset} "
                                           "(length checksum mismatch)")
            (length,) = _LENGTH.unpack(length_bytes)
            data = handle.read(length)
            footer = handle.read(4)
            if len(data) < length or len(footer) < 4:
                raise errors.DataLossError(None, None, f"{name}: truncated record at {offset}")
            if masked_crc(data) != _CRC.unpack(footer)[0]:
                raise errors.DataLossError(None, None, f"{name}: corrupted record at {offset} "
                                           "(data checksum mismatch)")
            yield data
            offset += 16 + length


def _tfrecord(attrs: dict, children: tuple, env: Env) -> Source:
    names = file_names(env, attrs["filenames"])
    compression = env.text(attrs["compression_type"], "compression_type")
    buffer_size = env.integer(attrs["buffer_size"], "buffer_size")

    def open_() -> Iterator[tuple]:
        for name in names:
            for record in read_records(name, compression, buffer_size):
                yield (scalar_bytes(record),)

    return Source(open_)


KINDS: Any = {"TFRecord": _tfrecord}
