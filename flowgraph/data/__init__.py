"""`fg.data`: input pipelines, as TF1's `tf.compat.v1.data`.

Build a pipeline from sources and transformations, then read it in the graph through an
iterator::

    ds = fg.data.Dataset.from_tensor_slices((images, labels))
    ds = ds.shuffle(10000, seed=1).map(augment, num_parallel_calls=2).batch(64).prefetch(2)
    x, y = ds.make_one_shot_iterator().get_next()
    loss = model(x, y)
    with fg.Session() as sess:
        while True:
            try:
                sess.run(train_op)
            except fg.errors.OutOfRangeError:
                break

The pipeline runs in Python and numpy when the iterator's ops run (map functions are traced
once into graphs of their own); prefetch and parallel map use background threads with
bounded buffers. Every Session has its own iterator state.
"""

from flowgraph.data import experimental
from flowgraph.data.dataset import Dataset, DatasetV1
from flowgraph.data.iterator import (
    Iterator,
    get_output_classes,
    get_output_shapes,
    get_output_types,
    make_initializable_iterator,
    make_one_shot_iterator,
)
from flowgraph.data.options import Options
from flowgraph.data.readers import FixedLengthRecordDataset, TextLineDataset, TFRecordDataset

AUTOTUNE = experimental.AUTOTUNE

__all__ = ["AUTOTUNE", "Dataset", "DatasetV1", "FixedLengthRecordDataset", "Iterator", "Options",
           "TFRecordDataset", "TextLineDataset", "experimental", "get_output_classes",
           "get_output_shapes", "get_output_types", "make_initializable_iterator",
           "make_one_shot_iterator"]

INFINITE_CARDINALITY = experimental.INFINITE_CARDINALITY
UNKNOWN_CARDINALITY = experimental.UNKNOWN_CARDINALITY
ThreadingOptions = experimental.ThreadingOptions

__all__ += ["INFINITE_CARDINALITY", "UNKNOWN_CARDINALITY", "ThreadingOptions"]
