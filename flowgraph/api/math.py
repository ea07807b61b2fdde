"""`fg.math`: TF1's `tf.math` names."""

from flowgraph.ops.argminmax import argmax, argmin  # noqa: F401
from flowgraph.ops.cast import cast, saturate_cast  # noqa: F401
from flowgraph.ops.compare import equal, greater, greater_equal, less, less_equal, not_equal  # noqa: F401
from flowgraph.ops.cumulative import cumprod, cumsum  # noqa: F401
from flowgraph.ops.cumulative_log import cumulative_logsumexp  # noqa: F401
from flowgraph.ops.division import (  # noqa: F401
                                   div_no_nan,
                                   divide,
                                   divide_no_nan,
                                   floor_div,  # noqa: F401
                                   floordiv,
                                   floormod,
                                   mod,
                                   realdiv,
                                   truediv,
                                   truncatediv,
                                   truncatemod,
)
from flowgraph.ops.logic import logical_and, logical_not, logical_or, logical_xor  # noqa: F401
from flowgraph.ops.math import (  # noqa: F401
                                   add,
                                   add_n,
                                   maximum,
                                   minimum,
                                   multiply,
                                   pow,
                                   scalar_mul,
                                   squared_difference,
                                   subtract,
)
from flowgraph.ops.reduce import (  # noqa: F401
                                   reduce_all,
                                   reduce_any,
                                   reduce_logsumexp,
                                   reduce_max,
                                   reduce_mean,
                                   reduce_min,
                                   reduce_prod,
                                   reduce_sum,
)
from flowgraph.ops.reduce_stats import count_nonzero, reduce_std, reduce_variance  # noqa: F401
from flowgraph.ops.rounding import ceil, floor, is_finite, is_inf, is_nan, round  # noqa: F401
from flowgraph.ops.sort import in_top_k, top_k  # noqa: F401
from flowgraph.ops.trig import acos, asin, atan, atan2, cos, cosh, sigmoid, sin, sinh, tan, tanh  # noqa: F401
from flowgraph.ops.unary import (  # noqa: F401
                                   abs,
                                   exp,
                                   expm1,
                                   log,
                                   log1p,
                                   negative,
                                   reciprocal,
                                   rsqrt,
                                   sign,
                                   sqrt,
                                   square,
)
from flowgraph.ops.activations import softplus, softsign  # noqa: F401
from flowgraph.ops.reorder import invert_permutation  # noqa: F401
from flowgraph.ops.softmax import log_softmax, softmax  # noqa: F401
from flowgraph.ops.erf import erf, erfc  # noqa: F401
from flowgraph.nn.normalization import l2_normalize  # noqa: F401
from flowgraph.ops.composites_tf1 import accumulate_n, log_sigmoid  # noqa: F401
from flowgraph.ops.partition import unique  # noqa: F401
from flowgraph.ops.segment_sorted import (  # noqa: F401
    segment_max,
    segment_mean,
    segment_min,
    segment_sum,
)
from flowgraph.ops.segment import unsorted_segment_sum  # noqa: F401

# --- added by the TF1 fidelity pass: special functions and tf.math-only helpers
from flowgraph.ops.array_extra import bincount  # noqa: F401,E402
from flowgraph.ops.composites_math import (  # noqa: F401,E402
    confusion_matrix,
    is_non_decreasing,
    is_strictly_increasing,
    lbeta,
    polyval,
    reciprocal_no_nan,
    reduce_euclidean_norm,
    zero_fraction,
)
from flowgraph.ops.special_math import (  # noqa: F401,E402
    acosh,
    asinh,
    atanh,
    digamma,
    lgamma,
    multiply_no_nan,
    polygamma,
    rint,
    xdivy,
    xlogy,
    zeta,
)
from flowgraph.ops.segment_more import (  # noqa: F401,E402
    segment_prod,
    unsorted_segment_max,
    unsorted_segment_mean,
    unsorted_segment_min,
    unsorted_segment_prod,
    unsorted_segment_sqrt_n,
)
from flowgraph.ops.special_gamma import (  # noqa: F401,E402
    bessel_i0,
    bessel_i0e,
    bessel_i1,
    bessel_i1e,
    betainc,
    igamma,
    igammac,
)

from flowgraph.ops.special_inverse import erfcinv, erfinv, ndtri, nextafter, xlog1py  # noqa: E402,F401 - tf.math.*

from flowgraph.ops.complex_ops import angle, complex, conj, imag, real  # noqa: E402,F401,A004 - tf.math.real, ...

from flowgraph.api import math_special as special  # noqa: E402,F401 - tf.math.special
from flowgraph.ops.approx_topk import approx_max_k, approx_min_k  # noqa: E402,F401 - tf.math.approx_max_k, ...
from flowgraph.ops.sobol import sobol_sample  # noqa: E402,F401 - tf.math.sobol_sample
