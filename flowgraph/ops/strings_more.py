"""More of TF1's string ops: the legacy and keyed ("strong") hash buckets, unicode_transcode,
unsorted_segment_join and bytes_split (of a scalar).

Hash values equal TensorFlow's bit for bit (see `flowgraph.ops.string_hashes`); transcoding
uses Python's codecs, which replace each invalid subsequence as ICU does.
"""

from __future__ import annotations

from typing import Any, Optional

import numpy as np

from flowgraph import dtypes, errors
from flowgraph.graph import Tensor, name_scope
from flowgraph.ops.constant import convert_to_tensor
from flowgraph.ops.elementwise import check_dtype
from flowgraph.ops.registry import Op, apply_op, constant_value, register
from flowgraph.ops.string_hashes import legacy_hash64, siphash24
from flowgraph.ops.strings import StringOp, _map_strings, _string_input
from flowgraph.shapes import TensorShape

__all__ = ["string_to_hash_bucket", "string_to_hash_bucket_strong", "unicode_transcode",
           "unsorted_segment_join", "bytes_split"]


def _as_bytes(value: Any) -> bytes:
    return value.encode("utf-8") if isinstance(value, str) else bytes(value)


def _buckets(values: np.ndarray, hash_fn: Any, n: int) -> np.ndarray:
    flat = values.reshape(-1)
    out = np.fromiter((hash_fn(_as_bytes(s)) % n for s in flat), dtype=np.int64,
                      count=flat.size)
    return out.reshape(values.shape)


# --------------------------------------------------------------------------- hash buckets
class _HashBucketOp(Op):
    differentiable = False

    def check(self) -> None:
        if self.num_buckets < 1:
            raise ValueError(f"Attr 'num_buckets' of '{self.type_name}' Op passed "
                             f"{self.num_buckets} less than minimum 1.")

    def infer(self, op):
        check_dtype(op, op.inputs[0], "S", "input")
        return [(dtypes.int64, op.inputs[0].shape)]


@register
class StringToHashBucket(_HashBucketOp):
    """TF's legacy ``Hash64`` (MurmurHash64A, seed 0xDECAFCAFFE) of each string modulo
    `num_buckets`, as int64."""

    num_buckets: int = 1

    def kernel(self, strings):
        return _buckets(strings, legacy_hash64, self.num_buckets)


@register
class StringToHashBucketStrong(_HashBucketOp):
    """SipHash-2-4 of each string keyed with `key` (two integers, taken as uint64) modulo
    `num_buckets`, as int64."""

    num_buckets: int = 1
    key: tuple = ()

    def kernel(self, strings):
        if len(self.key) != 2:
            raise errors.InvalidArgumentError(
                None, None, f"Key must have 2 elements, got {len(self.key)}: pass key=[k0, k1]")
        k0, k1 = (int(k) & ((1 << 64) - 1) for k in self.key)
        return _buckets(strings, lambda s: siphash24(k0, k1, s), self.num_buckets)


def string_to_hash_bucket(string_tensor: Any = None, num_buckets: Optional[int] = None,
                          name: Optional[str] = None, input: Any = None) -> Tensor:
    """Hashes each string into one of `num_buckets` buckets (int64) with TF's legacy
    ``Hash64``, giving TensorFlow's ids (`fg.strings.to_hash_bucket`; `input` is TF1's
    deprecated alias of `string_tensor`). Prefer `to_hash_bucket_fast` for new code.

    >>> fg.strings.to_hash_bucket(["Hello", "TensorFlow", "2.x"], 3)  # -> [2, 0, 1]
    """
    if string_tensor is not None and input is not None:
        raise ValueError("Cannot specify both 'string_tensor' and 'input' (its deprecated "
                         "alias); pass only string_tensor")
    string_tensor = input if string_tensor is None else string_tensor
    if string_tensor is None or num_buckets is None:
        raise TypeError("string_to_hash_bucket() needs string_tensor and num_buckets")
    tensor = _string_input(string_tensor, "string_tensor")
    return apply_op(StringToHashBucket(num_buckets=num_buckets), [tensor], name=name)


def string_to_hash_bucket_strong(input: Any, num_buckets: int, key: Any,
                                 name: Optional[str] = None) -> Tensor:
    """Hashes each string into one of `num_buckets` buckets (int64) with SipHash-2-4 keyed by
    `key`, a list of two integers, as TF: use a secret key when inputs may be adversarial.

    >>> fg.strings.to_hash_bucket_strong(["Hello", "TensorFlow", "2.x"], 3, [1, 2])  # [2, 2, 1]
    """
    if not isinstance(key, (list, tuple, np.ndarray)):
        raise TypeError(f"Expected list for 'key' argument to 'string_to_hash_bucket_strong' "
                        f"Op, not {key!r}")
    tensor = _string_input(input)
    return apply_op(StringToHashBucketStrong(num_buckets=num_buckets, key=tuple(key)),
                    [tensor], name=name)


# --------------------------------------------------------------------------- transcode
_ENCODINGS = {"UTF-8": "utf-8", "UTF-16-BE": "utf-16-be", "UTF-32-BE": "utf-32-be"}
_ERRORS = ("strict", "replace", "ignore")


@register
class UnicodeTranscode(StringOp):
    """Re-encodes each string from `input_encoding` to `output_encoding` (UTF-8, UTF-16-BE
    or UTF-32-BE). Invalid input subsequences (and, with `replace_control_characters`, the
    C0 controls U+0000..U+001F) are replaced by `replacement_char`, dropped ("ignore") or
    an InvalidArgumentError ("strict")."""

    input_encoding: str = "UTF-8"
    output_encoding: str = "UTF-8"
    errors: str = "replace"
    replacement_char: int = 0xFFFD
    replace_control_characters: bool = False

    def check(self) -> None:
        for field in ("input_encoding", "output_encoding"):
            value = getattr(self, field)
            if value not in _ENCODINGS:
                raise ValueError(f"Attr '{field}' of 'UnicodeTranscode' Op passed string "
                                 f"{value!r} not in: \"UTF-8\", \"UTF-16-BE\", \"UTF-32-BE\".")
        if self.errors not in _ERRORS:
            raise ValueError(f"Attr 'errors' of 'UnicodeTranscode' Op passed string "
                             f"{self.errors!r} not in: \"strict\", \"replace\", \"ignore\".")

    def kernel(self, x):
        if not 0 <= self.replacement_char <= 0x10FFFF:
            raise errors.InvalidArgumentError(
                None, None, f"replacement_char out of unicode codepoint range: "
                f"{self.replacement_char} is not in [0, 0x10FFFF]")
        # A surrogate cannot be encoded; ICU then writes U+FFFD instead, and so do we.
        code = self.replacement_char
        replacement = chr(0xFFFD if 0xD800 <= code <= 0xDFFF else code)
        return _map_strings(lambda s: self._transcode(_as_bytes(s), replacement), x)

    def _transcode(self, data: bytes, replacement: str) -> bytes:
        decoder = _ENCODINGS[self.input_encoding]
        pieces, pos = [], 0
        while True:
            try:
                pieces.append(data[pos:].decode(decoder))
                break
            except UnicodeDecodeError as exc:
                pieces.append(data[pos:pos + exc.start].decode(decoder))
                pieces.append(self._bad(replacement))
                pos += exc.end
        text = "".join(pieces)
        if self.replace_control_characters:
            text = "".join(self._bad(replacement) if ord(c) < 0x20 else c for c in text)
        return text.encode(_ENCODINGS[self.output_encoding])

    def _bad(self, replacement: str) -> str:
        if self.errors == "strict":
            raise errors.InvalidArgumentError(
                None, None, f"Invalid formatting on input string (not valid "
                f"{self.input_encoding}); use errors='replace' or 'ignore' to transcode it")
        return replacement if self.errors == "replace" else ""


def unicode_transcode(input: Any, input_encoding: str, output_encoding: str,
                      errors: str = "replace", replacement_char: int = 65533,
                      replace_control_characters: bool = False,
                      name: Optional[str] = None) -> Tensor:
    """Transcodes each string of `input` from `input_encoding` to `output_encoding`
    ("UTF-8", "UTF-16-BE" or "UTF-32-BE"), as TF's ``tf.strings.unicode_transcode``.

    >>> fg.strings.unicode_transcode(["héllo"], "UTF-8", "UTF-16-BE")
    ... # -> [b"\\x00h\\x00\\xe9\\x00l\\x00l\\x00o"]
    """
    tensor = _string_input(input)
    op_def = UnicodeTranscode(input_encoding=input_encoding, output_encoding=output_encoding,
                              errors=errors, replacement_char=replacement_char,
                              replace_control_characters=replace_control_characters)
    return apply_op(op_def, [tensor], name=name)


# --------------------------------------------------------------------------- segment join
@register
class UnsortedSegmentJoin(Op):
    """output[i, ...] = separator.join(inputs[j, ...] for the j, in row-major order, with
    segment_ids[j] == i) (inputs: inputs, segment_ids, num_segments); rows no id names
    are "". segment_ids may have several dimensions: they index inputs' leading ones."""

    separator: str = ""
    differentiable = False

    def infer(self, op):
        x, ids, num = op.inputs
        check_dtype(op, x, "S", "inputs")
        check_dtype(op, ids, "i", "segment_ids")
        check_dtype(op, num, "i", "num_segments")
        if num.shape.ndims not in (None, 0):
            raise ValueError(f"UnsortedSegmentJoin: num_segments must be a scalar, got shape "
                             f"{num.shape}")
        value = constant_value(num)
        rows = None if value is None else int(value)
        if rows is not None and rows < 0:
            raise ValueError(f"UnsortedSegmentJoin: num_segments must be non-negative, got "
                             f"{rows}")
        if x.shape.ndims is None or ids.shape.ndims is None:
            return [(dtypes.string, TensorShape(None))]
        d, i = x.shape.as_list(), ids.shape.as_list()
        if len(i) > len(d) or any(a is not None and b is not None and a != b
                                  for a, b in zip(d, i)):
            raise ValueError(f"UnsortedSegmentJoin: segment_ids shape {ids.shape} must be a "
                             f"prefix of inputs shape {x.shape}")
        return [(dtypes.string, TensorShape([rows] + d[len(i):]))]

    def kernel(self, x, ids, num):
        rows = int(num)
        if ids.ndim == 0:
            raise errors.InvalidArgumentError(
                None, None, "Segment_id cannot have rank 0: pass one segment id per row of "
                "inputs")
        if x.shape[:ids.ndim] != ids.shape:
            raise errors.InvalidArgumentError(
                None, None, f"segment_ids shape {list(ids.shape)} must be a prefix of inputs "
                f"shape {list(x.shape)}")
        flat_ids = ids.reshape(-1).astype(np.int64)
        if flat_ids.size and (flat_ids.min() < 0 or flat_ids.max() >= rows):
            bad = int(flat_ids[(flat_ids < 0) | (flat_ids >= rows)][0])
            raise errors.InvalidArgumentError(
                None, None, f"segment_ids are not allowed to exceed num_segments or to have "
                f"negative values: got {bad}, num_segments is {rows}")
        inner = x.shape[ids.ndim:]
        width = int(np.prod(inner, dtype=np.int64))
        flat = x.reshape((flat_ids.size, width))
        parts: list = [[[] for _ in range(width)] for _ in range(rows)]
        for j, segment in enumerate(flat_ids):
            for k, item in enumerate(flat[j]):
                parts[segment][k].append(_as_bytes(item))
        sep = self.separator.encode("utf-8")
        out = np.empty((rows, width), dtype=object)
        for i in range(rows):
            for k in range(out.shape[1]):
                out[i, k] = sep.join(parts[i][k])
        return out.reshape((rows,) + inner)


def unsorted_segment_join(inputs: Any, segment_ids: Any, num_segments: Any,
                          separator: str = "", name: Optional[str] = None) -> Tensor:
    """Joins the strings of each segment with `separator` (TF's
    ``tf.strings.unsorted_segment_join``): output row i joins the rows of `inputs` whose
    segment id is i, in order; [num_segments] + inputs.shape[segment_ids.ndim:].

    >>> fg.strings.unsorted_segment_join(["a", "b", "c"], [1, 0, 1], 3, ":")  # [b, a:c, ""]
    """
    if isinstance(separator, bytes):
        try:
            separator = separator.decode("utf-8")
        except UnicodeDecodeError:
            raise ValueError(f"unsorted_segment_join: separator {separator!r} is not valid "
                             f"UTF-8; pass a str") from None
    x = _string_input(inputs, "inputs")
    ids = convert_to_tensor(segment_ids)
    if not ids.dtype.is_integer:
        raise TypeError(f"segment_ids must be int32 or int64, got {ids.dtype.name}")
    num = convert_to_tensor(num_segments, dtype=ids.dtype if not isinstance(
        num_segments, Tensor) else None)
    return apply_op(UnsortedSegmentJoin(separator=str(separator)), [x, ids, num], name=name)


# --------------------------------------------------------------------------- bytes split
def bytes_split(input: Any, name: Optional[str] = None) -> Tensor:
    """The bytes of the scalar string `input`, as a 1-D string tensor (TF's
    ``tf.strings.bytes_split`` of a scalar). TF returns a RaggedTensor for inputs of rank
    >= 1; flowgraph has no RaggedTensor, so those raise ValueError (split each string with
    ``fg.string_split(x, "")``, which gives a SparseTensor, instead).

    >>> fg.strings.bytes_split("abc")  # -> [b"a", b"b", b"c"]
    """
    from flowgraph.ops.shape_ops import reshape
    from flowgraph.ops.strings_extra import string_split
    with name_scope(name, "StringsByteSplit", [input]):
        x = _string_input(input)
        rank = x.shape.ndims
        if rank is None:
            raise ValueError("bytes_split: input must have a statically-known rank")
        if rank != 0:
            raise ValueError(f"bytes_split: input {x.name} has rank {rank} (shape {x.shape}); "
                             f"TF returns a RaggedTensor for that, which flowgraph does not "
                             f"have. Pass a scalar string, or use fg.string_split(x, '') for a "
                             f"SparseTensor of the bytes of each string")
        return string_split(reshape(x, [1]), "", skip_empty=False).values
