"""Keys of the predictions dict of canned heads (TF1's `PredictionKeys`)."""


class PredictionKeys:
    """Keys of the dict `Estimator.predict` yields for canned estimators."""

    CLASSES = "classes"
    CLASS_IDS = "class_ids"
    ALL_CLASSES = "all_classes"
    ALL_CLASS_IDS = "all_class_ids"
    LOGISTIC = "logistic"
    LOGITS = "logits"
    PREDICTIONS = "predictions"
    PROBABILITIES = "probabilities"
    TOP_K = "top_k"
