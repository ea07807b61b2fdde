"""Exporters run by `train_and_evaluate` after evaluations: `FinalExporter` (once, at the
end) and `LatestExporter` (every time, keeping the newest few), as TF1's."""

import os
import shutil
from typing import Any, Callable, Optional

__all__ = ["Exporter", "FinalExporter", "LatestExporter"]


class Exporter:
    """Base class: `export(estimator, export_path, checkpoint_path, eval_result,
    is_the_final_export)` returns the export folder or None."""

    @property
    def name(self) -> str:
        raise NotImplementedError("An Exporter must have a name.")

    def export(self, estimator: Any, export_path: str, checkpoint_path: str,
               eval_result: dict, is_the_final_export: bool) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must implement export().")


class _SavedModelExporter(Exporter):
    def __init__(self, name: str, serving_input_receiver_fn: Callable,
                 assets_extra: Optional[dict] = None, as_text: bool = False) -> None:
        if not name:
            raise ValueError("An Exporter's name must be a non-empty string.")
        self._name = name
        self._serving_input_receiver_fn = serving_input_receiver_fn
        self._assets_extra = assets_extra
        self._as_text = as_text

    @property
    def name(self) -> str:
        return self._name

    def _export(self, estimator: Any, export_path: str, checkpoint_path: str) -> bytes:
        return estimator.export_saved_model(export_path, self._serving_input_receiver_fn,
                                            assets_extra=self._assets_extra,
                                            as_text=self._as_text,
                                            checkpoint_path=checkpoint_path)


class FinalExporter(_SavedModelExporter):
    """Exports a saved model once, after the final evaluation."""

    def export(self, estimator: Any, export_path: str, checkpoint_path: str,
               eval_result: dict, is_the_final_export: bool) -> Any:
        if not is_the_final_export:
            return None
        return self._export(estimator, export_path, checkpoint_path)


class LatestExporter(_SavedModelExporter):
    """Exports a saved model after every evaluation, keeping the newest `exports_to_keep`
    (None: all)."""

    def __init__(self, name: str, serving_input_receiver_fn: Callable,
                 assets_extra: Optional[dict] = None, as_text: bool = False,
                 exports_to_keep: Optional[int] = 5) -> None:
        super().__init__(name, serving_input_receiver_fn, assets_extra, as_text)
        if exports_to_keep is not None and exports_to_keep <= 0:
            raise ValueError("`exports_to_keep`, if provided, must be a positive number. Got "
                             f"{exports_to_keep}")
        self._exports_to_keep = exports_to_keep

    def export(self, estimator: Any, export_path: str, checkpoint_path: str,
               eval_result: dict, is_the_final_export: bool) -> Any:
        result = self._export(estimator, export_path, checkpoint_path)
        self._garbage_collect_exports(export_path)
        return result

    def _garbage_collect_exports(self, export_dir_base: str) -> None:
        garbage_collect_exports(export_dir_base, self._exports_to_keep)


def garbage_collect_exports(export_dir_base: str, exports_to_keep: Optional[int]) -> None:
    """Delete all but the newest `exports_to_keep` timestamped exports (None: keep all)."""
    if exports_to_keep is None or not os.path.isdir(export_dir_base):
        return
    versions = sorted(int(n) for n in os.listdir(export_dir_base) if n.isdigit())
    for version in versions[:-exports_to_keep]:
        shutil.rmtree(os.path.join(export_dir_base, str(version)), ignore_errors=True)
