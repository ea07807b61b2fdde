"""`fg.train.summary_iterator`: the Event protobufs of an event file (TF1's
`tf.compat.v1.train.summary_iterator`), e.g. one written by `fg.summary.FileWriter`."""

from __future__ import annotations

from typing import Any, Iterator

__all__ = ["summary_iterator"]


def summary_iterator(path: Any) -> Iterator[Any]:
    """Yields each `fg.summary.Event` of event file `path`, in the order written.

    >>> for event in fg.train.summary_iterator(path):
    ...     for value in event.summary.value:
    ...         print(event.step, value.tag, value.simple_value)

    Needs tensorboardX for the protobuf classes: ``pip install 'flowgraph[tensorboard]'``.
    A damaged record raises DataLossError.
    """
    from flowgraph.io.tf_record import tf_record_iterator
    from flowgraph.summary.protos import Event

    event_class = Event.real_class()
    for record in tf_record_iterator(path):
        yield event_class.FromString(record)
