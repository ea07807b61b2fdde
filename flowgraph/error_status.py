"""TF1's ``tf.errors.raise_exception_on_not_ok_status``: a status object that raises on exit."""

from __future__ import annotations

from typing import Any

from flowgraph.errors import OK, OpError, exception_type_from_error_code

__all__ = ["Status", "raise_exception_on_not_ok_status"]


class Status:
    """A (code, message) pair, as TF1's ``TF_Status``: ``OK`` until `set` records an error."""

    def __init__(self) -> None:
        self.code = OK
        self.message = ""

    def set(self, code: int, message: str) -> None:
        """Records a result: `code` is one of ``fg.errors``' numeric codes (``OK`` clears)."""
        try:
            if code != OK:
                exception_type_from_error_code(code)
        except KeyError:
            raise ValueError(f"Unknown error code {code!r}: use one of fg.errors' codes, e.g. "
                             "fg.errors.INVALID_ARGUMENT") from None
        self.code = int(code)
        self.message = str(message)

    def __repr__(self) -> str:
        return f"Status(code={self.code}, message={self.message!r})"


class raise_exception_on_not_ok_status:  # noqa: N801 - TF1's name
    """Context manager yielding a `Status`; on exit, a status that is not OK raises the
    matching ``fg.errors.OpError`` subclass with its message (as TF1's)."""

    def __enter__(self) -> Status:
        self.status = Status()
        return self.status

    def __exit__(self, type_arg: Any, value_arg: Any, traceback_arg: Any) -> bool:
        try:
            if self.status.code != OK:
                error: type[OpError] = exception_type_from_error_code(self.status.code)
                raise error(None, None, self.status.message, self.status.code)
        finally:
            del self.status
        return False
