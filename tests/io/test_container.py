"""The container layout: checksums cover the layout field, versions, exact coverage."""

import hashlib
import struct

import numpy as np
import pytest

from flowgraph import errors
from flowgraph.io import container


def _sample() -> bytes:
    return container.pack("graph", {"a": [1, 2]}, {"w": np.arange(6, dtype=np.float32)})


def test_round_trip():
    parsed = container.parse(_sample())
    assert parsed.kind == "graph" and parsed.document == {"a": [1, 2]}
    np.testing.assert_array_equal(parsed.read_tensor("w"), np.arange(6, dtype=np.float32))


def test_a_flipped_layout_byte_is_damage_not_a_newer_version():
    data = bytearray(_sample())
    data[8] ^= 0x02
    with pytest.raises(errors.DataLossError, match="checksum"):
        container.parse(bytes(data))


def test_a_newer_layout_with_an_intact_digest_is_unimplemented():
    data = bytearray(_sample())
    header_len = struct.unpack_from("<I", data, 12)[0]
    data[8:12] = struct.pack("<I", 7)
    end = 16 + header_len
    data[end:end + 32] = hashlib.sha256(bytes(data[:end])).digest()
    with pytest.raises(errors.UnimplementedError, match="layout 7"):
        container.parse(bytes(data))


def test_trailing_bytes_are_rejected():
    with pytest.raises(errors.DataLossError, match="not accounted for"):
        container.parse(_sample() + b"\0")
