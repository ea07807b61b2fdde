"""Error classes with TF1's names and codes (`fg.errors.InvalidArgumentError`, ...).

Every runtime error derives from `OpError` and carries the node (`.op`) it concerns.
"""

from __future__ import annotations

from typing import Any, Optional

OK = 0
CANCELLED = 1
UNKNOWN = 2
INVALID_ARGUMENT = 3
DEADLINE_EXCEEDED = 4
NOT_FOUND = 5
ALREADY_EXISTS = 6
PERMISSION_DENIED = 7
RESOURCE_EXHAUSTED = 8
FAILED_PRECONDITION = 9
ABORTED = 10
OUT_OF_RANGE = 11
UNIMPLEMENTED = 12
INTERNAL = 13
UNAVAILABLE = 14
DATA_LOSS = 15
UNAUTHENTICATED = 16


class OpError(Exception):
    """An error raised while running a graph; names the node it concerns.

    Attributes: ``message``, ``op`` (the Operation or None), ``node_def`` and
    ``error_code`` (TF1's numeric codes, e.g. ``errors.INVALID_ARGUMENT``).
    """

    error_code = UNKNOWN

    def __init__(self, node_def: Any, op: Any, message: str,
                 error_code: Optional[int] = None) -> None:
        super().__init__(message)
        self._message = message
        self._node_def = node_def
        self._op = op
        if error_code is not None:
            self.error_code = error_code

    @property
    def message(self) -> str:
        return self._message

    @property
    def op(self) -> Any:
        return self._op

    @property
    def node_def(self) -> Any:
        return self._node_def

    def __str__(self) -> str:
        return self._message

    def __reduce__(self):
        return (type(self), (self._node_def, None, self._message))


def _make(name: str, code: int, doc: str) -> type:
    def __init__(self, node_def: Any, op: Any, message: str, *args: Any) -> None:
        OpError.__init__(self, node_def, op, message, code)

    return type(name, (OpError,), {"__init__": __init__, "error_code": code, "__doc__": doc})


CancelledError = _make("CancelledError", CANCELLED, "The operation was cancelled.")
UnknownError = _make("UnknownError", UNKNOWN, "An error of no other class.")
InvalidArgumentError = _make("InvalidArgumentError", INVALID_ARGUMENT,
                             "An op or a feed received an invalid argument.")
DeadlineExceededError = _make("DeadlineExceededError", DEADLINE_EXCEEDED,
                              "A run took longer than its RunOptions.timeout_in_ms.")
NotFoundError = _make("NotFoundError", NOT_FOUND, "A file or entity was not found.")
AlreadyExistsError = _make("AlreadyExistsError", ALREADY_EXISTS, "An entity already exists.")
PermissionDeniedError = _make("PermissionDeniedError", PERMISSION_DENIED,
                              "The caller may not do this.")
ResourceExhaustedError = _make("ResourceExhaustedError", RESOURCE_EXHAUSTED,
                               "Memory or another resource ran out.")
FailedPreconditionError = _make("FailedPreconditionError", FAILED_PRECONDITION,
                                "The system is not in a state to run this (e.g. an "
                                "uninitialized Variable).")
AbortedError = _make("AbortedError", ABORTED, "The operation was aborted.")
OutOfRangeError = _make("OutOfRangeError", OUT_OF_RANGE,
                        "Iteration went past the end of the data.")
UnimplementedError = _make("UnimplementedError", UNIMPLEMENTED,
                           "The operation is not supported for these arguments.")
InternalError = _make("InternalError", INTERNAL, "An invariant of the runtime was broken.")
UnavailableError = _make("UnavailableError", UNAVAILABLE, "A service is not available.")
DataLossError = _make("DataLossError", DATA_LOSS, "Data was lost or corrupted.")
UnauthenticatedError = _make("UnauthenticatedError", UNAUTHENTICATED,
                             "The request has no valid credentials.")


class InvalidFeedError(InvalidArgumentError, ValueError):
    """A bad `feed_dict` entry; also a ValueError, as TF1 raised for feeds."""


class InaccessibleTensorError(ValueError):
    """Fetching an element its graph marked not fetchable (`Graph.prevent_fetching`); a
    ValueError, as TF's."""


_BY_CODE = {cls.error_code: cls for cls in (
    CancelledError, UnknownError, InvalidArgumentError, DeadlineExceededError, NotFoundError,
    AlreadyExistsError, PermissionDeniedError, ResourceExhaustedError, FailedPreconditionError,
    AbortedError, OutOfRangeError, UnimplementedError, InternalError, UnavailableError,
    DataLossError, UnauthenticatedError)}


def exception_type_from_error_code(error_code: int) -> type:
    """The OpError subclass for one of TF1's numeric error codes."""
    return _BY_CODE[error_code]


def error_code_from_exception_type(cls: type) -> int:
    return cls.error_code

from flowgraph.error_status import raise_exception_on_not_ok_status  # noqa: E402,F401
