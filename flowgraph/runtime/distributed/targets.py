"""Session targets that name a Dask cluster, and connecting to them.

`fg.Session(target=...)` runs on Dask when the target is a scheduler address
("tcp://scheduler:8786", also tls://, ucx://, inproc://, ws://, wss://), a
`distributed.Client`, or a cluster object with a `scheduler_address` (e.g. a
`distributed.LocalCluster`).
"""

from __future__ import annotations

from typing import Any

from flowgraph import errors

_SCHEMES = ("tcp://", "tls://", "ucx://", "inproc://", "ws://", "wss://")
INSTALL_HINT = 'pip install "flowgraph[dask]"'


def is_dask_target(target: Any) -> bool:
    """Whether `target` names a Dask cluster (an address, a Client, or a cluster object)."""
    if isinstance(target, str):
        return target.startswith(_SCHEMES)
    module = type(target).__module__ or ""
    return module.split(".")[0] == "distributed" or (
        hasattr(target, "scheduler_address") and hasattr(target, "close"))


def import_distributed() -> Any:
    """The `distributed` module, or ImportError saying how to install it."""
    try:
        import distributed
    except ImportError as exc:
        raise ImportError(
            "Running a Session on a Dask cluster needs the optional Dask dependencies "
            f"(dask and distributed): {INSTALL_HINT}") from exc
    return distributed


def connect(target: Any, timeout_s: float) -> tuple:
    """(client, owned): a `distributed.Client` for `target`; owned clients are closed with the
    Session, a Client passed in is left open."""
    distributed = import_distributed()
    if isinstance(target, distributed.Client):
        return target, False
    address = target if isinstance(target, str) else getattr(target, "scheduler_address", None)
    try:
        client = distributed.Client(target, set_as_default=False, timeout=timeout_s)
    except (OSError, TimeoutError) as exc:
        raise errors.UnavailableError(
            None, None, f"Could not connect to the Dask scheduler at {address!r} within "
            f"{timeout_s:g} s: {exc}. Start one (`dask scheduler`, then `dask worker "
            f"{address}` on each machine) or pass a running distributed.Client as the "
            "Session target.") from exc
    return client, True


def describe(target: Any) -> str:
    """The target as `Session.sess_str` shows it: the scheduler's address."""
    if isinstance(target, str):
        return target
    scheduler = getattr(target, "scheduler", None)
    address = getattr(scheduler, "address", None) or getattr(target, "scheduler_address", None)
    return str(address or target)
