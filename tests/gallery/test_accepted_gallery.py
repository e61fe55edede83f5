"""Every quirk in the accepted gallery imports through the real CLI with its exact line and totals."""

from __future__ import annotations

import datetime as dt
import shutil
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from tests.gallery.accepted import ACCEPTED, ACCEPTED_BUILDERS, Accepted
from tests.gallery.test_bad_input_gallery import FILES, invoke


def _plain(value: object) -> object:
    """Warehouse values compared as the gallery writes them: money and dates as text."""
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat(sep=" ") if isinstance(value, dt.datetime) else value.isoformat()
    return value


@pytest.mark.parametrize("case", [pytest.param(c, id=c.id) for c in ACCEPTED])
def test_accepted(case: Accepted, template_workspace: Path, tmp_path: Path) -> None:
    workspace = tmp_path / "ws"
    shutil.copytree(template_workspace, workspace)
    builder = ACCEPTED_BUILDERS.get(case.file)
    path = builder(tmp_path) if builder else FILES / case.file
    code, stdout, stderr, _ = invoke("-w", str(workspace), "import", str(path), *case.args)
    assert (code, stderr) == (0, "")
    assert stdout.splitlines() == [f"✓ {case.line}"]
    con = duckdb.connect(str(workspace / "warehouse.duckdb"), read_only=True)
    try:
        for sql, rows in case.totals:
            assert [tuple(_plain(v) for v in row) for row in con.execute(sql).fetchall()] == rows, sql
    finally:
        con.close()


def test_import_again_changes_nothing(template_workspace: Path, tmp_path: Path) -> None:
    """Idempotent: the same file twice stores the same rows once and says so."""
    workspace = tmp_path / "ws"
    shutil.copytree(template_workspace, workspace)
    path = FILES / "orders_two_shops.csv"
    assert invoke("-w", str(workspace), "import", str(path))[0] == 0
    code, stdout, _, _ = invoke("-w", str(workspace), "import", str(path))
    assert code == 0
    assert stdout.splitlines() == [
        "= orders_two_shops.csv — 千牛 · 订单报表（订单级） (qianniu_orders): already imported, nothing changed"
    ]
