"""Saving and loading: graph files, meta graphs, checkpoints (TF1's `tf.io` names too).

Everything is stored in flowgraph's container format (`flowgraph.io.container`): JSON plus
checksummed tensor bytes, never pickles, written atomically.
"""
