"""Cases for session_handle_ops.py: each case stores its input in the Session, reads it back
through the handle and deletes it, all within one run (control dependencies order them)."""

import numpy as np

import flowgraph as fg
from flowgraph.ops.registry import apply_op
from flowgraph.ops.session_handle_ops import DeleteSessionTensor, GetSessionTensor
from tests.ops.harness import OpCase


def _store_read_delete(x):
    handle = fg.get_session_handle(fg.identity(x))
    read = apply_op(GetSessionTensor(dtype=fg.float32), [handle])
    with fg.control_dependencies([read]):
        delete = apply_op(DeleteSessionTensor(), [handle])
    with fg.control_dependencies([delete]):
        return fg.identity(read)


_X = np.array([[1.5, -2.0, 3.0], [0.0, 4.25, -1.0]], np.float32)

CASES = [
    OpCase(op, _store_read_delete, [_X], expected=_X.copy(), grad=False)
    for op in ("GetSessionHandle", "GetSessionTensor", "DeleteSessionTensor")
]
