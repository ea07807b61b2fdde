"""Fused kernels: a chain of elementwise ops (optionally after a matmul) run as one step.

The chain runs in one output buffer with numpy's ``out=``: the first op (or the matmul)
writes the buffer, every later op updates it in place, so a chain of n ops makes one array
instead of n and passes over memory once per op without fresh allocations. For small
arrays, where numpy's per-call cost dominates, the whole chain is one numexpr call when
numexpr is installed and can express every op exactly.

When the inputs do not have the shapes the plan expected (a side operand that would
broadcast the result to a larger shape, another dtype), the kernel falls back to running the
original ops one by one, so a fused node always computes what its ops compute.
"""

from __future__ import annotations

import threading
from typing import Any, Callable, Optional, Sequence

import numpy as np

from flowgraph.runtime import intra_op

# numexpr pays off for chains of at least this many ops, on arrays of at most this many
# elements (beyond, numpy's vectorized loops are faster than numexpr's per element).
NUMEXPR_MIN_OPS = 3
NUMEXPR_MAX_ELEMENTS = 4096
# Chains over arrays larger than BLOCK_MIN_BYTES run block by block, each block of about
# BLOCK_BYTES going through every op while it is in the CPU cache: one pass over memory
# for the whole chain instead of one per op. (Smaller arrays stay in the last-level cache
# anyway; measured on the project's machine, blocks pay off from about 32 MB.)
BLOCK_BYTES = 1 << 18
BLOCK_MIN_BYTES = 1 << 25
_ndarray = np.ndarray


class MatMulHead:
    """The matmul a fused chain starts with: inputs 0 and 1 of the fused kernel."""

    __slots__ = ("transpose_a", "transpose_b")

    def __init__(self, transpose_a: bool, transpose_b: bool) -> None:
        self.transpose_a = transpose_a
        self.transpose_b = transpose_b

    def shape(self, a: np.ndarray, b: np.ndarray) -> Optional[tuple]:
        if a.ndim != 2 or b.ndim != 2:
            return None
        m, ka = (a.shape[1], a.shape[0]) if self.transpose_a else a.shape
        kb, n = (b.shape[1], b.shape[0]) if self.transpose_b else b.shape
        return (m, n) if ka == kb else None

    def into(self, a: np.ndarray, b: np.ndarray, out: np.ndarray) -> None:
        np.matmul(a.T if self.transpose_a else a, b.T if self.transpose_b else b, out=out)


class FusedKernel:
    """One step running a matmul head (or not) and a chain of elementwise forms.

    Parameters
    ----------
    head : MatMulHead or None
        The matmul computing the chain's first value from inputs 0 and 1.
    main : int
        Without a head, the input holding the chain's first value.
    applies : list of callables
        The chain's ops, each ``apply(src, ins, out)`` (see flowgraph.runtime.elementwise).
    sides : tuple of int
        The inputs the chain's ops read besides the chain value (checked before running).
    dtype : numpy dtype
        The result's dtype.
    fallback : callable
        Runs the original ops one by one: ``fallback(*ins)`` -> the result.
    numexpr : (callable, tuple of int) or None
        A compiled numexpr expression and the inputs it takes, for small arrays.
    names : tuple of str
        The fused ops' names (for error messages).
    """

    def __init__(self, head: Optional[MatMulHead], main: int, applies: Sequence[Callable],
                 sides: tuple, dtype: Any, fallback: Callable,
                 numexpr: Optional[tuple] = None, names: tuple = ()) -> None:
        self.head = head
        self.main = main
        self.applies = tuple(applies)
        self.sides = sides
        self.dtype = np.dtype(dtype)
        self.fallback = fallback
        self.numexpr = numexpr
        # A compiled numexpr expression is not safe to call from two threads at once.
        self._numexpr_lock = threading.Lock()
        self.names = names
        # Whether the main input may be the output buffer (set by the fusion pass).
        self.donatable = head is None
        # Whether an op of the chain reads the main input again (set by the fusion pass).
        self.main_is_side = False
        # Per op, whether it is a matmul link (its rows mix; set by the fusion pass), or ()
        # when none is: only chains without one run range by range of rows.
        self.mixing: tuple = ()

    def __repr__(self) -> str:
        return f"FusedKernel({' -> '.join(self.names)})"

    # -- shapes
    def result_shape(self, ins: Sequence[Any]) -> Optional[tuple]:
        """The result's shape when the fused path applies to these inputs, else None."""
        dtype = self.dtype
        if self.head is not None:
            a, b = ins[0], ins[1]
            if type(a) is not _ndarray or type(b) is not _ndarray or a.dtype != dtype or \
                    b.dtype != dtype:
                return None
            shape = self.head.shape(a, b)
            if shape is None:
                return None
        else:
            x = ins[self.main]
            if type(x) is not _ndarray or x.dtype != dtype:
                return None
            shape = x.shape
        for i in self.sides:
            s = ins[i]
            if type(s) is not _ndarray or s.dtype != dtype:
                return None
            if s.shape != shape and not _fits(s.shape, shape):
                return None
        return shape

    # -- running
    def __call__(self, *ins: Any) -> Any:
        """The result in a new array (the reference form)."""
        shape = self.result_shape(ins)
        if shape is None:
            return self.fallback(*ins)
        return self.fresh(ins, shape)

    def fresh(self, ins: Sequence[Any], shape: tuple) -> Any:
        """The result in a new array, for inputs `result_shape` accepted (giving `shape`)."""
        if len(self.applies) + (self.head is not None) == 1:
            return self.fallback(*ins)  # one op: its own kernel allocates as well
        if self.numexpr is not None and _size(shape) <= NUMEXPR_MAX_ELEMENTS:
            fn, order = self.numexpr
            args = [ins[i] for i in order]
            with self._numexpr_lock:
                return fn(*args)
        return self.into(ins, np.empty(shape, self.dtype))

    def into(self, ins: Sequence[Any], out: np.ndarray) -> np.ndarray:
        """Writes the result into `out` (which may be the main input itself)."""
        applies = self.applies
        if self.head is not None:
            # (A plain product is left to BLAS's own threads: splitting it gained nothing.)
            if applies and out.size >= intra_op.MIN_ELEMENTS and not self.mixing and \
                    out.ndim == 2:
                _matmul_by_rows(self.head, applies, self.sides, ins, out)
                return out
            self.head.into(ins[0], ins[1], out)
            src = out
        else:
            src = ins[self.main]
        if self.mixing:
            return _with_spare(applies, self.mixing, src, ins, out)
        big = out.size >= intra_op.MIN_ELEMENTS or (len(applies) > 1 and
                                                    out.nbytes >= BLOCK_MIN_BYTES)
        if big and applies and out.ndim >= 1:
            # The main input read again by a later op ("-x * x") is cut like the chain.
            sides = self.sides + (self.main,) if self.main_is_side else self.sides
            _by_rows(applies, sides, src, ins, out)
            return out
        for apply in applies:
            apply(src, ins, out)
            src = out
        return out


def _matmul_by_rows(head: MatMulHead, applies: tuple, sides: tuple, ins: Sequence[Any],
                    out: np.ndarray) -> None:
    """A large matmul and its chain over ranges of rows, one range per core: each range
    multiplies its rows with one BLAS thread, then adds the bias and applies the activation
    to them while they are in cache (measured on the MLP inference step: 11.6 -> 11.0 ms
    against one two-thread product followed by split elementwise passes)."""
    left = ins[0].T if head.transpose_a else ins[0]
    right = ins[1].T if head.transpose_b else ins[1]
    rows = out.shape[0]
    cut = [i for i in sides if ins[i].ndim == 2 and ins[i].shape[0] == rows and rows > 1]

    def run(first: int, end: int) -> None:
        block_ins = list(ins)
        for i in cut:
            block_ins[i] = ins[i][first:end]
        block = out[first:end]
        np.matmul(left[first:end], right, out=block)
        for apply in applies:
            apply(block, block_ins, block)

    intra_op.split(rows, out.size, run, blas=True)


def _with_spare(applies: tuple, mixing: tuple, src: np.ndarray, ins: Sequence[Any],
                out: np.ndarray) -> np.ndarray:
    """Runs a chain with matmul links on whole arrays. A matmul cannot write over its own
    operand (numpy would first copy the operand), so such a link writes into a second
    buffer and the chain goes on there; the result is whichever buffer holds it last."""
    spare = None
    for apply, mixes in zip(applies, mixing):
        if mixes and src is out:
            if spare is None:
                spare = np.empty_like(out)
            out, spare = spare, out
        apply(src, ins, out)
        src = out
    return out


def _by_rows(applies: tuple, sides: tuple, src: np.ndarray, ins: Sequence[Any],
             out: np.ndarray) -> None:
    """Runs the chain over ranges of rows (of elements, when every side operand is a
    single value): split over the cores (flowgraph.runtime.intra_op), and within a range,
    for long chains on large arrays, block by block so that each block stays in cache
    through all the ops. Elementwise ops give the same values row by row as on the whole
    array."""
    flat_ins = list(ins)
    if all(ins[i].size == 1 for i in sides) and out.flags.c_contiguous and \
            src.flags.c_contiguous:
        out, src = out.reshape(-1), src.reshape(-1)
        for i in sides:
            flat_ins[i] = ins[i].reshape(())
    rows = out.shape[0]
    # Side operands with one row per output row are cut along with the rows.
    cut = [i for i in sides
           if flat_ins[i].ndim == out.ndim and flat_ins[i].shape[0] == rows and rows > 1]
    row_bytes = max(out.nbytes // max(rows, 1), 1)
    blocked = len(applies) > 1 and out.nbytes >= BLOCK_MIN_BYTES
    step = max(1, BLOCK_BYTES // row_bytes) if blocked else rows

    def run(first: int, end: int) -> None:
        block_ins = list(flat_ins)
        for start in range(first, end, step):
            stop = min(start + step, end)
            for i in cut:
                block_ins[i] = flat_ins[i][start:stop]
            block_out = out[start:stop]
            block_src = src[start:stop]
            for apply in applies:
                apply(block_src, block_ins, block_out)
                block_src = block_out

    intra_op.split(rows, out.size, run)


def _fits(small: tuple, big: tuple) -> bool:
    """True when an array of shape `small` broadcasts into `big` without enlarging it."""
    if len(small) > len(big):
        return False
    for a, b in zip(reversed(small), reversed(big)):
        if a != 1 and a != b:
            return False
    return True


def _size(shape: tuple) -> int:
    n = 1
    for d in shape:
        n *= d
    return n


# --------------------------------------------------------------------------- numexpr
_NE_KINDS = {"float32": "float", "float64": "double"}


def compile_numexpr(forms: Sequence[tuple], main: int, dtype: Any) -> Optional[tuple]:
    """A numexpr function for a chain without a head, or None.

    `forms` holds (Form, side input indices) per op; returns (NumExpr, input order).
    """
    kind = _NE_KINDS.get(np.dtype(dtype).name)
    if kind is None or len(forms) < NUMEXPR_MIN_OPS:
        return None
    if any(form.numexpr is None for form, _ in forms):
        return None
    try:
        import numexpr
        from numexpr import expressions
    except ImportError:
        return None
    used = [main] + sorted({i for _, sides in forms for i in sides} - {main})
    if len(used) > 64:
        return None
    context = expressions._context
    saved = dict(context.get_current_context())
    # Exact arithmetic only: no rewriting x / c as x * (1 / c).
    context.set_new_context({"optimization": "none", "truediv": True})
    try:
        names = {i: expressions.VariableNode(f"i{i}", kind) for i in used}
        expr = names[main]
        for form, sides in forms:
            expr = form.numexpr(expr, [names[i] for i in sides])
        signature = [(f"i{i}", np.dtype(dtype).type if kind == "double" else float)
                     for i in used]
        fn = numexpr.NumExpr(expr, signature=signature, optimization="none", truediv=True)
    except Exception:  # an expression numexpr cannot compile: the numpy path runs it
        return None
    finally:
        context.get_current_context().clear()
        context.set_new_context(saved)
    return fn, tuple(used)
