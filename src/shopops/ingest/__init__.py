"""Ingest: reading export files and loading them into the warehouse."""
