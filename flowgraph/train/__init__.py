"""`fg.train`: optimizers and training utilities (being filled in)."""
