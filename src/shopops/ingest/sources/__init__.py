"""Sources: one declarative spec per export type (header aliases → canonical columns)."""

from shopops.ingest.sources.registry import Detection, SourceRegistry
from shopops.ingest.sources.spec import ColumnSpec, SourceSpec, load_builtin_specs

__all__ = ["ColumnSpec", "Detection", "SourceRegistry", "SourceSpec", "load_builtin_specs"]
