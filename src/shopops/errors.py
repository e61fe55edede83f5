"""The one exception tree of ShopOps.

Every error a user can cause derives from :class:`UserError`; the CLI prints its one-line
message and exits with code 1. Anything else that escapes is a bug in ShopOps.

::

    ShopOpsError
    ├── UserError                 exit code 1, message shown as is
    │   ├── WorkspaceError        no workspace, broken config, unknown shop …
    │   │   └── WarehouseError    warehouse.duckdb damaged, or written by a newer ShopOps
    │   ├── DiskFullError         a write failed: the disk (or a file size limit) is full
    │   └── InputError            a file that cannot be imported (names file/row/column/value)
    │       ├── UnreadableFileError   empty, not a spreadsheet, truncated, several files in a ZIP
    │       ├── UnknownSourceError    headers match no known export type
    │       ├── MissingColumnError    a required column is absent
    │       ├── BadValueError         a value that does not parse (money, date, ID …)
    │       ├── ShopUnknownError      the file's shop cannot be determined
    │       └── ShopScopeError        rows of a shop the importing user may not write
    └── DefinitionError           a broken built-in definition (metric catalog, source spec): a bug
"""

from __future__ import annotations

from pathlib import Path


class ShopOpsError(Exception):
    """Base of every error raised on purpose by ShopOps."""


class UserError(ShopOpsError):
    """Something the user can fix; the message says how."""


class WorkspaceError(UserError):
    """The workspace, its config or its registries are not in the state a command needs."""


class WarehouseError(WorkspaceError):
    """warehouse.duckdb cannot be used as it is: damaged, or written by a newer ShopOps."""


class DiskFullError(UserError):
    """A write failed because the disk (or a file size limit) is full."""

    def __init__(self, where: str, then: str = "run the command again") -> None:
        self.where = where
        super().__init__(f"the disk is full (writing {where}) — free some space and {then}")


class InputError(UserError):
    """A file that cannot be imported. The message names the file and, where known, row/column/value."""

    def __init__(
        self,
        path: Path | str,
        problem: str,
        *,
        row: int | None = None,
        column: str | None = None,
        value: str | None = None,
        hint: str | None = None,
    ) -> None:
        self.path = Path(path)
        self.label = self.path.name
        self.problem = problem
        self.row = row
        self.column = column
        self.value = value
        self.hint = hint
        super().__init__(self.render())

    def render(self) -> str:
        # The file is named once: a problem that names it already is not prefixed with it again.
        named = self.path.name and self.path.name in f"{self.problem} {self.hint or ''}"
        where = [] if named else [self.label]
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f'column "{self.column}"')
        text = ", ".join(where) + ": " if where else ""
        if self.value is not None:
            text += f'value "{_shorten(self.value)}" '
        text += self.problem
        if self.hint:
            text += f" — {self.hint}"
        return text

    def relabel(self, label: str) -> InputError:
        """Name the file as the user knows it (e.g. ``export.zip › report.csv``)."""
        self.label = label
        self.args = (self.render(),)
        return self


class UnreadableFileError(InputError):
    """The file is empty, not a table, damaged, or an archive with not exactly one export."""


class UnknownSourceError(InputError):
    """The header row matches no known export type."""


class MissingColumnError(InputError):
    """The export type was recognised but a required column is absent."""


class BadValueError(InputError):
    """A cell value that cannot be parsed for its column's type."""


class ShopUnknownError(InputError):
    """The shop a file belongs to cannot be determined."""


class SheetRowsError(InputError):
    """A sheet refused by a check across its rows (a 评分表 whose weights do not add up, a staff list
    naming an unknown shop): the file's name, then the problem with the rows it is on."""

    def render(self) -> str:
        return f"{self.label} {self.problem}"


class ImportRoleError(InputError):
    """A file of a source the importing account's role may not import (a staff list by an operator)."""


class ShopScopeError(InputError):
    """A file holds rows of a shop the importing user may not write."""


class DefinitionError(ShopOpsError):
    """A built-in or user definition (metric catalog, source spec) is inconsistent."""


def _shorten(value: str, limit: int = 60) -> str:
    value = value.replace("\n", " ")
    return value if len(value) <= limit else value[: limit - 1] + "…"
