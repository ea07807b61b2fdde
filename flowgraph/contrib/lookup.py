"""`fg.contrib.lookup`: TF1's `tf.contrib.lookup` tables and index-table helpers."""

from flowgraph.lookup.index_tables import (  # noqa: F401
                                           index_table_from_file,
                                           index_table_from_tensor,
                                           index_to_string,
                                           index_to_string_table_from_file,
                                           index_to_string_table_from_tensor,
                                           string_to_index,
)
from flowgraph.lookup.initializers import (  # noqa: F401
                                           KeyValueTensorInitializer,
                                           TableInitializerBase,
                                           TextFileIdTableInitializer,
                                           TextFileIndex,
                                           TextFileInitializer,
                                           TextFileStringTableInitializer,
)
from flowgraph.lookup.tables import (  # noqa: F401
                                           FastHashSpec,
                                           HasherSpec,
                                           HashTable,
                                           IdTableWithHashBuckets,
                                           InitializableLookupTableBase,
                                           LookupInterface,
                                           MutableDenseHashTable,
                                           MutableHashTable,
)

__all__ = ["FastHashSpec", "HashTable", "HasherSpec", "IdTableWithHashBuckets",
           "InitializableLookupTableBase", "KeyValueTensorInitializer", "LookupInterface",
           "MutableDenseHashTable", "MutableHashTable", "TableInitializerBase",
           "TextFileIdTableInitializer", "TextFileIndex", "TextFileInitializer",
           "TextFileStringTableInitializer", "index_table_from_file",
           "index_table_from_tensor", "index_to_string", "index_to_string_table_from_file",
           "index_to_string_table_from_tensor", "string_to_index"]
