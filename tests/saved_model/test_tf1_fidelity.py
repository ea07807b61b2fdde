"""What TF1 code reads off saved-model objects: TensorInfo's DataType enum and
TensorShapeProto fields, SavedModelBuilder.save()'s bytes path, IOError for a folder
without a saved model."""

import os

import numpy as np
import pytest

import flowgraph as fg
from flowgraph.saved_model import utils


def test_tensor_info_reads_as_tf1_protos():
    x = fg.placeholder(fg.float32, [None, 3], name="x")
    info = utils.build_tensor_info(x)
    # types.proto: DT_FLOAT = 1; an unknown size is -1 in a TensorShapeProto.
    assert info.dtype == 1
    assert info.dtype.as_datatype_enum == 1
    assert [d.size for d in info.tensor_shape.dim] == [-1, 3]
    assert info.tensor_shape.unknown_rank is False
    unknown = utils.build_tensor_info(fg.placeholder(fg.string, name="s"))
    assert unknown.dtype == 7  # DT_STRING
    assert unknown.tensor_shape.unknown_rank is True
    assert unknown.tensor_shape.dim == []
    scalar = utils.build_tensor_info(fg.constant(3, fg.int64))
    assert scalar.dtype == 9 and scalar.tensor_shape.dim == []  # DT_INT64, rank 0


@pytest.mark.parametrize("enum, dtype", [(1, fg.float32), (2, fg.float64), (3, fg.int32),
                                         (7, fg.string), (9, fg.int64), (10, fg.bool)])
def test_as_dtype_accepts_datatype_enums(enum, dtype):
    assert fg.as_dtype(enum) == dtype
    assert dtype.as_datatype_enum == enum


def test_builder_save_returns_bytes_and_load_missing_raises_ioerror(tmp_path):
    export_dir = str(tmp_path / "model")
    with fg.Graph().as_default(), fg.Session() as sess:
        x = fg.placeholder(fg.float32, [None], name="x")
        w = fg.Variable(3.0, name="w")
        y = fg.multiply(x, w, name="y")
        sess.run(fg.global_variables_initializer())
        builder = fg.saved_model.builder.SavedModelBuilder(export_dir)
        builder.add_meta_graph_and_variables(sess, ["serve"], signature_def_map={
            "serving_default": fg.saved_model.signature_def_utils.predict_signature_def(
                {"x": x}, {"y": y})})
        path = builder.save()
    assert isinstance(path, bytes)
    assert os.path.isfile(path)
    with fg.Graph().as_default(), fg.Session() as sess:
        meta = fg.saved_model.loader.load(sess, ["serve"], export_dir)
        sig = meta.signature_def["serving_default"]
        out = sess.run(sig.outputs["y"].name, {sig.inputs["x"].name: [1.0, 2.0]})
    np.testing.assert_allclose(out, [3.0, 6.0])
    with fg.Graph().as_default(), fg.Session() as sess:
        with pytest.raises(IOError, match="SavedModel file does not exist"):
            fg.saved_model.loader.load(sess, ["serve"], str(tmp_path / "missing"))


def test_debug_constants():
    assert fg.saved_model.DEBUG_DIRECTORY == "debug"
    assert fg.saved_model.DEBUG_INFO_FILENAME_PB == "saved_model_debug_info.pb"
