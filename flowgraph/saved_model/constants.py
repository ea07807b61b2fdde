"""File and collection names of a saved model, as TF1's `tf.saved_model.constants`.

flowgraph's saved model keeps TF1's folder layout; only the meta graph file differs
(`saved_model.fgm`, a flowgraph container, or `saved_model.json` as text, instead of
protocol buffers)::

    export_dir/saved_model.fgm        the meta graph(s), written last
    export_dir/variables/variables.index
    export_dir/variables/variables.data-00000-of-00001
    export_dir/assets/                asset files, named relative to this folder
"""

ASSETS_DIRECTORY = "assets"
ASSETS_KEY = "saved_model_assets"
DEBUG_DIRECTORY = "debug"
DEBUG_INFO_FILENAME_PB = "saved_model_debug_info.pb"
EXTRA_ASSETS_DIRECTORY = "assets.extra"
LEGACY_INIT_OP_KEY = "legacy_init_op"
MAIN_OP_KEY = "saved_model_main_op"
TRAIN_OP_KEY = "saved_model_train_op"
TRAIN_OP_SIGNATURE_KEY = "__saved_model_train_op"
INIT_OP_SIGNATURE_KEY = "__saved_model_init_op"
SAVED_MODEL_SCHEMA_VERSION = 1
SAVED_MODEL_FILENAME = "saved_model.fgm"
SAVED_MODEL_FILENAME_TEXT = "saved_model.json"
# TF1's names for the same files (flowgraph writes no protocol buffers).
SAVED_MODEL_FILENAME_PB = SAVED_MODEL_FILENAME
SAVED_MODEL_FILENAME_PBTXT = SAVED_MODEL_FILENAME_TEXT
VARIABLES_DIRECTORY = "variables"
VARIABLES_FILENAME = "variables"
# The container kind of saved_model.fgm (and the "kind" field of saved_model.json).
SAVED_MODEL_KIND = "saved_model"
# Bounds on what a saved model file may declare, checked before anything is built.
MAX_META_GRAPHS = 1024
MAX_TAGS = 256
MAX_ASSETS = 1 << 16

__all__ = [
    "ASSETS_DIRECTORY", "ASSETS_KEY", "DEBUG_DIRECTORY", "DEBUG_INFO_FILENAME_PB",
    "EXTRA_ASSETS_DIRECTORY",
    "LEGACY_INIT_OP_KEY", "MAIN_OP_KEY", "TRAIN_OP_KEY", "TRAIN_OP_SIGNATURE_KEY",
    "INIT_OP_SIGNATURE_KEY", "SAVED_MODEL_SCHEMA_VERSION", "SAVED_MODEL_FILENAME_PB",
    "SAVED_MODEL_FILENAME_PBTXT", "VARIABLES_DIRECTORY", "VARIABLES_FILENAME",
]
