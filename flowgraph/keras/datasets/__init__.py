"""`tf.keras.datasets` as TF 1.15, read from Keras' cache folder only: flowgraph never
downloads. `mnist`, `fashion_mnist` and `boston_housing` read the files TF 1.15 caches in
``~/.keras/datasets`` (``$KERAS_HOME/datasets`` when KERAS_HOME is set; ``/tmp/.keras``
is also looked in, as TF falls back to it), and say where to put a missing file."""

from flowgraph.keras.datasets import boston_housing, fashion_mnist, mnist

__all__ = ["boston_housing", "fashion_mnist", "mnist"]

from flowgraph.keras.datasets import cifar10, cifar100, imdb, reuters  # noqa: E402,I001
__all__ += ["cifar10", "cifar100", "imdb", "reuters"]
