"""Common tags of the meta graphs in a saved model, as TF1's `tf.saved_model.tag_constants`."""

SERVING = "serve"
TRAINING = "train"
EVAL = "eval"
GPU = "gpu"
TPU = "tpu"

__all__ = ["SERVING", "TRAINING", "EVAL", "GPU", "TPU"]
