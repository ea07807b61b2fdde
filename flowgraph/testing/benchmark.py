"""TF1's `tf.test.Benchmark` (tensorflow/python/platform/benchmark.py): `report_benchmark`
and `run_op_benchmark` timing `Session.run`.

Reports are logged and printed as a text `entry { ... }` block like TF1's BenchmarkEntries;
with the environment variable `TEST_REPORT_FILE_PREFIX` set (TF1's switch), each report is
written instead to `<prefix><Class.method>` ("/" replaced by "__") as JSON, since flowgraph
has no BenchmarkEntry protobuf.
"""

from __future__ import annotations

import inspect
import json
import logging
import math
import numbers
import os
import re
import time
from typing import Any, Optional

from flowgraph.context import get_default_session

__all__ = ["Benchmark", "run_benchmarks"]

_REPORT_ENV = "TEST_REPORT_FILE_PREFIX"
_log = logging.getLogger("flowgraph.test")


def _entry(name: str, iters: Any, cpu_time: Any, wall_time: Any, throughput: Any,
           extras: Any, metrics: Any) -> dict:
    entry: dict = {"name": name}
    for key, value in (("iters", iters), ("cpu_time", cpu_time), ("wall_time", wall_time),
                       ("throughput", throughput)):
        if value is not None:
            entry[key] = value
    if extras is not None:
        if not isinstance(extras, dict):
            raise TypeError("extras must be a dict")
        entry["extras"] = {k: (v if isinstance(v, numbers.Number) else str(v))
                           for k, v in extras.items()}
    if metrics is not None:
        if not isinstance(metrics, list):
            raise TypeError("metrics must be a list")
        for metric in metrics:
            if "name" not in metric:
                raise TypeError("metric must has a 'name' field")
            if "value" not in metric:
                raise TypeError("metric must has a 'value' field")
        entry["metrics"] = [dict(m) for m in metrics]
    return entry


def _entry_text(entry: dict) -> str:
    lines = ["entry {"]
    for key in ("name", "iters", "cpu_time", "wall_time", "throughput"):
        if key in entry:
            value = entry[key]
            lines.append(f'  {key}: "{value}"' if isinstance(value, str) else
                         f"  {key}: {value}")
    for key, value in entry.get("extras", {}).items():
        kind = "double_value" if isinstance(value, numbers.Number) else "string_value"
        shown = value if kind == "double_value" else f'"{value}"'
        lines.append(f'  extras {{\n    key: "{key}"\n    value {{\n      {kind}: {shown}\n'
                     "    }\n  }")
    for metric in entry.get("metrics", []):
        lines.append(f'  metrics {{\n    name: "{metric["name"]}"\n    value: '
                     f'{metric["value"]}\n  }}')
    lines.append("}")
    return "\n".join(lines)


def _global_report(entry: dict) -> None:
    _log.info("Benchmark [%s] iters: %d, wall_time: %g, cpu_time: %g, throughput: %g, "
              "extras: %s, metrics: %s", entry["name"], entry.get("iters", -1),
              entry.get("wall_time", -1), entry.get("cpu_time", -1),
              entry.get("throughput", -1), entry.get("extras"), entry.get("metrics"))
    prefix = os.environ.get(_REPORT_ENV)
    if prefix is None:
        print(_entry_text(entry))
        return
    path = prefix + entry["name"].replace("/", "__")
    if os.path.exists(path):
        raise OSError(f"File already exists: {path}")
    with open(path, "w", encoding="utf-8") as f:
        json.dump({"entry": [entry]}, f, indent=1, default=str)


class Benchmark:
    """Base class of benchmarks (TF1's `tf.test.Benchmark`): subclass it, write
    `benchmark*` methods, and call `self.report_benchmark(...)` or
    `self.run_op_benchmark(sess, op)` in them. `fg.test.main()` run with
    `--benchmarks=REGEX` runs the matching ones."""

    @classmethod
    def is_abstract(cls) -> bool:
        return cls is Benchmark

    def _get_name(self, overwrite_name: Optional[str] = None) -> str:
        """`Class.method` of the outermost benchmark method on the call stack."""
        frame = inspect.currentframe()
        calling, method = None, None
        while frame is not None:
            owner = frame.f_locals.get("self")
            if isinstance(owner, Benchmark):
                calling, method = owner, frame.f_code.co_name  # keep the outermost
            frame = frame.f_back
        if calling is None:
            raise ValueError("Unable to determine calling Benchmark class.")
        return f"{type(calling).__name__}.{overwrite_name or method}"

    def report_benchmark(self, iters: Optional[int] = None, cpu_time: Optional[float] = None,
                         wall_time: Optional[float] = None,
                         throughput: Optional[float] = None, extras: Optional[dict] = None,
                         name: Optional[str] = None, metrics: Optional[list] = None) -> None:
        """Reports one result, named `Class.method` (or `Class.<name>`); see the module
        docstring for where it goes."""
        _global_report(_entry(self._get_name(overwrite_name=name), iters, cpu_time,
                              wall_time, throughput, extras, metrics))

    def run_op_benchmark(self, sess: Any, op_or_tensor: Any, feed_dict: Optional[dict] = None,
                         burn_iters: int = 2, min_iters: int = 10, store_trace: bool = False,
                         store_memory_usage: bool = True, name: Optional[str] = None,
                         extras: Optional[dict] = None, mbs: int = 0) -> dict:
        """Runs `op_or_tensor` in `sess` `burn_iters` times untimed, then `min_iters` times
        timed; reports the median wall time and returns the reported values, with
        `wall_time_mean` and `wall_time_stdev` added to its extras (and
        `full_trace_chrome_format` with `store_trace`). flowgraph records no allocator
        statistics, so `store_memory_usage` adds nothing."""
        for _ in range(burn_iters):
            sess.run(op_or_tensor, feed_dict=feed_dict)
        deltas = []
        for _ in range(min_iters):
            start = time.time()
            sess.run(op_or_tensor, feed_dict=feed_dict)
            deltas.append(time.time() - start)
        extras = extras if extras is not None else {}
        unreported: dict = {}
        if store_trace:
            unreported["full_trace_chrome_format"] = _chrome_trace(sess, op_or_tensor,
                                                                   feed_dict)
        median = _median(deltas)
        values = {"iters": min_iters, "wall_time": median, "extras": extras, "name": name,
                  "throughput": mbs / median if median > 0 else 0.0}
        self.report_benchmark(**values)
        mean, stdev = _mean_and_stdev(deltas)
        unreported["wall_time_mean"] = mean
        unreported["wall_time_stdev"] = stdev
        values["extras"].update(unreported)
        return values

    def evaluate(self, tensors: Any) -> Any:
        """The values of `tensors` in the default session."""
        sess = get_default_session()
        if sess is None:
            raise ValueError("Benchmark.evaluate runs in the default session, and there is "
                             "none: use `with fg.Session() as sess:`.")
        return sess.run(tensors)


def _chrome_trace(sess: Any, fetches: Any, feed_dict: Optional[dict]) -> str:
    from flowgraph.client.timeline import Timeline
    from flowgraph.runtime.config import RunMetadata, RunOptions
    metadata = RunMetadata()
    sess.run(fetches, feed_dict=feed_dict,
             options=RunOptions(trace_level=RunOptions.FULL_TRACE), run_metadata=metadata)
    return Timeline(step_stats=metadata.step_stats).generate_chrome_trace_format()


def _median(x: list) -> float:
    if not x:
        return -1
    s = sorted(x)
    n = len(x)
    return (s[n // 2] + s[(n - 1) // 2]) / 2.0


def _mean_and_stdev(x: list) -> tuple:
    if not x:
        return -1, -1
    mean = sum(x) / len(x)
    if len(x) == 1:
        return mean, -1
    variance = sum((e - mean) ** 2 for e in x) / (len(x) - 1)
    return mean, math.sqrt(variance)


def _all_subclasses(cls: type) -> list:
    found = []
    for sub in cls.__subclasses__():
        found.append(sub)
        found.extend(_all_subclasses(sub))
    return found


def run_benchmarks(regex: str) -> None:
    """Runs every `benchmark*` method of the Benchmark subclasses whose `Class.method`
    (module-qualified, as TF1) matches `regex` ("all" runs all)."""
    for cls in _all_subclasses(Benchmark):
        full = f"{cls.__module__}.{cls.__name__}"
        for attr in sorted(dir(cls)):
            if not attr.startswith("benchmark"):
                continue
            method = getattr(cls, attr)
            if not callable(method):
                continue
            name = f"{full}.{attr}"
            if regex == "all" or re.search(regex, name):
                getattr(cls(), attr)()
