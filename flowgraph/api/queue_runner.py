"""`fg.train.queue_runner`: TF1's `tf.train.queue_runner` module (the same objects as
`fg.train.QueueRunner`, `fg.train.add_queue_runner` and `fg.train.start_queue_runners`)."""

from flowgraph.input.queue_runner import QueueRunner, add_queue_runner
from flowgraph.train.input_feeders import start_queue_runners

__all__ = ["QueueRunner", "add_queue_runner", "start_queue_runners"]
