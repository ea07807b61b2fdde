"""More of TF1's string ops: string_split / strings.split (to a SparseTensor), strip,
substr, regex_replace, regex_full_match and reduce_join. Strings are bytes (UTF-8);
regular expressions use Python's `re` (TF1 uses RE2: the common syntax is the same)."""

from __future__ import annotations

import re
from typing import Any, Optional

import numpy as np

from flowgraph import dtypes, errors
from flowgraph.graph import Tensor
from flowgraph.ops.constant import convert_to_tensor
from flowgraph.ops.elementwise import check_dtype
from flowgraph.ops.reduce_axes import as_axis_tuple, lookup_pair, reduced_shape
from flowgraph.ops.registry import Op, apply_op, register
from flowgraph.ops.strings import StringOp, _map_strings, _string_input
from flowgraph.shapes import TensorShape, broadcast_shapes

__all__ = ["string_split", "substr", "regex_replace", "reduce_join", "string_strip"]


def _bytes(value: Any) -> bytes:
    return value if isinstance(value, bytes) else str(value).encode("utf-8")


def _sparse_outputs(rows: list) -> tuple:
    indices = [[i, j] for i, row in enumerate(rows) for j in range(len(row))]
    values = np.empty(len(indices), dtype=object)
    values[:] = [token for row in rows for token in row]
    width = max((len(row) for row in rows), default=0)
    return (np.array(indices, dtype=np.int64).reshape(-1, 2), values,
            np.array([len(rows), width], dtype=np.int64))


class _SplitOp(Op):
    differentiable = False

    def infer(self, op):
        check_dtype(op, op.inputs[0], "S")
        op.inputs[0].shape.with_rank(1)
        return [(dtypes.int64, TensorShape([None, 2])), (dtypes.string, TensorShape([None])),
                (dtypes.int64, TensorShape([2]))]


@register
class StringSplit(_SplitOp):
    """Splits each string of a vector at any of the delimiter's characters (into single
    characters for an empty delimiter); empty tokens dropped with skip_empty."""

    skip_empty: bool = True

    def kernel(self, source, delimiter):
        delim = _bytes(delimiter.item() if np.ndim(delimiter) == 0 else delimiter)
        rows = []
        for item in source.reshape(-1):
            text = _bytes(item)
            if not delim:
                tokens = [bytes([c]) for c in text]
            else:
                pattern = b"[" + re.escape(delim) + b"]"
                tokens = re.split(pattern, text)
            rows.append([t for t in tokens if t or not self.skip_empty])
        return _sparse_outputs(rows)


@register
class StringSplitV2(_SplitOp):
    """Splits each string at `sep` (a whole string; runs of whitespace when empty), at most
    maxsplit times (-1: no limit), as Python's str.split."""

    maxsplit: int = -1

    def kernel(self, source, sep):
        separator = _bytes(sep.item() if np.ndim(sep) == 0 else sep)
        rows = [_bytes(item).split(separator or None, self.maxsplit)
                for item in source.reshape(-1)]
        return _sparse_outputs(rows)


@register
class StringStrip(StringOp):
    """Strips leading and trailing whitespace from each string."""

    def kernel(self, x):
        return _map_strings(lambda s: _bytes(s).strip(), x)


@register
class Substr(Op):
    """input[pos:pos + len] of each string, in bytes (unit "BYTE") or Unicode characters
    (unit "UTF8_CHAR"), broadcasting pos and len against it."""

    unit: str = "BYTE"
    differentiable = False

    def check(self) -> None:
        if self.unit not in ("BYTE", "UTF8_CHAR"):
            raise ValueError(f"Substr unit must be 'BYTE' or 'UTF8_CHAR', got {self.unit!r}")

    def infer(self, op):
        x, pos, length = op.inputs
        check_dtype(op, x, "S")
        if not pos.shape.is_compatible_with(length.shape):
            raise ValueError(f"substr: pos and len must have the same shape, got "
                             f"{pos.shape} and {length.shape}")
        shape = broadcast_shapes(broadcast_shapes(x.shape, pos.shape), length.shape)
        if shape is None:
            raise ValueError(f"substr: pos {pos.shape} and len {length.shape} must broadcast "
                             f"against the input {x.shape}")
        return [(dtypes.string, shape)]

    def kernel(self, x, pos, length):
        xs, ps, ls = np.broadcast_arrays(x, pos, length)
        out = np.empty(xs.shape, dtype=object)
        for index in np.ndindex(xs.shape):
            raw = _bytes(xs[index])
            # With unit UTF8_CHAR, pos and len count Unicode characters, not bytes.
            text = _utf8_text(raw) if self.unit == "UTF8_CHAR" else raw
            start, count = int(ps[index]), int(ls[index])
            if start < 0:
                start += len(text)
            if start < 0 or start > len(text):
                raise errors.InvalidArgumentError(
                    None, None, f"pos {int(ps[index])} out of range for string b'"
                                f"{raw.decode('utf-8', 'replace')}' at index {index}")
            if count < 0:
                # TF1 reads a negative byte length as "to the end" (an unsigned size) but
                # a negative character length as none.
                count = 0 if isinstance(text, str) else len(text)
            piece = text[start:start + count]
            out[index] = (piece.encode("utf-8", "surrogateescape") if isinstance(piece, str)
                          else piece)
        return out


def _utf8_text(raw: bytes) -> str:
    # TF counts each byte of an invalid UTF-8 sequence as one character and copies it
    # through; surrogateescape maps such bytes to one code point each and back.
    return raw.decode("utf-8", "surrogateescape")


@register
class RegexReplace(StringOp):
    """Replaces matches of `pattern` in each string by `rewrite` (every match, or only the
    first with replace_global=False)."""

    pattern: str = ""
    rewrite: str = ""
    replace_global: bool = True

    def kernel(self, x):
        compiled = re.compile(self.pattern.encode("utf-8"))
        rewrite = self.rewrite.encode("utf-8")
        count = 0 if self.replace_global else 1
        return _map_strings(lambda s: compiled.sub(rewrite, _bytes(s), count=count), x)


@register
class RegexFullMatch(StringOp):
    """Whether each whole string matches `pattern`."""

    pattern: str = ""

    def infer(self, op):
        check_dtype(op, op.inputs[0], "S")
        return [(dtypes.bool_, op.inputs[0].shape)]

    def kernel(self, x):
        compiled = re.compile(self.pattern.encode("utf-8"))
        return _map_strings(lambda s: compiled.fullmatch(_bytes(s)) is not None, x,
                            out_dtype=bool)


@register
class ReduceJoin(Op):
    """Joins the strings along `axis` (all dimensions, in row-major order, by default) with
    `separator`."""

    axis: Optional[tuple] = None
    keep_dims: bool = False
    separator: str = ""
    differentiable = False

    def infer(self, op):
        check_dtype(op, op.inputs[0], "S")
        return [(dtypes.string, reduced_shape(op.inputs[0].shape, self.axis, self.keep_dims))]

    def kernel(self, x):
        axes = tuple(range(x.ndim)) if self.axis is None else \
            tuple(a % x.ndim for a in self.axis) if x.ndim else ()
        sep = self.separator.encode("utf-8")
        keep = [a for a in range(x.ndim) if a not in axes]
        moved = np.transpose(x, keep + list(axes))
        outer = moved.shape[:len(keep)]
        flat = moved.reshape(outer + (-1,)) if x.ndim else moved.reshape(1)
        out = np.empty(outer, dtype=object)
        for index in np.ndindex(outer):
            out[index] = sep.join(_bytes(v) for v in flat[index])
        if self.keep_dims:
            out = out.reshape([1 if a in axes else d for a, d in enumerate(x.shape)])
        return out


def _sparse(outputs: Any) -> Any:
    from flowgraph.sparse_tensor import SparseTensor
    indices, values, shape = outputs
    return SparseTensor(indices, values, shape)


def string_split(source: Any, sep: Any = None, skip_empty: bool = True,
                 delimiter: Any = None, result_type: str = "SparseTensor",
                 name: Optional[str] = None) -> Any:
    """Splits each string of the vector `source` at any character of `sep` (alias
    `delimiter`; default " "): a SparseTensor of tokens (row i holds source[i]'s)."""
    if sep is not None and delimiter is not None:
        raise ValueError("sep and delimiter are aliases; pass only one of them")
    delimiter = sep if sep is not None else (" " if delimiter is None else delimiter)
    if result_type != "SparseTensor":
        raise ValueError("flowgraph has no RaggedTensor: use result_type='SparseTensor'")
    source = _string_input(source, "source")
    delimiter = convert_to_tensor(delimiter, dtype=dtypes.string)
    return _sparse(apply_op(StringSplit(skip_empty=bool(skip_empty)), [source, delimiter],
                            name=name or "StringSplit"))


def strings_split(input: Any = None, sep: Any = None, maxsplit: int = -1,  # noqa: A002
                  result_type: str = "SparseTensor", source: Any = None,
                  name: Optional[str] = None) -> Any:
    """tf.strings.split: splits each string at `sep` (whitespace runs by default), at most
    maxsplit times: a SparseTensor of tokens."""
    source = source if source is not None else input
    if result_type != "SparseTensor":
        raise ValueError("flowgraph has no RaggedTensor: use result_type='SparseTensor'")
    source = _string_input(source, "source")
    sep = convert_to_tensor("" if sep is None else sep, dtype=dtypes.string)
    return _sparse(apply_op(StringSplitV2(maxsplit=int(maxsplit)), [source, sep],
                            name=name or "StringSplitV2"))


def string_strip(input: Any, name: Optional[str] = None) -> Tensor:  # noqa: A002
    """Each string without leading and trailing whitespace (node "StringStrip")."""
    return apply_op(StringStrip(), [_string_input(input)], name=name)


def substr(input: Any, pos: Any, len: Any, name: Optional[str] = None,  # noqa: A002
           unit: str = "BYTE") -> Tensor:
    """input[pos:pos + len] of each string (node "Substr"), counting bytes (unit "BYTE") or
    Unicode characters of UTF-8 text (unit "UTF8_CHAR"); a negative pos counts from the end."""
    x = _string_input(input)
    pos = convert_to_tensor(pos, dtype=dtypes.int32) if not isinstance(pos, Tensor) else pos
    length = convert_to_tensor(len, dtype=pos.dtype)
    return apply_op(Substr(unit=unit), [x, pos, length], name=name)


def regex_replace(input: Any, pattern: str, rewrite: str, replace_global: bool = True,  # noqa: A002
                  name: Optional[str] = None) -> Tensor:
    """Each string with the matches of `pattern` replaced by `rewrite` (\\1 for groups)."""
    return apply_op(RegexReplace(pattern=str(pattern), rewrite=str(rewrite),
                                 replace_global=bool(replace_global)),
                    [_string_input(input)], name=name)


def regex_full_match(input: Any, pattern: str, name: Optional[str] = None) -> Tensor:  # noqa: A002
    """Whether each whole string matches `pattern` (node "RegexFullMatch")."""
    return apply_op(RegexFullMatch(pattern=str(pattern)), [_string_input(input)], name=name)


def reduce_join(inputs: Any, axis: Any = None, keep_dims: Any = None, separator: str = "",
                name: Optional[str] = None, reduction_indices: Any = None,
                keepdims: Any = None) -> Tensor:
    """Joins strings along `axis` (all of them by default) with `separator`."""
    axis = lookup_pair(axis, reduction_indices, "axis", "reduction_indices")
    keep = bool(lookup_pair(keepdims, keep_dims, "keepdims", "keep_dims") or False)
    x = _string_input(inputs)
    return apply_op(ReduceJoin(axis=as_axis_tuple(axis), keep_dims=keep,
                               separator=str(separator)), [x], name=name or "ReduceJoin")
