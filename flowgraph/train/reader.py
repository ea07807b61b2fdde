"""Reading checkpoints without a graph (TF1's NewCheckpointReader and checkpoint_utils)."""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from flowgraph.io.checkpoint import CheckpointReader
from flowgraph.train import checkpoint_management as management

__all__ = ["NewCheckpointReader", "load_checkpoint", "list_variables", "load_variable"]


def NewCheckpointReader(filepattern: Any) -> CheckpointReader:  # noqa: N802 (TF1's name)
    """A reader of checkpoint prefix `filepattern`: ``get_tensor(name)``,
    ``has_tensor(name)``, ``get_variable_to_shape_map()``, ``get_variable_to_dtype_map()``.
    NotFoundError if there is no such checkpoint."""
    return CheckpointReader(filepattern)


def load_checkpoint(ckpt_dir_or_file: Any) -> CheckpointReader:
    """A reader of a checkpoint prefix, or of the latest checkpoint of a folder.

    ValueError if a folder holds no checkpoint.
    """
    path = management._as_path(ckpt_dir_or_file)
    if os.path.isdir(path):
        latest = management.latest_checkpoint(path)
        if latest is None:
            raise ValueError(f"Couldn't find 'checkpoint' file or checkpoints in given "
                             f"directory {path}")
        path = latest
    return CheckpointReader(path)


def list_variables(ckpt_dir_or_file: Any) -> list:
    """[(name, shape)] of every tensor in a checkpoint (or a folder's latest), sorted by name.

    >>> fg.train.list_variables("/tmp/model")
    [('b', [10]), ('global_step', []), ('w', [784, 10])]
    """
    shapes = load_checkpoint(ckpt_dir_or_file).get_variable_to_shape_map()
    return [(name, shapes[name]) for name in sorted(shapes)]


def load_variable(ckpt_dir_or_file: Any, name: str) -> np.ndarray:
    """The value of tensor `name` (a trailing ":0" is ignored) in a checkpoint."""
    if name.endswith(":0"):
        name = name[:-2]
    return load_checkpoint(ckpt_dir_or_file).get_tensor(name)
