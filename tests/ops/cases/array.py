"""Cases for joining, splitting, reordering and padding: Pack, Unpack, ConcatV2, Split, SplitV,
Transpose, ReverseV2, ReverseSequence, Roll, Tile, Pad, PadV2, MirrorPad. Expected values are
literals or numpy."""

import numpy as np

import flowgraph as fg
from tests.ops.harness import OpCase

A = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], dtype=np.float32)
B = np.array([[7.0, 8.0, 9.0], [10.0, 11.0, 12.0]], dtype=np.float32)
X3 = np.arange(24, dtype=np.int32).reshape(2, 3, 4)
S = np.array([b"a", b"bc", b""], dtype=object)
EMPTY = np.zeros((0, 3), dtype=np.float32)

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
]
