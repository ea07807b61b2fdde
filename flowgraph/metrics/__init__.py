"""`fg.metrics`: TF1's streaming metrics (`tf.compat.v1.metrics`).

Each metric returns ``(value, update_op)``. Run `update_op` once per batch; `value` reads
the result so far. The accumulators are local Variables (collections ``LOCAL_VARIABLES``
and ``METRIC_VARIABLES``), so initialize (or reset) them with
`fg.local_variables_initializer()`::

    acc, acc_op = fg.metrics.accuracy(labels=y, predictions=fg.argmax(logits, 1))
    sess.run(fg.local_variables_initializer())
    for batch in batches:
        sess.run(acc_op, feed_dict=batch)
    print(sess.run(acc))
"""

from flowgraph.metrics.at_k import (
    average_precision_at_k,
    precision_at_k,
    precision_at_top_k,
    recall_at_k,
    recall_at_top_k,
    sparse_average_precision_at_k,
    sparse_precision_at_k,
)
from flowgraph.metrics.counts import (
    false_negatives,
    false_positives,
    precision,
    recall,
    true_negatives,
    true_positives,
)
from flowgraph.metrics.curves import auc, sensitivity_at_specificity, specificity_at_sensitivity
from flowgraph.metrics.means import (
    accuracy,
    mean,
    mean_absolute_error,
    mean_cosine_distance,
    mean_relative_error,
    mean_squared_error,
    mean_tensor,
    percentage_below,
    root_mean_squared_error,
)
from flowgraph.metrics.per_class import mean_iou, mean_per_class_accuracy
from flowgraph.metrics.thresholds import (
    false_negatives_at_thresholds,
    false_positives_at_thresholds,
    precision_at_thresholds,
    recall_at_thresholds,
    true_negatives_at_thresholds,
    true_positives_at_thresholds,
)

__all__ = [
    "accuracy", "auc", "average_precision_at_k", "false_negatives",
    "false_negatives_at_thresholds", "false_positives", "false_positives_at_thresholds",
    "mean", "mean_absolute_error", "mean_cosine_distance", "mean_iou",
    "mean_per_class_accuracy", "mean_relative_error", "mean_squared_error", "mean_tensor",
    "percentage_below", "precision", "precision_at_k", "precision_at_thresholds",
    "precision_at_top_k", "recall", "recall_at_k", "recall_at_thresholds", "recall_at_top_k",
    "root_mean_squared_error", "sensitivity_at_specificity", "sparse_average_precision_at_k",
    "sparse_precision_at_k", "specificity_at_sensitivity", "true_negatives",
    "true_negatives_at_thresholds", "true_positives", "true_positives_at_thresholds",
]
