"""`FileWriter`: writes summaries, graphs and run metadata to TensorBoard event files.

Events go through a queue to a background thread that appends them to the event file with
tensorboardX's `EventsWriter` (the TFRecord format TensorBoard reads), and flushes the file
every `flush_secs`; `flush()` waits until every queued event is written.
"""

from __future__ import annotations

import os
import queue
import socket
import threading
import time
import warnings
import weakref
from typing import Any, Optional

import numpy as np

from flowgraph.graph import Graph, get_default_graph
from flowgraph.ops.summary_encoding import INSTALL_HINT, load_protos
from flowgraph.summary.graph_proto import graph_def as _graph_def
from flowgraph.summary.run_metadata import run_metadata_class, serialize_run_metadata

__all__ = ["FileWriter", "FileWriterCache"]

_STOP = object()


def _events_writer_class() -> type:
    try:
        from tensorboardX.event_file_writer import EventsWriter
    except ImportError as exc:
        raise ImportError(f"{INSTALL_HINT} ({exc})") from exc
    return EventsWriter


class _EventFile:
    """One event file, appended to by a background thread."""

    def __init__(self, logdir: str, max_queue: int, flush_secs: float, suffix: str) -> None:
        self._logdir = logdir
        self._max_queue = max_queue
        self._flush_secs = flush_secs
        self._suffix = suffix
        self._lock = threading.Lock()
        self._closed = True
        self.open()

    def open(self) -> None:
        """Starts a new event file and its writing thread (after `close`)."""
        os.makedirs(self._logdir, exist_ok=True)
        prefix = os.path.join(self._logdir, "events")
        writer_class = _events_writer_class()
        self._wait_for_unused_name(prefix)
        self._writer = writer_class(prefix, self._suffix)
        self.path = self._writer._file_name
        self._queue: queue.Queue = queue.Queue(max(int(self._max_queue), 1))
        self._error: Optional[BaseException] = None
        self._thread = threading.Thread(target=self._run, name="fg-summary-writer",
                                        daemon=True)
        self._closed = False
        self._thread.start()

    def _wait_for_unused_name(self, prefix: str) -> None:
        # File names hold a one-second timestamp (as TF1's): a second writer in the same
        # folder and second (or a quick reopen) waits for the next second, so that it never
        # truncates the first file and its file sorts after it, as TensorBoard reads them.
        host = socket.gethostname()
        for _ in range(5):
            now = time.time()
            if not os.path.exists(f"{prefix}.out.tfevents.{str(now)[:10]}.{host}"
                                  f"{self._suffix}"):
                return
            time.sleep(1.0 - (now % 1.0) + 0.01)
        raise FileExistsError(f"Could not find an unused event file name in {self._logdir}")

    @property
    def closed(self) -> bool:
        return self._closed

    def add(self, event: Any) -> None:
        if not self._closed:
            self._queue.put(event)

    def flush(self) -> None:
        if self._closed:
            return
        self._queue.join()
        self._writer.flush()
        self._raise_error()

    def close(self) -> None:
        with self._lock:
            if self._closed:
                return
            self._closed = True
        self._queue.put(_STOP)
        self._thread.join()
        self._writer.close()
        self._raise_error()

    def _raise_error(self) -> None:
        error, self._error = self._error, None
        if error is not None:
            raise OSError(f"Writing the event file {self.path} failed: {error}") from error

    def _run(self) -> None:
        next_flush = 0.0  # the first event is flushed at once, later ones every flush_secs
        pending = False
        while True:
            try:
                item = self._queue.get(timeout=max(next_flush - time.monotonic(), 0.0))
            except queue.Empty:
                item = None
            else:
                try:
                    if item is _STOP:
                        return
                    self._writer.write_event(item)
                    pending = True
                except Exception as exc:  # kept, and raised by the next flush() or close()
                    self._error = exc
                finally:
                    self._queue.task_done()
            if time.monotonic() >= next_flush:
                if pending:
                    try:
                        self._writer.flush()
                    except Exception as exc:
                        self._error = exc
                    pending = False
                next_flush = time.monotonic() + self._flush_secs


class FileWriter:
    """Writes `Summary` protobufs, graphs and run metadata to an event file in `logdir`, as
    TF1's `tf.summary.FileWriter`; view them with ``tensorboard --logdir LOGDIR``.

    >>> writer = fg.summary.FileWriter("logs", sess.graph)
    >>> writer.add_summary(sess.run(merged), global_step=step)
    >>> writer.close()

    `max_queue` events are buffered before `add_*` calls block; the file is flushed every
    `flush_secs` seconds, on `flush()` and on `close()`. `session` is accepted for TF1
    compatibility (events are written the same way). Needs tensorboardX:
    ``pip install 'flowgraph[tensorboard]'``.
    """

    def __init__(self, logdir: Any, graph: Optional[Graph] = None, max_queue: int = 10,
                 flush_secs: float = 120, graph_def: Any = None,
                 filename_suffix: Optional[str] = None, session: Any = None) -> None:
        self._protos = load_protos()
        self._logdir = os.fspath(logdir)
        self._session = session
        self._file = _EventFile(self._logdir, max_queue, flush_secs, filename_suffix or "")
        # A writer dropped or left open at exit still writes its pending events.
        weakref.finalize(self, self._file.close)
        self._closed = False
        self._session_run_tags: set = set()
        self._seen_summary_tags: set = set()
        self._run_metadata_class: Any = None
        if graph is not None or graph_def is not None:
            self.add_graph(graph=graph, graph_def=graph_def)

    # -- lifetime
    def get_logdir(self) -> str:
        """The directory the event files are written to."""
        return self._logdir

    def flush(self) -> None:
        """Writes every pending event to disk."""
        self._warn_if_closed()
        self._file.flush()

    def close(self) -> None:
        """Flushes and closes the event file; later `add_*` calls do nothing until
        `reopen()`."""
        self._file.close()
        self._closed = True

    def reopen(self) -> None:
        """After `close()`: continues in a new event file in the same directory."""
        if self._file.closed:
            self._file.open()
        self._closed = False

    def __enter__(self) -> "FileWriter":
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.close()

    def _warn_if_closed(self) -> None:
        if self._closed:
            warnings.warn("Attempting to use a closed FileWriter. The operation will be a noop "
                          "unless the FileWriter is explicitly reopened.", stacklevel=3)

    # -- events
    def add_event(self, event: Any) -> None:
        """Adds an `Event` protobuf as it is (its wall_time and step are not set)."""
        self._warn_if_closed()
        self._file.add(self._as_event(event))

    def _add_event(self, event: Any, global_step: Optional[Any]) -> None:
        self._warn_if_closed()
        event.wall_time = time.time()
        if global_step is not None:
            event.step = int(global_step)
        self._file.add(event)

    def add_summary(self, summary: Any, global_step: Optional[Any] = None) -> None:
        """Adds a summary: the bytes a summary op returns from `Session.run`, or a
        `fg.summary.Summary` protobuf, at step `global_step`.

        As TF1, the metadata of a tag is kept only on its first value.
        """
        summary = self._as_summary(summary)
        for value in summary.value:
            if not value.HasField("metadata"):
                continue
            if value.tag in self._seen_summary_tags:
                value.ClearField("metadata")
            else:
                self._seen_summary_tags.add(value.tag)
        self._add_event(self._protos.event_pb2.Event(summary=summary), global_step)

    def add_session_log(self, session_log: Any, global_step: Optional[Any] = None) -> None:
        """Adds a `SessionLog` protobuf (START / STOP / CHECKPOINT) at step `global_step`."""
        cls = self._protos.event_pb2.SessionLog
        if not isinstance(session_log, cls):
            session_log = cls.FromString(session_log.SerializeToString())
        self._add_event(self._protos.event_pb2.Event(session_log=session_log), global_step)

    def add_graph(self, graph: Any, global_step: Optional[Any] = None,
                  graph_def: Any = None) -> None:
        """Adds a graph for TensorBoard's Graphs tab: a `fg.Graph` (e.g. ``sess.graph``), or
        (deprecated, as TF1) a GraphDef protobuf."""
        if graph is not None and graph_def is not None:
            raise ValueError("Please pass only graph, or graph_def (deprecated), but not both.")
        given = graph if graph is not None else graph_def
        if isinstance(given, Graph):
            data = _graph_def(given, add_shapes=True).SerializeToString()
        elif hasattr(given, "DESCRIPTOR") and hasattr(given, "node"):  # a GraphDef protobuf
            data = given.SerializeToString()
        elif hasattr(given, "node") and hasattr(given, "to_json"):  # fg's own GraphDef
            data = _graph_def(_graph_from_fg_graph_def(given)).SerializeToString()
        else:
            raise TypeError(f"The passed graph must be a fg.Graph or a GraphDef, got "
                            f"{type(given).__name__}")
        self._add_event(self._protos.event_pb2.Event(graph_def=data), global_step)

    def add_meta_graph(self, meta_graph_def: Any, global_step: Optional[Any] = None) -> None:
        """Adds a TensorFlow `MetaGraphDef` protobuf as it is (TensorBoard shows its graph
        when no graph was added); for a flowgraph graph use `add_graph`."""
        if not (hasattr(meta_graph_def, "DESCRIPTOR")
                and callable(getattr(meta_graph_def, "SerializeToString", None))):
            raise TypeError(f"add_meta_graph() takes a MetaGraphDef protobuf, got "
                            f"{type(meta_graph_def).__name__}; to show a fg.Graph in "
                            "TensorBoard use add_graph(graph)")
        event = self._protos.event_pb2.Event(meta_graph_def=meta_graph_def.SerializeToString())
        self._add_event(event, global_step)

    def add_run_metadata(self, run_metadata: Any, tag: str,
                         global_step: Optional[Any] = None) -> None:
        """Adds the op timings of a traced run (``fg.RunMetadata`` filled by
        ``sess.run(..., options=fg.RunOptions(trace_level=fg.RunOptions.FULL_TRACE),
        run_metadata=meta)``), shown as a "Session run" named `tag` in the Graphs tab."""
        if tag in self._session_run_tags:
            raise ValueError(f"The provided tag {tag!r} was already used for this event type")
        if self._run_metadata_class is None and \
                not callable(getattr(run_metadata, "SerializeToString", None)):
            self._run_metadata_class = run_metadata_class()
        data = serialize_run_metadata(run_metadata, self._run_metadata_class)
        self._session_run_tags.add(tag)
        tagged = self._protos.event_pb2.TaggedRunMetadata(tag=tag, run_metadata=data)
        self._add_event(self._protos.event_pb2.Event(tagged_run_metadata=tagged), global_step)

    # -- conversions
    def _as_summary(self, summary: Any) -> Any:
        cls = self._protos.summary_pb2.Summary
        if isinstance(summary, np.ndarray) and summary.ndim == 0:
            summary = summary[()]
        if isinstance(summary, (bytes, bytearray, np.bytes_)):
            return cls.FromString(bytes(summary))
        if isinstance(summary, cls):
            copy = cls()
            copy.CopyFrom(summary)
            return copy
        if callable(getattr(summary, "SerializeToString", None)):
            return cls.FromString(summary.SerializeToString())
        hint = " (run the summary op in a Session first)" if hasattr(summary, "graph") else ""
        raise TypeError(f"add_summary() takes a serialized Summary (bytes) or a Summary "
                        f"protobuf, got {type(summary).__name__}{hint}")

    def _as_event(self, event: Any) -> Any:
        cls = self._protos.event_pb2.Event
        if isinstance(event, cls):
            return event
        if callable(getattr(event, "SerializeToString", None)):
            return cls.FromString(event.SerializeToString())
        raise TypeError(f"add_event() takes an Event protobuf, got {type(event).__name__}")

    def __repr__(self) -> str:
        state = "closed" if self._closed else "open"
        return f"<fg.summary.FileWriter {self._logdir!r} ({state})>"


def _graph_from_fg_graph_def(graph_def: Any) -> Graph:
    """A new Graph holding the nodes of flowgraph's own GraphDef (`Graph.as_graph_def()`)."""
    from flowgraph.io.importer import import_graph_def
    graph = Graph()
    with graph.as_default():
        import_graph_def(graph_def, name="")
    return graph


class FileWriterCache:
    """One shared FileWriter per log directory, as TF1's `tf.summary.FileWriterCache`.

    Process-wide by design (as TF1): code in different places (hooks, estimators) that
    writes to one directory shares one event file.
    """

    _cache: dict = {}
    _lock = threading.RLock()

    @staticmethod
    def get(logdir: Any) -> FileWriter:
        """The FileWriter of `logdir` (created with the default graph on first use)."""
        key = os.fspath(logdir)
        with FileWriterCache._lock:
            writer = FileWriterCache._cache.get(key)
            if writer is None:
                writer = FileWriterCache._cache[key] = FileWriter(key,
                                                                  graph=get_default_graph())
            return writer

    @staticmethod
    def clear() -> None:
        """Closes and forgets every cached FileWriter."""
        with FileWriterCache._lock:
            writers = list(FileWriterCache._cache.values())
            FileWriterCache._cache.clear()
        for writer in writers:
            writer.close()
