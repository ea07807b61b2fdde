"""`fg.profiler.ProfileOptionBuilder` (TF1's ``tf.profiler.ProfileOptionBuilder``): the
option dicts `fg.profiler.profile` takes, with TF1's keys and presets."""

from __future__ import annotations

import copy
from typing import Any, Optional

__all__ = ["ProfileOptionBuilder", "TRAINABLE_VARIABLES"]

# The type tfprof gives the ops of `fg.trainable_variables()`.
TRAINABLE_VARIABLES = "_trainable_variables"


def _preset(**changes: Any) -> dict:
    options = {"max_depth": 10000, "min_bytes": 0, "min_micros": 0, "min_params": 0,
               "min_float_ops": 0, "min_occurrence": 0, "order_by": "name",
               "account_type_regexes": [".*"], "start_name_regexes": [".*"],
               "trim_name_regexes": [], "show_name_regexes": [".*"],
               "hide_name_regexes": [], "account_displayed_op_only": True,
               "select": ["micros"], "step": -1, "output": "stdout"}
    options.update(changes)
    return options


class ProfileOptionBuilder:
    """Builds profiling options step by step (each `with_*` returns the builder).

    >>> opts = (fg.profiler.ProfileOptionBuilder(
    ...     fg.profiler.ProfileOptionBuilder.float_operation())
    ...     .with_max_depth(3).with_empty_output().build())
    >>> fg.profiler.profile(graph, options=opts).total_float_ops
    """

    def __init__(self, options: Optional[dict] = None) -> None:
        if options is not None:
            self._options = copy.deepcopy(options)
        else:
            self._options = _preset(max_depth=100, account_displayed_op_only=False)

    @staticmethod
    def trainable_variables_parameter() -> dict:
        """Options counting the parameters of trainable Variables (for the scope view)."""
        return _preset(account_type_regexes=[TRAINABLE_VARIABLES], select=["params"])

    @staticmethod
    def float_operation() -> dict:
        """Options counting float operations (only ops with TF1's registered counts; see
        `flowgraph.profiler.flops`)."""
        return _preset(min_float_ops=1, order_by="float_ops", select=["float_ops"])

    @staticmethod
    def time_and_memory(min_micros: int = 1, min_bytes: int = 1,
                        min_accelerator_micros: int = 0, min_cpu_micros: int = 0,
                        min_peak_bytes: int = 0, min_residual_bytes: int = 0,
                        min_output_bytes: int = 0) -> dict:
        """Options showing op time and memory of the runs in `run_meta`."""
        return _preset(min_bytes=min_bytes, min_peak_bytes=min_peak_bytes,
                       min_residual_bytes=min_residual_bytes,
                       min_output_bytes=min_output_bytes, min_micros=min_micros,
                       min_accelerator_micros=min_accelerator_micros,
                       min_cpu_micros=min_cpu_micros, order_by="micros",
                       select=["micros", "bytes"])

    def build(self) -> dict:
        """A copy of the options built so far."""
        return copy.deepcopy(self._options)

    def _set(self, **values: Any) -> "ProfileOptionBuilder":
        self._options.update(values)
        return self

    def with_max_depth(self, max_depth: int) -> "ProfileOptionBuilder":
        return self._set(max_depth=max_depth)

    def with_min_memory(self, min_bytes: int = 0, min_peak_bytes: int = 0,
                        min_residual_bytes: int = 0,
                        min_output_bytes: int = 0) -> "ProfileOptionBuilder":
        return self._set(min_bytes=min_bytes, min_peak_bytes=min_peak_bytes,
                         min_residual_bytes=min_residual_bytes,
                         min_output_bytes=min_output_bytes)

    def with_min_execution_time(self, min_micros: int = 0, min_accelerator_micros: int = 0,
                                min_cpu_micros: int = 0) -> "ProfileOptionBuilder":
        return self._set(min_micros=min_micros, min_accelerator_micros=min_accelerator_micros,
                         min_cpu_micros=min_cpu_micros)

    def with_min_parameters(self, min_params: int) -> "ProfileOptionBuilder":
        return self._set(min_params=min_params)

    def with_min_occurrence(self, min_occurrence: int) -> "ProfileOptionBuilder":
        return self._set(min_occurrence=min_occurrence)

    def with_min_float_operations(self, min_float_ops: int) -> "ProfileOptionBuilder":
        return self._set(min_float_ops=min_float_ops)

    def with_accounted_types(self, account_type_regexes: list) -> "ProfileOptionBuilder":
        return self._set(account_type_regexes=list(account_type_regexes))

    def with_node_names(self, start_name_regexes: Optional[list] = None,
                        show_name_regexes: Optional[list] = None,
                        hide_name_regexes: Optional[list] = None,
                        trim_name_regexes: Optional[list] = None) -> "ProfileOptionBuilder":
        for key, value in (("start_name_regexes", start_name_regexes),
                           ("show_name_regexes", show_name_regexes),
                           ("hide_name_regexes", hide_name_regexes),
                           ("trim_name_regexes", trim_name_regexes)):
            if value is not None:
                self._options[key] = list(value)
        return self

    def account_displayed_op_only(self, is_true: bool) -> "ProfileOptionBuilder":
        return self._set(account_displayed_op_only=is_true)

    def with_empty_output(self) -> "ProfileOptionBuilder":
        return self._set(output="none")

    def with_stdout_output(self) -> "ProfileOptionBuilder":
        return self._set(output="stdout")

    def with_file_output(self, outfile: str) -> "ProfileOptionBuilder":
        return self._set(output=f"file:outfile={outfile}")

    def with_timeline_output(self, timeline_file: str) -> "ProfileOptionBuilder":
        return self._set(output=f"timeline:outfile={timeline_file}")

    def order_by(self, attribute: str) -> "ProfileOptionBuilder":
        """Order siblings by "name", "bytes", "micros", "params", "float_ops" or
        "occurrence" (largest first, except by name)."""
        return self._set(order_by=attribute)

    def select(self, attributes: list) -> "ProfileOptionBuilder":
        """The statistics to show, e.g. ``["params", "float_ops", "micros"]``."""
        return self._set(select=list(attributes))

    def with_step(self, step: int) -> "ProfileOptionBuilder":
        return self._set(step=step)
