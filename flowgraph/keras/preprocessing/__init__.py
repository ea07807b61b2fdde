"""`tf.keras.preprocessing` as TF 1.15 (Keras-Preprocessing 1.1): `sequence`, `text` and
`image` utilities on numpy."""

from flowgraph.keras.preprocessing import image, sequence, text

__all__ = ["image", "sequence", "text"]
