"""Outputs rendered from tables: CSV/JSON/Excel exports and import templates."""
