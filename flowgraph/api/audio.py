"""`fg.audio`: TF1's `tf.audio` names (16-bit PCM WAV decoding and encoding)."""

from flowgraph.ops.audio import decode_wav, encode_wav  # noqa: F401
