"""More of TF 1.15's `tf.keras.utils`: `get_source_inputs`, the enqueuers that fetch batches
from a `Sequence` or generator in worker threads (or processes) ahead of training, and
`model_to_dot` / `plot_model`, which draw a model's graph of layers with Graphviz.
"""

from __future__ import annotations

import multiprocessing
import os
import queue
import random
import threading
from contextlib import closing
from multiprocessing.pool import ThreadPool
from typing import Any, Callable, Iterator, Optional

from flowgraph.keras import history

__all__ = ["get_source_inputs", "SequenceEnqueuer", "OrderedEnqueuer", "GeneratorEnqueuer",
           "model_to_dot", "plot_model"]


# -- get_source_inputs
def _calls_of(layer: Any, graph: Any) -> list:
    """The recorded calls of `layer` in `graph`, in the order they were made."""
    calls: list = []
    for call in history._records(graph).values():
        if getattr(call, "layer", None) is layer and all(call is not c for c in calls):
            calls.append(call)
    return calls


def get_source_inputs(tensor: Any, layer: Any = None, node_index: Any = None) -> Any:
    """The `Input` tensors that `tensor` is computed from, through Keras layer calls (each
    once, in order of discovery). A tensor no Keras layer made is returned as it is (not in
    a list), as TF 1.15. With `layer` (and no `node_index`), the walk starts from the inputs
    of `layer`'s first call instead."""
    producer = history.producer(tensor)
    if producer is None:
        return tensor
    if layer is not None and not node_index:
        calls = _calls_of(layer, tensor.graph)
        if calls:
            producer = calls[0]
    if isinstance(producer, history.InputMark):
        return [tensor]
    sources: list = []
    for t in producer.input_tensors():
        previous = get_source_inputs(t)
        for x in (previous if isinstance(previous, list) else [previous]):
            if all(x is not s for s in sources):
                sources.append(x)
    return sources


# -- enqueuers
# Set in each worker process of a multiprocessing pool (forked, so the data source is
# inherited, not pickled): the Sequence or generator that worker reads from.
_WORKER_SOURCE: list = [None]


def _init_worker(source: Any) -> None:
    _WORKER_SOURCE[0] = source


def _worker_get_index(index: int) -> Any:
    return _WORKER_SOURCE[0][index]


def _worker_next_sample() -> Any:
    return next(_WORKER_SOURCE[0])


class SequenceEnqueuer:
    """Base of the enqueuers: `start(workers, max_queue_size)` launches a thread that keeps a
    queue of up to `max_queue_size` pending batches computed by `workers` threads (processes
    with `use_multiprocessing`, forked); `get()` yields the batches; `stop()` ends it.

    Example::

        enqueuer = OrderedEnqueuer(my_sequence)
        enqueuer.start(workers=2, max_queue_size=10)
        batches = enqueuer.get()
        first = next(batches)
        enqueuer.stop()
    """

    def __init__(self, sequence: Any, use_multiprocessing: bool = False) -> None:
        self.sequence = sequence
        self.use_multiprocessing = use_multiprocessing
        self.workers = 0
        self.executor_fn: Optional[Callable[[Any], Any]] = None
        self.queue: Any = None
        self.run_thread: Any = None
        self.stop_signal: Any = None

    def is_running(self) -> bool:
        """Whether `start` was called and `stop` not yet."""
        return self.stop_signal is not None and not self.stop_signal.is_set()

    def start(self, workers: int = 1, max_queue_size: int = 10) -> None:
        """Starts the background thread filling the queue, with `workers` workers."""
        if int(workers) < 1:
            raise ValueError(f"workers must be >= 1, got {workers}.")
        if self.use_multiprocessing:
            self.executor_fn = self._get_executor_init(workers)
        else:
            self.executor_fn = lambda _: ThreadPool(workers)
        self.workers = workers
        self.queue = queue.Queue(max_queue_size)
        self.stop_signal = threading.Event()
        self.run_thread = threading.Thread(target=self._run, daemon=True)
        self.run_thread.start()

    def _get_executor_init(self, workers: int) -> Callable[[Any], Any]:
        """A function making a process pool of `workers` whose workers hold the source."""
        context = multiprocessing.get_context("fork")
        return lambda source: context.Pool(workers, initializer=_init_worker,
                                           initargs=(source,))

    def stop(self, timeout: Optional[float] = None) -> None:
        """Stops the background thread (waiting up to `timeout` seconds for it)."""
        if self.stop_signal is None:
            return
        self.stop_signal.set()
        with self.queue.mutex:
            self.queue.queue.clear()
            self.queue.unfinished_tasks = 0
            self.queue.not_full.notify()
        self.run_thread.join(timeout)

    def _wait_queue(self) -> None:
        """Waits until every queued batch has been taken (or the enqueuer stops)."""
        while True:
            with self.queue.mutex:
                if self.queue.unfinished_tasks == 0 or self.stop_signal.is_set():
                    return
            self.stop_signal.wait(0.01)

    def _put(self, future: Any) -> bool:
        """Queues `future` unless the enqueuer stops first; whether it was queued."""
        while not self.stop_signal.is_set():
            try:
                self.queue.put(future, block=True, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def _run(self) -> None:
        raise NotImplementedError(f"{type(self).__name__} must define _run().")

    def get(self) -> Iterator[Any]:
        raise NotImplementedError(f"{type(self).__name__} must define get().")


class OrderedEnqueuer(SequenceEnqueuer):
    """Fetches the batches of a `Sequence` in order (in a random order each epoch with
    `shuffle`), endlessly, calling `on_epoch_end` after each pass."""

    def __init__(self, sequence: Any, use_multiprocessing: bool = False,
                 shuffle: bool = False) -> None:
        super().__init__(sequence, use_multiprocessing)
        self.shuffle = shuffle

    def _run(self) -> None:
        indices = list(range(len(self.sequence)))
        get_index = _worker_get_index if self.use_multiprocessing else self.sequence.__getitem__
        while True:
            if self.shuffle:
                random.shuffle(indices)
            with closing(self.executor_fn(self.sequence)) as executor:
                for i in indices:
                    if self.stop_signal.is_set() or not self._put(
                            executor.apply_async(get_index, (i,))):
                        return
                self._wait_queue()
                if self.stop_signal.is_set():
                    return
            self.sequence.on_epoch_end()

    def get(self) -> Iterator[Any]:
        """Yields the batches (endlessly, epoch after epoch) while running; an error in a
        worker stops the enqueuer and is raised here."""
        try:
            while self.is_running():
                try:
                    future = self.queue.get(block=True, timeout=0.1)
                except queue.Empty:
                    continue
                inputs = future.get()
                if self.is_running():
                    self.queue.task_done()
                if inputs is not None:
                    yield inputs
        except Exception:
            self.stop()
            raise


class GeneratorEnqueuer(SequenceEnqueuer):
    """Fetches items from a Python generator in worker threads (one at a time: a lock
    guards it) or, with `use_multiprocessing`, worker processes that each advance their
    own forked copy of it (seeded from `random_seed` when given)."""

    def __init__(self, sequence: Any, use_multiprocessing: bool = False,
                 random_seed: Optional[int] = None) -> None:
        super().__init__(sequence, use_multiprocessing)
        self.random_seed = random_seed
        self._lock = threading.Lock()

    def _get_executor_init(self, workers: int) -> Callable[[Any], Any]:
        context = multiprocessing.get_context("fork")
        seed = self.random_seed

        def init(source: Any) -> Any:
            return context.Pool(workers, initializer=_init_generator_worker,
                                initargs=(source, seed))
        return init

    def _next_sample(self) -> Any:
        with self._lock:
            return next(self.sequence)

    def _run(self) -> None:
        next_sample = _worker_next_sample if self.use_multiprocessing else self._next_sample
        with closing(self.executor_fn(self.sequence)) as executor:
            while not self.stop_signal.is_set():
                if not self._put(executor.apply_async(next_sample)):
                    return

    def get(self) -> Iterator[Any]:
        """Yields the generator's items while running; when a finite generator is
        exhausted, the items already fetched are yielded and iteration ends."""
        try:
            while self.is_running():
                try:
                    future = self.queue.get(block=True, timeout=0.1)
                except queue.Empty:
                    continue
                inputs = future.get()
                self.queue.task_done()
                if inputs is not None:
                    yield inputs
        except StopIteration:
            last_ones = []
            while self.queue.qsize() > 0:
                last_ones.append(self.queue.get(block=True))
            for future in last_ones:
                future.wait()
            for future in last_ones:
                if future.successful():
                    inputs = future.get()
                    if inputs is not None:
                        yield inputs
        except Exception as error:
            self.stop()
            raise error


def _init_generator_worker(source: Any, seed: Optional[int]) -> None:
    if seed is not None:
        import numpy as np
        seed += os.getpid()
        random.seed(seed)
        np.random.seed(seed % (2 ** 32))
    _init_worker(source)


# -- model_to_dot / plot_model
def _layer_label(layer: Any, show_shapes: bool, show_layer_names: bool) -> str:
    from flowgraph.keras.layers.wrappers import Wrapper
    layer_name = layer.name
    class_name = type(layer).__name__
    if isinstance(layer, Wrapper):
        layer_name = f"{layer_name}({layer.layer.name})"
        class_name = f"{class_name}({type(layer.layer).__name__})"
    label = f"{layer_name}: {class_name}" if show_layer_names else class_name
    if show_shapes:
        try:
            outputs = str(layer.output_shape)
        except (AttributeError, ValueError, RuntimeError):
            outputs = "multiple"
        try:
            inputs = str(layer.input_shape)
        except (AttributeError, ValueError, RuntimeError):
            inputs = "multiple"
        label = f"{label}\n|{{input:|output:}}|{{{{{inputs}}}|{{{outputs}}}}}"
    return label


def _model_layers_and_edges(model: Any) -> tuple:
    """The model's layers (InputLayers included) and the (source, target) layer pairs of
    its graph."""
    from flowgraph.keras.models import Sequential
    if not getattr(model, "_is_graph_network", False):
        if isinstance(model, Sequential):
            model.build()  # (raises, asking for an input shape, as TF 1.15)
        else:
            return list(model.layers), []
    layers = list(model._tracked_layers)
    edges: list = []
    for call in model._calls:
        for tensor in call.input_tensors():
            origin = history.producer(tensor)
            source = origin.input_layer if isinstance(origin, history.InputMark) \
                else getattr(origin, "layer", None)
            if source is None or all(source is not other for other in layers):
                continue
            if all(not (a is source and b is call.layer) for a, b in edges):
                edges.append((source, call.layer))
    return layers, edges


def model_to_dot(model: Any, show_shapes: bool = False, show_layer_names: bool = True,
                 rankdir: str = "TB", expand_nested: bool = False, dpi: int = 96,
                 subgraph: bool = False) -> Any:
    """The model's graph of layers as a `graphviz.Digraph` (TF 1.15 returns a pydot Dot):
    one record node per layer, labelled ``name: ClassName`` (and the input / output shapes
    with `show_shapes`), an edge per connection; with `expand_nested`, nested models are
    drawn as clusters of their layers. `rankdir` is ``'TB'`` (vertical) or ``'LR'``."""
    import graphviz
    if rankdir not in ("TB", "LR", "BT", "RL"):
        raise ValueError(f"rankdir must be one of 'TB', 'LR', 'BT', 'RL', got {rankdir!r}.")
    from flowgraph.keras.engine_network import Network
    if subgraph:
        dot = graphviz.Digraph(name=f"cluster_{id(model)}")
        dot.attr(style="dashed", label=model.name)
        dot.attr(rankdir=rankdir)
    else:
        dot = graphviz.Digraph(name=model.name)
        dot.attr(rankdir=rankdir, concentrate="true", dpi=str(dpi))
        dot.attr("node", shape="record")
    layers, edges = _model_layers_and_edges(model)
    first: dict = {}
    last: dict = {}
    for layer in layers:
        layer_id = str(id(layer))
        if expand_nested and isinstance(layer, Network):
            inner = model_to_dot(layer, show_shapes, show_layer_names, rankdir,
                                 expand_nested, subgraph=True)
            inner_layers, _ = _model_layers_and_edges(layer)
            first[layer_id] = str(id(inner_layers[0]))
            last[layer_id] = str(id(inner_layers[-1]))
            dot.subgraph(inner)
            continue
        dot.node(layer_id, label=_layer_label(layer, show_shapes, show_layer_names))
    for source, target in edges:
        source_id, target_id = str(id(source)), str(id(target))
        dot.edge(last.get(source_id, source_id), first.get(target_id, target_id))
    return dot


def plot_model(model: Any, to_file: str = "model.png", show_shapes: bool = False,
               show_layer_names: bool = True, rankdir: str = "TB",
               expand_nested: bool = False, dpi: int = 96) -> Any:
    """Draws `model_to_dot(model, ...)` into `to_file` with Graphviz's ``dot`` program (the
    format from the file's extension, ``png`` without one). Returns an ``IPython.display
    .Image`` of it when IPython is installed and can show the format, else None."""
    import graphviz
    dot = model_to_dot(model, show_shapes=show_shapes, show_layer_names=show_layer_names,
                       rankdir=rankdir, expand_nested=expand_nested, dpi=dpi)
    extension = os.path.splitext(to_file)[1]
    extension = extension[1:] if extension else "png"
    try:
        image = dot.pipe(format=extension)
    except graphviz.ExecutableNotFound as error:
        raise ImportError("plot_model needs the Graphviz `dot` program on the PATH: install "
                          "Graphviz (e.g. `apt-get install graphviz`, `brew install "
                          "graphviz`, or https://graphviz.org/download/).") from error
    with open(to_file, "wb") as handle:
        handle.write(image)
    if extension != "pdf":
        try:
            from IPython import display
        except ImportError:
            return None
        try:
            return display.Image(filename=to_file)
        except ValueError:  # a format IPython cannot show inline (svg, ...)
            return None
    return None
