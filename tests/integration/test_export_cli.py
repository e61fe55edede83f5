"""`shopops export parquet DIR`: one summary line, the export in the audit log, a foreign folder refused."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from pathlib import Path

import pytest

from shopops.warehouse import audit
from shopops.warehouse.parquet_export import read_manifest
from shopops.workspace import Workspace
from tests.conftest import run_cli

SECONDS = r"\d+\.\d"


@pytest.fixture
def root(tmp_path: Path) -> Path:
    root = tmp_path / "ws"
    with Workspace.init(root) as workspace:
        workspace.add_shop("云朵旗舰店", "tmall")
        workspace.connection.executemany(
            "INSERT INTO sycm_shop_day (shop, date, gmv, import_id) VALUES ('云朵旗舰店', ?, ?, 1)",
            [[dt.date(2026, 10, 31), Decimal("1200.50")], [dt.date(2026, 11, 1), Decimal("99.00")]],
        )
    return root


def test_export_prints_one_line_and_is_audited(root: Path, tmp_path: Path) -> None:
    target = tmp_path / "导出 parquet"
    first = run_cli("-w", root, "export", "parquet", target)
    assert first.exit_code == 0, first.output
    manifest = read_manifest(target)
    tables = len(manifest.tables)
    # shops (1 row), return_reason_classes (5, from the migrations), sycm_shop_day (2 months)
    assert sum(len(t.partitions) for t in manifest.tables.values()) == 4
    assert re.fullmatch(
        rf"✓ 已导出 {tables} 张表到 {re.escape(str(target))}：写入 4 个分区（8 行），未变 0 个，删除 0 个，"
        rf"用时 {SECONDS} 秒\n",
        first.stdout,
    ), first.stdout
    assert first.stderr == ""
    again = run_cli("--lang", "en", "-w", root, "export", "parquet", target)
    assert again.exit_code == 0, again.output
    assert re.fullmatch(
        rf"✓ {re.escape(str(target))} is up to date: {tables} tables, all 4 partitions unchanged,"
        rf" no data file written, in {SECONDS} s\n",
        again.stdout,
    ), again.stdout
    with Workspace.open(root) as workspace:
        records = audit.read(workspace.connection, audit.AuditFilter(action="export"))
    assert [(r.action, r.target, r.shops) for r in records] == [("export", str(target), ("*",))] * 2
    assert records[0].detail == {
        "shops": None,
        "tables": tables,
        "partitions": 4,
        "rows": 8,
        "removed": 0,
        "reason": None,
    }
    assert records[1].detail["partitions"] == 0


def test_a_changed_month_is_said_in_english_too(root: Path, tmp_path: Path) -> None:
    target = tmp_path / "out"
    assert run_cli("-w", root, "export", "parquet", target).exit_code == 0
    with Workspace.open(root) as workspace:
        workspace.connection.execute("DELETE FROM sycm_shop_day WHERE date = '2026-10-31'")
    result = run_cli("--lang", "en", "-w", root, "export", "parquet", target)
    assert result.exit_code == 0, result.output
    tables = len(read_manifest(target).tables)
    assert re.fullmatch(
        rf"✓ exported {tables} tables to {re.escape(str(target))}: wrote 0 partitions \(0 rows\), 3 unchanged,"
        rf" 1 removed, in {SECONDS} s\n",
        result.stdout,
    ), result.stdout


def test_a_folder_of_other_files_is_refused(root: Path, tmp_path: Path) -> None:
    target = tmp_path / "photos"
    target.mkdir()
    (target / "cat.jpg").write_bytes(b"\xff\xd8")
    result = run_cli("-w", root, "export", "parquet", target)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == (
        f"错误 {target} 不是空文件夹，也不是 ShopOps 的 Parquet 导出（没有 manifest.json）— 请导出到新的或空的文件夹\n"
    )
    english = run_cli("--lang", "en", "-w", root, "export", "parquet", target)
    assert english.stderr == (
        f"Error {target} is not empty and holds no ShopOps Parquet export (no manifest.json) — export into"
        " a new or empty folder\n"
    )
    assert [p.name for p in target.iterdir()] == ["cat.jpg"]


def test_a_full_export_says_why_on_stderr(root: Path, tmp_path: Path) -> None:
    target = tmp_path / "out"
    leftover = target / "sycm_shop_day" / "shop=x" / "month=2026-01" / "part-0123456789abcdef.parquet"
    leftover.parent.mkdir(parents=True)
    leftover.write_bytes(b"PAR1")
    result = run_cli("-w", root, "export", "parquet", target)
    assert result.exit_code == 0, result.output
    assert result.stderr == "注意 全量导出：上一次导出没有完成（没有留下 manifest.json）\n"
    assert not (target / "sycm_shop_day" / "shop=x").exists()
