"""`Estimator.export_saved_model`: rebuild the model in PREDICT mode on the serving
inputs, restore the latest checkpoint and write a saved model into a new timestamped
folder of `export_dir_base` (TF1's `_export_all_saved_models`)."""

import logging
import os
import shutil
import time
from typing import Any, Callable, Optional

from flowgraph import errors
from flowgraph.estimator.export.export import SINGLE_RECEIVER_DEFAULT_NAME
from flowgraph.estimator.model_fn import ModeKeys, get_export_outputs
from flowgraph.graph import Graph, GraphKeys, get_collection
from flowgraph.runtime.session import Session
from flowgraph.saved_model import signature_def_utils, tag_constants
from flowgraph.saved_model.builder import SavedModelBuilder
from flowgraph.saved_model.signature_constants import DEFAULT_SERVING_SIGNATURE_DEF_KEY
from flowgraph.train.scaffold import Scaffold

_log = logging.getLogger("flowgraph.estimator")

_MAX_DIRECTORY_CREATION_ATTEMPTS = 10
_EXPORT_TAGS = {ModeKeys.PREDICT: [tag_constants.SERVING]}


def get_timestamped_export_dir(export_dir_base: Any) -> bytes:
    """`export_dir_base/<seconds since epoch>` (as bytes, as TF1), not yet existing."""
    base = os.fsencode(export_dir_base)
    for _ in range(_MAX_DIRECTORY_CREATION_ATTEMPTS):
        result_dir = os.path.join(base, str(int(time.time())).encode())
        if not os.path.exists(result_dir):
            return result_dir
        # A folder for this second already exists: wait for the next second.
        time.sleep(1)
        _log.warning("Directory %s already exists; retrying (attempt %d/%d)",
                     result_dir.decode(errors="replace"), _ + 1,
                     _MAX_DIRECTORY_CREATION_ATTEMPTS)
    raise RuntimeError("Failed to obtain a unique export directory name after "
                       f"{_MAX_DIRECTORY_CREATION_ATTEMPTS} attempts.")


def get_temp_export_dir(timestamped_export_dir: bytes) -> bytes:
    dirname, basename = os.path.split(timestamped_export_dir)
    return os.path.join(dirname, b"temp-" + basename)


def build_all_signature_defs(receiver_tensors: Any, export_outputs: dict,
                             receiver_tensors_alternatives: Optional[dict] = None) -> dict:
    """One SignatureDef per export output (and per alternative receiver), keeping those
    that are valid; invalid ones (e.g. classify without a string input) are left out."""
    if not isinstance(receiver_tensors, dict):
        receiver_tensors = {SINGLE_RECEIVER_DEFAULT_NAME: receiver_tensors}
    if export_outputs is None or not isinstance(export_outputs, dict):
        raise ValueError(f"export_outputs must be a dict and not {type(export_outputs)}")
    signature_def_map = {}
    excluded = {}
    for output_key, export_output in export_outputs.items():
        name = f"{output_key or 'None'}"
        try:
            signature_def_map[name] = export_output.as_signature_def(receiver_tensors)
        except ValueError as exc:
            excluded[name] = str(exc)
    for receiver_name, tensors in (receiver_tensors_alternatives or {}).items():
        if not isinstance(tensors, dict):
            tensors = {SINGLE_RECEIVER_DEFAULT_NAME: tensors}
        for output_key, export_output in export_outputs.items():
            name = f"{receiver_name or 'None'}:{output_key or 'None'}"
            try:
                signature_def_map[name] = export_output.as_signature_def(tensors)
            except ValueError as exc:
                excluded[name] = str(exc)
    for name, reason in sorted(excluded.items()):
        _log.info("Signature %r is left out of the export: %s", name, reason)
    if not signature_def_map:
        _log.warning("Export includes no signatures!")
    elif DEFAULT_SERVING_SIGNATURE_DEF_KEY not in signature_def_map:
        _log.warning("Export includes no default signature!")
    return {key: value for key, value in signature_def_map.items()
            if signature_def_utils.is_valid_signature(value)}


def export_all_saved_models(estimator: Any, export_dir_base: Any,
                            input_receiver_fn_map: dict, assets_extra: Optional[dict] = None,
                            as_text: bool = False, checkpoint_path: Optional[str] = None
                            ) -> bytes:
    """Write a saved model with one meta graph per mode in `input_receiver_fn_map`;
    returns its folder (bytes)."""
    if not checkpoint_path:
        checkpoint_path = estimator.latest_checkpoint()
    if not checkpoint_path:
        warm = estimator._warm_start_settings
        if warm is not None:
            checkpoint_path = warm.ckpt_to_initialize_from
            if os.path.isdir(checkpoint_path):
                from flowgraph.train.checkpoint_management import latest_checkpoint

                checkpoint_path = latest_checkpoint(checkpoint_path)
        else:
            raise ValueError(f"Couldn't find trained model at {estimator.model_dir}.")
    unsupported = [mode for mode in input_receiver_fn_map if mode not in _EXPORT_TAGS]
    if unsupported:
        raise ValueError(f"Exporting modes {unsupported} is not supported by flowgraph; "
                         f"export the PREDICT mode ({ModeKeys.PREDICT!r}).")
    if not input_receiver_fn_map.get(ModeKeys.PREDICT):
        raise ValueError(f"No valid modes for exporting found. Got "
                         f"{list(input_receiver_fn_map)}.")
    export_dir = get_timestamped_export_dir(export_dir_base)
    temp_export_dir = get_temp_export_dir(export_dir)
    try:
        builder = SavedModelBuilder(os.fsdecode(temp_export_dir))
        _add_meta_graph_for_mode(estimator, builder, input_receiver_fn_map[ModeKeys.PREDICT],
                                 checkpoint_path, ModeKeys.PREDICT)
        builder.save(as_text)
        for dest_relative, source in (assets_extra or {}).items():
            dest = os.path.join(os.fsdecode(temp_export_dir), "assets.extra", dest_relative)
            os.makedirs(os.path.dirname(dest), exist_ok=True)
            shutil.copyfile(source, dest)
        os.rename(temp_export_dir, export_dir)
    except BaseException:
        shutil.rmtree(temp_export_dir, ignore_errors=True)
        raise
    _log.info("SavedModel written to: %s", os.fsdecode(export_dir))
    return export_dir


def _add_meta_graph_for_mode(estimator: Any, builder: SavedModelBuilder,
                             receiver_fn: Callable, checkpoint_path: str, mode: str) -> None:
    graph = Graph()
    with graph.as_default():
        estimator._create_and_assert_global_step(graph)
        if estimator.config.tf_random_seed is not None:
            graph.seed = estimator.config.tf_random_seed
        input_receiver = receiver_fn()
        spec = estimator._call_model_fn(input_receiver.features,
                                        getattr(input_receiver, "labels", None), mode,
                                        estimator.config)
        export_outputs = get_export_outputs(spec.export_outputs, spec.predictions)
        signature_def_map = build_all_signature_defs(
            input_receiver.receiver_tensors, export_outputs,
            getattr(input_receiver, "receiver_tensors_alternatives", None))
        local_init_op = spec.scaffold.local_init_op
        if local_init_op is None:
            local_init_op = Scaffold.default_local_init_op()
        from flowgraph.estimator.checkpoint_names import checkpoint_var_list
        from flowgraph.train.saver import Saver

        graph_saver = spec.scaffold.saver or Saver(var_list=checkpoint_var_list(),
                                                   sharded=True)
        with Session(graph=graph, config=estimator._session_config) as session:
            try:
                graph_saver.restore(session, checkpoint_path)
            except errors.NotFoundError as exc:
                raise ValueError(
                    "Could not load all requested variables from checkpoint. Please make sure "
                    "your model_fn does not expect variables that were not saved in the "
                    f"checkpoint.\n\nEncountered error with mode `{mode}` while restoring "
                    f"checkpoint from: `{checkpoint_path}`. Full Traceback:\n\n{exc}"
                ) from None
            builder.add_meta_graph_and_variables(
                session, tags=_EXPORT_TAGS[mode], signature_def_map=signature_def_map,
                assets_collection=get_collection(GraphKeys.ASSET_FILEPATHS),
                main_op=local_init_op, saver=graph_saver)
