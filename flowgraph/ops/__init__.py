"""Op definitions and their public builder functions.

Importing this package registers every op and installs Tensor's operators.
"""

from flowgraph.ops.constant import (constant, convert_to_tensor, identity, no_op, placeholder,
                                    placeholder_with_default)
from flowgraph.ops.math import add
from flowgraph.ops.registry import constant_value, lookup, registered_ops
