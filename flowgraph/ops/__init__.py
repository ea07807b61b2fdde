"""Op definitions and their public builder functions.

Importing this package imports every module in it, which registers every op, and
re-exports each module's ``__all__`` (the public builders such as `add`, `reshape`).
"""

import importlib as _importlib
import pkgutil as _pkgutil

from flowgraph.ops.registry import constant_value, lookup, registered_ops  # noqa: F401

# (`lookup` stays out of __all__: at top level, fg.lookup is TF1's lookup-table module.)
__all__ = ["constant_value", "registered_ops"]

for _info in sorted(_pkgutil.iter_modules(__path__), key=lambda i: i.name):
    _module = _importlib.import_module(f"{__name__}.{_info.name}")
    for _name in getattr(_module, "__all__", ()):
        globals()[_name] = getattr(_module, _name)
        __all__.append(_name)
