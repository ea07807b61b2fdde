"""Cases for RestoreV2 (flowgraph.ops.io_ops): values read back from a checkpoint written
by flowgraph.io.checkpoint, compared with the arrays written."""

import atexit
import functools
import os
import shutil
import tempfile

import numpy as np

from flowgraph import dtypes
from flowgraph.io.checkpoint import write_checkpoint
from flowgraph.ops.constant import constant
from flowgraph.ops.io_ops import RestoreV2
from flowgraph.ops.registry import apply_op
from tests.ops.harness import OpCase

W = np.arange(6, dtype=np.float32).reshape(2, 3)
STEP = np.int64(42)


@functools.cache
def _prefix() -> str:
    folder = tempfile.mkdtemp(prefix="fg_restore_case_")
    atexit.register(shutil.rmtree, folder, True)
    prefix = os.path.join(folder, "model.ckpt")
    write_checkpoint(prefix, {"w": W, "global_step": STEP})
    return prefix


def _restore(names, slices, types):
    return apply_op(RestoreV2(dtypes=types), [constant(_prefix(), dtypes.string), names, slices])


def S(*items):  # noqa: N802 - object arrays of bytes
    out = np.empty(len(items), dtype=object)
    out[:] = list(items)
    return out


CASES = [
    OpCase("RestoreV2", lambda n, s: _restore(n, s, (dtypes.float32,)), [S(b"w"), S(b"")],
           expected=W, grad=False),
    OpCase("RestoreV2", lambda n, s: _restore(n, s, (dtypes.int64, dtypes.float32)),
           [S(b"global_step", b"w"), S(b"", b"")], expected=[STEP, W], grad=False,
           name="two_tensors"),
]
