"""Reading one CIFAR batch file (TF 1.15's ``keras.datasets.cifar.load_batch``)."""

from __future__ import annotations

import numpy as np

from flowgraph.keras.datasets._safe_pickle import load_pickle

__all__ = ["load_batch"]


def load_batch(fpath: str, label_key: str = "labels") -> tuple:
    """``(data, labels)`` of the CIFAR batch pickle `fpath`: data of shape (n, 3, 32, 32)
    and the list stored under `label_key`. The pickle is read with a restricted Unpickler
    (numpy arrays and builtin containers only), so a tampered file cannot run code."""
    with open(fpath, "rb") as f:
        d = load_pickle(f, encoding="bytes")
    if not isinstance(d, dict):
        raise ValueError(f"{fpath} is not a CIFAR batch file (it holds a "
                         f"{type(d).__name__}, not a dict)")
    d = {(k.decode("utf8") if isinstance(k, bytes) else k): v for k, v in d.items()}
    for key in ("data", label_key):
        if key not in d:
            raise ValueError(f"{fpath} is not a CIFAR batch file: no {key!r} entry "
                             f"(it has {sorted(d)})")
    data = np.asarray(d["data"])
    labels = d[label_key]
    data = data.reshape(data.shape[0], 3, 32, 32)
    return data, labels
