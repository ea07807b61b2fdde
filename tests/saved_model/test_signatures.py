"""SignatureDef builders, TensorInfo helpers, constants and signature validation."""

import pytest

import flowgraph as fg
import flowgraph.saved_model  # noqa: F401
from flowgraph.saved_model import signature_constants as sc
from flowgraph.saved_model import signature_def_utils as sdu
from flowgraph.saved_model import tag_constants, utils


def test_constants_match_tf1():
    assert (tag_constants.SERVING, tag_constants.TRAINING, tag_constants.EVAL,
            tag_constants.GPU, tag_constants.TPU) == ("serve", "train", "eval", "gpu", "tpu")
    assert sc.DEFAULT_SERVING_SIGNATURE_DEF_KEY == "serving_default"
    assert sc.PREDICT_METHOD_NAME == "tensorflow/serving/predict"
    assert (sc.PREDICT_INPUTS, sc.PREDICT_OUTPUTS) == ("inputs", "outputs")
    assert sc.CLASSIFY_METHOD_NAME == "tensorflow/serving/classify"
    assert (sc.CLASSIFY_INPUTS, sc.CLASSIFY_OUTPUT_CLASSES, sc.CLASSIFY_OUTPUT_SCORES) == (
        "inputs", "classes", "scores")
    assert sc.REGRESS_METHOD_NAME == "tensorflow/serving/regress"
    assert (sc.REGRESS_INPUTS, sc.REGRESS_OUTPUTS) == ("inputs", "outputs")
    assert fg.saved_model.SERVING == "serve"
    assert fg.saved_model.MAIN_OP_KEY == "saved_model_main_op"


def test_build_tensor_info_and_back():
    x = fg.placeholder(fg.float32, [None, 3], name="x")
    info = utils.build_tensor_info(x)
    assert info.name == "x:0"
    assert fg.as_dtype(info.dtype) == fg.float32
    assert fg.TensorShape(info.tensor_shape).as_list() == [None, 3]
    assert utils.get_tensor_from_tensor_info(info) is x
    v = fg.Variable([1.0, 2.0], name="v")
    assert utils.build_tensor_info(v).name == v.value().name
    with pytest.raises(TypeError, match="expects a fg.Tensor"):
        utils.build_tensor_info([1.0])
    with pytest.raises(KeyError):
        utils.get_tensor_from_tensor_info(info, import_scope="nope")


def test_predict_signature_def():
    x = fg.placeholder(fg.float32, [None, 3], name="x")
    y = fg.identity(x, name="y")
    sig = sdu.predict_signature_def({"x": x}, {"y": y})
    assert sig.method_name == sc.PREDICT_METHOD_NAME
    assert (sig.inputs["x"].name, sig.outputs["y"].name) == ("x:0", "y:0")
    assert sdu.is_valid_signature(sig)
    with pytest.raises(ValueError, match="Prediction inputs cannot be None or empty."):
        sdu.predict_signature_def({}, {"y": y})
    with pytest.raises(ValueError, match="Prediction outputs cannot be None or empty."):
        sdu.predict_signature_def({"x": x}, None)


def test_build_signature_def():
    x = fg.placeholder(fg.int64, [2], name="x")
    sig = sdu.build_signature_def(inputs={"a": utils.build_tensor_info(x)},
                                  method_name="custom/method")
    assert list(sig.inputs) == ["a"] and dict(sig.outputs) == {}
    assert sig.method_name == "custom/method"
    assert not sdu.is_valid_signature(sig)
    assert not sdu.is_valid_signature(None)


def test_classification_and_regression_signatures():
    examples = fg.placeholder(fg.string, [None], name="examples")
    classes = fg.constant([b"a", b"b"], name="classes")
    scores = fg.constant([0.5, 0.5], name="scores")
    sig = sdu.classification_signature_def(examples, classes, scores)
    assert sig.method_name == sc.CLASSIFY_METHOD_NAME
    assert sorted(sig.outputs) == ["classes", "scores"]
    assert sig.inputs["inputs"].name == "examples:0"
    assert sdu.is_valid_signature(sig)
    with pytest.raises(ValueError, match="Classification examples must be a string Tensor."):
        sdu.classification_signature_def(scores, classes, scores)
    with pytest.raises(ValueError, match="Classification scores must be a float Tensor."):
        sdu.classification_signature_def(examples, None, fg.constant([1, 2]))
    with pytest.raises(ValueError, match="cannot both be None"):
        sdu.classification_signature_def(examples, None, None)
    reg = sdu.regression_signature_def(examples, scores)
    assert reg.method_name == sc.REGRESS_METHOD_NAME
    assert reg.outputs["outputs"].name == "scores:0"
    assert sdu.is_valid_signature(reg)
    with pytest.raises(ValueError, match="Regression output must be a float Tensor."):
        sdu.regression_signature_def(examples, classes)
    with pytest.raises(ValueError, match="Regression examples cannot be None."):
        sdu.regression_signature_def(None, scores)


def test_builder_validates_signatures(tmp_path):
    graph = fg.Graph()
    with graph.as_default():
        x = fg.placeholder(fg.float32, [None], name="x")
        other = fg.Graph()
        with other.as_default():
            stranger = fg.placeholder(fg.float32, [None], name="stranger")
        bad = sdu.predict_signature_def({"x": x}, {"y": stranger})
        with fg.Session(graph=graph) as sess:
            builder = fg.saved_model.Builder(str(tmp_path / "a"))
            with pytest.raises(ValueError, match="stranger:0"):
                builder.add_meta_graph_and_variables(sess, ["serve"], {"serving_default": bad})
            good = sdu.predict_signature_def({"x": x}, {"y": x})
            with pytest.raises(KeyError, match="reserved"):
                builder.add_meta_graph_and_variables(sess, ["serve"],
                                                     {"__saved_model_init_op": good})
