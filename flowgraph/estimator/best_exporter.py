"""`BestExporter`: export a saved model only when an evaluation beats every earlier one,
as TF1's `tf.estimator.BestExporter` (the best so far is re-read from the eval event files,
so a restarted job keeps comparing against it)."""

from __future__ import annotations

import glob
import logging
import os
from typing import Any, Callable, Optional

from flowgraph.estimator.exporter import _SavedModelExporter, garbage_collect_exports
from flowgraph.estimator.util import fn_args

__all__ = ["BestExporter"]

_log = logging.getLogger("flowgraph.estimator")


def _loss_smaller(best_eval_result: dict, current_eval_result: dict) -> bool:
    """TF1's default compare_fn: the current result is better when its 'loss' is smaller."""
    key = "loss"
    if not best_eval_result or key not in best_eval_result:
        raise ValueError("best_eval_result cannot be empty or no loss is found in it.")
    if not current_eval_result or key not in current_eval_result:
        raise ValueError("current_eval_result cannot be empty or no loss is found in it.")
    return best_eval_result[key] > current_eval_result[key]


def _verify_compare_fn_args(compare_fn: Callable) -> None:
    args = set(fn_args(compare_fn))
    for required in ("best_eval_result", "current_eval_result"):
        if required not in args:
            raise ValueError(f"compare_fn ({compare_fn}) must include {required} argument.")
    unexpected = sorted(args - {"best_eval_result", "current_eval_result"})
    if unexpected:
        raise ValueError(f"compare_fn ({compare_fn}) has following not expected args: "
                         f"{unexpected}")


class BestExporter(_SavedModelExporter):
    """Exports the serving graph and checkpoint each time the model is better than any
    before it (by `compare_fn`), keeping the newest `exports_to_keep` exports.

    Parameters
    ----------
    name : str
        The exporter's name: exports go to ``model_dir/export/<name>/<timestamp>``.
    serving_input_receiver_fn : callable
        Returns the `ServingInputReceiver` of the exported model.
    event_file_pattern : str, optional
        Eval event files (relative to model_dir) holding earlier results, read once per
        model_dir to find the best so far; None: only results seen by this exporter count.
    compare_fn : callable
        ``compare_fn(best_eval_result, current_eval_result)`` -> True when the current
        result is better; default: smaller 'loss'.
    assets_extra, as_text
        As `Estimator.export_saved_model`.
    exports_to_keep : int or None
        How many exports to keep (None: all).
    """

    def __init__(self, name: str = "best_exporter",
                 serving_input_receiver_fn: Optional[Callable] = None,
                 event_file_pattern: Optional[str] = "eval/*.tfevents.*",
                 compare_fn: Optional[Callable] = _loss_smaller,
                 assets_extra: Optional[dict] = None, as_text: bool = False,
                 exports_to_keep: Optional[int] = 5) -> None:
        if compare_fn is None:
            raise ValueError("`compare_fn` must not be None.")
        _verify_compare_fn_args(compare_fn)
        super().__init__(name, serving_input_receiver_fn, assets_extra, as_text)
        self._compare_fn = compare_fn
        self._event_file_pattern = event_file_pattern
        self._model_dir: Optional[str] = None
        self._best_eval_result: Optional[dict] = None
        if exports_to_keep is not None and exports_to_keep <= 0:
            raise ValueError("`exports_to_keep`, if provided, must be a positive number. Got "
                             f"{exports_to_keep}")
        self._exports_to_keep = exports_to_keep

    def export(self, estimator: Any, export_path: str, checkpoint_path: str,
               eval_result: dict, is_the_final_export: bool) -> Any:
        if self._model_dir != estimator.model_dir and self._event_file_pattern:
            _log.info("Loading best metric from event files.")
            self._model_dir = estimator.model_dir
            self._best_eval_result = self._get_best_eval_result(
                os.path.join(self._model_dir, self._event_file_pattern))
        if self._best_eval_result is None or self._compare_fn(
                best_eval_result=self._best_eval_result, current_eval_result=eval_result):
            _log.info("Performing best model export.")
            self._best_eval_result = eval_result
            result = self._export(estimator, export_path, checkpoint_path)
            garbage_collect_exports(export_path, self._exports_to_keep)
            return result
        return None

    def _get_best_eval_result(self, event_files: str) -> Optional[dict]:
        """The best of the results (scalar summaries of one event each) in `event_files`."""
        from flowgraph.summary.summary_iterator import summary_iterator

        best = None
        for path in sorted(glob.glob(event_files)):
            for event in summary_iterator(path):
                if not event.HasField("summary"):
                    continue
                result = {value.tag: value.simple_value for value in event.summary.value
                          if value.HasField("simple_value")}
                if result and (best is None or self._compare_fn(best, result)):
                    best = result
        return best
