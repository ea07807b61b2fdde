"""`simple_save`: a saved model for serving in one call, as TF1's
`tf.saved_model.simple_save`."""

from __future__ import annotations

from typing import Any, Optional

from flowgraph.graph import GraphKeys
from flowgraph.saved_model import signature_constants, tag_constants
from flowgraph.saved_model.builder import SavedModelBuilder
from flowgraph.saved_model.signature_def_utils import predict_signature_def

__all__ = ["simple_save"]


def simple_save(session: Any, export_dir: Any, inputs: dict, outputs: dict,
                legacy_init_op: Optional[Any] = None) -> None:
    """Saves `session`'s graph and variables as a saved model for serving.

    The model gets the tag `tag_constants.SERVING` and one predict signature under
    `signature_constants.DEFAULT_SERVING_SIGNATURE_DEF_KEY` ("serving_default") mapping
    the keys of `inputs` and `outputs` to their tensors; the assets of the graph's
    `GraphKeys.ASSET_FILEPATHS` collection are copied; devices are cleared.

    >>> fg.saved_model.simple_save(sess, "export/1", inputs={"x": x}, outputs={"y": y})

    Parameters
    ----------
    session : fg.Session
    export_dir : str
        Must not exist or be empty.
    inputs, outputs : dict of str to fg.Tensor
    legacy_init_op : fg.Operation, optional
        Run at load time after the variables are restored.
    """
    signature_def_map = {
        signature_constants.DEFAULT_SERVING_SIGNATURE_DEF_KEY:
            predict_signature_def(inputs, outputs),
    }
    builder = SavedModelBuilder(export_dir)
    builder.add_meta_graph_and_variables(
        session, tags=[tag_constants.SERVING], signature_def_map=signature_def_map,
        assets_collection=session.graph.get_collection(GraphKeys.ASSET_FILEPATHS),
        main_op=legacy_init_op, clear_devices=True)
    builder.save()
