"""Cases for special_bessel_more.py (BesselJ0 ... Spence) and sobol.py (SobolSample).

References are literal values from a real TensorFlow run (tf.math.special.* in float64 on
x = [-3.5, -1, -0.2, 0, 0.3, 1, 2.5, 7, 30]) and the first Sobol points worked out by hand
(direction numbers of the first three Joe-Kuo dimensions).
"""

import numpy as np

from flowgraph.api import math_special as special
from flowgraph.ops.sobol import sobol_sample
from tests.ops.harness import OpCase

X = np.array([-3.5, -1.0, -0.2, 0.0, 0.3, 1.0, 2.5, 7.0, 30.0])
GRAD_X = np.array([0.3, 0.7, 1.6, 2.9])

# TF 2.21 tf.compat.v1.math.special.<name>(X), float64.
TF_VALUES = {
    "bessel_j0": [
        -0.38012773998726346,
        0.7651976865579665,
        0.9900249722395763,
        1.0,
        0.9776262465382962,
        0.7651976865579665,
        -0.04838377646819804,
        0.3000792705195556,
        -0.08636798358104031,
    ],
    "bessel_j1": [
        -0.1373775273623272,
        -0.44005058574493355,
        -0.09950083263923604,
        0.0,
        0.148318816273104,
        0.44005058574493355,
        0.497094102464274,
        -0.004682823482345807,
        -0.11875106261662303,
    ],
    "bessel_y0": [
        -np.inf,
        -np.inf,
        -np.inf,
        -np.inf,
        -0.8072735778045196,
        0.08825696421567697,
        0.498070359615232,
        -0.025949743967209254,
        -0.11729573168666396,
    ],
    "bessel_y1": [
        -np.inf,
        -np.inf,
        -np.inf,
        -np.inf,
        -2.2931051383885293,
        -0.7812128213002888,
        0.14591813796678577,
        -0.3026672370241849,
        0.08442557066174712,
    ],
    "bessel_k0": [
        np.inf,
        np.inf,
        np.inf,
        np.inf,
        1.3724600605442978,
        0.42102443824070823,
        0.062347553200366196,
        0.0004247957418692318,
        2.132477496463056e-14,
    ],
    "bessel_k0e": [
        np.inf,
        np.inf,
        np.inf,
        np.inf,
        1.8526273007720149,
        1.1444630798068947,
        0.7595486903280997,
        0.46584509609301583,
        0.2278866656162537,
    ],
    "bessel_k1": [
        np.inf,
        np.inf,
        np.inf,
        np.inf,
        3.055992033457325,
        0.6019072301972348,
        0.07389081634774707,
        0.0004541824868848969,
        2.1677320018915495e-14,
    ],
    "bessel_k1e": [
        np.inf,
        np.inf,
        np.inf,
        np.inf,
        4.12515776224447,
        1.6361534862632587,
        0.900174423907878,
        0.49807157509547645,
        0.2316541293777118,
    ],
    "dawsn": [
        -0.14962159308075648,
        -0.5380795069127684,
        -0.1947510333680281,
        0.0,
        0.28263166502131193,
        0.5380795069127684,
        0.22308372216743552,
        0.0721809746582363,
        0.016675941401059175,
    ],
    "expint": [
        np.nan,
        np.nan,
        np.nan,
        -np.inf,
        -0.30266853926582604,
        1.895117816355937,
        7.073765894578601,
        191.50474333550136,
        368973209407.2742,
    ],
    "fresnel_cos": [
        -0.5325724350280007,
        -0.779893400376823,
        -0.19992105759445308,
        0.0,
        0.2994009760520472,
        0.779893400376823,
        0.45741300964177706,
        0.5454670925469698,
        0.4999962473706091,
    ],
    "fresnel_sin": [
        -0.41524801197243744,
        -0.4382591473903547,
        -0.004187609161656763,
        0.0,
        0.014116998006576587,
        0.4382591473903547,
        0.6191817558195929,
        0.4997047894534464,
        0.4893896744421938,
    ],
    "spence": [
        np.nan,
        np.nan,
        np.nan,
        1.6449340668482264,
        0.8893776242860388,
        0.0,
        -1.1473806603755703,
        -3.089942051088032,
        -7.280084707384272,
    ],
}
OP_TYPES = {
    "bessel_j0": "BesselJ0",
    "bessel_j1": "BesselJ1",
    "bessel_y0": "BesselY0",
    "bessel_y1": "BesselY1",
    "bessel_k0": "BesselK0",
    "bessel_k0e": "BesselK0e",
    "bessel_k1": "BesselK1",
    "bessel_k1e": "BesselK1e",
    "dawsn": "Dawsn",
    "expint": "Expint",
    "fresnel_cos": "FresnelCos",
    "fresnel_sin": "FresnelSin",
    "spence": "Spence",
}


def _case(fn_name: str) -> OpCase:
    fn = getattr(special, fn_name)
    return OpCase(
        OP_TYPES[fn_name],
        lambda x: fn(x),
        [X],
        expected=np.array(TF_VALUES[fn_name]),
        rtol=1e-13,
        atol=0.0,
        grad_inputs=[GRAD_X],
    )


CASES = [_case(name) for name in TF_VALUES] + [
    # float32 keeps its dtype.
    OpCase(
        "BesselJ0",
        lambda x: special.bessel_j0(x),
        [np.array([0.0, 1.0], np.float32)],
        expected=np.array([1.0, 0.7651976865579666], np.float32),
        name="f32",
    ),
    # Gray-code Sobol points: dim 1 is 1/2, 3/4, 1/4, 3/8; dim 2 1/2, 1/4, 3/4, 3/8;
    # dim 3 1/2, 1/4, 3/4, 5/8 (as TF1 prints for sobol_sample(3, 4)).
    OpCase(
        "SobolSample",
        lambda: sobol_sample(3, 4),
        [],
        expected=np.array(
            [[0.5, 0.5, 0.5], [0.75, 0.25, 0.25], [0.25, 0.75, 0.75], [0.375, 0.375, 0.625]],
            np.float32,
        ),
        rtol=0,
        atol=0,
    ),
    OpCase(
        "SobolSample",
        lambda d, n, s: sobol_sample(d, n, s, dtype=np.float64),
        [np.int32(2), np.int32(2), np.int32(2)],
        expected=np.array([[0.25, 0.75], [0.375, 0.375]]),
        rtol=0,
        atol=0,
        name="fed",
    ),
]
