"""`fg.lookup`: TF1's `tf.lookup` tables (StaticHashTable, StaticVocabularyTable, their
initializers) and `fg.lookup.experimental.DenseHashTable`."""

from flowgraph.lookup import experimental  # noqa: F401
from flowgraph.lookup.initializers import (  # noqa: F401
                                           KeyValueTensorInitializer,
                                           TextFileIndex,
                                           TextFileInitializer,
)
from flowgraph.lookup.tables import StaticHashTable, StaticVocabularyTable  # noqa: F401

__all__ = ["KeyValueTensorInitializer", "StaticHashTable", "StaticVocabularyTable",
           "TextFileIndex", "TextFileInitializer", "experimental"]
