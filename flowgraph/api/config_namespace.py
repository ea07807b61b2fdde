"""`tf.config` of TF1's `tf.compat.v1`, for flowgraph's runtime: one CPU, no GPU.

Device queries answer as TensorFlow does on a machine with one CPU and no GPU. The
threading, optimizer and soft-placement setters are process-wide and apply to Sessions
created afterwards, in the ConfigProto fields those Sessions leave at their defaults; the
settings live in ONE place, `flowgraph.runtime.process_defaults.DEFAULTS`.

>>> fg.config.list_physical_devices()
[PhysicalDevice(name='/physical_device:CPU:0', device_type='CPU')]
>>> fg.config.threading.set_inter_op_parallelism_threads(2)  # new Sessions: 2 threads
"""

from __future__ import annotations

import collections
import types
from typing import Any, Optional

from flowgraph.runtime.process_defaults import DEFAULTS, OPTIMIZER_TOGGLES

__all__ = ["PhysicalDevice", "LogicalDevice", "list_physical_devices", "list_logical_devices",
           "get_visible_devices", "set_visible_devices", "get_logical_device_configuration",
           "get_soft_device_placement", "set_soft_device_placement", "experimental",
           "threading", "optimizer"]

PhysicalDevice = collections.namedtuple("PhysicalDevice", ["name", "device_type"])
PhysicalDevice.__doc__ = ("A physical device of this machine (TF's "
                          "`tf.config.PhysicalDevice`): its `name` and `device_type`.")
LogicalDevice = collections.namedtuple("LogicalDevice", ["name", "device_type"])
LogicalDevice.__doc__ = ("A device ops can be placed on (TF's `tf.config.LogicalDevice`): "
                         "its `name` (for `tf.device`) and `device_type`.")

_CPU = PhysicalDevice(name="/physical_device:CPU:0", device_type="CPU")
_CPU_LOGICAL = LogicalDevice(name="/device:CPU:0", device_type="CPU")
_PHYSICAL = (_CPU,)


def _of_type(devices: Any, device_type: Optional[str]) -> list:
    return [d for d in devices if device_type is None or d.device_type == device_type]


def list_physical_devices(device_type: Optional[str] = None) -> list:
    """The physical devices of this machine, of `device_type` ("CPU", "GPU", ...; None: all):
    flowgraph runs on the CPU, so `[PhysicalDevice(name='/physical_device:CPU:0',
    device_type='CPU')]` or `[]` (device types are case-sensitive, as TF)."""
    return _of_type(_PHYSICAL, device_type)


def list_logical_devices(device_type: Optional[str] = None) -> list:
    """The devices ops can run on, of `device_type` (None: all): `[LogicalDevice(
    name='/device:CPU:0', device_type='CPU')]` or `[]`."""
    return _of_type((_CPU_LOGICAL,), device_type)


def get_visible_devices(device_type: Optional[str] = None) -> list:
    """The physical devices the runtime may use, of `device_type` (None: all)."""
    visible = DEFAULTS.visible_devices
    return _of_type(_PHYSICAL if visible is None else visible, device_type)


def _check_device(device: Any) -> None:
    if device not in _PHYSICAL:
        raise ValueError(f"Unrecognized device: {device!r}. Use a device from "
                         f"tf.config.list_physical_devices(): {list(_PHYSICAL)}")


def set_visible_devices(devices: Any, device_type: Optional[str] = None) -> None:
    """Sets the physical devices the runtime may use (TF's semantics): `devices` (one
    PhysicalDevice or a list) replace the visible devices of `device_type` (None: of every
    type). The CPU runs every op in flowgraph, so it cannot be hidden:
    `set_visible_devices([], "GPU")` (hide the GPUs) is accepted, `set_visible_devices([])`
    is not."""
    if not isinstance(devices, list):
        devices = [devices]
    for device in devices:
        _check_device(device)
        if device_type is not None and device.device_type != device_type:
            raise ValueError(f"Unrecognized device: {device!r} (its device_type is "
                             f"{device.device_type!r}, not device_type={device_type!r})")
    kept = [] if device_type is None else \
        [d for d in get_visible_devices() if d.device_type != device_type]
    visible = kept + [d for d in devices if d not in kept]
    if _CPU not in visible:
        raise ValueError("Cannot hide the CPU: flowgraph runs every op on "
                         f"{_CPU.name}. Keep it visible, e.g. "
                         "tf.config.set_visible_devices(tf.config.list_physical_devices('CPU'))"
                         "; set_visible_devices([], 'GPU') hides only GPUs.")
    DEFAULTS.visible_devices = visible


def get_logical_device_configuration(device: Any) -> Optional[list]:
    """The logical devices configured for the physical `device`: None, since flowgraph
    does not split its CPU into several logical devices."""
    _check_device(device)
    return None


def get_soft_device_placement() -> bool:
    """Whether new Sessions place ops softly (`ConfigProto.allow_soft_placement`) unless
    their ConfigProto sets it; False until `set_soft_device_placement(True)`, as TF1 in
    graph mode."""
    return bool(DEFAULTS.soft_device_placement)


def set_soft_device_placement(enabled: bool) -> None:
    """Makes Sessions created afterwards run with `allow_soft_placement=True` (when
    `enabled`) unless their ConfigProto sets it."""
    DEFAULTS.soft_device_placement = bool(enabled)


# -- tf.config.experimental

class _NotAGpuError(KeyError, ValueError):
    """TF raises KeyError for the memory growth of a device without one; also a
    ValueError, the class `set_memory_growth` raises for the same device."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


def get_memory_growth(device: Any) -> bool:
    """Whether memory growth is on for the GPU `device`. A CPU has no such setting: like
    TF, this raises KeyError (here also a ValueError) for it."""
    _check_device(device)
    raise _NotAGpuError(f"{device!r} has no memory growth setting: only GPUs do, and "
                        "flowgraph has none (tf.config.list_physical_devices('GPU') is [])")


def set_memory_growth(device: Any, enable: bool) -> None:
    """Turns memory growth on a GPU `device` on or off. There is no GPU in flowgraph: like
    TF for a CPU, this raises ValueError."""
    del enable
    _check_device(device)
    raise ValueError(f"Cannot set memory growth on non-GPU devices (got {device!r}; "
                     "flowgraph has no GPU, tf.config.list_physical_devices('GPU') is [])")


def get_device_details(device: Any) -> dict:
    """Details of a physical `device` ("device_name", "compute_capability" for a GPU):
    `{}` for the CPU, as TF."""
    if not isinstance(device, PhysicalDevice):
        raise ValueError(f"device must be a tf.config.PhysicalDevice, but got: {device}")
    if device not in _PHYSICAL:
        raise ValueError("The PhysicalDevice must be one obtained from calling "
                         f"`tf.config.list_physical_devices`, but got: {device}")
    return {}


experimental = types.ModuleType(
    "flowgraph.config.experimental", "`tf.config.experimental` (TF1's compat.v1 names).")
experimental.list_physical_devices = list_physical_devices
experimental.list_logical_devices = list_logical_devices
experimental.get_visible_devices = get_visible_devices
experimental.set_visible_devices = set_visible_devices
experimental.get_memory_growth = get_memory_growth
experimental.set_memory_growth = set_memory_growth
experimental.get_device_details = get_device_details
experimental.get_virtual_device_configuration = get_logical_device_configuration


# -- tf.config.threading

def _thread_count(num_threads: Any, name: str) -> int:
    if isinstance(num_threads, bool) or not isinstance(num_threads, int):
        raise TypeError(f"{name}: num_threads must be an int (0: one thread per core), got "
                        f"{num_threads!r} of type {type(num_threads).__name__}")
    if num_threads < 0:
        raise ValueError(f"{name}: num_threads must be >= 0 (0: one thread per core), got "
                         f"{num_threads}")
    return num_threads


def get_inter_op_parallelism_threads() -> int:
    """The inter-op thread count new Sessions use when their ConfigProto leaves
    `inter_op_parallelism_threads` at 0 (0: one thread per core)."""
    return DEFAULTS.inter_op_parallelism_threads


def set_inter_op_parallelism_threads(num_threads: int) -> None:
    """Sets how many ops Sessions created afterwards run at once, unless their ConfigProto
    sets `inter_op_parallelism_threads` (0: one per core, the default)."""
    DEFAULTS.inter_op_parallelism_threads = _thread_count(
        num_threads, "set_inter_op_parallelism_threads")


def get_intra_op_parallelism_threads() -> int:
    """The intra-op (BLAS) thread count new Sessions use when their ConfigProto leaves
    `intra_op_parallelism_threads` at 0 (0: the libraries' default)."""
    return DEFAULTS.intra_op_parallelism_threads


def set_intra_op_parallelism_threads(num_threads: int) -> None:
    """Sets the threads one op may use in Sessions created afterwards, unless their
    ConfigProto sets `intra_op_parallelism_threads` (0: the libraries' default). As in TF1,
    a Session applies it process-wide when it is created."""
    DEFAULTS.intra_op_parallelism_threads = _thread_count(
        num_threads, "set_intra_op_parallelism_threads")


threading = types.ModuleType("flowgraph.config.threading", "`tf.config.threading`.")
threading.get_inter_op_parallelism_threads = get_inter_op_parallelism_threads
threading.set_inter_op_parallelism_threads = set_inter_op_parallelism_threads
threading.get_intra_op_parallelism_threads = get_intra_op_parallelism_threads
threading.set_intra_op_parallelism_threads = set_intra_op_parallelism_threads


# -- tf.config.optimizer

def get_jit() -> bool:
    """Whether JIT compilation is on for new Sessions (TF 1.15 returns a bool)."""
    return DEFAULTS.jit


def set_jit(enabled: Any) -> None:
    """Turns JIT compilation on for Sessions created afterwards: as TF1, their ConfigProto's
    `global_jit_level` becomes ON_1 where it is DEFAULT. flowgraph's counterpart, the fusion
    of elementwise chains, is on by default, so this keeps it on; False (TF's default)
    leaves Sessions alone. `enabled`: a bool (TF 2's "autoclustering" counts as True and
    "" as False)."""
    if isinstance(enabled, str):
        if enabled not in ("", "autoclustering"):
            raise ValueError(f"set_jit: enabled must be a bool (or TF 2's 'autoclustering' "
                             f"/ ''), got {enabled!r}")
        enabled = enabled == "autoclustering"
    elif not isinstance(enabled, (bool, int)):
        raise TypeError(f"set_jit: enabled must be a bool, got {type(enabled).__name__}")
    DEFAULTS.jit = bool(enabled)


def get_experimental_options() -> dict:
    """The optimizer options set with `set_experimental_options`, as TF lists them: the
    toggles set (True / False), always `disable_model_pruning` and
    `disable_meta_optimizer`, and `min_graph_nodes` when not 0."""
    options = DEFAULTS.optimizer_options
    out: dict = {}
    for name in OPTIMIZER_TOGGLES:
        if name in ("disable_model_pruning", "disable_meta_optimizer"):
            out[name] = bool(options.get(name, False))
        elif name == "min_graph_nodes":
            if options.get(name, 0):
                out[name] = options[name]
        elif name in options:
            out[name] = options[name]
    return out


def set_experimental_options(options: dict) -> None:
    """Sets graph optimizer options for Sessions created afterwards, by TF's names (see
    `flowgraph.runtime.process_defaults.OPTIMIZER_TOGGLES`): True / False turn a pass on /
    off in their RewriterConfig where it is DEFAULT; None unsets an option. Options
    flowgraph has no pass for (debug_stripper, scoped_allocator_optimization,
    pin_to_host_optimization, implementation_selector, auto_mixed_precision) are kept and
    listed but change nothing.

    >>> fg.config.optimizer.set_experimental_options({"constant_folding": False})
    """
    if not isinstance(options, dict):
        raise TypeError(f"set_experimental_options: options must be a dict, got "
                        f"{type(options).__name__}")
    updated = dict(DEFAULTS.optimizer_options)
    for name, value in options.items():
        if name not in OPTIMIZER_TOGGLES:
            raise ValueError(f"set_experimental_options: unknown option {name!r}; the options "
                             f"are {list(OPTIMIZER_TOGGLES)}")
        if value is None:
            updated.pop(name, None)
        elif name == "min_graph_nodes":
            if isinstance(value, bool) or not isinstance(value, int):
                raise TypeError(f"set_experimental_options: min_graph_nodes must be an int, "
                                f"got {value!r}")
            updated[name] = value
        elif isinstance(value, bool):
            updated[name] = value
        else:
            raise TypeError(f"set_experimental_options: {name} must be True, False or None, "
                            f"got {value!r}")
    DEFAULTS.optimizer_options = updated


optimizer = types.ModuleType("flowgraph.config.optimizer", "`tf.config.optimizer`.")
optimizer.get_jit = get_jit
optimizer.set_jit = set_jit
optimizer.get_experimental_options = get_experimental_options
optimizer.set_experimental_options = set_experimental_options
