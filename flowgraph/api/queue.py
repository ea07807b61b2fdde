"""`fg.queue`: TF1's `tf.queue` namespace (the queue classes of `flowgraph.input`)."""

from flowgraph.input.queues import FIFOQueue, PaddingFIFOQueue, QueueBase, RandomShuffleQueue

__all__ = ["FIFOQueue", "PaddingFIFOQueue", "QueueBase", "RandomShuffleQueue"]

from flowgraph.input.priority_queue import PriorityQueue  # noqa: E402 - tf.queue.PriorityQueue

__all__ += ["PriorityQueue"]
