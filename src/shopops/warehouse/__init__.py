"""The warehouse: one DuckDB file, its schema (numbered migrations) and its connection."""

from shopops.warehouse.connection import Warehouse

__all__ = ["Warehouse"]
