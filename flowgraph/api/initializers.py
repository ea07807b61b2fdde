"""`fg.initializers`: TF1's `tf.initializers` names."""

from flowgraph.initializers import constant_initializer as constant  # noqa: F401
from flowgraph.initializers import glorot_normal_initializer as glorot_normal  # noqa: F401
from flowgraph.initializers import glorot_uniform_initializer as glorot_uniform  # noqa: F401
from flowgraph.initializers import he_normal, he_uniform, lecun_normal, lecun_uniform  # noqa
from flowgraph.initializers import identity_initializer as identity  # noqa: F401
from flowgraph.initializers import ones_initializer as ones  # noqa: F401
from flowgraph.initializers import random_normal_initializer as random_normal  # noqa: F401
from flowgraph.initializers import random_uniform_initializer as random_uniform  # noqa: F401
from flowgraph.initializers import truncated_normal_initializer as truncated_normal  # noqa
from flowgraph.initializers import variance_scaling_initializer as variance_scaling  # noqa
from flowgraph.initializers import zeros_initializer as zeros  # noqa: F401
from flowgraph.variables import global_variables_initializer as global_variables  # noqa: F401
from flowgraph.variables import local_variables_initializer as local_variables  # noqa: F401
from flowgraph.variables import variables_initializer as variables  # noqa: F401

# --- added by the TF1 fidelity pass
from flowgraph.initializers import orthogonal_initializer as orthogonal  # noqa: F401,E402
from flowgraph.initializers import uniform_unit_scaling_initializer as uniform_unit_scaling  # noqa: F401,E402,E501
from flowgraph.variables import tables_initializer  # noqa: F401,E402
