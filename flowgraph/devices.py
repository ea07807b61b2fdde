"""Device specifications ("/cpu:0", "/job:worker/task:1/device:CPU:0"), their merging, and
TF1's `DeviceSpec`."""

from __future__ import annotations

from typing import Any, Optional


def merge_device(outer: str, inner: str) -> str:
    """Fields of the inner device spec override the outer's, as TF1 merges device scopes."""
    merged = parse_device(outer)
    merged.update(parse_device(inner))
    parts = [f"/{key}:{merged[key]}" for key in ("job", "replica", "task") if key in merged]
    if "device" in merged:
        parts.append(f"/device:{merged['device']}")
    return "".join(parts)


def parse_device(spec: str) -> dict:
    fields: dict = {}
    for part in filter(None, spec.split("/")):
        key, _, value = part.partition(":")
        lowered = key.lower()
        if lowered in ("job", "replica", "task"):
            fields[lowered] = value
        elif lowered == "device":
            fields["device"] = value.upper() if ":" not in value else \
                value.split(":")[0].upper() + ":" + value.split(":")[1]
        elif lowered in ("cpu", "gpu"):
            fields["device"] = f"{lowered.upper()}:{value or 0}"
        else:
            raise ValueError(f"Unknown device specification part {part!r} in {spec!r}; "
                             "expected e.g. '/cpu:0' or '/job:worker/task:1/device:CPU:0'")
    return fields


class DeviceSpec:
    """A device specification, as TF1's `tf.DeviceSpec`: job, replica, task, device_type
    ("CPU", "GPU") and device_index, any of them None (unspecified).

    >>> spec = fg.DeviceSpec(job="ps", task=1, device_type="CPU", device_index=0)
    >>> spec.to_string()
    '/job:ps/task:1/device:CPU:0'
    >>> with fg.device(spec): ...
    """

    def __init__(self, job: Optional[str] = None, replica: Optional[int] = None,
                 task: Optional[int] = None, device_type: Optional[str] = None,
                 device_index: Optional[int] = None) -> None:
        self.job = job
        self.replica = None if replica is None else int(replica)
        self.task = None if task is None else int(task)
        self.device_type = _device_type(device_type)
        self.device_index = None if device_index is None else int(device_index)

    @classmethod
    def from_string(cls, spec: str) -> "DeviceSpec":
        """Parses "/job:ps/replica:0/task:1/device:CPU:0" (or "/cpu:0", "gpu:1", ...)."""
        return cls().parse_from_string(spec)

    def parse_from_string(self, spec: str) -> "DeviceSpec":
        """Sets the fields `spec` names (others stay); returns self."""
        fields = parse_device(spec or "")
        self.job = fields.get("job", self.job)
        if "replica" in fields:
            self.replica = int(fields["replica"])
        if "task" in fields:
            self.task = int(fields["task"])
        if "device" in fields:
            kind, _, index = fields["device"].partition(":")
            self.device_type = _device_type(kind)
            self.device_index = None if index in ("", "*") else int(index)
        return self

    def merge_from(self, dev: "DeviceSpec") -> None:
        """Copies the fields `dev` specifies over this spec's."""
        for key in ("job", "replica", "task", "device_type", "device_index"):
            value = getattr(dev, key)
            if value is not None:
                setattr(self, key, value)

    def make_merged_spec(self, dev: "DeviceSpec") -> "DeviceSpec":
        """A new spec: this one with the fields `dev` specifies taking precedence."""
        merged = self.replace()
        merged.merge_from(dev)
        return merged

    def replace(self, **kwargs: Any) -> "DeviceSpec":
        """A copy with the given fields replaced."""
        fields = {key: getattr(self, key) for key in
                  ("job", "replica", "task", "device_type", "device_index")}
        fields.update(kwargs)
        return DeviceSpec(**fields)

    def to_string(self) -> str:
        parts = []
        if self.job is not None:
            parts.append(f"/job:{self.job}")
        if self.replica is not None:
            parts.append(f"/replica:{self.replica}")
        if self.task is not None:
            parts.append(f"/task:{self.task}")
        if self.device_type is not None:
            index = "*" if self.device_index is None else str(self.device_index)
            parts.append(f"/device:{self.device_type}:{index}")
        return "".join(parts)

    def __str__(self) -> str:
        return self.to_string()

    def __repr__(self) -> str:
        return f"<DeviceSpec {self.to_string()!r}>"

    def __eq__(self, other: Any) -> bool:
        return isinstance(other, DeviceSpec) and self.to_string() == other.to_string()

    def __hash__(self) -> int:
        return hash(self.to_string())


def _device_type(kind: Optional[str]) -> Optional[str]:
    # As TF1: "cpu" and "gpu" are upper-cased; other device types are kept as given.
    if kind is None:
        return None
    return kind.upper() if kind.lower() in ("cpu", "gpu") else kind
