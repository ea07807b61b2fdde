"""`fg.sparse`: TF1's `tf.sparse` names."""

from flowgraph.ops.sparse import from_dense  # noqa: F401
from flowgraph.ops.sparse import sparse_reorder as reorder  # noqa: F401
from flowgraph.ops.sparse import sparse_tensor_to_dense as to_dense  # noqa: F401
from flowgraph.ops.sparse_binary import sparse_maximum as maximum  # noqa: F401
from flowgraph.ops.sparse_binary import sparse_minimum as minimum  # noqa: F401
from flowgraph.ops.sparse_math import sparse_add as add  # noqa: F401
from flowgraph.ops.sparse_math import sparse_reduce_sum as reduce_sum  # noqa: F401
from flowgraph.ops.sparse_math import sparse_tensor_dense_matmul as matmul  # noqa: F401
from flowgraph.ops.sparse_math import sparse_tensor_dense_matmul as sparse_dense_matmul  # noqa
from flowgraph.sparse_tensor import SparseTensor, SparseTensorValue  # noqa: F401
from flowgraph.ops.hashing import sparse_cross as cross  # noqa: F401
from flowgraph.ops.hashing import sparse_cross_hashed as cross_hashed  # noqa: F401

# Added by the TF1 fidelity pass.
from flowgraph.ops.sparse_more import sparse_concat as concat  # noqa: E402,F401
from flowgraph.ops.sparse_more import sparse_fill_empty_rows as fill_empty_rows  # noqa: E402,F401
from flowgraph.ops.sparse_more import sparse_reduce_max as reduce_max  # noqa: E402,F401
from flowgraph.ops.sparse_more import sparse_reshape as reshape  # noqa: E402,F401
from flowgraph.ops.sparse_more import sparse_retain as retain  # noqa: E402,F401
from flowgraph.ops.sparse_more import sparse_segment_mean as segment_mean  # noqa: E402,F401
from flowgraph.ops.sparse_more import sparse_segment_sqrt_n as segment_sqrt_n  # noqa: E402,F401
from flowgraph.ops.sparse_more import sparse_segment_sum as segment_sum  # noqa: E402,F401
from flowgraph.ops.sparse_more import sparse_slice as slice  # noqa: E402,F401,A004
from flowgraph.ops.sparse_more import sparse_softmax as softmax  # noqa: E402,F401
from flowgraph.ops.sparse_more import sparse_split as split  # noqa: E402,F401
from flowgraph.ops.sparse_more import sparse_to_indicator as to_indicator  # noqa: E402,F401
from flowgraph.ops.sparse_more import sparse_transpose as transpose  # noqa: E402,F401

# Sparse-result reductions, eye, expand_dims, mask, reset_shape (flowgraph.ops.sparse_extra).
from flowgraph.ops.sparse_extra import sparse_expand_dims as expand_dims  # noqa: E402,F401
from flowgraph.ops.sparse_extra import sparse_eye as eye  # noqa: E402,F401
from flowgraph.ops.sparse_extra import sparse_mask as mask  # noqa: E402,F401
from flowgraph.ops.sparse_extra import sparse_reduce_max_sparse as reduce_max_sparse  # noqa
from flowgraph.ops.sparse_extra import sparse_reduce_sum_sparse as reduce_sum_sparse  # noqa
from flowgraph.ops.sparse_extra import sparse_reset_shape as reset_shape  # noqa: E402,F401
from flowgraph.ops.sparse_extra import sparse_merge as merge  # noqa: E402,F401

from flowgraph.ops.sparse import sparse_placeholder as placeholder  # noqa: E402,F401

from flowgraph.input.accumulators import SparseConditionalAccumulator  # noqa: E402,F401
