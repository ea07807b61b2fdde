"""`fg.saved_model`: saved models (graph + variables + assets), with TF1's
`tf.compat.v1.saved_model` names.

>>> fg.saved_model.simple_save(sess, "export/1", inputs={"x": x}, outputs={"y": y})
>>> with fg.Session(graph=fg.Graph()) as sess:
...     meta = fg.saved_model.load(sess, [fg.saved_model.SERVING], "export/1")

A saved model is a folder: `saved_model.fgm` (or `saved_model.json`), `variables/` and
`assets/`. It holds data only; loading it never runs code from the files.
"""

from flowgraph.saved_model import (
    builder,
    constants,
    loader,
    main_op,
    signature_constants,
    signature_def_utils,
    tag_constants,
    utils,
)
from flowgraph.saved_model.builder import Builder, SavedModelBuilder
from flowgraph.saved_model.constants import (
    ASSETS_DIRECTORY,
    ASSETS_KEY,
    DEBUG_DIRECTORY,
    DEBUG_INFO_FILENAME_PB,
    LEGACY_INIT_OP_KEY,
    MAIN_OP_KEY,
    SAVED_MODEL_FILENAME_PB,
    SAVED_MODEL_FILENAME_PBTXT,
    SAVED_MODEL_SCHEMA_VERSION,
    VARIABLES_DIRECTORY,
    VARIABLES_FILENAME,
)
from flowgraph.saved_model.loader import contains_saved_model, load, maybe_saved_model_directory
from flowgraph.saved_model.main_op import main_op_with_restore
from flowgraph.saved_model.signature_constants import (
    CLASSIFY_INPUTS,
    CLASSIFY_METHOD_NAME,
    CLASSIFY_OUTPUT_CLASSES,
    CLASSIFY_OUTPUT_SCORES,
    DEFAULT_SERVING_SIGNATURE_DEF_KEY,
    PREDICT_INPUTS,
    PREDICT_METHOD_NAME,
    PREDICT_OUTPUTS,
    REGRESS_INPUTS,
    REGRESS_METHOD_NAME,
    REGRESS_OUTPUTS,
)
from flowgraph.saved_model.signature_def_utils import (
    build_signature_def,
    classification_signature_def,
    is_valid_signature,
    predict_signature_def,
    regression_signature_def,
)
from flowgraph.saved_model.simple_save import simple_save
from flowgraph.saved_model.tag_constants import EVAL, GPU, SERVING, TPU, TRAINING
from flowgraph.saved_model.utils import build_tensor_info, get_tensor_from_tensor_info

__all__ = [
    "builder", "constants", "loader", "main_op", "signature_constants", "signature_def_utils",
    "tag_constants", "utils", "Builder", "SavedModelBuilder", "simple_save", "load",
    "maybe_saved_model_directory", "contains_saved_model", "main_op_with_restore",
    "build_signature_def", "predict_signature_def", "classification_signature_def",
    "regression_signature_def", "is_valid_signature", "build_tensor_info",
    "get_tensor_from_tensor_info", "SERVING", "TRAINING", "EVAL", "GPU", "TPU",
    "DEFAULT_SERVING_SIGNATURE_DEF_KEY", "CLASSIFY_INPUTS", "CLASSIFY_METHOD_NAME",
    "CLASSIFY_OUTPUT_CLASSES", "CLASSIFY_OUTPUT_SCORES", "PREDICT_INPUTS",
    "PREDICT_METHOD_NAME", "PREDICT_OUTPUTS", "REGRESS_INPUTS", "REGRESS_METHOD_NAME",
    "REGRESS_OUTPUTS", "ASSETS_DIRECTORY", "ASSETS_KEY", "LEGACY_INIT_OP_KEY", "MAIN_OP_KEY",
    "SAVED_MODEL_FILENAME_PB", "SAVED_MODEL_FILENAME_PBTXT", "SAVED_MODEL_SCHEMA_VERSION",
    "VARIABLES_DIRECTORY", "VARIABLES_FILENAME", "DEBUG_DIRECTORY", "DEBUG_INFO_FILENAME_PB",
]
