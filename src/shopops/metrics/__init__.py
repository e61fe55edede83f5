"""Metrics: the catalog (口径) and the master table built from it."""
