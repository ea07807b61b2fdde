"""Input pipelines fed from Python data (numpy_input_fn, pandas_input_fn): the graph holds
only placeholders and an iterator; the arrays stay in Python and are fed to the iterator's
initializer when a session starts — the role TF1's queue runners play
(`tf.train.start_queue_runners`, started by monitored sessions).

The feeders live in a graph collection under a private non-string key, so graph files
never try to store them.
"""

from typing import Any, Optional

from flowgraph.graph import get_default_graph

__all__ = ["add_input_feeder", "run_input_feeders", "start_queue_runners"]


class _FeederKey:
    """The collection key of the feeders (not a string: never exported)."""

    def __repr__(self) -> str:
        return "<input feeders>"


INPUT_FEEDERS = _FeederKey()


class InputFeeder:
    """An initializer op and the feed dict (placeholder -> array) it runs with."""

    def __init__(self, initializer: Any, feed_dict: dict) -> None:
        self.initializer = initializer
        self.feed_dict = feed_dict

    def run(self, session: Any) -> None:
        session.run(self.initializer, feed_dict=self.feed_dict)


def add_input_feeder(initializer: Any, feed_dict: dict, graph: Any = None) -> InputFeeder:
    """Register `initializer` to be run with `feed_dict` in every new monitored session."""
    graph = graph if graph is not None else get_default_graph()
    feeder = InputFeeder(initializer, feed_dict)
    graph.add_to_collection(INPUT_FEEDERS, feeder)
    return feeder


def run_input_feeders(session: Any, graph: Any = None) -> int:
    """Start every registered Python-fed input pipeline of the graph in `session`;
    returns how many were started."""
    graph = graph if graph is not None else session.graph
    feeders = graph.get_collection(INPUT_FEEDERS)
    for feeder in feeders:
        feeder.run(session)
    return len(feeders)


def start_queue_runners(sess: Any = None, coord: Any = None, daemon: bool = True,
                        start: bool = True, collection: Optional[str] = None) -> list:
    """TF1's `tf.train.start_queue_runners`: starts the inputs of numpy_input_fn and
    pandas_input_fn in `sess` (default: the default session), and the threads of the
    graph's QueueRunners (tf.train.batch, string_input_producer, ...); returns those
    threads."""
    if sess is None:
        from flowgraph.graph import get_default_session

        sess = get_default_session()
        if sess is None:
            raise ValueError("Cannot start queue runners: No default session is registered. "
                             "Use `with sess.as_default()` or pass an explicit session to "
                             "tf.start_queue_runners(sess=sess)")
    if start:
        run_input_feeders(sess)
    # The QueueRunners of queue-based input pipelines (flowgraph.input): their threads.
    from flowgraph.graph import GraphKeys
    threads = []
    for runner in sess.graph.get_collection(collection or GraphKeys.QUEUE_RUNNERS):
        threads.extend(runner.create_threads(sess, coord=coord, daemon=daemon, start=start))
    return threads
