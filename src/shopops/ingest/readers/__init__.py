"""Readers turn any export file into a table of strings with its header row found.

They know nothing about export types: the caller passes a ``HeaderScorer`` that says how
many cells of a row look like known column names, which is how the header is found below
title lines. Dispatch is by content (magic bytes), never by file extension, because
platforms save HTML and text tables under ".xls".
"""

from shopops.ingest.readers.dispatch import read_export
from shopops.ingest.readers.table import HeaderScorer, RawExport

__all__ = ["HeaderScorer", "RawExport", "read_export"]
