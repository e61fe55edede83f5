"""The inbox: new files imported and archived, rejected ones left with a reason, retried once changed."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest

from shopops.inbox import pending_files, process_inbox
from shopops.workspace import Workspace

SHOP = "某某旗舰店"
TODAY = dt.date(2026, 11, 25)
GOOD = '统计日期,访客数,支付金额\n2024-11-01,100,"1,234.56"\n2024-11-02,120,99\n'
BAD = "统计日期,访客数,支付金额\n2024-11-01,100,12x\n"


@pytest.fixture
def workspace(tmp_path: Path) -> Workspace:
    ws = Workspace.init(tmp_path / "ws")
    ws.add_shop(SHOP, "tmall")
    yield ws  # type: ignore[misc]
    ws.close()


def drop(workspace: Workspace, name: str, text: str, age: int = 0) -> Path:
    path = workspace.root / "inbox" / name
    path.write_text(text, encoding="utf-8")
    stamp = path.stat().st_mtime - age
    os.utime(path, (stamp, stamp))
    return path


def test_imports_archives_and_explains(workspace: Workspace) -> None:
    drop(workspace, "店铺整体.csv", GOOD, age=20)
    drop(workspace, "店铺整体_坏.csv", BAD, age=10)
    drop(workspace, "notes.docx", "not an export")
    outcomes = process_inbox(workspace, today=TODAY)
    assert [(o.path.name, o.imported) for o in outcomes] == [
        ("店铺整体.csv", True),
        ("店铺整体_坏.csv", False),
    ]
    inbox = workspace.root / "inbox"
    assert outcomes[0].path == inbox / "imported" / "2026-11-25" / "店铺整体.csv"
    assert outcomes[0].result is not None and outcomes[0].result.rows == 2
    reason = (inbox / "店铺整体_坏.csv.error.txt").read_text(encoding="utf-8")
    assert reason.startswith(
        '店铺整体_坏.csv, row 2, column "支付金额": value "12x" is not an amount of money'
    )
    assert sorted(p.name for p in inbox.iterdir()) == [
        "imported",
        "notes.docx",
        "店铺整体_坏.csv",
        "店铺整体_坏.csv.error.txt",
    ]
    assert workspace.connection.execute("SELECT count(*) FROM sycm_shop_day").fetchone() == (2,)


def test_a_rejected_file_waits_until_it_changes(workspace: Workspace) -> None:
    bad = drop(workspace, "店铺整体.csv", BAD, age=100)
    assert not process_inbox(workspace, today=TODAY)[0].imported
    assert pending_files(workspace.root / "inbox") == []  # nothing new: not tried again
    bad.write_text(GOOD, encoding="utf-8")  # the operator fixed it
    outcomes = process_inbox(workspace, today=TODAY)
    assert [o.imported for o in outcomes] == [True]
    assert not (workspace.root / "inbox" / "店铺整体.csv.error.txt").exists()


def test_the_same_export_twice_is_archived_twice_and_imported_once(workspace: Workspace) -> None:
    drop(workspace, "店铺整体.csv", GOOD)
    process_inbox(workspace, today=TODAY)
    drop(workspace, "店铺整体.csv", GOOD)
    again = process_inbox(workspace, today=TODAY)
    assert again[0].result is not None and again[0].result.already_imported
    archive = workspace.root / "inbox" / "imported" / "2026-11-25"
    assert sorted(p.name for p in archive.iterdir()) == ["店铺整体 (1).csv", "店铺整体.csv"]
    assert workspace.connection.execute("SELECT count(*) FROM imports").fetchone() == (1,)
