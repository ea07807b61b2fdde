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


def _craft(header: bytes, header_len=None) -> bytes:
    """A container with `header` (any bytes) and an intact header digest, no tensors."""
    prefix = struct.pack("<8sII", b"FLOWGRPH", 1, len(header) if header_len is None
                         else header_len)
    return prefix + header + hashlib.sha256(prefix + header).digest()


@pytest.fixture
def no_json_parsing(monkeypatch):
    """Fails the test if the container parses any JSON."""
    def refuse(*args, **kwargs):
        raise AssertionError("the header was parsed")
    monkeypatch.setattr(container.json, "loads", refuse)


def test_a_header_length_over_the_limit_is_rejected_before_reading_it(no_json_parsing):
    data = _craft(b"{}", header_len=container.MAX_HEADER_BYTES + 1)
    with pytest.raises(errors.DataLossError, match=f"more than the limit of "
                       f"{container.MAX_HEADER_BYTES}"):
        container.parse(data, "model.meta")


def test_a_header_of_many_tiny_values_is_rejected_before_parsing(no_json_parsing, tmp_path):
    # Over 2M empty objects: 12 MB of text (under the byte limit), but parsed they would
    # take some 150 MB of Python objects (24x); the count of '{' and ',' gives it away.
    count = container.MAX_HEADER_VALUES // 2 + 1
    header = (b'{"kind":"graph","producer":1,"min_consumer":1,"tensors":[],"document":['
              + b",".join([b"{}"] * count) + b"]}")
    assert len(header) < container.MAX_HEADER_BYTES
    path = tmp_path / "evil.fgm"
    path.write_bytes(_craft(header))
    with pytest.raises(errors.DataLossError, match="JSON values .* more than the limit"):
        container.read(str(path))


def test_headers_within_the_limits_still_load():
    document = [{} for _ in range(container.MAX_HEADER_VALUES // 8)]
    parsed = container.parse(container.pack("graph", document))
    assert len(parsed.document) == len(document)


def test_writing_a_header_the_reader_would_refuse_is_an_error():
    # The count is conservative: commas inside strings count too.
    with pytest.raises(errors.ResourceExhaustedError, match="JSON values"):
        container.pack("graph", "," * container.MAX_HEADER_VALUES)
    with pytest.raises(errors.ResourceExhaustedError, match="bytes, more than the limit"):
        container.pack("graph", "x" * container.MAX_HEADER_BYTES)


def test_the_limits_leave_room_for_real_graphs():
    # A checkpoint's tensor table of 20,000 variables (more than large real models have):
    # well within both limits, with room to spare.
    tensors = {f"layer_{i}/sub_block/kernel/Adam_1": np.zeros(1, np.float32)
               for i in range(20000)}
    header_len = struct.unpack_from("<I", container.pack("checkpoint_data", {}, tensors),
                                    12)[0]
    assert header_len < container.MAX_HEADER_BYTES / 4
