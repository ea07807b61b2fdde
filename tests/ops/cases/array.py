"""Cases for joining, splitting, reordering and padding: Pack, Unpack, ConcatV2, Split, SplitV,
Transpose, InvertPermutation, ReverseV2, ReverseSequence, Roll, Tile, Pad, PadV2, MirrorPad and
MirrorPadGrad. Expected values are literals or numpy."""

import numpy as np

import flowgraph as fg
from flowgraph.ops.array_grad import MirrorPadGrad
from flowgraph.ops.registry import apply_op
from tests.ops.harness import OpCase

A = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], dtype=np.float32)
B = np.array([[7.0, 8.0, 9.0], [10.0, 11.0, 12.0]], dtype=np.float32)
X3 = np.arange(24, dtype=np.int32).reshape(2, 3, 4)
S = np.array([b"a", b"bc", b""], dtype=object)
EMPTY = np.zeros((0, 3), dtype=np.float32)
X3F = np.arange(24, dtype=np.float32).reshape(2, 3, 4) / 4


def _mirror_pad_grad(mode, paddings):
    return lambda dy: apply_op(MirrorPadGrad(mode=mode), [dy, fg.constant(paddings)])


def _mirror_pad_adjoint(dy, paddings, mode):
    """The transpose of numpy's mirror padding: pad an array of element numbers, then add each
    gradient element to the element it was copied from."""
    shape = tuple(d - a - b for d, (a, b) in zip(dy.shape, paddings))
    source = np.pad(np.arange(int(np.prod(shape))).reshape(shape), paddings, mode=mode)
    out = np.zeros(int(np.prod(shape)), dtype=dy.dtype)
    np.add.at(out, source.ravel(), dy.ravel())
    return out.reshape(shape)


DY_PAD = np.arange(35, dtype=np.float32).reshape(5, 7) - 9

CASES = [
    # Pack
    OpCase("Pack", lambda x, y: fg.stack([x, y]), [A, B], expected=np.stack([A, B]),
           name="axis0"),
    OpCase("Pack", lambda x, y: fg.stack([x, y], axis=-1), [A, B],
           expected=np.array([[[1, 7], [2, 8], [3, 9]], [[4, 10], [5, 11], [6, 12]]],
                             dtype=np.float32), name="axis-last"),
    OpCase("Pack", lambda x, y: fg.stack([x, y]), [np.int64(3), np.int64(-4)],
           expected=np.int64([3, -4]), name="scalars"),
    OpCase("Pack", lambda x: fg.stack([x, x, x], axis=1), [S],
           expected=np.array([[b"a"] * 3, [b"bc"] * 3, [b""] * 3], dtype=object),
           name="strings"),
    OpCase("Pack", lambda x: fg.stack([x, 2.0 * fg.ones_like(x)], axis=0), [EMPTY],
           expected=np.zeros((2, 0, 3), dtype=np.float32), name="empty"),
    # Unpack
    OpCase("Unpack", lambda x: fg.unstack(x), [A], expected=[A[0], A[1]], name="axis0",
           partial_shapes=False),
    OpCase("Unpack", lambda x: fg.unstack(x, num=3, axis=-1), [A],
           expected=[np.float32([1, 4]), np.float32([2, 5]), np.float32([3, 6])],
           name="axis-last-num"),
    OpCase("Unpack", lambda x: fg.unstack(x, num=3, axis=1), [X3],
           expected=[X3[:, 0, :], X3[:, 1, :], X3[:, 2, :]], name="rank3-middle"),
    OpCase("Unpack", lambda x: fg.unstack(x, num=1), [np.int32([[5, 6]])],
           expected=np.int32([5, 6]), name="one"),
    # ConcatV2
    OpCase("ConcatV2", lambda x, y: fg.concat([x, y], 0), [A, B],
           expected=np.concatenate([A, B], 0), name="axis0"),
    OpCase("ConcatV2", lambda x, y: fg.concat([x, y], -1), [A, B],
           expected=np.float32([[1, 2, 3, 7, 8, 9], [4, 5, 6, 10, 11, 12]]), name="neg-axis"),
    OpCase("ConcatV2", lambda x, y: fg.concat([x, y, x], 1), [X3, X3[:, :1]],
           expected=np.concatenate([X3, X3[:, :1], X3], 1), name="three-int"),
    OpCase("ConcatV2", lambda x, y: fg.concat([x, y], 0), [EMPTY, A[:1]],
           expected=np.float32([[1, 2, 3]]), name="with-empty"),
    OpCase("ConcatV2", lambda x: fg.concat([x, [b"z"]], 0), [S],
           expected=np.array([b"a", b"bc", b"", b"z"], dtype=object), name="strings"),
    # Split
    OpCase("Split", lambda x: fg.split(x, 3, axis=1), [A],
           expected=[A[:, 0:1], A[:, 1:2], A[:, 2:3]], name="three"),
    OpCase("Split", lambda x: fg.split(x, 2, axis=-1), [X3],
           expected=[X3[..., :2], X3[..., 2:]], name="neg-axis"),
    OpCase("Split", lambda x: fg.split(x, 1), [A], expected=A, name="one"),
    # SplitV
    OpCase("SplitV", lambda x: fg.split(x, [1, -1], axis=1), [A],
           expected=[np.float32([[1], [4]]), np.float32([[2, 3], [5, 6]])], name="minus-one"),
    OpCase("SplitV", lambda x: fg.split(x, [2, 0, 2], axis=2), [X3],
           expected=[X3[..., :2], X3[..., 2:2], X3[..., 2:]], name="zero-size"),
    OpCase("SplitV", lambda x, s: fg.split(x, s, num=2), [A, np.int32([1, 1])],
           expected=[A[:1], A[1:]], name="sizes-tensor"),
    OpCase("SplitV", lambda x, s: fg.split(x, s, num=2, axis=1), [A, np.int64([-1, 2])],
           expected=[A[:, :1], A[:, 1:]], name="sizes-tensor-minus-one"),
    # Transpose
    OpCase("Transpose", lambda x: fg.transpose(x), [A], expected=A.T, name="default"),
    OpCase("Transpose", lambda x: fg.transpose(x, [2, 0, 1]), [X3],
           expected=np.transpose(X3, (2, 0, 1)), name="perm"),
    OpCase("Transpose", lambda x, p: fg.transpose(x, p), [X3, np.int32([1, 2, 0])],
           expected=np.transpose(X3, (1, 2, 0)), name="perm-tensor"),
    OpCase("Transpose", lambda x: fg.transpose(x), [X3],
           expected=np.transpose(X3, (2, 1, 0)), name="default-rank3"),
    OpCase("Transpose", lambda x: fg.transpose(x), [np.float64(2.0)],
           expected=np.float64(2.0), name="scalar"),
    # ReverseV2
    OpCase("ReverseV2", lambda x: fg.reverse(x, [1]), [A],
           expected=np.float32([[3, 2, 1], [6, 5, 4]]), name="axis1"),
    OpCase("ReverseV2", lambda x: fg.reverse_v2(x, [0, -1]), [X3],
           expected=X3[::-1, :, ::-1], name="two-axes"),
    OpCase("ReverseV2", lambda x: fg.reverse(x, []), [A], expected=A, name="no-axes"),
    # ReverseSequence
    OpCase("ReverseSequence", lambda x, n: fg.reverse_sequence(x, n, seq_axis=1),
           [np.int32([[1, 2, 3, 4], [5, 6, 7, 8], [9, 10, 11, 12]]), np.int64([3, 0, 4])],
           expected=np.int32([[3, 2, 1, 4], [5, 6, 7, 8], [12, 11, 10, 9]]), name="batch0"),
    OpCase("ReverseSequence", lambda x, n: fg.reverse_sequence(x, n, seq_axis=0,
                                                                batch_axis=1),
           [np.float32([[[1], [2]], [[3], [4]], [[5], [6]]]), np.int32([2, 3])],
           expected=np.float32([[[3], [6]], [[1], [4]], [[5], [2]]]), name="time-major"),
    # Roll
    OpCase("Roll", lambda x: fg.roll(x, 1, 0), [np.int32([1, 2, 3, 4])],
           expected=np.int32([4, 1, 2, 3]), name="vector"),
    OpCase("Roll", lambda x: fg.roll(x, [-1, 2], [0, -1]), [A],
           expected=np.float32([[5, 6, 4], [2, 3, 1]]), name="two-axes"),
    OpCase("Roll", lambda x, s: fg.roll(x, s, [1, 1]), [A, np.int32([2, 2])],
           expected=np.float32([[3, 1, 2], [6, 4, 5]]), name="same-axis-twice"),
    # Tile
    OpCase("Tile", lambda x: fg.tile(x, [2, 1]), [A], expected=np.concatenate([A, A], 0),
           name="rows"),
    OpCase("Tile", lambda x, m: fg.tile(x, m), [np.int32([[1, 2]]), np.int32([2, 3])],
           expected=np.int32([[1, 2, 1, 2, 1, 2], [1, 2, 1, 2, 1, 2]]), name="tensor"),
    OpCase("Tile", lambda x: fg.tile(x, [0, 2]), [A], expected=np.zeros((0, 6), np.float32),
           name="zero"),
    # Pad / PadV2 / MirrorPad
    OpCase("Pad", lambda x: fg.pad(x, [[1, 0], [0, 2]]), [A],
           expected=np.float32([[0, 0, 0, 0, 0], [1, 2, 3, 0, 0], [4, 5, 6, 0, 0]]),
           name="constant"),
    OpCase("Pad", lambda x, p: fg.pad(x, p), [np.int32([1, 2]), np.int32([[2, 1]])],
           expected=np.int32([0, 0, 1, 2, 0]), name="paddings-tensor"),
    OpCase("Pad", lambda x: fg.pad(x, [[1, 1]]), [S],
           expected=np.array([b"", b"a", b"bc", b"", b""], dtype=object), name="strings"),
    OpCase("PadV2", lambda x: fg.pad(x, [[0, 1], [1, 0]], constant_values=-1.5), [A],
           expected=np.float32([[-1.5, 1, 2, 3], [-1.5, 4, 5, 6], [-1.5] * 4]),
           name="value"),
    OpCase("MirrorPad", lambda x: fg.pad(x, [[0, 0], [2, 2]], "REFLECT"), [A],
           expected=np.float32([[3, 2, 1, 2, 3, 2, 1], [6, 5, 4, 5, 6, 5, 4]]),
           name="reflect"),
    OpCase("MirrorPad", lambda x: fg.pad(x, [[1, 2], [3, 1]], mode="symmetric"), [A],
           expected=np.float32([[3, 2, 1, 1, 2, 3, 3], [3, 2, 1, 1, 2, 3, 3],
                                [6, 5, 4, 4, 5, 6, 6], [6, 5, 4, 4, 5, 6, 6],
                                [3, 2, 1, 1, 2, 3, 3]]), name="symmetric"),
    # MirrorPadGrad (the gradient of MirrorPad)
    OpCase("MirrorPadGrad", _mirror_pad_grad("REFLECT", [[1, 1], [2, 2]]), [DY_PAD],
           expected=lambda dy: _mirror_pad_adjoint(dy, [[1, 1], [2, 2]], "reflect"),
           name="reflect"),
    OpCase("MirrorPadGrad", _mirror_pad_grad("SYMMETRIC", [[1, 2], [3, 1]]), [DY_PAD],
           expected=lambda dy: _mirror_pad_adjoint(dy, [[1, 2], [3, 1]], "symmetric"),
           name="symmetric"),
    # [1..7] is the gradient of [c, b, a, b, c, b, a], the reflection of [a, b, c] by 2.
    OpCase("MirrorPadGrad", _mirror_pad_grad("REFLECT", [[2, 2]]),
           [np.float64([1, 2, 3, 4, 5, 6, 7])], expected=np.float64([3 + 7, 2 + 4 + 6, 1 + 5]),
           name="hand-computed"),
    # InvertPermutation
    OpCase("InvertPermutation", lambda p: fg.invert_permutation(p), [np.int32([3, 4, 0, 2, 1])],
           expected=np.int32([2, 4, 3, 0, 1])),
    OpCase("InvertPermutation", lambda p: fg.invert_permutation(p), [np.int64([0])],
           expected=np.int64([0]), name="int64"),
    OpCase("InvertPermutation", lambda: fg.invert_permutation(fg.constant([], fg.int32)),
           expected=np.zeros(0, np.int32), name="empty"),
    # Gradient-focused cases: float inputs, tensors known only at run time.
    OpCase("Unpack", lambda x: fg.unstack(x, num=3, axis=1), [X3F],
           expected=[X3F[:, 0, :], X3F[:, 1, :], X3F[:, 2, :]], name="rank3-middle-float"),
    OpCase("Unpack", lambda x: fg.unstack(x, num=3, axis=1)[1], [X3F], expected=X3F[:, 1, :],
           name="one-output-used"),
    OpCase("ConcatV2", lambda x, y: fg.concat([x, y, x], 1), [X3F, X3F[:, :1] + 100],
           expected=np.concatenate([X3F, X3F[:, :1] + 100, X3F], 1), name="three-float"),
    OpCase("ConcatV2", lambda x, y: fg.concat([x, y], -1), [A[:, :1], B],
           expected=np.float32([[1, 7, 8, 9], [4, 10, 11, 12]]), name="unequal-sizes"),
    OpCase("Split", lambda x: fg.split(x, 2, axis=-1), [X3F],
           expected=[X3F[..., :2], X3F[..., 2:]], name="neg-axis-float"),
    OpCase("Split", lambda x: fg.split(x, 2, axis=-1)[0], [X3F], expected=X3F[..., :2],
           name="one-output-used"),
    OpCase("Transpose", lambda x, p: fg.transpose(x, p), [X3F, np.int32([1, 2, 0])],
           expected=np.transpose(X3F, (1, 2, 0)), name="perm-tensor-float"),
    OpCase("Transpose", lambda x: fg.transpose(x, [2, 0, 1]), [X3F],
           expected=np.transpose(X3F, (2, 0, 1)), name="perm-float"),
    OpCase("ReverseV2", lambda x: fg.reverse(x, [0, -1]), [X3F], expected=X3F[::-1, :, ::-1],
           name="two-axes-float"),
    OpCase("ReverseSequence", lambda x, n: fg.reverse_sequence(x, n, seq_axis=1,
                                                                batch_axis=2),
           [X3F, np.int64([3, 0, 1, 2])],
           expected=lambda x, n: np.stack([np.concatenate([x[:, :k, b][:, ::-1],
                                                           x[:, k:, b]], 1)
                                           for b, k in enumerate(n)], 2),
           name="batch-last"),
    OpCase("Roll", lambda x: fg.roll(x, [1, -5], [0, 2]), [X3F],
           expected=np.roll(X3F, (1, -5), (0, 2)), name="rank3-float"),
    OpCase("Tile", lambda x, m: fg.tile(x, m), [A, np.int32([2, 3])],
           expected=np.tile(A, (2, 3)), name="tensor-multiples-float"),
    OpCase("Tile", lambda x: fg.tile(x, [1, 2, 3]), [X3F[:, :2, :2]],
           expected=np.tile(X3F[:, :2, :2], (1, 2, 3)), name="rank3"),
    OpCase("Tile", lambda x: fg.tile(x, [1, 1]), [A], expected=A, name="ones"),
    OpCase("Pad", lambda x, p: fg.pad(x, p), [X3F, np.int64([[1, 0], [0, 2], [1, 1]])],
           expected=np.pad(X3F, [[1, 0], [0, 2], [1, 1]]), name="paddings-tensor-float"),
    OpCase("PadV2", lambda x, v: fg.pad(x, [[1, 1], [0, 2]], constant_values=v),
           [A, np.float32(2.5)], expected=np.pad(A, [[1, 1], [0, 2]], constant_values=2.5),
           name="value-tensor"),
    OpCase("MirrorPad", lambda x, p: fg.pad(x, p, "REFLECT"),
           [X3F, np.int32([[1, 1], [2, 1], [0, 3]])],
           expected=np.pad(X3F, [[1, 1], [2, 1], [0, 3]], mode="reflect"),
           name="reflect-paddings-tensor"),
]
