"""TF1's queue-based input pipelines: queues (tf.FIFOQueue, ...), readers
(tf.TextLineReader, ...), queue runners and the tf.train producers and batchers."""

from flowgraph.input.producers import (
                                       batch,
                                       batch_join,
                                       input_producer,
                                       limit_epochs,
                                       range_input_producer,
                                       shuffle_batch,
                                       shuffle_batch_join,
                                       slice_input_producer,
                                       string_input_producer,
)
from flowgraph.input.queue_runner import QueueRunner, add_queue_runner
from flowgraph.input.queues import FIFOQueue, PaddingFIFOQueue, QueueBase, RandomShuffleQueue
from flowgraph.input.readers import (
                                       FixedLengthRecordReader,
                                       ReaderBase,
                                       TextLineReader,
                                       TFRecordReader,
                                       WholeFileReader,
)

__all__ = ["batch", "batch_join", "input_producer", "limit_epochs", "range_input_producer",
           "shuffle_batch", "shuffle_batch_join", "slice_input_producer",
           "string_input_producer", "QueueRunner", "add_queue_runner", "FIFOQueue",
           "PaddingFIFOQueue", "QueueBase", "RandomShuffleQueue", "FixedLengthRecordReader",
           "ReaderBase", "TextLineReader", "TFRecordReader", "WholeFileReader"]
