"""TF1's ``tf.io.encode_base64`` / ``tf.io.decode_base64`` (also ``tf.encode_base64`` /
``tf.decode_base64``): elementwise web-safe base64 (``-`` and ``_`` instead of ``+`` and
``/``), as TF: encoding pads with ``=`` only when asked, decoding accepts padded or
unpadded text.
"""

from __future__ import annotations

import base64
import re
from typing import Any, Optional

import numpy as np

from flowgraph import dtypes, errors
from flowgraph.ops.constant import convert_to_tensor
from flowgraph.ops.registry import Op, apply_op, register

__all__ = ["encode_base64", "decode_base64"]

_WEB_SAFE = re.compile(rb"[A-Za-z0-9_\-]*")


def _as_bytes(value: Any) -> bytes:
    return value.encode("utf-8") if isinstance(value, str) else bytes(value)


def _check_string(op: Any) -> Any:
    (tensor,) = op.inputs
    if not tensor.dtype.is_string:
        raise TypeError(f"{op.type} {op.name!r}: input must be a string tensor, got "
                        f"{tensor.dtype.name}")
    return [(dtypes.string, tensor.shape)]


def _map(values: Any, function: Any) -> np.ndarray:
    array = np.asarray(values, dtype=object)
    out = np.empty(array.shape, dtype=object)
    for index, item in np.ndenumerate(array):
        out[index] = function(_as_bytes(item))
    return out


def _decode_one(data: bytes) -> bytes:
    body = data
    # As TF: up to two trailing '=' are padding, and a padded text is whole 4-char groups.
    stripped = body.rstrip(b"=")
    if len(body) - len(stripped) > 2 or (body != stripped and len(body) % 4):
        raise errors.InvalidArgumentError(
            None, None, f"Invalid character found in base64 (bad '=' padding in {data[:40]!r})")
    if not _WEB_SAFE.fullmatch(stripped):
        raise errors.InvalidArgumentError(
            None, None, f"Invalid character found in base64 ({data[:40]!r}); decode_base64 "
            "reads the web-safe alphabet A-Z a-z 0-9 - _ (replace '+' by '-' and '/' by '_')")
    if len(stripped) % 4 == 1:
        raise errors.InvalidArgumentError(
            None, None, f"Base64 string length cannot be 1 modulo 4 ({data[:40]!r} has "
            f"{len(stripped)} characters without padding)")
    return base64.urlsafe_b64decode(stripped + b"=" * (-len(stripped) % 4))


@register
class EncodeBase64(Op):
    """Input: a string tensor. Output: each element web-safe base64 encoded, same shape;
    ``=`` padding only with ``pad=True``."""

    pad: bool = False

    differentiable = False

    def infer(self, op):
        return _check_string(op)

    def kernel(self, values):
        if self.pad:
            return _map(values, base64.urlsafe_b64encode)
        return _map(values, lambda b: base64.urlsafe_b64encode(b).rstrip(b"="))


@register
class DecodeBase64(Op):
    """Input: a string tensor of web-safe base64 (padded or not). Output: the decoded
    bytes, same shape. Another alphabet or a bad length is InvalidArgumentError when run."""

    differentiable = False

    def infer(self, op):
        return _check_string(op)

    def kernel(self, values):
        return _map(values, _decode_one)


def encode_base64(input: Any, pad: bool = False, name: Optional[str] = None) -> Any:  # noqa: A002
    """Web-safe base64 encoding of each string (node "EncodeBase64").

    Parameters
    ----------
    input : string Tensor
        Bytes to encode, any shape.
    pad : bool
        Whether to end each encoding with ``=`` padding to a multiple of 4 characters.
    name : str, optional
        Name of the op.

    Returns
    -------
    Tensor
        Strings of the same shape, in the alphabet A-Z a-z 0-9 - _.
    """
    return apply_op(EncodeBase64(pad=bool(pad)),
                    [convert_to_tensor(input, dtype=dtypes.string)], name=name)


def decode_base64(input: Any, name: Optional[str] = None) -> Any:  # noqa: A002
    """Decodes web-safe base64 strings (node "DecodeBase64"); padding is optional.

    Parameters
    ----------
    input : string Tensor
        Web-safe base64 text, any shape.
    name : str, optional
        Name of the op.

    Returns
    -------
    Tensor
        The decoded bytes, same shape. InvalidArgumentError when run for text outside the
        web-safe alphabet or of an impossible length.
    """
    return apply_op(DecodeBase64(), [convert_to_tensor(input, dtype=dtypes.string)],
                    name=name)
