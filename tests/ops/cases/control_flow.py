"""Cases for the control-flow ops (If, While and their recordings, fg.case's check) and the
TensorArray ops; references are numpy written here or hand-computed values."""

import numpy as np

import flowgraph as fg
import flowgraph.control_flow as cf
from flowgraph.control_flow.grad_util import unpack_saved
from flowgraph.ops import tensor_array_grad_ops as tag
from flowgraph.ops.control_flow_records import SavedCount
from flowgraph.ops.registry import apply_op
from tests.ops.harness import OpCase

X3 = np.float32([0.5, -1.0, 2.0])
W3 = np.float32([1.5, 0.25, -0.5])
M23 = np.float32([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])


def _cond(x, w):
    return cf.cond(fg.reduce_sum(x) > 0, lambda: x * w + 1.0, lambda: fg.sin(x) * w)


def _cond_nested(x, w):
    """A nested structure, a cond inside a branch, an outer tensor returned as it is."""
    def true_fn():
        inner = cf.cond(x[0] > 0, lambda: x * x, lambda: -x)
        return {"a": inner, "b": (w, x + w)}
    return cf.cond(fg.reduce_max(x) > 1.0, true_fn,
                   lambda: {"a": x, "b": (w * 2.0, x - w)})


def _while(x, w):
    _, s = cf.while_loop(lambda i, s: i < 3, lambda i, s: (i + 1, s * x + w),
                         [fg.constant(0), fg.ones_like(x)])
    return s


def _while_fed_count(x, n):
    _, s = cf.while_loop(lambda i, s: i < n, lambda i, s: (i + 1, s * x + 1.0),
                         [fg.constant(0), x])
    return s


def _power(x, n):
    y = x
    for _ in range(int(n) - 1):
        y = y * x + 1.0
    return y


def _ta(x, size=None):
    return cf.TensorArray(x.dtype, size=size if size is not None else 2)


def _write_read(x, y):
    ta = _ta(x).write(0, x).write(1, y * 2.0)
    return [ta.read(1), ta.read(0) * 3.0]


def _assign_in_branch(x):
    v = fg.Variable(np.zeros(3, np.float32), name="v")
    y = cf.cond(x[0] > 0, lambda: fg.assign(v, x * 2.0), lambda: x)
    if_op = y.op.inputs[0].op  # y is the If op's output through "cond/Merge"
    assign_name = if_op.op_def.then_outputs[0]
    (saved,) = unpack_saved(if_op.outputs[-1], 0, ["then:" + assign_name], [fg.float32],
                            [fg.TensorShape([3])])
    return [y, saved]


def _exclusive_case(x):
    return cf.case([(x[0] > 0, lambda: x + 1.0), (x[0] < -5, lambda: x - 1.0)],
                   default=lambda: x, exclusive=True)


def _while_grad(x):
    _, s = cf.while_loop(lambda i, s: i < 2, lambda i, s: (i + 1, s * s), [0, x])
    (g,) = fg.gradients(s, [x])
    steps = apply_op(SavedCount(), [s.op.inputs[0].op.outputs[-1]])  # s: "while/Exit_1"
    return [g, steps]


def _list_of(x):
    return _ta(x, 3).write(0, x[0]).write(2, x[2])


def _gather_or_zeros(x):
    return tag.gather_or_zeros(_list_of(x).flow, [2, 1, 0], x)


CASES = [
    # --- If
    OpCase("If", _cond, [X3, W3], expected=X3 * W3 + 1.0, name="true"),
    OpCase("If", _cond, [-X3, W3], expected=np.sin(-X3) * W3, name="false"),
    OpCase("If", lambda x, w: list(_cond_nested(x, w)["b"]) + [_cond_nested(x, w)["a"]],
           [X3, W3], expected=[W3, X3 + W3, X3 * X3], name="nested"),
    OpCase("If", lambda x, w: list(_cond_nested(x, w)["b"]) + [_cond_nested(x, w)["a"]],
           [X3 * 0.25, W3], expected=[W3 * 2, X3 * 0.25 - W3, X3 * 0.25],
           name="nested_false"),
    OpCase("If", lambda x: cf.cond(x[0] > 0, lambda: x, lambda: x[:1]), [X3],
           expected=X3, name="shapes_differ", grad=False),
    # --- While
    OpCase("While", _while, [X3, W3],
           expected=((X3 + W3) * X3 + W3) * X3 + W3, name="three_steps"),
    OpCase("While", _while_fed_count, [np.float64([0.5, 2.0]), np.int32(4)],
           expected=_power(np.float64([0.5, 2.0]), 5), name="fed_count"),
    OpCase("While", lambda x: cf.while_loop(lambda s: fg.reduce_sum(s) < 100.0,
                                            lambda s: s * 2.0, [x]),
           [np.float32([1.0, 2.0])], expected=np.float32([64.0, 128.0]), name="data_dependent",
           grad_inputs=[np.float64([1.1, 2.3])]),
    OpCase("While", lambda x: cf.while_loop(
        lambda s: fg.shape(s)[0] < 4, lambda s: fg.concat([s, s[-1:] * 2.0], 0), [x],
        shape_invariants=[fg.TensorShape([None])]),
        [np.float32([1.0, 3.0])], expected=np.float32([1.0, 3.0, 6.0, 12.0]),
        name="growing_shape"),
    OpCase("While", lambda x: cf.map_fn(lambda e: e * e + 1.0, x), [M23],
           expected=M23 * M23 + 1.0, name="map_fn"),
    OpCase("While", lambda x: cf.scan(lambda a, e: a * 0.5 + e, x), [M23],
           expected=np.float32([[1, 2, 3], [4.5, 6, 7.5]]), name="scan"),
    OpCase("While", lambda x: cf.scan(lambda a, e: a + e, x, initializer=fg.zeros_like(x[0]),
                                      reverse=True),
           [M23], expected=np.float32([[5, 7, 9], [4, 5, 6]]), name="scan_reverse"),
    OpCase("While", lambda x: cf.foldl(lambda a, e: a * e, x), [np.float32([2, 3, 4])],
           expected=np.float32(24.0), name="foldl"),
    OpCase("While", lambda x: cf.foldr(lambda a, e: a - e, x, initializer=fg.constant(
        10.0, dtype=x.dtype)), [np.float32([1, 2, 3])], expected=np.float32(4.0),
        name="foldr"),
    # --- recordings, fg.case's check
    OpCase("UnpackSaved", _assign_in_branch, [X3], expected=[X3 * 2, X3 * 2],
           init_variables=True),
    OpCase("SavedCount", _while_grad, [np.float32([1.5, -2.0])],
           expected=[4 * np.float32([1.5, -2.0]) ** 3, np.int32(2)]),
    OpCase("CaseCheck", _exclusive_case, [X3], expected=X3 + 1.0),
    # --- TensorArray
    OpCase("TensorArrayV3", lambda x: _ta(x, 3).unstack(x).stack(), [M23.T],
           expected=M23.T),
    OpCase("TensorArraySizeV3", lambda x: cf.TensorArray(x.dtype, size=1, dynamic_size=True)
           .write(3, x).size(), [X3], expected=np.int32(4)),
    OpCase("TensorArrayCloseV3", lambda x: [_ta(x, 1).close(), x * 2.0][1], [X3],
           expected=X3 * 2),
    OpCase("TensorArrayWriteV3", _write_read, [X3, W3], expected=[W3 * 2, X3 * 3]),
    OpCase("TensorArrayWriteV3", lambda x: cf.TensorArray(
        x.dtype, size=0, dynamic_size=True).write(2, x).write(0, x * 2.0).gather([0, 2]),
        [M23], expected=np.stack([M23 * 2, M23]), name="dynamic_size"),
    OpCase("TensorArrayReadV3", lambda x: _ta(x, 2).unstack(x).read(1) * 2.0, [M23],
           expected=M23[1] * 2),
    OpCase("TensorArrayGatherV3", lambda x: _ta(x, 2).unstack(x).gather([1, 0, 1]), [M23],
           expected=M23[[1, 0, 1]]),
    OpCase("TensorArrayScatterV3", lambda x: _ta(x, 3).scatter([2, 0], x).gather([0, 2]),
           [M23], expected=M23[::-1]),
    OpCase("TensorArrayConcatV3", lambda x: cf.TensorArray(x.dtype, size=2, infer_shape=False)
           .write(0, x).write(1, x[:1] * 2.0).concat(),
           [M23], expected=np.concatenate([M23, M23[:1] * 2])),
    OpCase("TensorArraySplitV3", lambda x: cf.TensorArray(x.dtype, size=2, infer_shape=False)
           .split(x, [1, 2]).read(1), [M23.T],
           expected=M23.T[1:]),
    # --- gradient TensorLists
    OpCase("TensorListClear", lambda x: tag.gather_or_zeros(
        tag.clear_items(_list_of(x).flow, 2), [0, 1, 2], x), [X3],
        expected=np.float32([X3[0], 0, 0])),
    OpCase("TensorListGatherOrZeros", _gather_or_zeros, [X3],
           expected=np.float32([X3[2], 0, X3[0]])),
    OpCase("TensorListGatherOrZeros", lambda x: tag.gather_or_zeros(_list_of(x).flow, 1, x[0]),
           [X3], expected=np.float32(0), name="scalar_index"),
    OpCase("TensorListScatterItems", lambda x: tag.gather_or_zeros(
        tag.scatter_items(_ta(x, 2).flow, [1, 1], fg.stack([x, x])), [0, 1], fg.stack([x, x])),
        [X3], expected=np.stack([np.zeros(3, np.float32), 2 * X3])),
    OpCase("TensorListSplitItems", lambda x: tag.gather_or_zeros(
        tag.split_items(_ta(x).flow, x, fg.constant([1, 1], fg.int64)), 1, x[1:]), [M23],
        expected=M23[1:]),
    OpCase("TensorListConcatOrZeros", lambda x: tag.concat_or_zeros(
        _ta(x, 2).write(1, x[1:]).flow, x, fg.constant([1, 1], fg.int64)), [M23],
        expected=np.stack([np.zeros(3, np.float32), M23[1]])),
    OpCase("TensorListAddN", lambda x: tag.gather_or_zeros(tag.add_tensor_lists(
        [_list_of(x).flow, _ta(x, 2).write(0, x[1]).flow]), [0, 1, 2], x), [X3],
        expected=np.float32([X3[0] + X3[1], 0, X3[2]])),
    OpCase("TensorListZeros", lambda x: tag.gather_or_zeros(tag.zero_tensor_list(), [1, 0], x),
           [M23], expected=np.zeros((2, 3), np.float32)),
]
