"""TF1 names: tf.io / tf.queue / tf.manip / tf.dtypes aliases, build
constants, op_scope and friends, tf.resource_loader. Expected values are TF 2.21's
tf.compat.v1 results for the same calls (recorded by hand) or numpy computed here."""

import importlib.util
import logging
import os

import numpy as np
import pytest

import flowgraph as fg


@pytest.fixture(autouse=True)
def _fresh_graph():
    fg.reset_default_graph()
    yield


def _tf():
    from flowgraph.tf1 import install
    return install()


# --- aliases are the very objects of the originals ---------------------------------------

def test_io_aliases_are_the_image_and_queue_objects():
    for name in ("decode_png", "decode_jpeg", "decode_gif", "decode_bmp", "decode_image",
                 "decode_and_crop_jpeg", "encode_png", "encode_jpeg", "extract_jpeg_shape",
                 "is_jpeg"):
        assert getattr(fg.io, name) is getattr(fg.image, name), name
        assert name in dir(fg.io) and name in fg.io.__all__
    for name in ("PaddingFIFOQueue", "RandomShuffleQueue", "QueueBase"):
        assert getattr(fg.io, name) is getattr(fg, name), name
    tf = _tf()
    assert tf.io.decode_png is fg.image.decode_png
    assert tf.io.PaddingFIFOQueue is fg.PaddingFIFOQueue


def test_io_png_round_trip_through_the_aliases():
    image = np.arange(2 * 3 * 3, dtype=np.uint8).reshape(2, 3, 3) * 7
    png = fg.io.encode_png(fg.constant(image))
    decoded = fg.io.decode_png(png, channels=3)
    with fg.Session() as sess:
        data, back = sess.run([png, decoded])
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    np.testing.assert_array_equal(back, image)


def test_queue_namespace():
    for name in ("FIFOQueue", "PaddingFIFOQueue", "RandomShuffleQueue", "QueueBase"):
        assert getattr(fg.queue, name) is getattr(fg, name)
    assert _tf().queue.FIFOQueue is fg.FIFOQueue
    q = fg.queue.FIFOQueue(3, fg.int32)
    enq = q.enqueue_many([[4, 5, 6]])
    out = q.dequeue()
    with fg.Session() as sess:
        sess.run(enq)
        assert [sess.run(out) for _ in range(3)] == [4, 5, 6]
    assert isinstance(q, fg.queue.QueueBase)


def test_manip_namespace_values():
    for name in ("gather_nd", "reshape", "reverse", "roll", "scatter_nd", "tile",
                 "space_to_batch_nd", "batch_to_space_nd"):
        assert getattr(fg.manip, name) is getattr(fg, name), name
    x = np.arange(6).reshape(2, 3)
    with fg.Session() as sess:
        rolled, tiled, rev, gathered, scattered = sess.run([
            fg.manip.roll(x, shift=1, axis=1), fg.manip.tile(x, [1, 2]),
            fg.manip.reverse(x, [0]), fg.manip.gather_nd(x, [[1, 2], [0, 0]]),
            fg.manip.scatter_nd([[1], [3]], [9, 8], [5])])
    np.testing.assert_array_equal(rolled, [[2, 0, 1], [5, 3, 4]])
    np.testing.assert_array_equal(tiled, [[0, 1, 2, 0, 1, 2], [3, 4, 5, 3, 4, 5]])
    np.testing.assert_array_equal(rev, [[3, 4, 5], [0, 1, 2]])
    np.testing.assert_array_equal(gathered, [5, 0])
    np.testing.assert_array_equal(scattered, [0, 9, 0, 8, 0])
    # space_to_batch_nd of a [1, 2, 2, 1] image with 2x2 blocks: one pixel per batch entry.
    image = np.arange(4, dtype=np.float32).reshape(1, 2, 2, 1)
    to_batch = fg.manip.space_to_batch_nd(image, [2, 2], [[0, 0], [0, 0]])
    back = fg.manip.batch_to_space_nd(to_batch, [2, 2], [[0, 0], [0, 0]])
    with fg.Session() as sess:
        batched, restored = sess.run([to_batch, back])
    np.testing.assert_array_equal(batched, np.arange(4, dtype=np.float32).reshape(4, 1, 1, 1))
    np.testing.assert_array_equal(restored, image)


def test_train_queue_runner_module():
    qr = fg.train.queue_runner
    assert qr.QueueRunner is fg.train.QueueRunner
    assert qr.add_queue_runner is fg.train.add_queue_runner
    assert qr.start_queue_runners is fg.train.start_queue_runners
    assert _tf().train.queue_runner.QueueRunner is fg.train.QueueRunner
    from tensorflow.train import queue_runner as imported  # the alias finder serves it
    assert imported.add_queue_runner is fg.train.add_queue_runner


def test_graph_util_import_graph_def_and_sparse_placeholder():
    assert fg.graph_util.import_graph_def is fg.import_graph_def
    assert _tf().graph_util.import_graph_def is fg.import_graph_def
    assert fg.sparse.placeholder is fg.sparse_placeholder
    sp = fg.sparse.placeholder(fg.float32, shape=[3, 4], name="sp")
    assert isinstance(sp, fg.SparseTensor)
    assert sp.dtype == fg.float32


def test_data_cardinality_constants():
    assert (fg.data.INFINITE_CARDINALITY, fg.data.UNKNOWN_CARDINALITY) == (-1, -2)
    assert fg.data.ThreadingOptions is fg.data.experimental.ThreadingOptions
    ds = fg.data.Dataset.range(3).repeat()
    card = fg.data.experimental.cardinality(ds)
    with fg.Session() as sess:
        assert sess.run(card) == fg.data.INFINITE_CARDINALITY


# --- tf.dtypes ----------------------------------------------------------------------------

def test_dtypes_extras():
    assert fg.dtypes.bool is fg.bool
    assert fg.dtypes.cast is fg.cast
    assert fg.dtypes.saturate_cast is fg.saturate_cast
    assert fg.dtypes.as_string is fg.as_string
    assert fg.dtypes.DType is fg.DType and fg.dtypes.as_dtype is fg.as_dtype
    assert {"bool", "cast", "saturate_cast", "as_string"} <= set(dir(fg.dtypes))
    tf = _tf()
    assert tf.dtypes.bool is fg.bool and tf.dtypes.cast is fg.cast
    with pytest.raises(AttributeError):
        fg.dtypes.no_such_name  # noqa: B018
    # the builtin bool inside flowgraph.dtypes is not shadowed
    assert fg.as_dtype(bool) is fg.bool
    assert fg.dtypes.dtype_of_value(True) is fg.bool
    assert fg.as_dtype(np.bool_) is fg.bool
    with fg.Session() as sess:
        values = sess.run([fg.dtypes.cast([1.7, -2.2], fg.int32),
                           fg.dtypes.saturate_cast([300.0, -5.0], fg.uint8),
                           fg.dtypes.as_string([3, 42])])
    np.testing.assert_array_equal(values[0], [1, -2])
    np.testing.assert_array_equal(values[1], [255, 0])
    assert list(values[2]) == [b"3", b"42"]


# --- build constants, errors, logging -----------------------------------------------------

def test_version_constants():
    assert fg.VERSION == "1.15.5"
    assert fg.VERSION == _tf().VERSION == _tf().__version__
    assert fg.GIT_VERSION == _tf().GIT_VERSION
    assert fg.COMPILER_VERSION == _tf().COMPILER_VERSION
    assert (fg.CXX11_ABI_FLAG, fg.MONOLITHIC_BUILD) == (0, 0)
    fg.constant(1.0, name="c")
    versions = fg.get_default_graph().as_graph_def().versions
    assert versions.producer == fg.GRAPH_DEF_VERSION
    assert fg.GRAPH_DEF_VERSION_MIN_CONSUMER <= versions.min_consumer
    assert fg.GRAPH_DEF_VERSION_MIN_PRODUCER <= fg.GRAPH_DEF_VERSION
    assert all(isinstance(v, int) for v in (
        fg.GRAPH_DEF_VERSION, fg.GRAPH_DEF_VERSION_MIN_CONSUMER,
        fg.GRAPH_DEF_VERSION_MIN_PRODUCER))


def test_op_error_catches_runtime_errors():
    assert fg.OpError is fg.errors.OpError
    x = fg.placeholder(fg.float32, [2])
    y = fg.debugging.check_numerics(x, "bad")
    with fg.Session() as sess, pytest.raises(fg.OpError):
        sess.run(y, {x: [1.0, np.nan]})


def test_get_logger_and_task_level_status_message():
    logger = fg.get_logger()
    assert logger is logging.getLogger("tensorflow")
    records = []

    class Keep(logging.Handler):
        def emit(self, record):
            records.append(record)

    handler = Keep()
    logger.addHandler(handler)
    try:
        fg.logging.TaskLevelStatusMessage("status 7")
    finally:
        logger.removeHandler(handler)
    assert [(r.levelno, r.getMessage()) for r in records] == [(logging.ERROR, "status 7")]
    assert _tf().logging.TaskLevelStatusMessage is fg.logging.TaskLevelStatusMessage


# --- deprecated scopes and helpers ----------------------------------------------------------

def test_op_scope_names_as_tf():
    x = fg.placeholder(fg.float32, [2, 3])
    with fg.op_scope([x], "foo") as s1:
        a = fg.identity(x)
    with fg.op_scope([x], None, default_name="dflt") as s2:
        b = fg.identity(x)
    with fg.op_scope([x], "foo") as s3:
        c = fg.identity(x)
    assert (s1, s2, s3) == ("foo/", "dflt/", "foo_1/")
    assert (a.name, b.name, c.name) == ("foo/Identity:0", "dflt/Identity:0",
                                        "foo_1/Identity:0")
    with pytest.raises(ValueError, match="default_name"):
        with fg.op_scope([x], None):
            pass


def test_op_scope_uses_the_graph_of_values():
    other = fg.Graph()
    with other.as_default():
        x = fg.constant(1.0)
    with fg.op_scope([x], "s"):
        y = fg.identity(x)
    assert y.graph is other
    assert y.name == "s/Identity:0"


def test_variable_op_scope_as_tf():
    x = fg.placeholder(fg.float32, [2, 3])
    with fg.variable_op_scope([x], "vs") as s:
        w = fg.get_variable("w", [1])
        y = fg.identity(x)
    with fg.variable_op_scope([x], None, default_name="dv",
                              initializer=fg.ones_initializer()) as s2:
        w2 = fg.get_variable("w", [2])
    with fg.variable_op_scope([x], "vs", reuse=True) as s3:
        w3 = fg.get_variable("w", [1])
    assert (s.name, w.name, y.name, s2.name, w2.name, s3.name) == (
        "vs", "vs/w:0", "vs/Identity:0", "dv", "dv/w:0", "vs")
    assert w3 is w
    with fg.Session() as sess:
        sess.run(fg.global_variables_initializer())
        np.testing.assert_array_equal(sess.run(w2), [1.0, 1.0])


def test_initialize_variables():
    v = fg.Variable(3.0, name="v")
    u = fg.Variable(4.0, name="u")
    init = fg.initialize_variables([v])
    assert init.name == "init"
    assert fg.initialize_variables([u], name="xx").name == "xx"
    with fg.Session() as sess:
        sess.run(init)
        assert sess.run(v) == 3.0
        with pytest.raises(fg.errors.FailedPreconditionError):
            sess.run(u)


def test_no_regularizer():
    assert fg.no_regularizer(3) is None
    with fg.variable_scope("s", regularizer=lambda w: fg.reduce_sum(w)):
        fg.get_variable("a", [2])
        fg.get_variable("b", [2], regularizer=fg.no_regularizer)
    losses = fg.get_collection(fg.GraphKeys.REGULARIZATION_LOSSES)
    assert len(losses) == 1


def test_dimension_at_index():
    shape = fg.TensorShape([2, None])
    assert fg.dimension_at_index(shape, 0) == fg.Dimension(2)
    assert fg.dimension_at_index(shape, 0).value == 2
    assert fg.dimension_at_index(shape, 1).value is None
    assert fg.dimension_at_index(fg.TensorShape(None), 5).value is None
    with pytest.raises(IndexError):
        fg.dimension_at_index(shape, 2)
    with pytest.raises(TypeError, match="TensorShape"):
        fg.dimension_at_index([2, 3], 0)


def test_convert_to_tensor_or_sparse_tensor():
    st = fg.SparseTensor([[0, 0]], [1.0], [2, 2])
    assert fg.convert_to_tensor_or_sparse_tensor(st) is st
    assert fg.convert_to_tensor_or_sparse_tensor(st, dtype=fg.float32) is st
    from_value = fg.convert_to_tensor_or_sparse_tensor(
        fg.SparseTensorValue([[0, 1]], [5.0], [2, 2]))
    assert isinstance(from_value, fg.SparseTensor)
    with pytest.raises(RuntimeError, match="Requested: int32,  Actual: float32"):
        fg.convert_to_tensor_or_sparse_tensor(st, dtype=fg.int32)
    dense = fg.convert_to_tensor_or_sparse_tensor([1, 2], dtype=fg.float32, name="c")
    assert dense.name == "c:0" and dense.dtype == fg.float32
    with fg.Session() as sess:
        np.testing.assert_array_equal(sess.run(fg.sparse.to_dense(from_value)),
                                      [[0.0, 5.0], [0.0, 0.0]])


def test_is_symbolic_tensor():
    x = fg.placeholder(fg.float32, [2, 3])
    v = fg.Variable(1.0)
    st = fg.SparseTensor([[0, 0]], [1.0], [2, 2])
    assert [fg.is_symbolic_tensor(t) for t in (x, v, st, np.ones(2), 1.0)] == [
        True, False, False, False, False]


# --- tf.resource_loader -----------------------------------------------------------------------

def _load_module(path):
    spec = importlib.util.spec_from_file_location("h1_resource_user", str(path))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_USER_CODE = """
import flowgraph as fg
rl = fg.resource_loader
def where():
    return rl.get_data_files_path()
def datafile(name):
    return rl.get_path_to_datafile(name)
def load(name):
    return rl.load_resource(name)
def root():
    return rl.get_root_dir_with_all_resources()
"""


def test_resource_loader_paths_are_relative_to_the_caller(tmp_path):
    pkg = tmp_path / "proj.runfiles" / "repo" / "pkg"
    pkg.mkdir(parents=True)
    (pkg / "data.bin").write_bytes(b"\x01payload")
    (pkg / "user.py").write_text(_USER_CODE)
    user = _load_module(pkg / "user.py")
    assert user.where() == str(pkg)
    assert user.datafile("data.bin") == os.path.join(str(pkg), "data.bin")
    assert user.load("data.bin") == b"\x01payload"
    with pytest.raises(OSError):
        user.load("missing.bin")
    assert user.root() == str(tmp_path / "proj.runfiles" / "repo")
    here = os.path.dirname(os.path.abspath(__file__))
    assert fg.resource_loader.get_data_files_path() == here
    assert fg.resource_loader.readahead_file_path("/x/y") == "/x/y"
    assert _tf().resource_loader.get_path_to_datafile is fg.resource_loader.get_path_to_datafile


def test_resource_loader_root_outside_runfiles_is_the_script_dir(tmp_path):
    (tmp_path / "user.py").write_text(_USER_CODE)
    user = _load_module(tmp_path / "user.py")
    assert user.root() == str(tmp_path)


# --- uint32 / uint64 ------------------------------------------------------------------------

def test_uint_dtype_properties_match_tf():
    assert fg.uint32 is fg.dtypes.uint32 and fg.uint64 is fg.dtypes.uint64
    assert _tf().uint32 is fg.uint32 and _tf().dtypes.uint64 is fg.uint64
    assert (fg.uint32.name, fg.uint32.size, fg.uint32.as_datatype_enum) == ("uint32", 4, 22)
    assert (fg.uint64.name, fg.uint64.size, fg.uint64.as_datatype_enum) == ("uint64", 8, 23)
    assert (fg.uint32.min, fg.uint32.max) == (0, 4294967295)
    assert (fg.uint64.min, fg.uint64.max) == (0, 18446744073709551615)
    assert fg.uint32.is_unsigned and fg.uint64.is_integer and not fg.uint32.is_floating
    assert fg.as_dtype(np.uint32) is fg.uint32 and fg.as_dtype("uint64") is fg.uint64
    assert fg.as_dtype(22) is fg.uint32 and fg.as_dtype(23) is fg.uint64
    assert fg.as_dtype(np.dtype("uint64")) is fg.uint64


def test_uint_cast_and_arithmetic_match_tf():
    # Expected values: TF 2.21 tf.compat.v1 in graph mode, same expressions.
    a = fg.constant([1, 2, 4000000000], dtype=fg.uint32)
    b = fg.constant([3, 2**40, 5], dtype=fg.uint64)
    tensors = [fg.cast(a, fg.float64), fg.cast(fg.constant([-1, 5]), fg.uint32),
               fg.cast(fg.constant([1.7, 3e9]), fg.uint32), a + a, b * 2,
               a - fg.constant(2, fg.uint32), a // 3, a / fg.constant(2, fg.uint32),
               fg.maximum(a, 3), fg.reduce_sum(a), a > 5, fg.cast(b, fg.int64),
               fg.cast(fg.constant([-2, 7], fg.int64), fg.uint64),
               fg.saturate_cast(fg.constant([-5.0, 5e9]), fg.uint32)]
    expected = [([1.0, 2.0, 4e9], np.float64), ([4294967295, 5], np.uint32),
                ([1, 3000000000], np.uint32), ([2, 4, 3705032704], np.uint32),
                ([6, 2199023255552, 10], np.uint64), ([4294967295, 0, 3999999998], np.uint32),
                ([0, 0, 1333333333], np.uint32), ([0.5, 1.0, 2e9], np.float64),
                ([3, 3, 4000000000], np.uint32), (4000000003, np.uint32),
                ([False, False, True], np.bool_), ([3, 1099511627776, 5], np.int64),
                ([18446744073709551614, 7], np.uint64), ([0, 4294967040], np.uint32)]
    with fg.Session() as sess:
        values = sess.run(tensors)
    for tensor, value, (want, want_type) in zip(tensors, values, expected):
        assert value.dtype == want_type, tensor
        assert tensor.dtype.as_numpy_dtype == want_type, tensor
        np.testing.assert_array_equal(value, np.array(want, dtype=want_type))


def test_uint_feed_and_graph_def_round_trip():
    x = fg.placeholder(fg.uint64, [None], name="x")
    c = fg.constant(np.array([7, 2**40], np.uint64), name="c")
    y = fg.add(x, c, name="y")
    graph_def = fg.get_default_graph().as_graph_def()
    with fg.Session() as sess:
        got = sess.run(y, {x: np.array([1, 2], np.uint64)})
    np.testing.assert_array_equal(got, np.array([8, 2**40 + 2], np.uint64))
    g2 = fg.Graph()
    with g2.as_default():
        fg.import_graph_def(graph_def, name="")
        with fg.Session(graph=g2) as sess:
            again = sess.run("y:0", {"x:0": np.array([1, 2], np.uint64)})
    np.testing.assert_array_equal(again, got)
    assert again.dtype == np.uint64


def test_uint_variable_checkpoint_round_trip(tmp_path):
    v = fg.Variable(np.array([5, 4000000000], np.uint32), name="v")
    saver = fg.train.Saver()
    with fg.Session() as sess:
        sess.run(v.initializer)
        path = saver.save(sess, str(tmp_path / "ckpt"))
    with fg.Session() as sess:
        saver.restore(sess, path)
        value = sess.run(v)
    assert value.dtype == np.uint32
    np.testing.assert_array_equal(value, [5, 4000000000])
