"""Readers turn any export file into a table of strings with its header row found.

They know nothing about export types: the caller passes a ``HeaderScorer`` that says how
many cells of a row look like known column names, which is how the header is found below
title lines. Dispatch is by content (magic bytes), never by file extension, because
platforms save HTML and text tables under ".xls". Every reader works within ``ReadLimits``
(``limits:`` in shopops.yaml): a file that would cost more is refused before the cost is paid.
"""

from shopops.ingest.readers.dispatch import read_export
from shopops.ingest.readers.limits import DEFAULT_LIMITS, ReadLimits
from shopops.ingest.readers.table import HeaderScorer, RawExport

# File name endings worth offering to the readers when a whole folder is imported (the readers
# themselves go by content: platforms save HTML and text tables as ".xls").
IMPORTABLE_SUFFIXES = (
    ".csv",
    ".tsv",
    ".txt",
    ".xls",
    ".xlsx",
    ".xlsm",
    ".xlsb",
    ".ods",
    ".zip",
    ".htm",
    ".html",
)

__all__ = ["DEFAULT_LIMITS", "IMPORTABLE_SUFFIXES", "HeaderScorer", "RawExport", "ReadLimits", "read_export"]
