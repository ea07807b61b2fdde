"""Variables (placeholder module; filled in next)."""
__all__ = []
