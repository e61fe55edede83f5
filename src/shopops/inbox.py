"""The workspace's ``inbox/``: import every new file, archive what was imported, explain what was not.

An operator (or a browser's download folder, or a sync tool) drops exports into ``inbox/``.
Each file is imported on its own, atomically. Imported files (and files already imported
before) move to ``inbox/imported/<date>/``; a rejected file stays where it is, next to
``<name>.error.txt`` with the reason, and is tried again only once the file changes.
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from shopops.errors import UserError
from shopops.ingest.pipeline import ImportResult
from shopops.ingest.readers import IMPORTABLE_SUFFIXES
from shopops.workspace import Workspace

ARCHIVE = "imported"
REASON_SUFFIX = ".error.txt"


@dataclass(frozen=True)
class InboxOutcome:
    """What happened to one file of the inbox."""

    path: Path  # where the file is now (archived, or still in the inbox)
    result: ImportResult | None  # None when rejected
    error: str | None = None

    @property
    def imported(self) -> bool:
        return self.result is not None


def pending_files(inbox: Path) -> list[Path]:
    """Files waiting in the inbox, oldest first; a rejected file waits only after it changed."""
    if not inbox.is_dir():
        return []
    waiting = []
    for path in inbox.iterdir():
        if (
            not path.is_file()
            or path.suffix.lower() not in IMPORTABLE_SUFFIXES
            or path.name.endswith(REASON_SUFFIX)
            or path.name.startswith((".", "~$"))  # hidden files, Excel's lock files
        ):
            continue
        reason = _reason_file(path)
        if reason.exists() and reason.stat().st_mtime >= path.stat().st_mtime:
            continue
        waiting.append(path)
    return sorted(waiting, key=lambda p: (p.stat().st_mtime, p.name))


def process_inbox(
    workspace: Workspace,
    *,
    today: dt.date | None = None,
    on_file: Callable[[InboxOutcome], None] | None = None,
) -> list[InboxOutcome]:
    """Import every pending file of ``workspace``'s inbox; archive or annotate each."""
    inbox = workspace.root / "inbox"
    archive = inbox / ARCHIVE / (today or dt.date.today()).isoformat()
    outcomes = []
    for outcome in _process(workspace, pending_files(inbox), archive):
        outcomes.append(outcome)
        if on_file is not None:
            on_file(outcome)
    return outcomes


def _process(workspace: Workspace, files: list[Path], archive: Path) -> Iterator[InboxOutcome]:
    for path in files:
        try:
            result = workspace.import_file(path)
        except UserError as error:
            message = str(error)
            if not message.startswith(path.name):
                message = f"{path.name}: {message}"
            _reason_file(path).write_text(message + "\n", encoding="utf-8")
            yield InboxOutcome(path, None, message)
            continue
        _reason_file(path).unlink(missing_ok=True)
        yield InboxOutcome(_archive(path, archive), result)


def _archive(path: Path, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / path.name
    counter = 1
    while target.exists():  # the same export downloaded twice keeps both copies
        target = folder / f"{path.stem} ({counter}){path.suffix}"
        counter += 1
    shutil.move(str(path), target)
    return target


def _reason_file(path: Path) -> Path:
    return path.with_name(path.name + REASON_SUFFIX)
