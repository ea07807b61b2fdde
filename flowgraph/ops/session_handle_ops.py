"""TF1's session handle ops (tensorflow/python/ops/session_ops.py): keep a tensor stored in
the Session across `run` calls under a handle string, read it back in a later run, delete it.

- `get_session_handle(data)`: a GetSessionHandle node; running it stores `data`'s value in
  the Session and gives its handle; `sess.run` returns a `TensorHandle` for it.
- `get_session_tensor(handle, dtype)`: (a string placeholder to feed the handle to, the
  stored tensor).
- `delete_session_tensor(handle)`: (a string placeholder to feed the handle to, the delete
  op).

Stored tensors are per Session: a handle of one Session is unknown to another.
"""

from __future__ import annotations

import itertools
import threading
from typing import Any, Optional

import numpy as np

from flowgraph import dtypes, errors
from flowgraph.graph import Operation, Tensor
from flowgraph.ops.registry import Op, apply_op, register
from flowgraph.shapes import TensorShape

__all__ = ["get_session_handle", "get_session_tensor", "delete_session_tensor",
           "TensorHandle"]

_DEVICE = "/job:localhost/replica:0/task:0/device:CPU:0"
_STORE_KEY = "session_tensors"
_HANDLE_OP_TYPES = ("GetSessionHandle",)


class _TensorStore:
    """The tensors one Session holds under handle strings (in its SessionState.resources)."""

    def __init__(self) -> None:
        self.tensors: dict = {}
        self.ids = itertools.count()
        self.lock = threading.Lock()
        self.dead: list = []


def _store(state: Any) -> _TensorStore:
    store = state.resources.get(_STORE_KEY)
    if store is None:
        with state.lock:
            store = state.resources.get(_STORE_KEY)
            if store is None:
                store = state.resources[_STORE_KEY] = _TensorStore()
    return store


def _handle_text(value: Any) -> str:
    item = value.item() if isinstance(value, np.ndarray) else value
    return item.decode("utf-8", "replace") if isinstance(item, bytes) else str(item)


def _unknown(ctx: Any, handle: str, what: str = "") -> errors.InvalidArgumentError:
    # TF1's wording, plus the likely causes.
    head = f"Failed to delete a tensor with handle '{handle}' in the session store." if what \
        else f"The tensor with handle '{handle}' is not in the session store."
    return errors.InvalidArgumentError(
        None, ctx.op, f"{head} It was deleted, or it comes from another Session (handles are "
        "per Session); run fg.get_session_handle(...) in this Session for a valid handle.")


class _SessionTensorOp(Op):
    stateful = True
    needs_state = True
    differentiable = False


@register
class GetSessionHandle(_SessionTensorOp):
    """Stores its input's value in the Session; outputs the handle string."""

    def infer(self, op):
        op.graph._session_handle_ops = True  # sess.run then wraps these fetches
        return [(dtypes.string, TensorShape([]))]

    def kernel(self, ctx, value):
        store = _store(ctx.state)
        with store.lock:
            handle = f"{ctx.op.name};{next(store.ids)};{_DEVICE}"
            if isinstance(value, np.ndarray) and value.flags.writeable:
                # A read-only copy: nothing that holds the array (or gets it back from
                # GetSessionTensor; fetches copy read-only arrays) can change the stored one.
                value = value.copy()
                value.flags.writeable = False
            store.tensors[handle] = value
        return np.array(handle.encode("utf-8"), dtype=object)


@register
class GetSessionTensor(_SessionTensorOp):
    """The tensor stored under the handle string (input 0)."""

    dtype: Any = None

    def check(self) -> None:
        if self.dtype is None:
            raise ValueError("GetSessionTensor needs a dtype")

    def infer(self, op):
        return [(dtypes.as_dtype(self.dtype), TensorShape(None))]

    def kernel(self, ctx, handle):
        text = _handle_text(handle)
        store = _store(ctx.state)
        with store.lock:
            if text not in store.tensors:
                raise _unknown(ctx, text)
            value = store.tensors[text]
        dtype = dtypes.as_dtype(self.dtype)
        actual = np.asarray(value).dtype
        expected = np.dtype(object) if dtype.is_string else dtype.np
        if actual != expected:
            raise errors.InvalidArgumentError(
                None, ctx.op, f"The tensor with handle '{text}' has dtype {actual}, but "
                f"get_session_tensor was given dtype {dtype.name}; pass the stored tensor's "
                "dtype.")
        return value


@register
class DeleteSessionTensor(_SessionTensorOp):
    """Removes the tensor stored under the handle string (input 0) from the Session."""

    def infer(self, op):
        return []

    def kernel(self, ctx, handle):
        text = _handle_text(handle)
        store = _store(ctx.state)
        with store.lock:
            if store.tensors.pop(text, None) is None:
                raise _unknown(ctx, text, "delete")
        return ()


def get_session_handle(data: Any, name: Optional[str] = None) -> Tensor:
    """Returns the handle of `data` (a scalar string Tensor): running it keeps `data`'s value
    in the Session; `sess.run` of it gives a `TensorHandle`. TypeError if `data` is not a
    Tensor, as TF1."""
    if not isinstance(data, Tensor):
        raise TypeError("`data` must be of type Tensor.")
    return apply_op(GetSessionHandle(), [data], name=name)


def get_session_tensor(handle: Any, dtype: Any, name: Optional[str] = None) -> tuple:
    """Returns (a string placeholder to feed the handle to, the stored tensor of `dtype`).

    `handle` (a handle string) only says where the tensor lives, as TF1; the handle itself
    is given at run time through the placeholder."""
    from flowgraph.ops.constant import placeholder
    _check_handle(handle)
    holder = placeholder(dtypes.string)
    tensor = apply_op(GetSessionTensor(dtype=dtypes.as_dtype(dtype)), [holder], name=name)
    return holder, tensor


def delete_session_tensor(handle: Any, name: Optional[str] = None) -> tuple:
    """Returns (a string placeholder to feed the handle to, the op that deletes the tensor
    stored under it)."""
    from flowgraph.ops.constant import placeholder
    _check_handle(handle)
    holder = placeholder(dtypes.string)
    deleter = apply_op(DeleteSessionTensor(), [holder], name=name)
    return holder, deleter


def _check_handle(handle: Any) -> None:
    if isinstance(handle, TensorHandle):
        return
    if not isinstance(handle, (str, bytes)):
        raise TypeError(f"handle must be a tensor handle string (TensorHandle.handle), got "
                        f"{type(handle).__name__} {handle!r}")


class TensorHandle:
    """What `sess.run` gives for a `get_session_handle` fetch: the handle of a tensor kept in
    that Session. Feed it (or `.handle`) to a `get_session_tensor` placeholder."""

    def __init__(self, handle: Any, dtype: Any, session: Any) -> None:
        self._handle = _handle_text(handle)
        self._dtype = dtypes.as_dtype(dtype)
        self._session = session
        self._auto_gc_enabled = True

    def __del__(self) -> None:
        # As TF1: a handle object that goes away frees its tensor, in batches of 10.
        if getattr(self, "_auto_gc_enabled", False):
            _register_dead_handle(self._session, self._handle)

    def __str__(self) -> str:
        return self._handle

    def __repr__(self) -> str:
        return f"<TensorHandle {self._handle!r} dtype={self._dtype.name}>"

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        # Feeding the object itself feeds its handle string.
        return np.array(self._handle.encode("utf-8"), dtype=object)

    @property
    def handle(self) -> str:
        """The handle string."""
        return self._handle

    def get_raw_handle(self) -> str:
        """The handle string."""
        return self._handle

    def eval(self) -> Any:
        """The stored tensor's value (runs a reader in its Session)."""
        holder, reader = _handle_reader(self._session.graph, self._dtype)
        return self._session.run(reader, feed_dict={holder: self._handle})

    def delete(self) -> None:
        """Deletes the stored tensor from its Session."""
        self._auto_gc_enabled = False
        holder, deleter = _handle_deleter(self._session.graph)
        self._session.run(deleter, feed_dict={holder: self._handle})


def _handle_reader(graph: Any, dtype: Any) -> tuple:
    cache = graph.__dict__.setdefault("_session_handle_readers", {})
    key = ("reader", dtype)
    if key not in cache:
        with graph.as_default():
            from flowgraph.ops.constant import placeholder
            holder = placeholder(dtypes.string)
            cache[key] = (holder, apply_op(GetSessionTensor(dtype=dtype), [holder]))
    return cache[key]


def _handle_deleter(graph: Any) -> tuple:
    cache = graph.__dict__.setdefault("_session_handle_readers", {})
    if "deleter" not in cache:
        with graph.as_default():
            from flowgraph.ops.constant import placeholder
            holder = placeholder(dtypes.string)
            cache["deleter"] = (holder, apply_op(DeleteSessionTensor(), [holder]))
    return cache["deleter"]


def _register_dead_handle(session: Any, handle: str) -> None:
    if getattr(session, "_closed", True):
        return
    try:
        store = _store(session.state)
    except Exception:  # (interpreter shutdown)
        return
    with store.lock:
        store.dead.append(handle)
        if len(store.dead) < 10:
            return
        dead, store.dead = store.dead, []
        for name in dead:
            store.tensors.pop(name, None)


def wrap_fetches(session: Any, elements: Any, results: list) -> list:
    """`results` of `session.run` with GetSessionHandle values made `TensorHandle`s."""
    tensors = [e for e in elements if not isinstance(e, Operation)]
    out = list(results)
    for i, tensor in enumerate(tensors):
        if isinstance(tensor, Tensor) and tensor.op.type in _HANDLE_OP_TYPES:
            out[i] = TensorHandle(out[i], tensor.op.inputs[0].dtype, session)
    return out
