"""Finding a dataset file in Keras' cache folder (``get_file`` without the download)."""

from __future__ import annotations

import os

_URLS = {
    "mnist.npz": "https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz",
    "boston_housing.npz":
        "https://storage.googleapis.com/tensorflow/tf-keras-datasets/boston_housing.npz",
}
_FASHION = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"
# TF 1.15's get_file falls back here when ~/.keras is not writable
TMP_BASE = os.path.join("/tmp", ".keras")


def cache_dirs() -> list:
    """The ``datasets`` folders looked in, in order: ``$KERAS_HOME/datasets`` (when set),
    ``~/.keras/datasets``, ``/tmp/.keras/datasets``."""
    bases = []
    if os.environ.get("KERAS_HOME"):
        bases.append(os.path.expanduser(os.environ["KERAS_HOME"]))
    bases.append(os.path.join(os.path.expanduser("~"), ".keras"))
    bases.append(TMP_BASE)
    return [os.path.join(b, "datasets") for b in bases]


def find(fname: str, dataset: str) -> str:
    """The path of the cached file `fname` (relative to the datasets folder, or absolute);
    FileNotFoundError naming the file, where to put it and where to get it when missing."""
    candidates = [fname] if os.path.isabs(fname) else [os.path.join(d, fname)
                                                        for d in cache_dirs()]
    for path in candidates:
        if os.path.isfile(path):
            return path
    base = os.path.basename(fname)
    url = _URLS.get(base) or (_FASHION + "fashion-mnist/" + base
                              if dataset == "fashion_mnist" else None)
    where = candidates[0]
    hint = f" (download it from {url})" if url else ""
    extra = ""
    if dataset in ("mnist", "fashion_mnist"):
        extra = (" For the 5,000 MNIST digits embedded in flowgraph, use "
                 "`flowgraph.datasets.mnist.load_embedded()`.")
    raise FileNotFoundError(
        f"{dataset}.load_data: the dataset file {base!r} is not in the Keras cache and "
        f"flowgraph does not download data. Put the file at {where}{hint}; also looked in: "
        f"{', '.join(candidates[1:]) or 'nothing else'}.{extra}")
