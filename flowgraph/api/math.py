"""`fg.math`: TF1's `tf.math` names."""

from flowgraph.ops.argminmax import argmax, argmin  # noqa: F401
from flowgraph.ops.cast import cast, saturate_cast  # noqa: F401
from flowgraph.ops.compare import (equal, greater, greater_equal, less, less_equal,  # noqa: F401
                                   not_equal)
from flowgraph.ops.cumulative import cumprod, cumsum  # noqa: F401
from flowgraph.ops.division import (div_no_nan, divide, divide_no_nan, floordiv,  # noqa: F401
                                    floormod, mod, realdiv, truediv, truncatediv, truncatemod)
from flowgraph.ops.division import floor_div  # noqa: F401
from flowgraph.ops.logic import logical_and, logical_not, logical_or, logical_xor  # noqa: F401
from flowgraph.ops.math import (add, add_n, maximum, minimum, multiply, pow,  # noqa: F401
                                scalar_mul, squared_difference, subtract)
from flowgraph.ops.reduce import (reduce_all, reduce_any, reduce_logsumexp,  # noqa: F401
                                  reduce_max, reduce_mean, reduce_min, reduce_prod, reduce_sum)
from flowgraph.ops.reduce_stats import count_nonzero, reduce_std, reduce_variance  # noqa: F401
from flowgraph.ops.rounding import ceil, floor, is_finite, is_inf, is_nan, round  # noqa: F401
from flowgraph.ops.sort import in_top_k, top_k  # noqa: F401
from flowgraph.ops.trig import (acos, asin, atan, atan2, cos, cosh, sigmoid, sin,  # noqa: F401
                                sinh, tan, tanh)
from flowgraph.ops.unary import (abs, exp, expm1, log, log1p, negative, reciprocal,  # noqa: F401
                                 rsqrt, sign, sqrt, square)
