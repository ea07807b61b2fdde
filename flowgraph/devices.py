"""Device specifications ("/cpu:0", "/job:worker/task:1/device:CPU:0") and their merging."""

from __future__ import annotations


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
