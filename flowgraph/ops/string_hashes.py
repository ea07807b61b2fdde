"""TensorFlow's two other string hashes, in pure Python: the legacy ``Hash64`` (a
MurmurHash64A variant with seed 0xDECAFCAFFE, used by ``StringToHashBucket``) and keyed
SipHash-2-4 (``StrongKeyedHash``, used by ``StringToHashBucketStrong``).

Both are fixed functions of the bytes, so flowgraph computes TF's bucket ids exactly. The
arithmetic is on 64-bit unsigned integers: Python ints masked after every step.
"""

from __future__ import annotations

import struct

__all__: list = []

_MASK = (1 << 64) - 1
_MURMUR_MUL = 0xC6A4A7935BD1E995
_LEGACY_SEED = 0xDECAFCAFFE  # TF core/lib/hash/hash.h: Hash64(data, n) uses this seed


def legacy_hash64(data: bytes, seed: int = _LEGACY_SEED) -> int:
    """TF's ``Hash64(data, n, seed)`` (core/lib/hash/hash.cc), an unsigned 64-bit int."""
    m = _MURMUR_MUL
    n = len(data)
    h = (seed ^ (n * m)) & _MASK
    end = n - n % 8
    for i in range(0, end, 8):
        k = (struct.unpack_from("<Q", data, i)[0] * m) & _MASK
        k ^= k >> 47
        k = (k * m) & _MASK
        h = ((h ^ k) * m) & _MASK
    if end < n:
        # The tail bytes are xor-ed in little-endian order, then mixed once.
        h = ((h ^ int.from_bytes(data[end:], "little")) * m) & _MASK
    h ^= h >> 47
    h = (h * m) & _MASK
    return h ^ (h >> 47)


def _rotl(x: int, b: int) -> int:
    return ((x << b) | (x >> (64 - b))) & _MASK


def _sip_rounds(v: list, count: int) -> None:
    v0, v1, v2, v3 = v
    for _ in range(count):
        v0 = (v0 + v1) & _MASK
        v1 = _rotl(v1, 13) ^ v0
        v0 = _rotl(v0, 32)
        v2 = (v2 + v3) & _MASK
        v3 = _rotl(v3, 16) ^ v2
        v0 = (v0 + v3) & _MASK
        v3 = _rotl(v3, 21) ^ v0
        v2 = (v2 + v1) & _MASK
        v1 = _rotl(v1, 17) ^ v2
        v2 = _rotl(v2, 32)
    v[:] = [v0, v1, v2, v3]


def siphash24(k0: int, k1: int, data: bytes) -> int:
    """SipHash-2-4 of `data` with the 128-bit key (k0, k1), as an unsigned 64-bit int."""
    k0 &= _MASK
    k1 &= _MASK
    v = [k0 ^ 0x736F6D6570736575, k1 ^ 0x646F72616E646F6D,
         k0 ^ 0x6C7967656E657261, k1 ^ 0x7465646279746573]
    n = len(data)
    end = n - n % 8
    words = [struct.unpack_from("<Q", data, i)[0] for i in range(0, end, 8)]
    words.append(((n & 0xFF) << 56) | int.from_bytes(data[end:], "little"))
    for word in words:
        v[3] ^= word
        _sip_rounds(v, 2)
        v[0] ^= word
    v[2] ^= 0xFF
    _sip_rounds(v, 4)
    return v[0] ^ v[1] ^ v[2] ^ v[3]
