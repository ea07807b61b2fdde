"""`fg.nn`: neural-network ops (being filled in)."""
