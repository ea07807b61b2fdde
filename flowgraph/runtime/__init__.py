"""The runtime: Sessions, execution plans, executors and per-Session state."""
