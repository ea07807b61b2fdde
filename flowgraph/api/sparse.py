"""`fg.sparse`: TF1's `tf.sparse` names."""

from flowgraph.ops.sparse import from_dense  # noqa: F401
from flowgraph.ops.sparse import sparse_reorder as reorder  # noqa: F401
from flowgraph.ops.sparse import sparse_tensor_to_dense as to_dense  # noqa: F401
from flowgraph.ops.sparse_math import sparse_add as add  # noqa: F401
from flowgraph.ops.sparse_math import sparse_reduce_sum as reduce_sum  # noqa: F401
from flowgraph.ops.sparse_math import sparse_tensor_dense_matmul as matmul  # noqa: F401
from flowgraph.ops.sparse_math import sparse_tensor_dense_matmul as sparse_dense_matmul  # noqa
from flowgraph.sparse_tensor import SparseTensor, SparseTensorValue  # noqa: F401
from flowgraph.ops.hashing import sparse_cross as cross  # noqa: F401
from flowgraph.ops.hashing import sparse_cross_hashed as cross_hashed  # noqa: F401
